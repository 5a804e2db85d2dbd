"""Figures drawn with matplotlib: the explanatory diagrams of the chapters, one section per chapter
after the shared drawing helpers.

Each function returns a matplotlib Figure; notebooks display it. No images are stored: the
drawings are code, so they stay consistent with the notation page.

Every diagram is at most 6.8 inches wide and its smallest text is 11 pt, so that on the website,
whose text column is 676 px wide, no text is shown smaller than 14 px (11 pt at 100 dpi is 15 px).
Wide layouts are stacked vertically instead of shrunk.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

INPUT, HIDDEN, OUTPUT = "#dbe9f6", "#fde4c8", "#d9f0d3"
INK, NOTE = "#333333", "#7a2e00"
WIDTH = 6.8     # inches: the widest a figure may be and still be shown at its natural size
SMALL = 11      # points: the smallest text in any diagram
LABEL = 12      # points: text inside boxes
TITLE = 12      # points: titles


def _box(ax, x, y, text, color, width=0.8, height=0.55, fontsize=LABEL):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04", facecolor=color, edgecolor=INK))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, label=None, rad=0.0, label_offset=(0.0, 0.0), color=INK, fontsize=SMALL):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color,
                                 connectionstyle=f"arc3,rad={rad}", linewidth=1.2))
    if label:
        mx, my = (start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=fontsize, color=NOTE)


def _canvas(ax, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")


# ---------------------------------------------------------------------------
# Chapter 01: autoregressive models
# ---------------------------------------------------------------------------

PREDICTED = "#f7c9c9"


def ar_window(T: int = 9, p: int = 3, t: int = 6):
    """An AR(p) model reads the window x_{t-p}, ..., x_{t-1} (oldest first) and predicts x_t;
    below, the windows of the whole series stacked into the features (M, p) and targets (M,)."""
    M = T - p
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 6.2),
                                      gridspec_kw={"height_ratios": [3.1, 0.62 * M + 1.25]})
    for i in range(1, T + 1):
        color = INPUT if t - p <= i < t else OUTPUT if i == t else "#eeeeee"
        _box(top, i, 0, f"$x_{{{i}}}$", color, width=0.8)
    top.add_patch(FancyBboxPatch((t - p - 0.47, -0.42), p - 0.06, 0.84, boxstyle="round,pad=0.02",
                                 facecolor="none", edgecolor="#1f5f99", linewidth=1.6, linestyle="--"))
    top.text(t - (p + 1) / 2, -0.6, f"window of p = {p} values, oldest first", ha="center", va="top",
             fontsize=SMALL, color="#1f5f99")
    formula = (r"$\hat{x}_{%d} = [x_{%d}, x_{%d}, x_{%d}]\, w + b$" % (t, t - 3, t - 2, t - 1)
               if p == 3 else r"$\hat{x}_{%d}$" % t)
    _box(top, t - 0.6, 1.6, formula, OUTPUT, width=3.9, height=0.62)
    _arrow(top, (t - (p + 1) / 2, 0.3), (t - (p + 1) / 2, 1.27))
    _arrow(top, (t + 0.3, 1.27), (t + 0.3, 0.3))
    top.text(t + 0.45, 0.8, "target", fontsize=SMALL, color="#2d6a1f", va="center")
    _canvas(top, (0.45, T + 0.55), (-1.05, 2.05))
    # the stacked windows: row i holds x_{i+1..i+p} and the target x_{i+p+1}
    for row in range(M):
        y = -row * 0.62
        bottom.text(0.25, y, f"row {row}", ha="right", va="center", fontsize=SMALL)
        for j in range(p):
            _box(bottom, 0.9 + 0.9 * j, y, f"$x_{{{row + j + 1}}}$", INPUT, width=0.8, height=0.48)
        _box(bottom, 0.9 + 0.9 * p + 0.45, y, f"$x_{{{row + p + 1}}}$", OUTPUT, width=0.8, height=0.48)
    bottom.text(0.9 + 0.45 * (p - 1), 0.5, f"features (M, p) = ({M}, {p})", ha="center", fontsize=SMALL)
    bottom.text(0.9 + 0.9 * p + 0.45, 0.5, f"targets ({M},)", ha="center", fontsize=SMALL)
    bottom.text(0.9 + 0.9 * p + 1.2, -(M - 1) * 0.31,
                f"M = T - p = {T} - {p} = {M} windows:\nthe first p values are never\na target, the last value is\n"
                "never in a window", ha="left", va="center", fontsize=SMALL, linespacing=1.4)
    _canvas(bottom, (-0.75, 8.4), (-(M - 1) * 0.62 - 0.4, 0.85))
    fig.suptitle(f"An autoregressive model of order p = {p},\nand the training pairs it is fitted on",
                 fontsize=TITLE)
    fig.tight_layout()
    return fig


def one_step_vs_recursive(p: int = 3, k: int = 4, history: int = 5):
    """One-step-ahead predictions read true values only; a k-step forecast feeds its own
    predictions back into the window, so from step p + 1 on it reads nothing but predictions."""
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 5.0))
    n = history + k
    titles = ["One step ahead: every window holds true values",
              f"k = {k} steps ahead, recursively: predictions are fed back"]
    for ax, title, recursive in zip(axes, titles, [False, True]):
        for step in range(k):
            y = -0.62 * step
            target = history + step  # 0-based position of the value predicted at this step
            for i in range(n):
                if target - p <= i < target:
                    fed_back = recursive and i >= history
                    color, text = (PREDICTED, f"$\\hat{{x}}_{{{i + 1}}}$") if fed_back else (INPUT, f"$x_{{{i + 1}}}$")
                elif i == target:
                    color, text = OUTPUT, f"$\\hat{{x}}_{{{i + 1}}}$"
                else:
                    color, text = "#f4f4f4", ""
                _box(ax, i, y, text, color, width=0.8, height=0.5)
            ax.text(-0.55, y, f"step {step + 1}", ha="right", va="center", fontsize=SMALL)
        ax.axvline(history - 0.5, color="#888888", linestyle=":", linewidth=1.2)
        ax.set_title(title, fontsize=TITLE)
        _canvas(ax, (-1.75, n - 0.45), (-0.62 * (k - 1) - 0.4, 0.4))
    fig.text(0.5, 0.015, "blue: true values in the window;  red: the model's own predictions in the window;\n"
             "green: the value predicted;  dotted line: the forecast origin",
             ha="center", fontsize=SMALL, linespacing=1.4)
    fig.tight_layout(rect=(0, 0.09, 1, 1), h_pad=1.5)
    return fig


def window_vs_state(p: int = 3):
    """Top: an AR(p) model sees a fixed window and nothing older. Bottom: a latent model keeps a
    state h_t = f(h_{t-1}, x_t) that summarises the whole past, and predicts the next value from it,
    x^_{t+1} = g(h_t)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 6.2))
    labels = ["$x_{t-5}$", "$x_{t-4}$", "$x_{t-3}$", "$x_{t-2}$", "$x_{t-1}$", "$x_t$"]
    centre = len(labels) - 1 - (p - 1) / 2
    for i, label in enumerate(labels):
        seen = i >= len(labels) - p
        _box(top, i, 0, label, INPUT if seen else "#eeeeee", width=0.85)
        if seen:
            _arrow(top, (i, 0.3), (centre + 0.5 * (i - len(labels) + (p + 1) / 2), 1.3))
    _box(top, centre - 0.3, 1.62, r"$\hat{x}_{t+1} = [x_{t-%d}, \ldots, x_t]\, w + b$" % (p - 1),
         OUTPUT, width=3.6, height=0.62)
    top.text(1, 0.75, "forgotten:\noutside the window", ha="center", fontsize=SMALL, color="#666666")
    top.set_title(f"AR(p): a fixed window of p = {p} values", fontsize=TITLE)
    _canvas(top, (-0.55, len(labels) - 0.45), (-0.45, 2.05))
    for i in range(4):
        x = 1.45 * i
        _box(bottom, x, 0, labels[i + 2], INPUT, width=0.85)
        _box(bottom, x, 1.25, ["$h_{t-3}$", "$h_{t-2}$", "$h_{t-1}$", "$h_t$"][i], HIDDEN, width=0.85)
        _arrow(bottom, (x, 0.3), (x, 0.95))
        if i:
            _arrow(bottom, (x - 1.02, 1.25), (x - 0.45, 1.25), "$f$", label_offset=(0, 0.25))
    _arrow(bottom, (-1.1, 1.25), (-0.45, 1.25))
    bottom.text(-1.2, 1.25, "...", ha="right", va="center", fontsize=LABEL)
    _box(bottom, 4.35, 2.5, r"$\hat{x}_{t+1} = g(h_t)$", OUTPUT, width=2.0, height=0.6)
    _arrow(bottom, (4.35, 1.55), (4.35, 2.18), "$g$", label_offset=(0.25, 0))
    bottom.set_title("latent autoregressive: a state $h_t = f(h_{t-1}, x_t)$\nsummarises the whole past",
                     fontsize=TITLE)
    _canvas(bottom, (-1.9, 5.55), (-0.45, 2.9))
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Chapter 02: Markov models
# ---------------------------------------------------------------------------


