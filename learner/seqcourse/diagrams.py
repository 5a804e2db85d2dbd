"""Figures drawn with matplotlib: the explanatory diagrams of the chapters, one section per chapter
after the shared drawing helpers.

Each function returns a matplotlib Figure; notebooks display it. No images are stored: the
drawings are code, so they stay consistent with the notation page.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

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


# ---------------------------------------------------------------------------
# Chapter 01: autoregressive models
# ---------------------------------------------------------------------------

PREDICTED = "#f7c9c9"


def ar_window(T: int = 9, p: int = 3, t: int = 6):
    """An AR(p) model reads the window x_{t-p}, ..., x_{t-1} (oldest first) and predicts x_t;
    below, the windows of the whole series stacked into the features (M, p) and targets (M,)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.6), gridspec_kw={"height_ratios": [1.2, 1.6]})
    for i in range(1, T + 1):
        color = INPUT if t - p <= i < t else OUTPUT if i == t else "#eeeeee"
        _box(top, i, 0, f"$x_{{{i}}}$", color, width=0.75)
    top.add_patch(FancyBboxPatch((t - p - 0.45, -0.42), p - 0.1, 0.84, boxstyle="round,pad=0.02",
                                 facecolor="none", edgecolor="#1f5f99", linewidth=1.6, linestyle="--"))
    top.text(t - (p + 1) / 2, -0.62, f"window of p = {p} values, oldest first", ha="center", va="top",
             fontsize=10, color="#1f5f99")
    _box(top, t, 1.45, r"$\hat{x}_{%d} = [x_{%d}, x_{%d}, x_{%d}]\, w + b$" % (t, t - 3, t - 2, t - 1)
         if p == 3 else r"$\hat{x}_t$", OUTPUT, width=3.6)
    _arrow(top, (t - (p + 1) / 2, 0.45), (t - 0.9, 1.2))
    _arrow(top, (t, 1.18), (t, 0.3))
    top.text(t + 0.55, 0.75, "target", fontsize=10, color="#2d6a1f")
    top.set_xlim(0.4, T + 0.6)
    top.set_ylim(-0.95, 1.85)
    top.set_aspect("equal")
    top.axis("off")
    # the stacked windows: row i holds x_{i+1..i+p} and the target x_{i+p+1}
    M = T - p
    for row in range(M):
        y = -row * 0.62
        bottom.text(0.15, y, f"row {row}", ha="right", va="center", fontsize=9)
        for j in range(p):
            _box(bottom, 0.8 + 0.9 * j, y, f"$x_{{{row + j + 1}}}$", INPUT, width=0.75, height=0.45)
        _box(bottom, 0.8 + 0.9 * p + 0.5, y, f"$x_{{{row + p + 1}}}$", OUTPUT, width=0.75, height=0.45)
    bottom.text(0.8 + 0.45 * (p - 1), 0.55, f"features (M, p) = ({M}, {p})", ha="center", fontsize=10)
    bottom.text(0.8 + 0.9 * p + 0.5, 0.55, f"targets ({M},)", ha="center", fontsize=10)
    bottom.text(0.8 + 0.9 * p + 1.5, -(M - 1) * 0.31,
                f"M = T - p = {T} - {p} = {M} windows:\nthe first p values are never a target,\n"
                "the last value is never in a window", ha="left", va="center", fontsize=10)
    bottom.set_xlim(-0.6, 9.6)
    bottom.set_ylim(-(M - 1) * 0.62 - 0.4, 0.85)
    bottom.set_aspect("equal")
    bottom.axis("off")
    fig.suptitle(f"An autoregressive model of order p = {p}, and the training pairs it is fitted on")
    fig.tight_layout()
    return fig


