"""Diagrams of chapter 09 (WaveNet), drawn with matplotlib: causal against "same" padding, a stack
of dilated causal convolutions with the receptive field of one output {van den Oord et al. 2016,
figure 3}, the work of one generation step with cached states {Paine et al. 2016}, and the gated
residual block with its skip output {van den Oord et al. 2016, figure 4}.

Each function returns a matplotlib Figure 7 inches wide, with no text smaller than 11 pt,
so that it stays legible at the width of a page.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

INPUT, HIDDEN, OUTPUT, ZERO = "#dbe9f6", "#fde4c8", "#d9f0d3", "#eeeeee"
ACTIVE, CACHED, FUTURE, EDGE = "#1f5f99", "#8c6bb1", "#c0392b", "#333333"


def _node(ax, x, y, color, radius=0.28, edge=EDGE, width=1.0, text=None):
    ax.add_patch(Circle((x, y), radius, facecolor=color, edgecolor=edge, linewidth=width, zorder=3))
    if text is not None:
        ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)


def _line(ax, start, end, color="#bbbbbb", width=0.8, zorder=1):
    ax.plot([start[0], end[0]], [start[1], end[1]], color=color, linewidth=width, zorder=zorder)


def causal_padding(kernel_size: int = 3, dilation: int = 2, T: int = 7, t: int = 3):
    """One dilated convolution layer, two ways of padding it: causal padding puts all
    (k - 1) d zeros on the left, so output t reads x_t and d, 2d, ... steps back; "same"
    padding splits the zeros between both ends, and output t reads the future."""
    span = (kernel_size - 1) * dilation
    fig, axes = plt.subplots(2, 1, figsize=(7.0, 4.4))
    for ax, mode in zip(axes, ["causal", "same"]):
        left = span if mode == "causal" else span // 2
        right = 0 if mode == "causal" else span - span // 2
        cells = ["0"] * left + [f"x{i}" for i in range(T)] + ["0"] * right
        first = -left                                              # time index of the first cell
        taps = [t - left + j * dilation for j in range(kernel_size)]  # the steps output t reads
        for i, label in enumerate(cells):
            time = first + i
            color = ZERO if label == "0" else INPUT
            edge = FUTURE if time in taps and time > t else ACTIVE if time in taps else EDGE
            _node(ax, i, 0, color, edge=edge, width=2.2 if time in taps else 1.0,
                  text="0" if label == "0" else f"$x_{{{time}}}$")
        out_x = t - first
        for time in range(T):
            _node(ax, time - first, 1.5, OUTPUT if time == t else "white",
                  edge=EDGE, text=f"$y_{{{time}}}$" if time == t else None, radius=0.28)
        for tap in taps:
            _line(ax, (out_x, 1.5 - 0.28), (tap - first, 0.28), color=FUTURE if tap > t else ACTIVE,
                  width=2.0, zorder=2)
        read = ", ".join("a zero" if tap < 0 or tap >= T else f"$x_{{{tap}}}$" for tap in taps)
        title = (f"causal: (k-1)d = {span} zeros on the left; $y_{{{t}}}$ reads {read}" if mode == "causal" else
                 f"'same': {left} zeros left, {right} right; $y_{{{t}}}$ reads {read}: the future")
        ax.set_title(title, fontsize=12, loc="left")
        ax.set_xlim(-0.6, len(cells) - 0.4)
        ax.set_ylim(-0.5, 2.0)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.suptitle(f"One layer with kernel size k = {kernel_size} and dilation d = {dilation}", fontsize=12)
    fig.tight_layout()
    return fig


def dilated_stack(kernel_size: int = 2, dilations=(1, 2, 4, 8), T: int = 18, mode: str = "receptive"):
    """A stack of dilated causal convolutions, one row of nodes per layer, oldest step on the left.

    mode="receptive": the paths from the last output down to the inputs it depends on, and the
    receptive field 1 + (k - 1) * sum(dilations) marked on the input row.
    mode="generation": what one generation step computes with cached states: one new node per
    layer (blue), reading k nodes of the layer below, all but one of them computed at earlier
    steps and kept in that layer's queue (purple)."""
    L = len(dilations)
    gap = 1.0
    width, height = T + 3.8, L * gap + 1.7                           # the data limits set below
    fig, ax = plt.subplots(figsize=(7.0, 7.0 * height / width + 0.5))
    last = T - 1
    needed = [set() for _ in range(L + 1)]                          # needed[l]: steps of row l used
    needed[L] = {last}
    for layer in range(L, 0, -1):
        d = dilations[layer - 1]
        for s in needed[layer]:
            needed[layer - 1] |= {s - j * d for j in range(kernel_size) if s - j * d >= 0}
    for row in range(L + 1):
        y = row * gap
        for s in range(T):
            if mode == "receptive":
                active = s in needed[row]
                color = (INPUT if row == 0 else OUTPUT if row == L else HIDDEN) if active else "white"
                edge = ACTIVE if active else "#aaaaaa"
            else:
                new = s == last
                cached = row < L and s != last and any(
                    last - j * dilations[row] == s for j in range(kernel_size))
                color = (INPUT if row == 0 else OUTPUT if row == L else HIDDEN) if new or cached else "white"
                edge = ACTIVE if new else CACHED if cached else "#aaaaaa"
            _node(ax, s, y, color, radius=0.2, edge=edge, width=2.0 if edge in (ACTIVE, CACHED) else 0.8)
        if row < L:
            d = dilations[row]
            for s in range(T):                                      # every connection, faint
                for j in range(kernel_size):
                    if s - j * d >= 0:
                        _line(ax, (s, y + gap - 0.2), (s - j * d, y + 0.2), color="#e2e2e2", width=0.6)
            sources = needed[row + 1] if mode == "receptive" else {last}
            for s in sources:
                for j in range(kernel_size):
                    if s - j * d >= 0:
                        color = ACTIVE if mode == "receptive" or j == 0 else CACHED
                        _line(ax, (s, y + gap - 0.2), (s - j * d, y + 0.2), color=color, width=1.6, zorder=2)
        label = "input" if row == 0 else "output" if row == L else f"d = {dilations[row - 1]}"
        if row > 0 and row < L:
            label = f"layer {row}, d = {dilations[row - 1]}"
        if row == L:
            label = f"layer {row}, d = {dilations[row - 1]}"
        ax.text(-0.7, y, label, ha="right", va="center", fontsize=11)
    receptive = 1 + (kernel_size - 1) * sum(dilations)
    if mode == "receptive":
        first = last - receptive + 1
        ax.annotate("", xy=(max(first, 0) - 0.3, -0.55), xytext=(last + 0.3, -0.55),
                    arrowprops=dict(arrowstyle="<->", color=ACTIVE, linewidth=1.4))
        ax.text((max(first, 0) + last) / 2, -0.95,
                f"receptive field 1 + (k-1)(" + " + ".join(str(d) for d in dilations) + f") = {receptive} inputs",
                ha="center", va="center", fontsize=11, color=ACTIVE)
        title = f"Dilated causal convolutions, k = {kernel_size}: what the newest output depends on"
    else:
        ax.text(T / 2 - 0.5, -0.75, "blue: computed at this step (one node per layer); "
                "purple: read from the layer's queue", ha="center", va="center", fontsize=11)
        title = "One generation step with cached states (fast WaveNet generation)"
    ax.set_title(title, fontsize=12)
    ax.set_xlim(-4.2, T - 0.4)
    ax.set_ylim(-1.25, L * gap + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def _box(ax, x, y, text, color, width=1.6, height=0.6, fontsize=11):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                facecolor=color, edgecolor=EDGE, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def _arrow(ax, start, end, text=None, offset=(0.0, 0.0), rad=0.0):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, color=EDGE, linewidth=1.1,
                                 connectionstyle=f"arc3,rad={rad}", zorder=1))
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text,
                ha="center", va="center", fontsize=11, color="#7a2e00")