def markov_chain(P, labels, title=None):
    """A small Markov chain as a state diagram: one circle per state, an arrow i -> j labelled
    with P[i, j] for every transition of nonzero probability, self-loops outside the circle.

    P: (S, S) row-stochastic (row i is the distribution of the next state after state i),
    labels: S names. States are placed on a circle, the first one on the left.
    """
    P = np.asarray(P, dtype=float)
    S = len(labels)
    angles = np.pi - 2 * np.pi * np.arange(S) / S  # first state on the left, then clockwise
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1) * (1.6 if S > 2 else 1.5)
    radius = 0.6 if S == 2 else 0.45
    fig, ax = plt.subplots(figsize=(6.2, 3.2) if S == 2 else (6.2, 5.6))
    for (x, y), label in zip(centres, labels):
        ax.add_patch(Circle((x, y), radius, facecolor=HIDDEN, edgecolor=INK, linewidth=1.2, zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=LABEL, zorder=3)
    middle = centres.mean(axis=0)
    for i in range(S):
        for j in range(S):
            if P[i, j] <= 0:
                continue
            if i == j:  # a self-loop on the side away from the middle of the diagram
                outward = centres[i] - middle
                outward = outward / np.linalg.norm(outward) if np.linalg.norm(outward) > 0 else np.array([0.0, 1.0])
                base = np.arctan2(outward[1], outward[0])
                start = centres[i] + radius * np.array([np.cos(base + 0.55), np.sin(base + 0.55)])
                end = centres[i] + radius * np.array([np.cos(base - 0.55), np.sin(base - 0.55)])
                ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=INK,
                                             connectionstyle="arc3,rad=-2.2", linewidth=1.2))
                spot = centres[i] + outward * (radius + (1.0 if S == 2 else 0.85))
                ax.text(*spot, f"{P[i, j]:.3g}", ha="center", va="center", fontsize=SMALL + 1, color=NOTE)
                continue
            direction = centres[j] - centres[i]
            direction = direction / np.linalg.norm(direction)
            normal = np.array([-direction[1], direction[0]])
            start = centres[i] + radius * direction + 0.12 * normal
            end = centres[j] - radius * direction + 0.12 * normal
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=INK,
                                         connectionstyle="arc3,rad=-0.25", linewidth=1.2))
            bulge = 0.12 + 0.125 * np.linalg.norm(end - start)  # where the arc passes the midpoint
            spot = (centres[i] + centres[j]) / 2 + (bulge + 0.28) * normal
            ax.text(*spot, f"{P[i, j]:.3g}", ha="center", va="center", fontsize=SMALL + 1, color=NOTE,
                    bbox=dict(facecolor="white", edgecolor="none", pad=1.0), zorder=4)
    span = np.abs(centres).max() + radius + 1.3
    ax.set_xlim(-span, span)
    ax.set_ylim(-span * (0.45 if S == 2 else 1), span * (0.45 if S == 2 else 1))
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=TITLE)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Chapter 03: recurrent neural networks
# ---------------------------------------------------------------------------


def unrolled_rnn(steps: int = 4):
    """The folded RNN (left) and the same network unrolled over `steps` time steps (right)."""
    dx, first = 1.6, 2.95
    right = first + dx * (steps - 1) + 0.75
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    # folded: one cell with a loop
    _box(ax, 0, 0, "$x_t$", INPUT, width=0.75)
    _box(ax, 0, 1.45, "$h_t$", HIDDEN, width=0.75)
    _box(ax, 0, 2.9, "$y_t$", OUTPUT, width=0.75)
    _arrow(ax, (0, 0.3), (0, 1.15), "$W_{xh}$", label_offset=(-0.42, 0))
    _arrow(ax, (0, 1.75), (0, 2.6), "$W_{hy}$", label_offset=(-0.42, 0))
    _arrow(ax, (0.4, 1.57), (0.4, 1.33), rad=-2.6)
    ax.text(0.78, 1.88, "$W_{hh}$", fontsize=SMALL, color=NOTE, ha="center", va="center")
    ax.text(1.2, 1.45, "=", fontsize=22, ha="center", va="center")
    # unrolled: the same weights at every step
    for t in range(steps):
        x = first + dx * t
        _box(ax, x, 0, f"$x_{t + 1}$", INPUT, width=0.75)
        _box(ax, x, 1.45, f"$h_{t + 1}$", HIDDEN, width=0.75)
        _box(ax, x, 2.9, f"$y_{t + 1}$", OUTPUT, width=0.75)
        _arrow(ax, (x, 0.3), (x, 1.15), "$W_{xh}$", label_offset=(0.4, 0))
        _arrow(ax, (x, 1.75), (x, 2.6), "$W_{hy}$", label_offset=(0.4, 0))
        start = x - dx + 0.4 if t else x - 1.03
        _arrow(ax, (start, 1.45), (x - 0.4, 1.45), "$W_{hh}$", label_offset=(0, 0.27))
    _box(ax, first - 1.3, 1.45, "$h_0$", HIDDEN, width=0.45)
    _canvas(ax, (-0.5, right), (-0.4, 3.3))
    ax.set_title("A recurrent network, folded (left) and unrolled in time (right):\n"
                 "the same weights at every step", fontsize=TITLE)
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
    fig, axes = plt.subplots(2, 2, figsize=(WIDTH, 5.0))
    for ax, (title, inputs, outputs, split) in zip(axes.flat, layouts):
        for t, (has_input, has_output) in enumerate(zip(inputs, outputs)):
            color = HIDDEN if not split or t < split else PREDICTED
            _box(ax, t, 1.2, "", color, width=0.6, height=0.5)
            if t:
                _arrow(ax, (t - 0.7, 1.2), (t - 0.3, 1.2))
            if has_input:
                _box(ax, t, 0, "", INPUT, width=0.5, height=0.4)
                _arrow(ax, (t, 0.2), (t, 0.95))
            if has_output:
                _box(ax, t, 2.4, "", OUTPUT, width=0.5, height=0.4)
                _arrow(ax, (t, 1.45), (t, 2.2))
        middle = (len(inputs) - 1) / 2
        _canvas(ax, (middle - 3.1, middle + 3.1), (-0.4, 2.8))
        ax.set_title(title, fontsize=SMALL)
    fig.text(0.5, 0.02, "blue: inputs;  orange: hidden states (red: the decoder's);  green: outputs",
             ha="center", fontsize=SMALL)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


# ---------------------------------------------------------------------------
# Chapter 04: backpropagation through time
# ---------------------------------------------------------------------------

FORWARD_COLOR, BACKWARD_COLOR = "#9a9a9a", "#c0392b"


def _flow(ax, start, end, color, label=None, label_at=None, rad=0.0, width=1.2, style="-", fontsize=SMALL):
    """An arrow of a given colour; the label is written at `label_at` (default: the midpoint)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color,
                                 connectionstyle=f"arc3,rad={rad}", linewidth=width, linestyle=style))
    if label:
        x, y = label_at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=color)


def bptt_graph(steps: int = 3):
    """The unrolled RNN with its backward pass: the gradient reaching h_t comes from the loss at
    step t and from step t+1, and the shared W_hh collects one contribution per step (a sum)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 6.6))
    dx = 2.5
    _box(ax, 0, 1.6, "$h_0$", HIDDEN, width=0.6)
    for t in range(1, steps + 1):
        x = dx * t
        left = 0.3 if t == 1 else dx * (t - 1) + 0.4
        _box(ax, x, 0, f"$x_{t}$", INPUT)
        _box(ax, x, 1.6, f"$h_{t}$", HIDDEN)
        _box(ax, x, 3.3, rf"$\ell_{t}$", OUTPUT)
        # forward: grey
        _flow(ax, (x - 0.14, 0.28), (x - 0.14, 1.32), FORWARD_COLOR)
        _flow(ax, (x - 0.14, 1.88), (x - 0.14, 3.02), FORWARD_COLOR)
        _flow(ax, (left, 1.72), (x - 0.4, 1.72), FORWARD_COLOR)
        # backward: red, next to the forward arrows
        _flow(ax, (x + 0.14, 3.02), (x + 0.14, 1.88), BACKWARD_COLOR, width=2.0)
        ax.text(x + 0.26, 2.45, rf"$\partial \ell_{t} / \partial h_{t}$", color=BACKWARD_COLOR,
                fontsize=SMALL, ha="left", va="center")
        _flow(ax, (x - 0.4, 1.46), (left, 1.46), BACKWARD_COLOR, width=2.0)
        ax.text((x + left) / 2, 1.17, rf"$da_{t}\, W_{{hh}}^\top$", color=BACKWARD_COLOR, fontsize=SMALL,
                ha="center", va="center")
        _flow(ax, (x + 0.14, 1.32), (x + 0.14, 0.28), BACKWARD_COLOR, width=1.2, style="--")
        ax.text(x + 0.26, 0.72, rf"$da_{t}\, W_{{xh}}^\top$", color=BACKWARD_COLOR, fontsize=SMALL,
                ha="left", va="center")
        # the shared weight collects one term per step
        mid = (x + left) / 2
        _flow(ax, (mid, 0.95), (mid, -1.15), BACKWARD_COLOR, width=1.0, style=":")
        ax.text(mid - 0.1, -0.45, rf"$h_{t - 1}^\top da_{t}$", color=BACKWARD_COLOR, fontsize=SMALL,
                ha="right", va="center")
    ax.text(dx * (steps + 1) / 2 - 0.2, -1.7,
            r"one matrix $W_{hh}$ used at every step:" "\n"
            r"$\partial L / \partial W_{hh} = \sum_t h_{t-1}^\top da_t$,  with  $da_t = dh_t \odot (1 - h_t^2)$",
            ha="center", va="center", fontsize=SMALL, linespacing=1.6,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="#fbe3e0", edgecolor=BACKWARD_COLOR))
    ax.text(dx * 2, 4.55, r"$dh_2 = \partial \ell_2 / \partial h_2 + da_3 W_{hh}^\top$: two sources, added",
            ha="center", va="center", fontsize=SMALL, color=BACKWARD_COLOR)
    ax.text(dx * steps + 0.75, 4.0, r"$dh_{%d} = \partial \ell_{%d} / \partial h_{%d}$: nothing comes from the future"
            % (steps, steps, steps), ha="right", va="center", fontsize=SMALL, color=BACKWARD_COLOR)
    ax.text(-0.45, 3.3, "grey: forward\nred: backward", ha="left", va="center", fontsize=SMALL)
    _canvas(ax, (-0.5, dx * steps + 0.95), (-2.35, 4.85))
    fig.tight_layout()
    return fig


def truncated_bptt(steps: int = 12, k: int = 4):
    """Truncated BPTT over one stream: the state flows forward across every boundary, the
    gradient only inside each segment of k steps (the state is detached at the boundaries)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.3))
    for t in range(1, steps + 1):
        x = 1.0 * t
        _box(ax, x, 0, f"$h_{{{t}}}$", HIDDEN, width=0.54, height=0.5, fontsize=SMALL)
        _box(ax, x, 1.25, rf"$\ell_{{{t}}}$", OUTPUT, width=0.5, height=0.44, fontsize=SMALL)
        _flow(ax, (x - 0.11, 0.27), (x - 0.11, 1.02), FORWARD_COLOR, width=1.0)
        _flow(ax, (x + 0.11, 1.02), (x + 0.11, 0.27), BACKWARD_COLOR, width=1.4)
        if t > 1:
            _flow(ax, (x - 0.69, 0.1), (x - 0.31, 0.1), FORWARD_COLOR, width=1.0)
            if (t - 1) % k:  # the gradient crosses this edge only inside a segment
                _flow(ax, (x - 0.31, -0.1), (x - 0.69, -0.1), BACKWARD_COLOR, width=1.8)
        if (t - 1) % k == 0 and t > 1:
            ax.plot([x - 0.5, x - 0.5], [-0.7, 1.62], color=INK, linestyle="--", linewidth=1.0)
            ax.text(x - 0.5, -0.9, "h.detach()", ha="center", va="center", fontsize=SMALL, family="monospace")
    for s in range((steps + k - 1) // k):
        first, last = s * k + 1, min(steps, (s + 1) * k)
        ax.add_patch(Rectangle((first - 0.46, -0.48), last - first + 0.92, 2.2,
                               facecolor="#fbe3e0" if s % 2 else "#eef4fb", edgecolor="none", zorder=-1))
        ax.text((first + last) / 2, 1.92, f"segment {s + 1}", ha="center", fontsize=SMALL)
    ax.set_xlim(0.45, steps + 0.55)
    ax.set_ylim(-1.15, 2.25)
    ax.axis("off")
    ax.set_title(f"Truncated BPTT, k = {k}: the state (grey) crosses the dashed lines,\n"
                 "the gradient (red) does not; one backward pass and one update per segment",
                 fontsize=SMALL)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Chapter 05: vanishing and exploding gradients
# ---------------------------------------------------------------------------

def jacobian_chain(steps: int = 4):
    """The backward pass of a tanh RNN as a chain of Jacobians, from a loss at step t back to step k."""
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    indices = ["k"] + [f"k+{j}" for j in range(1, steps - 1)] + ["t"]
    dx, red = 2.0, "#b30000"
    xs = [dx * j for j in range(steps)]
    for j, (x, index) in enumerate(zip(xs, indices)):
        _box(ax, x, 1.6, f"$h_{{{index}}}$", HIDDEN, width=0.85)
        _box(ax, x, 0.2, f"$x_{{{index}}}$", INPUT, width=0.85, height=0.45)
        _arrow(ax, (x, 0.43), (x, 1.32))
    _box(ax, xs[-1] + 1.55, 1.6, "$L$", OUTPUT, width=0.55)
    _arrow(ax, (xs[-1] + 0.43, 1.74), (xs[-1] + 1.27, 1.74))
    ax.add_patch(FancyArrowPatch((xs[-1] + 1.27, 1.46), (xs[-1] + 0.43, 1.46), arrowstyle="-|>",
                                 mutation_scale=12, color=red, linewidth=1.4))
    ax.text(xs[-1] + 1.15, 1.05, r"$\partial L / \partial h_t$", ha="center", va="center", fontsize=SMALL, color=red)
    for j in range(1, steps):
        a, b = xs[j - 1], xs[j]
        _arrow(ax, (a + 0.43, 1.74), (b - 0.43, 1.74))
        ax.add_patch(FancyArrowPatch((b - 0.43, 1.46), (a + 0.43, 1.46), arrowstyle="-|>", mutation_scale=12,
                                     color=red, linewidth=1.4))
        index = "t" if j == steps - 1 else f"k+{j}"
        ax.text((a + b) / 2, 1.12, f"$J_{{{index}}}$", ha="center", va="center", fontsize=LABEL, color=red)
        if j == steps - 1 and steps > 3:
            ax.text((a + b) / 2, 1.6, r"$\cdots$", ha="center", va="center", fontsize=LABEL,
                    bbox=dict(facecolor="white", edgecolor="none"))
    ax.text((xs[0] + xs[-1] + 1.55) / 2, 2.3, r"forward (black): $h_j = \tanh(x_j W_{xh} + h_{j-1} W_{hh} + b_h)$,"
            " the same $W_{hh}$ at every step", ha="center", va="center", fontsize=SMALL, color=INK)
    left = xs[0] - 0.45
    ax.text(left, -0.55, r"backward (red), one step:  $\partial L / \partial h_{j-1} = (\partial L / \partial h_j)\, J_j$,"
            r"  $J_j = \mathrm{diag}(1 - h_j^2)\, W_{hh}^\top$", fontsize=SMALL, color=red, ha="left", va="center")
    ax.text(left, -1.15, r"all the way back:  $\partial L / \partial h_k = (\partial L / \partial h_t)\,"
            r" J_t\, J_{t-1} \cdots J_{k+1}$", fontsize=SMALL, color=INK, ha="left", va="center")
    ax.text(left, -1.75, r"so  $\|\partial L / \partial h_k\| \leq \sigma_{\max}(W_{hh})^{t-k}\,"
            r" \|\partial L / \partial h_t\|$,  since  $0 < 1 - h_j^2 \leq 1$",
            fontsize=SMALL, color=INK, ha="left", va="center")
    _canvas(ax, (xs[0] - 0.55, xs[-1] + 1.9), (-2.1, 2.55))
    ax.set_title("The backward pass of a tanh RNN: one Jacobian per step, multiplied", fontsize=TITLE)
    fig.tight_layout()
    return fig


def clipping_geometry(gradient=(4.0, 1.0), threshold: float = 1.0):
    """Clipping a 2-D gradient by its norm (top) and by value (bottom): only the first keeps the direction."""
    g = np.asarray(gradient, dtype=float)
    by_norm = g * min(1.0, threshold / np.linalg.norm(g))
    by_value = np.clip(g, -threshold, threshold)
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 7.0))
    panels = [(axes[0], by_norm, "clip by global norm: $g \\cdot c / \\|g\\|$ when $\\|g\\| > c$"),
              (axes[1], by_value, "clip by value: each component into $[-c, c]$")]
    for ax, clipped, title in panels:
        if ax is axes[0]:
            angle = np.linspace(0, 2 * np.pi, 200)
            ax.fill(threshold * np.cos(angle), threshold * np.sin(angle), color=HIDDEN, alpha=0.7, zorder=0)
            region = "the ball $\\|g\\| \\leq c$"
        else:
            ax.add_patch(plt.Rectangle((-threshold, -threshold), 2 * threshold, 2 * threshold,
                                       color=HIDDEN, alpha=0.7, zorder=0))
            region = "the box $|g_i| \\leq c$"
        ax.annotate("", xy=g, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.5))
        ax.annotate("", xy=clipped, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color="#b30000", lw=2.2))
        ax.plot([0, g[0] * 1.1], [0, g[1] * 1.1], linestyle=":", color=INK, lw=1)
        angle_g = np.degrees(np.arctan2(g[1], g[0]))
        ax.text(g[0] - 0.1, g[1] + 0.2, f"$g$ = ({g[0]:g}, {g[1]:g}), {angle_g:.1f}°", fontsize=SMALL,
                ha="right", va="bottom")
        label = (f"clipped = ({clipped[0]:.2f}, {clipped[1]:.2f})\n"
                 f"{np.degrees(np.arctan2(clipped[1], clipped[0])):.1f}°, norm {np.linalg.norm(clipped):.2f}")
        if ax is axes[0]:  # below and to the right of the clipped arrow's tip
            ax.text(clipped[0] + 0.25, clipped[1] - 0.35, label, fontsize=SMALL, color="#b30000", va="top")
        else:              # above and to the left of it, clear of g's label
            ax.text(clipped[0] - 0.1, clipped[1] + 0.25, label, fontsize=SMALL, color="#b30000", va="bottom",
                    ha="right")
        ax.text(-1.9 * threshold, -1.35 * threshold, f"shaded: {region}, $c$ = {threshold:g}", fontsize=SMALL,
                va="center")
        ax.axhline(0, color="#999999", lw=0.6)
        ax.axvline(0, color="#999999", lw=0.6)
        ax.set_xlim(-2 * threshold, g[0] + 1.0)
        ax.set_ylim(-1.6 * threshold, max(2.3 * threshold, g[1] + 1.0))
        ax.set_aspect("equal")
        ax.tick_params(labelsize=SMALL)
        ax.set_title(title, fontsize=TITLE)
    fig.tight_layout()
    return fig