def one_step_vs_recursive(p: int = 3, k: int = 4, history: int = 5):
    """One-step-ahead predictions read true values only; a k-step forecast feeds its own
    predictions back into the window, so from step p + 1 on it reads nothing but predictions."""
    fig, axes = plt.subplots(2, 1, figsize=(10, 5.2))
    n = history + k
    titles = ["one step ahead: every window holds true values (the truth is revealed as it arrives)",
              f"k steps ahead, recursively: each prediction is fed back (k = {k}, p = {p})"]
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
                _box(ax, i, y, text, color, width=0.8, height=0.46)
            ax.text(-0.75, y, f"step {step + 1}", ha="right", va="center", fontsize=9)
        ax.axvline(history - 0.5, color="#888888", linestyle=":", linewidth=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-1.6, n - 0.4)
        ax.set_ylim(-0.62 * (k - 1) - 0.4, 0.4)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.text(0.5, 0.01, "blue: true values in the window, red: the model's own predictions in the window, "
             "green: the value predicted; dotted line: the forecast origin", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def window_vs_state(p: int = 3):
    """Left: an AR(p) model sees a fixed window and nothing older. Right: a latent model keeps a
    state h_t = f(h_{t-1}, x_t) that summarises the whole past, and predicts from it, y_t = g(h_t)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.6))
    labels = ["$x_{t-5}$", "$x_{t-4}$", "$x_{t-3}$", "$x_{t-2}$", "$x_{t-1}$", "$x_t$"]
    for i, label in enumerate(labels):
        seen = i >= len(labels) - p
        _box(left, i, 0, label, INPUT if seen else "#eeeeee", width=0.8)
        if seen:
            _arrow(left, (i, 0.3), (len(labels) - 1 - (p - 1) / 2 + 0.5 * (i - len(labels) + (p + 1) / 2), 1.35))
    _box(left, len(labels) - 1 - (p - 1) / 2, 1.65, r"$\hat{x}_{t+1} = [x_{t-%d}, \ldots, x_t]\, w + b$" % (p - 1),
         OUTPUT, width=3.3)
    left.text(1, 0.75, "forgotten:\noutside the window", ha="center", fontsize=9, color="#666666")
    left.set_title(f"AR(p): a fixed window of p = {p} values", fontsize=10)
    for i in range(4):
        x = 1.6 * i
        _box(right, x, 0, labels[i + 2], INPUT, width=0.8)
        _box(right, x, 1.2, ["$h_{t-3}$", "$h_{t-2}$", "$h_{t-1}$", "$h_t$"][i], HIDDEN, width=0.8)
        _arrow(right, (x, 0.3), (x, 0.92))
        if i:
            _arrow(right, (x - 1.2, 1.2), (x - 0.42, 1.2), "$f$", label_offset=(0, 0.2))
    _arrow(right, (-1.4, 1.2), (-0.42, 1.2))
    right.text(-1.5, 1.2, "...", ha="right", va="center", fontsize=14)
    _box(right, 4.8, 2.35, r"$\hat{y}_t = g(h_t)$", OUTPUT, width=1.5)
    _arrow(right, (4.8, 1.5), (4.8, 2.08), "$g$", label_offset=(0.25, 0))
    right.set_title(r"latent autoregressive: a state $h_t = f(h_{t-1}, x_t)$ summarises the whole past", fontsize=10)
    for ax in (left, right):
        ax.set_aspect("equal")
        ax.axis("off")
    left.set_xlim(-0.6, len(labels) - 0.2)
    left.set_ylim(-0.5, 2.1)
    right.set_xlim(-2.2, 5.8)
    right.set_ylim(-0.5, 2.8)
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
    radius = 0.58 if S == 2 else 0.42
    fig, ax = plt.subplots(figsize=(7.0, 3.3) if S == 2 else (6.4, 5.6))
    for (x, y), label in zip(centres, labels):
        ax.add_patch(Circle((x, y), radius, facecolor=HIDDEN, edgecolor="#333333", linewidth=1.2, zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3)
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
                ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#333333",
                                             connectionstyle="arc3,rad=-2.2", linewidth=1.2))
                spot = centres[i] + outward * (radius + 0.98)
                ax.text(*spot, f"{P[i, j]:.3g}", ha="center", va="center", fontsize=10, color="#7a2e00")
                continue
            direction = centres[j] - centres[i]
            direction = direction / np.linalg.norm(direction)
            normal = np.array([-direction[1], direction[0]])
            start = centres[i] + radius * direction + 0.12 * normal
            end = centres[j] - radius * direction + 0.12 * normal
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#333333",
                                         connectionstyle="arc3,rad=-0.25", linewidth=1.2))
            spot = (centres[i] + centres[j]) / 2 + (0.5 if S == 2 else 0.4) * normal
            ax.text(*spot, f"{P[i, j]:.3g}", ha="center", va="center", fontsize=10, color="#7a2e00")
    span = np.abs(centres).max() + radius + 1.25
    ax.set_xlim(-span, span)
    ax.set_ylim(-span * (0.5 if S == 2 else 1), span * (0.5 if S == 2 else 1))
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Chapter 03: recurrent neural networks
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Chapter 04: backpropagation through time
# ---------------------------------------------------------------------------

FORWARD_COLOR, BACKWARD_COLOR = "#9a9a9a", "#c0392b"


def _flow(ax, start, end, color, label=None, label_at=None, rad=0.0, width=1.2, style="-", fontsize=9):
    """An arrow of a given colour; the label is written at `label_at` (default: the midpoint)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color,
                                 connectionstyle=f"arc3,rad={rad}", linewidth=width, linestyle=style))
    if label:
        x, y = label_at or ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=color)