def gated_block():
    """The gated residual block: two dilated causal convolutions, tanh times sigmoid, then two
    1x1 convolutions, one added to the block's input (residual), one sent to the skip sum; and the
    output head that reads the sum of all skips."""
    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    _box(ax, 0.0, 0.0, "$x^{(i)}$  (N, T, C)", INPUT, width=2.0)
    _box(ax, -1.35, 1.3, "dilated causal\nconv $W_f$", HIDDEN, width=2.25, height=0.8)
    _box(ax, 1.35, 1.3, "dilated causal\nconv $W_g$", HIDDEN, width=2.25, height=0.8)
    _box(ax, -1.3, 2.55, "tanh", HIDDEN, width=1.0)
    _box(ax, 1.3, 2.55, r"$\sigma$", HIDDEN, width=1.0)
    _box(ax, 0.0, 3.55, r"$\odot$: $z$  (N, T, C)", HIDDEN, width=2.2)
    _box(ax, -1.6, 4.7, "1x1 conv $W_r$", HIDDEN, width=1.9)
    _box(ax, 2.8, 4.7, "1x1 conv $W_s$", HIDDEN, width=1.9)
    _box(ax, -1.6, 5.8, "+", OUTPUT, width=0.6)
    _box(ax, -1.9, 6.85, "$x^{(i+1)}$: next block", OUTPUT, width=2.9)
    _box(ax, 2.8, 5.8, "skip $s^{(i)}$  (N, T, S)", OUTPUT, width=2.7)
    _arrow(ax, (-0.4, 0.3), (-1.1, 0.9))
    _arrow(ax, (0.4, 0.3), (1.1, 0.9))
    _arrow(ax, (-1.3, 1.7), (-1.3, 2.25))
    _arrow(ax, (1.3, 1.7), (1.3, 2.25))
    _arrow(ax, (-1.3, 2.85), (-0.5, 3.25))
    _arrow(ax, (1.3, 2.85), (0.5, 3.25))
    _arrow(ax, (-0.4, 3.85), (-1.4, 4.4))
    _arrow(ax, (0.4, 3.85), (2.5, 4.4))
    _arrow(ax, (-1.6, 5.0), (-1.6, 5.5))
    _arrow(ax, (2.8, 5.0), (2.8, 5.5))
    _arrow(ax, (-1.6, 6.1), (-1.6, 6.55))
    ax.plot([-1.0, -2.9, -2.9], [0.0, 0.0, 5.8], color=ACTIVE, linewidth=1.4, zorder=1)
    ax.add_patch(FancyArrowPatch((-2.9, 5.8), (-1.9, 5.8), arrowstyle="-|>", mutation_scale=11, color=ACTIVE,
                                 linewidth=1.4, zorder=1))
    ax.text(-3.1, 2.9, "residual:\nthe input\nitself", ha="right", va="center", fontsize=11, color=ACTIVE)
    _box(ax, 3.3, 6.85, "sum over blocks, then ReLU, 1x1,\nReLU, 1x1, softmax (256 classes)", ZERO,
         width=4.3, height=0.8)
    _arrow(ax, (2.8, 6.1), (2.8, 6.45))
    ax.text(4.5, 1.3, "same dilation d\nand kernel size k;\npadding (k-1)d\non the left", ha="center",
            va="center", fontsize=11)
    ax.set_xlim(-4.6, 5.6)
    ax.set_ylim(-0.5, 7.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One WaveNet block: gated activation, residual and skip outputs", fontsize=12)
    fig.tight_layout()
    return fig
