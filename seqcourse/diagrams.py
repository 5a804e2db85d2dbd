"""Figures drawn with matplotlib: diagrams of recurrent networks used in the chapters.

Each function returns a matplotlib Figure; notebooks display it. No images are stored: the
drawings are code, so they stay consistent with the notation page.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

INPUT, HIDDEN, OUTPUT = "#dbe9f6", "#fde4c8", "#d9f0d3"


def _box(ax, x, y, text, color, width=0.8, height=0.55):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04", facecolor=color, edgecolor="#333333"))
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, start, end, label=None, rad=0.0, label_offset=(0.0, 0.0)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="#333333",
                                 connectionstyle=f"arc3,rad={rad}", linewidth=1.2))
    if label:
        mx, my = (start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=9, color="#7a2e00")


def unrolled_rnn(steps: int = 4):
    """The folded RNN (left) and the same network unrolled over `steps` time steps (right)."""
    fig, ax = plt.subplots(figsize=(10, 3.4))
    # folded: one cell with a loop
    _box(ax, 0, 0, "$x_t$", INPUT)
    _box(ax, 0, 1.4, "$h_t$", HIDDEN)
    _box(ax, 0, 2.8, "$y_t$", OUTPUT)
    _arrow(ax, (0, 0.3), (0, 1.1), "$W_{xh}$", label_offset=(0.35, 0))
    _arrow(ax, (0, 1.7), (0, 2.5), "$W_{hy}$", label_offset=(0.35, 0))
    _arrow(ax, (0.42, 1.5), (0.42, 1.25), rad=-2.6)
    ax.text(0.95, 1.4, "$W_{hh}$", fontsize=9, color="#7a2e00", ha="left", va="center")
    ax.text(1.85, 1.4, "=", fontsize=22, ha="center", va="center")
    # unrolled: the same weights at every step
    for t in range(steps):
        x = 3.6 + 1.7 * t
        _box(ax, x, 0, f"$x_{t + 1}$", INPUT)
        _box(ax, x, 1.4, f"$h_{t + 1}$", HIDDEN)
        _box(ax, x, 2.8, f"$y_{t + 1}$", OUTPUT)
        _arrow(ax, (x, 0.3), (x, 1.1), "$W_{xh}$", label_offset=(0.32, 0))
        _arrow(ax, (x, 1.7), (x, 2.5), "$W_{hy}$", label_offset=(0.32, 0))
        previous = "$h_0$" if t == 0 else None
        if previous:
            _box(ax, x - 1.3, 1.4, previous, HIDDEN, width=0.55)
        _arrow(ax, (x - 1.0 if t == 0 else x - 1.3, 1.4), (x - 0.42, 1.4), "$W_{hh}$", label_offset=(0, 0.22))
    ax.set_xlim(-0.8, 3.6 + 1.7 * steps - 0.7)
    ax.set_ylim(-0.5, 3.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A recurrent network, folded (left) and unrolled in time (right): one set of weights")
    fig.tight_layout()
    return fig


def io_arrangements():
    """Four ways to arrange inputs and outputs around a recurrent network."""
    layouts = [
        ("one-to-many\n(caption an image, continue a seed)", [1, 0, 0, 0], [1, 1, 1, 1], 0),
        ("many-to-one\n(classify a sequence)", [1, 1, 1, 1], [0, 0, 0, 1], 0),
        ("many-to-many, aligned\n(tag every step, language model)", [1, 1, 1, 1], [1, 1, 1, 1], 0),
        ("many-to-many, encoder-decoder\n(translate)", [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], 3),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"width_ratios": [4, 4, 4, 6]})
    for ax, (title, inputs, outputs, split) in zip(axes, layouts):
        for t, (has_input, has_output) in enumerate(zip(inputs, outputs)):
            color = HIDDEN if not split or t < split else "#f7c9c9"
            _box(ax, t, 1.2, "", color, width=0.6, height=0.5)
            if t:
                _arrow(ax, (t - 0.7, 1.2), (t - 0.3, 1.2))
            if has_input:
                _box(ax, t, 0, "", INPUT, width=0.5, height=0.4)
                _arrow(ax, (t, 0.2), (t, 0.95))
            if has_output:
                _box(ax, t, 2.4, "", OUTPUT, width=0.5, height=0.4)
                _arrow(ax, (t, 1.45), (t, 2.2))
        ax.set_xlim(-0.6, len(inputs) - 0.4)
        ax.set_ylim(-0.4, 2.8)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=10)
    fig.text(0.5, 0.02, "blue: inputs, orange: hidden states (red: the decoder's), green: outputs",
             ha="center", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