def bptt_graph(steps: int = 3):
    """The unrolled RNN with its backward pass: the gradient reaching h_t comes from the loss at
    step t and from step t+1, and the shared W_hh collects one contribution per step (a sum)."""
    fig, ax = plt.subplots(figsize=(11, 5.6))
    dx = 2.6
    _box(ax, 0, 1.6, "$h_0$", HIDDEN, width=0.6)
    for t in range(1, steps + 1):
        x = dx * t
        _box(ax, x, 0, f"$x_{t}$", INPUT)
        _box(ax, x, 1.6, f"$h_{t}$", HIDDEN)
        _box(ax, x, 3.2, rf"$\ell_{t}$", OUTPUT)
        # forward: grey
        _flow(ax, (x - 0.12, 0.3), (x - 0.12, 1.3), FORWARD_COLOR)
        _flow(ax, (x - 0.12, 1.9), (x - 0.12, 2.9), FORWARD_COLOR)
        left = 0.33 if t == 1 else dx * (t - 1) + 0.42
        _flow(ax, (left, 1.72), (x - 0.42, 1.72), FORWARD_COLOR)
        # backward: red, next to the forward arrows
        _flow(ax, (x + 0.14, 2.9), (x + 0.14, 1.9), BACKWARD_COLOR, width=2.0)
        ax.text(x + 0.24, 2.4, rf"$\partial \ell_{t} / \partial h_{t}$", color=BACKWARD_COLOR, fontsize=10,
                ha="left", va="center")
        _flow(ax, (x - 0.42, 1.46), (left, 1.46), BACKWARD_COLOR, width=2.0)
        ax.text((x + left) / 2, 1.2, rf"$da_{t}\, W_{{hh}}^\top$", color=BACKWARD_COLOR, fontsize=10,
                ha="center", va="center")
        _flow(ax, (x + 0.14, 1.3), (x + 0.14, 0.3), BACKWARD_COLOR, width=1.2, style="--")
        ax.text(x + 0.24, 0.62, rf"$da_{t}\, W_{{xh}}^\top$", color=BACKWARD_COLOR, fontsize=9, ha="left")
        # the shared weight collects one term per step
        mid = (x + left) / 2 if t > 1 else (x + left) / 2 - 0.1
        _flow(ax, (mid, 1.02), (mid, -1.28), BACKWARD_COLOR, width=1.0, style=":")
        ax.text(mid - 0.08, -0.55, rf"$h_{t - 1}^\top da_{t}$", color=BACKWARD_COLOR, fontsize=10, ha="right")
    ax.text(dx * (steps + 1) / 2, -1.6,
            r"one matrix $W_{hh}$ used at every step:  $\partial L / \partial W_{hh} = \sum_t h_{t-1}^\top da_t$"
            r",  with $da_t = dh_t \odot (1 - h_t^2)$", ha="center", va="center", fontsize=11,
            bbox=dict(boxstyle="round,pad=0.35", facecolor="#fbe3e0", edgecolor=BACKWARD_COLOR))
    middle = dx * 2
    ax.text(middle, 4.15, rf"$dh_2 = \partial \ell_2 / \partial h_2 + da_3 W_{{hh}}^\top$: two sources, added",
            ha="center", va="center", fontsize=11, color=BACKWARD_COLOR)
    ax.text(dx * steps + 0.9, 1.6, r"$dh_{%d} = \partial \ell_{%d} / \partial h_{%d}$" "\n(nothing comes\nfrom the future)"
            % (steps, steps, steps), ha="left", va="center", fontsize=9, color=BACKWARD_COLOR)
    ax.text(-0.3, 3.2, "grey: forward\nred: backward", ha="left", va="center", fontsize=9)
    ax.set_xlim(-0.9, dx * steps + 2.4)
    ax.set_ylim(-2.0, 4.5)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def truncated_bptt(steps: int = 12, k: int = 4):
    """Truncated BPTT over one stream: the state flows forward across every boundary, the
    gradient only inside each segment of k steps (the state is detached at the boundaries)."""
    fig, ax = plt.subplots(figsize=(11, 3.0))
    for t in range(1, steps + 1):
        x = 1.0 * t
        _box(ax, x, 0, f"$h_{{{t}}}$", HIDDEN, width=0.62, height=0.5)
        _box(ax, x, 1.25, rf"$\ell_{{{t}}}$", OUTPUT, width=0.5, height=0.42)
        _flow(ax, (x - 0.1, 0.27), (x - 0.1, 1.03), FORWARD_COLOR, width=1.0)
        _flow(ax, (x + 0.1, 1.03), (x + 0.1, 0.27), BACKWARD_COLOR, width=1.4)
        if t > 1:
            _flow(ax, (x - 0.69, 0.1), (x - 0.31, 0.1), FORWARD_COLOR, width=1.0)
            if (t - 1) % k:  # the gradient crosses this edge only inside a segment
                _flow(ax, (x - 0.31, -0.1), (x - 0.69, -0.1), BACKWARD_COLOR, width=1.8)
        if (t - 1) % k == 0 and t > 1:
            ax.plot([x - 0.5, x - 0.5], [-0.75, 1.65], color="#333333", linestyle="--", linewidth=1.0)
            ax.text(x - 0.5, -0.95, "h.detach()", ha="center", va="center", fontsize=9)
    for s in range((steps + k - 1) // k):
        first, last = s * k + 1, min(steps, (s + 1) * k)
        ax.add_patch(Rectangle((first - 0.45, -0.5), last - first + 0.9, 2.25, facecolor="#fbe3e0" if s % 2 else "#eef4fb",
                               edgecolor="none", zorder=-1))
        ax.text((first + last) / 2, 1.95, f"segment {s + 1}: backward, then one update", ha="center", fontsize=9)
    ax.set_xlim(0.3, steps + 0.7)
    ax.set_ylim(-1.2, 2.2)
    ax.axis("off")
    ax.set_title(f"Truncated BPTT with k = {k}: the state crosses the dashed lines, the gradient (red) does not",
                 fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------
# Chapter 05: vanishing and exploding gradients
# ---------------------------------------------------------------------------

def jacobian_chain(steps: int = 4):
    """The backward pass of a tanh RNN as a chain of Jacobians, from a loss at step t back to step k."""
    fig, ax = plt.subplots(figsize=(11, 3.9))
    labels = ["$h_k$"] + [f"$h_{{k+{j}}}$" for j in range(1, steps - 1)] + ["$h_t$"]
    xs = [2.6 * j for j in range(steps)]
    for j, (x, label) in enumerate(zip(xs, labels)):
        _box(ax, x, 1.6, label, HIDDEN)
        _box(ax, x, 0.2, f"$x_{{{label[3:-1]}}}$" if j else "$x_k$", INPUT, width=0.7, height=0.45)
        _arrow(ax, (x, 0.43), (x, 1.32))
    _box(ax, xs[-1] + 2.0, 1.6, "$L$", OUTPUT, width=0.6)
    _arrow(ax, (xs[-1] + 0.42, 1.72), (xs[-1] + 1.68, 1.72))
    ax.add_patch(FancyArrowPatch((xs[-1] + 1.68, 1.45), (xs[-1] + 0.42, 1.45), arrowstyle="-|>", mutation_scale=12,
                                 color="#b30000", linewidth=1.4))
    ax.text(xs[-1] + 1.05, 2.05, r"$\partial L / \partial h_t$", ha="center", fontsize=10, color="#b30000")
    for j in range(1, steps):
        a, b = xs[j - 1], xs[j]
        dots = j == steps - 1 and steps > 3
        _arrow(ax, (a + 0.42, 1.75), (b - 0.42, 1.75))
        ax.text((a + b) / 2, 2.0, r"$\tanh(\,\cdot\, W_{hh} + \dots)$", ha="center", fontsize=9, color="#7a2e00")
        ax.add_patch(FancyArrowPatch((b - 0.42, 1.45), (a + 0.42, 1.45), arrowstyle="-|>", mutation_scale=12,
                                     color="#b30000", linewidth=1.4))
        index = "t" if j == steps - 1 else f"k+{j}"
        ax.text((a + b) / 2, 1.12, f"$J_{{{index}}}$", ha="center", fontsize=11, color="#b30000")
        if dots:
            ax.text((a + b) / 2, 1.6, r"$\cdots$", ha="center", va="center", fontsize=14,
                    bbox=dict(facecolor="white", edgecolor="none"))
    ax.text(xs[0] - 0.6, -0.55,
            r"backward, one step:  $\frac{\partial L}{\partial h_{j-1}} = \left(\frac{\partial L}{\partial h_j}"
            r" \odot (1 - h_j^2)\right) W_{hh}^\top$,  i.e.  $J_j = \mathrm{diag}(1 - h_j^2)\, W_{hh}^\top$",
            fontsize=12, color="#b30000", ha="left")
    ax.text(xs[0] - 0.6, -1.2,
            r"all the way back:  $\frac{\partial L}{\partial h_k} = \frac{\partial L}{\partial h_t}\, J_t J_{t-1} \cdots J_{k+1}$,"
            r"   so  $\left\|\frac{\partial L}{\partial h_k}\right\| \leq \sigma_{\max}(W_{hh})^{t-k}"
            r" \left\|\frac{\partial L}{\partial h_t}\right\|$  because  $0 < 1 - h_j^2 \leq 1$",
            fontsize=12, color="#333333", ha="left")
    ax.set_xlim(xs[0] - 0.8, xs[-1] + 2.6)
    ax.set_ylim(-1.5, 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Forward (black): the same $W_{hh}$ at every step. Backward (red): one Jacobian per step, multiplied")
    fig.tight_layout()
    return fig


def clipping_geometry(gradient=(4.0, 1.0), threshold: float = 1.0):
    """Clipping a 2-D gradient by its norm (left) and by value (right): only the first keeps the direction."""
    g = np.asarray(gradient, dtype=float)
    by_norm = g * min(1.0, threshold / np.linalg.norm(g))
    by_value = np.clip(g, -threshold, threshold)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, clipped, title in [(axes[0], by_norm, f"clip by global norm: $g \\cdot c / \\|g\\|$ when $\\|g\\| > c$"),
                               (axes[1], by_value, "clip by value: each component into $[-c, c]$")]:
        if ax is axes[0]:
            angle = np.linspace(0, 2 * np.pi, 200)
            ax.fill(threshold * np.cos(angle), threshold * np.sin(angle), color=HIDDEN, alpha=0.6, zorder=0)
            region = "the ball $\\|g\\| \\leq c$"
        else:
            ax.add_patch(plt.Rectangle((-threshold, -threshold), 2 * threshold, 2 * threshold,
                                       color=HIDDEN, alpha=0.6, zorder=0))
            region = "the box $|g_i| \\leq c$"
        ax.annotate("", xy=g, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.5))
        ax.annotate("", xy=clipped, xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color="#b30000", lw=2.2))
        ax.plot([0, g[0] * 1.1], [0, g[1] * 1.1], linestyle=":", color="#333333", lw=1)
        ax.text(*(g + [0.1, 0.1]), f"$g$ = ({g[0]:g}, {g[1]:g})\n{np.degrees(np.arctan2(g[1], g[0])):.1f}°", fontsize=10)
        ax.text(clipped[0] + 0.12, clipped[1] + (0.3 if ax is axes[1] else -0.45),
                f"clipped = ({clipped[0]:.2f}, {clipped[1]:.2f})\n"
                f"{np.degrees(np.arctan2(clipped[1], clipped[0])):.1f}°, norm {np.linalg.norm(clipped):.2f}",
                fontsize=10, color="#b30000")
        ax.text(-1.9 * threshold, 1.75 * threshold, f"shaded: {region}, $c$ = {threshold:g}", fontsize=9)
        ax.axhline(0, color="#999999", lw=0.6)
        ax.axvline(0, color="#999999", lw=0.6)
        ax.set_xlim(-2 * threshold, g[0] + 1.2)
        ax.set_ylim(-1.5 * threshold, max(2.2 * threshold, g[1] + 0.8))
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig
