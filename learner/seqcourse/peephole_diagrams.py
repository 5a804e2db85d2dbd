"""Diagrams of chapter 07 (peephole connections), drawn with matplotlib.

`peephole_cell()` draws one step of the peephole LSTM (introduced by Gers and Schmidhuber, 2000),
in the form of Gers, Schraudolph and Schmidhuber ("Learning precise timing with LSTM recurrent
networks", JMLR 3, 2002), in the course's notation and the layout of chapter 06's `lstm_cell()`:
the input and forget gates look at the old cell state c_{t-1}, the output gate at the new one, c_t,
so it is computed after the cell update. The drawing helpers are chapter 06's.
It returns a matplotlib Figure.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from seqcourse.lstm_diagrams import CELL_PATH, GATE_COLORS, INK, _arrow, _box, _line, _operator

PEEPHOLE = "#1f5f99"


def peephole_cell():
    """One peephole LSTM step. The three peephole connections are the dashed blue arrows: from
    c_{t-1} into the forget and input gates, from c_t into the output gate. Each is an elementwise
    product with a vector of H weights (p_f, p_i, p_o); the candidate g has none."""
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    top, gates_y, affine_y = 4.2, 2.0, 0.9
    # the cell path: c_{t-1} -> (x f) -> (+ i g) -> c_t
    ax.text(0.05, top, r"$c_{t-1}$", ha="right", va="center", fontsize=14)
    _line(ax, [(0.15, top), (2.96, top)], CELL_PATH, 2.2)
    _operator(ax, 3.2, top, r"$\times$", fontsize=14)
    _line(ax, [(3.44, top), (5.06, top)], CELL_PATH, 2.2)
    _operator(ax, 5.3, top, r"$+$", fontsize=14)
    _arrow(ax, (5.54, top), (10.0, top), CELL_PATH, 2.2)
    ax.text(10.1, top, r"$c_t$", ha="left", va="center", fontsize=14)
    # the fused affine map and its split
    ax.add_patch(FancyBboxPatch((1.7, affine_y - 0.32), 5.8, 0.64, boxstyle="round,pad=0.03",
                                facecolor="#eeeeee", edgecolor=INK, linewidth=1.1, zorder=3))
    ax.text(4.6, affine_y, r"$a = x_t W_x + h_{t-1} W_h + b$,  $(N, 4H)$",
            ha="center", va="center", fontsize=12, zorder=4)
    ax.text(0.05, 0.1, r"$h_{t-1}$", ha="right", va="center", fontsize=14)
    ax.text(2.8, -0.35, r"$x_t$", ha="center", va="top", fontsize=14)
    _line(ax, [(0.15, 0.1), (2.2, 0.1)])
    _arrow(ax, (2.2, 0.1), (2.2, affine_y - 0.33))
    _arrow(ax, (2.8, -0.3), (2.8, affine_y - 0.33))
    gate_x = {"f": 3.2, "i": 4.5, "g": 5.7, "o": 7.2}
    labels = {"f": r"$\sigma$: $f_t$", "i": r"$\sigma$: $i_t$", "g": r"$\tanh$: $g_t$", "o": r"$\sigma$: $o_t$"}
    for name, x in gate_x.items():
        _arrow(ax, (x, affine_y + 0.33), (x, gates_y - 0.26))
        _box(ax, x, gates_y, labels[name], GATE_COLORS[name], width=1.1, height=0.5, fontsize=12)
    _arrow(ax, (gate_x["f"], gates_y + 0.25), (3.2, top - 0.25))
    # write: i * g, added to the cell
    _operator(ax, 5.1, 3.1, r"$\times$", fontsize=14)
    _line(ax, [(gate_x["i"], gates_y + 0.25), (gate_x["i"], 3.1), (4.86, 3.1)])
    _line(ax, [(gate_x["g"], gates_y + 0.25), (gate_x["g"], 2.7), (5.1, 2.7)])
    _arrow(ax, (5.1, 2.7), (5.1, 2.86))
    _line(ax, [(5.34, 3.1), (5.3, 3.1)])
    _arrow(ax, (5.3, 3.34), (5.3, top - 0.25))
    # read: o * tanh(c_t)
    _line(ax, [(8.7, top), (8.7, 3.45)], INK)
    _box(ax, 8.7, 3.2, r"$\tanh$", "white", width=0.8, height=0.44)
    _arrow(ax, (8.7, 2.97), (8.7, 2.24))
    _operator(ax, 8.7, gates_y, r"$\times$", fontsize=14)
    _line(ax, [(gate_x["o"] + 0.5, gates_y), (8.46, gates_y)])
    _arrow(ax, (8.94, gates_y), (10.0, gates_y))
    ax.text(10.1, gates_y, r"$h_t$", ha="left", va="center", fontsize=14)
    # the peepholes: c_{t-1} into f and i (tapped before the forget product), c_t into o
    _line(ax, [(1.2, top), (1.2, 2.85)], PEEPHOLE, 1.6, "--")
    _arrow(ax, (1.2, 2.85), (gate_x["f"] - 0.52, gates_y + 0.1), PEEPHOLE, 1.6, style="--")
    _line(ax, [(1.2, 2.85), (2.55, 2.85)], PEEPHOLE, 1.6, "--")
    _arrow(ax, (2.55, 2.85), (gate_x["i"] - 0.45, gates_y + 0.26), PEEPHOLE, 1.6, rad=-0.25, style="--")
    ax.text(1.1, 3.55, r"$c_{t-1} \odot p_f$" + "\n" + r"$c_{t-1} \odot p_i$", ha="right", va="center",
            fontsize=12, color=PEEPHOLE)
    _line(ax, [(6.5, top), (6.5, 2.9)], PEEPHOLE, 1.6, "--")
    _arrow(ax, (6.5, 2.9), (gate_x["o"] - 0.2, gates_y + 0.26), PEEPHOLE, 1.6, style="--")
    ax.text(6.6, 3.45, r"$c_t \odot p_o$", ha="left", va="center", fontsize=12, color=PEEPHOLE)
    ax.text(4.3, top + 0.45, r"$i_t, f_t$ see the old cell $c_{t-1}$;  $o_t$ sees the new cell $c_t$",
            ha="center", fontsize=12, color=PEEPHOLE)
    ax.set_xlim(-0.6, 10.8)
    ax.set_ylim(-0.8, 5.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One peephole LSTM step (Gers and Schmidhuber, 2000; Gers et al., 2002)", fontsize=13)
    fig.tight_layout()
    return fig

