"""Diagrams of chapter 08 (gated recurrent units), drawn with matplotlib.

`gru_cell()` draws one step of the GRU in PyTorch's convention {Cho et al. 2014}: two gates and a
candidate computed from x_t and h_{t-1}, then a mix of the old state and the candidate.
`reset_placements()` draws the two places the reset gate can act: after the recurrent matrix
product (torch.nn.GRU, cuDNN) or before it (the EMNLP version of Cho et al.'s paper).
Each function returns a matplotlib Figure; the colours are those of `seqcourse.diagrams`.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from seqcourse.diagrams import HIDDEN, INPUT, OUTPUT

GATE, CANDIDATE, INK, NOTE = "#e8dff5", "#f7e1a8", "#333333", "#7a2e00"


def _box(ax, x, y, text, color, width, height, fontsize=11):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.05",
                                facecolor=color, edgecolor=INK, linewidth=1.1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color=INK, width=1.2, rad=0.0, style="-"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color, linewidth=width,
                                 linestyle=style, connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0))


def _node(ax, x, y, text, radius=0.28, fontsize=13):
    ax.add_patch(Circle((x, y), radius, facecolor="white", edgecolor=INK, linewidth=1.1, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def gru_cell():
    """One GRU step, t - 1 to t: the reset gate r_t shapes the candidate n_t, the update gate z_t
    mixes n_t with the old state; z_t near 1 copies h_{t-1} along the top line."""
    fig, ax = plt.subplots(figsize=(6.5, 4.25))
    top, bottom = 4.3, 0.0
    _box(ax, 0.2, top, "$h_{t-1}$", HIDDEN, 1.0, 0.6, fontsize=13)
    _box(ax, 0.2, bottom, "$x_t$", INPUT, 1.0, 0.6, fontsize=13)
    _box(ax, 11.0, top, "$h_t$", OUTPUT, 1.0, 0.6, fontsize=13)
    ax.plot([0.7, 8.87], [top, top], color=INK, linewidth=2.2)          # the state line
    _arrow(ax, (9.53, top), (10.5, top), width=2.2)
    ax.plot([0.7, 8.1], [bottom, bottom], color="#1f5f99", linewidth=1.4)  # the input line
    r_at, z_at, n_at = (2.4, 2.2), (4.9, 2.2), (7.5, 1.0)
    _box(ax, *r_at, "reset gate\n$r_t = \\sigma(\\cdot)$", GATE, 1.9, 1.0)
    _box(ax, *z_at, "update gate\n$z_t = \\sigma(\\cdot)$", GATE, 1.9, 1.0)
    _box(ax, *n_at, "candidate\n$n_t = \\tanh(\\cdot)$", CANDIDATE, 1.9, 1.0)
    for x, y in [r_at, z_at, n_at]:
        _arrow(ax, (x - 0.3, top), (x - 0.3, y + 0.56))                        # from h_{t-1}
        _arrow(ax, (x + 0.3, bottom), (x + 0.3, y - 0.56), color="#1f5f99")    # from x_t
    _arrow(ax, (r_at[0] + 0.95, r_at[1] - 0.5), (n_at[0] - 0.98, n_at[1] - 0.05), color=NOTE, width=1.6)
    ax.text(4.25, 1.2, "$r_t$", color=NOTE, fontsize=13, ha="center", va="center")
    # the mix on the state line: h_t = (1 - z) n + z h_{t-1}
    mix = (9.2, top)
    _node(ax, *mix, "mix", radius=0.36, fontsize=11)
    _arrow(ax, (n_at[0] + 0.96, n_at[1] + 0.3), (mix[0] + 0.05, mix[1] - 0.36), color=INK, width=1.4)
    ax.text(9.05, 2.3, "$n_t$, weight $1 - z_t$", fontsize=11, ha="left", va="center")
    _arrow(ax, (z_at[0] + 0.96, z_at[1] + 0.3), (mix[0] - 0.34, mix[1] - 0.14), color=NOTE, width=1.6, rad=-0.25)
    ax.text(6.5, 3.45, "$z_t$", color=NOTE, fontsize=13, ha="center", va="center")
    ax.text(4.8, top + 0.3, "$h_{t-1}$ travels on with weight $z_t$", fontsize=11, ha="center", va="bottom")
    ax.text(5.5, -0.85, "$n_t = \\tanh(x_t W_{xn} + b_{xn} + r_t \\odot (h_{t-1} W_{hn} + b_{hn}))$",
            fontsize=12, ha="center", va="center")
    ax.text(5.5, -1.6, "$h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}$:  $z_t \\approx 1$ keeps, "
            "$z_t \\approx 0$ overwrites", fontsize=12, ha="center", va="center")
    ax.set_xlim(-0.5, 11.6)
    ax.set_ylim(-2.0, 5.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One GRU step in PyTorch's convention", fontsize=12)
    fig.tight_layout()
    return fig


def reset_placements():
    """The candidate n_t with the reset gate after the product h_{t-1} W_hn (top) or before it
    (bottom). After: unit j's gate scales unit j's recurrent input. Before: unit k's gate decides
    whether h_{t-1, k} is seen at all, by every unit."""
    fig, axes = plt.subplots(2, 1, figsize=(6.5, 5.55))
    panels = [
        ("reset after the product: torch.nn.GRU, cuDNN", [
            ("$h_{t-1}$", HIDDEN, 0.95), ("$\\cdot\\, W_{hn} + b_{hn}$", GATE, 1.75), ("$\\odot\\, r_t$", CANDIDATE, 1.05),
        ], "$n_t = \\tanh(x_t W_{xn} + b_{xn} + r_t \\odot (h_{t-1} W_{hn} + b_{hn}))$",
            "$r_{t,j}$ scales what unit $j$ receives from the whole old state"),
        ("reset before the product: Cho et al. (EMNLP 2014)", [
            ("$h_{t-1}$", HIDDEN, 0.95), ("$\\odot\\, r_t$", CANDIDATE, 1.05), ("$\\cdot\\, W_{hn} + b_{hn}$", GATE, 1.75),
        ], "$n_t = \\tanh(x_t W_{xn} + b_{xn} + (r_t \\odot h_{t-1})\\, W_{hn} + b_{hn})$",
            "$r_{t,k}$ hides unit $k$ of the old state from every unit"),
    ]
    for ax, (title, chain, formula, reading) in zip(axes, panels):
        xs = [0.55]
        for (_, _, previous), (_, _, width) in zip(chain, chain[1:]):
            xs.append(xs[-1] + previous / 2 + 0.45 + width / 2)
        for x, (text, color, width) in zip(xs, chain):
            _box(ax, x, 2.0, text, color, width, 0.6, fontsize=12)
        for a, b, (_, _, wa), (_, _, wb) in zip(xs, xs[1:], chain, chain[1:]):
            _arrow(ax, (a + wa / 2 + 0.06, 2.0), (b - wb / 2 - 0.06, 2.0))
        _node(ax, 5.6, 2.0, "+")
        _arrow(ax, (xs[-1] + chain[-1][2] / 2 + 0.06, 2.0), (5.32, 2.0))
        _box(ax, 5.6, 1.0, "$x_t W_{xn} + b_{xn}$", INPUT, 1.9, 0.5, fontsize=12)
        _arrow(ax, (5.6, 1.27), (5.6, 1.72), color="#1f5f99")
        _box(ax, 6.85, 2.0, "tanh", "white", 0.75, 0.5, fontsize=12)
        _arrow(ax, (5.88, 2.0), (6.43, 2.0))
        _box(ax, 7.95, 2.0, "$n_t$", CANDIDATE, 0.6, 0.55, fontsize=13)
        _arrow(ax, (7.26, 2.0), (7.61, 2.0))
        ax.text(4.1, 2.85, title, fontsize=12, ha="center", va="center", weight="bold")
        ax.text(4.1, 0.2, formula, fontsize=12, ha="center", va="center")
        ax.text(4.1, -0.35, reading, fontsize=12, ha="center", va="center", color=NOTE)
        ax.set_xlim(-0.2, 8.5)
        ax.set_ylim(-0.65, 3.15)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig
