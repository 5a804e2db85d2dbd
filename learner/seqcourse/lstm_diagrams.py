"""Diagrams of chapter 06 (long short-term memory), drawn with matplotlib.

`lstm_cell()` draws one step of the LSTM with the forget gate, in the course's notation: the fused
affine map of x_t and h_{t-1}, split into the four gates i, f, g, o, and the three paths through
the cell (forget, write, read). `weight_layout()` shows how the fused weights W_x (D, 4H) and
b (4H,) sit inside torch.nn.LSTM's weight_ih_l0 (4H, D) and its two bias vectors.
Each function returns a matplotlib Figure.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

GATE_COLORS = {"i": "#9ecae1", "f": "#fdae6b", "g": "#a1d99b", "o": "#bcbddc"}
CELL_PATH = "#b30000"
INK = "#333333"


def _arrow(ax, start, end, color=INK, width=1.3, rad=0.0, style="-"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color, linestyle=style,
                                 linewidth=width, connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0))


def _line(ax, points, color=INK, width=1.3, style="-"):
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, linewidth=width, linestyle=style, solid_capstyle="round")


def _operator(ax, x, y, symbol, color="white", radius=0.24, fontsize=13):
    ax.add_patch(Circle((x, y), radius, facecolor=color, edgecolor=INK, linewidth=1.2, zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize, zorder=4)


def _box(ax, x, y, text, color, width=0.9, height=0.5, fontsize=12):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.03",
                                facecolor=color, edgecolor=INK, linewidth=1.1, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def lstm_cell():
    """One LSTM step: [i f g o] = x_t W_x + h_{t-1} W_h + b, split; c_t = f c_{t-1} + i g;
    h_t = o tanh(c_t). The cell path along the top is drawn in red."""
    fig, ax = plt.subplots(figsize=(6.75, 4.3))
    top, gates_y, affine_y = 4.0, 2.0, 0.9
    # the cell path: c_{t-1} -> (x f) -> (+ i g) -> c_t
    ax.text(0.05, top, r"$c_{t-1}$", ha="right", va="center", fontsize=13)
    _line(ax, [(0.15, top), (2.26, top)], CELL_PATH, 2.2)
    _operator(ax, 2.5, top, r"$\times$")
    _line(ax, [(2.74, top), (4.76, top)], CELL_PATH, 2.2)
    _operator(ax, 5.0, top, r"$+$")
    _arrow(ax, (5.24, top), (9.0, top), CELL_PATH, 2.2)
    ax.text(9.1, top, r"$c_t$", ha="left", va="center", fontsize=13)
    ax.text(3.5, top + 0.35, r"forget: $f_t \odot c_{t-1}$", ha="center", fontsize=11, color=CELL_PATH)
    ax.text(7.2, top + 0.3, "the cell path: no weight\nmatrix, no squashing", ha="center", va="bottom",
            fontsize=10, color=CELL_PATH)
    # the fused affine map and its split
    ax.add_patch(FancyBboxPatch((1.3, affine_y - 0.32), 5.4, 0.64, boxstyle="round,pad=0.03",
                                facecolor="#eeeeee", edgecolor=INK, linewidth=1.1, zorder=3))
    ax.text(4.0, affine_y, r"$[a_i\ a_f\ a_g\ a_o] = x_t W_x + h_{t-1} W_h + b$",
            ha="center", va="center", fontsize=11, zorder=4)
    ax.text(0.05, 0.1, r"$h_{t-1}$", ha="right", va="center", fontsize=13)
    ax.text(2.3, -0.35, r"$x_t$", ha="center", va="top", fontsize=13)
    ax.text(6.85, affine_y, r"$(N, 4H)$", ha="left", va="center", fontsize=11)
    _line(ax, [(0.15, 0.1), (1.7, 0.1)])
    _arrow(ax, (1.7, 0.1), (1.7, affine_y - 0.33))
    _arrow(ax, (2.3, -0.3), (2.3, affine_y - 0.33))
    gate_x = {"f": 2.5, "i": 3.75, "g": 5.0, "o": 6.3}
    labels = {"f": r"$\sigma$: $f_t$", "i": r"$\sigma$: $i_t$", "g": r"$\tanh$: $g_t$", "o": r"$\sigma$: $o_t$"}
    for name, x in gate_x.items():
        _arrow(ax, (x, affine_y + 0.33), (x, gates_y - 0.26))
        _box(ax, x, gates_y, labels[name], GATE_COLORS[name], width=1.0, height=0.48, fontsize=11)
    # forget gate into the product on the cell path
    _arrow(ax, (gate_x["f"], gates_y + 0.25), (2.5, top - 0.25))
    # write: i * g, added to the cell
    _operator(ax, 4.45, 3.0, r"$\times$")
    _line(ax, [(gate_x["i"], gates_y + 0.25), (gate_x["i"], 3.0), (4.21, 3.0)])
    _line(ax, [(gate_x["g"], gates_y + 0.25), (gate_x["g"], 2.6), (4.45, 2.6)])
    _arrow(ax, (4.45, 2.6), (4.45, 2.76))
    _line(ax, [(4.69, 3.0), (5.0, 3.0)])
    _arrow(ax, (5.0, 3.0), (5.0, top - 0.25))
    ax.text(4.05, 3.2, r"write: $i_t \odot g_t$", ha="right", va="bottom", fontsize=11)
    # read: o * tanh(c_t)
    _line(ax, [(7.6, top), (7.6, 3.45)], INK)
    _box(ax, 7.6, 3.2, r"$\tanh$", "white", width=0.8, height=0.44)
    _arrow(ax, (7.6, 2.97), (7.6, 2.24))
    _operator(ax, 7.6, gates_y, r"$\times$")
    _line(ax, [(gate_x["o"] + 0.5, gates_y), (7.36, gates_y)])
    _arrow(ax, (7.84, gates_y), (9.0, gates_y))
    ax.text(9.1, gates_y, r"$h_t$", ha="left", va="center", fontsize=13)
    ax.text(8.3, 2.55, "read:\n" + r"$o_t \odot \tanh(c_t)$", ha="left", va="center", fontsize=11)
    ax.set_xlim(-0.7, 9.8)
    ax.set_ylim(-0.8, 5.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One LSTM step, with the forget gate of Gers et al. (2000)", fontsize=11)
    fig.tight_layout()
    return fig


def weight_layout(D: int = 3, H: int = 2):
    """Our W_x (D, 4H), column blocks i f g o, is the transpose of torch.nn.LSTM's weight_ih_l0
    (4H, D), row blocks in the same order; our bias b is the sum of its two bias vectors."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.75, 3.9), gridspec_kw={"width_ratios": [1.25, 1]})
    cell = 0.45
    for k, name in enumerate("ifgo"):  # ours: D rows, 4H columns
        for j in range(H):
            for d in range(D):
                left.add_patch(Rectangle(((k * H + j) * cell, (D - 1 - d) * cell), cell, cell,
                                         facecolor=GATE_COLORS[name], edgecolor="white", linewidth=1.5))
        left.text((k * H + H / 2) * cell, D * cell + 0.12, f"${name}$", ha="center", va="bottom", fontsize=13)
        left.add_patch(Rectangle((k * H * cell, -0.95), H * cell, cell, facecolor=GATE_COLORS[name],
                                 edgecolor="white", linewidth=1.5))
    left.text(2 * H * cell, D * cell + 0.95, r"ours: $W_x$, shape $(D, 4H)$", ha="center", fontsize=11)
    left.text(-0.15, D * cell / 2, f"D = {D}", ha="right", va="center", fontsize=11)
    left.text(2 * H * cell, D * cell + 0.45, f"H = {H} columns per gate", ha="center", va="bottom", fontsize=10)
    left.text(2 * H * cell, -1.15, r"$b$, shape $(4H,)$: one bias", ha="center", va="top", fontsize=11)
    left.text(2 * H * cell, -1.75, r"$x_t W_x$: row times matrix", ha="center", va="top", fontsize=11)
    left.set_xlim(-1.1, 4 * H * cell + 0.3)
    left.set_ylim(-2.3, D * cell + 1.4)
    left.set_aspect("equal")
    left.axis("off")
    for k, name in enumerate("ifgo"):  # PyTorch: 4H rows, D columns
        for j in range(H):
            row = 4 * H - 1 - (k * H + j)
            for d in range(D):
                right.add_patch(Rectangle((d * cell, row * cell), cell, cell, facecolor=GATE_COLORS[name],
                                          edgecolor="white", linewidth=1.5))
            for b, x0 in enumerate([D * cell + 0.35, D * cell + 0.35 + 1.3 * cell]):
                right.add_patch(Rectangle((x0, row * cell), cell, cell, facecolor=GATE_COLORS[name],
                                          edgecolor="white", linewidth=1.5))
        right.text(-0.12, (4 * H - k * H - H / 2) * cell, f"${name}$", ha="right", va="center", fontsize=13)
    right.text(D * cell / 2, -0.15, "weight_ih_l0\n" + r"$(4H, D) = W_x^\top$",
               ha="center", va="top", fontsize=10)
    bias_x = D * cell + 0.35 + 1.15 * cell
    right.text(bias_x + 0.25, -0.15, "bias_ih_l0\n+ bias_hh_l0\n" + r"$= b$", ha="left",
               va="top", fontsize=10)
    right.set_xlim(-0.6, D * cell + 2.6)
    right.set_ylim(-1.9, 4 * H * cell + 0.3)
    right.set_aspect("equal")
    right.axis("off")
    fig.suptitle("The same numbers, two layouts; gate order i, f, g, o in both", fontsize=11)
    fig.tight_layout()
    return fig
