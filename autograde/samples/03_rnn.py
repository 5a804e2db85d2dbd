"""Sample submissions for chapter 03, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/03_rnn/03_rnn.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
A student whose step function is wrong also loses rnn_forward's tests when rnn_forward calls it.
"""
from instructor.samples import variants_of


STEP = {"rnn_step_forward_by_hand", "rnn_step_forward_terms", "rnn_step_forward_hidden"}
FORWARD = {"rnn_forward_by_hand", "rnn_forward_torch", "rnn_forward_hidden"}
TO_TORCH = {"rnn_to_torch_parameters", "rnn_to_torch_outputs", "rnn_to_torch_hidden"}
MASK = {"sequence_cross_entropy_mask", "sequence_cross_entropy_mask_hidden"}
CROSS_ENTROPY = {"sequence_cross_entropy_by_hand", "sequence_cross_entropy_torch",
                 "sequence_cross_entropy_stable", "sequence_cross_entropy_hidden"} | MASK
LARGE_LOGITS = {"sequence_cross_entropy_stable", "sequence_cross_entropy_hidden"} | MASK
SAMPLING = {"sample_with_temperature_basics", "sample_with_temperature_frequencies",
            "sample_with_temperature_hidden"}
ALL_TESTS = STEP | FORWARD | TO_TORCH | CROSS_ENTROPY | SAMPLING

# Correct, in another style than the solution: loops instead of vectorised code, the bias in
# PyTorch's other slot, a mask read entry by entry, inverse-CDF sampling. rnn_to_torch
# copy-constructs a tensor, which makes PyTorch print a harmless UserWarning to stderr: it must
# not cost points.
CORRECT = {
    "rnn_step_forward": '''\
def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    h_next = np.empty_like(h_prev)
    for n in range(x.shape[0]):  # one sequence of the batch at a time
        h_next[n] = np.tanh(b_h + np.einsum("d,dh->h", x[n], W_xh) + np.einsum("k,kh->h", h_prev[n], W_hh))
    return h_next
''',
    "rnn_forward": '''\
def rnn_forward(X, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for x_t in np.moveaxis(X, 1, 0):  # (N, D) per step
        h = rnn_step_forward(x_t, h, W_xh, W_hh, b_h)
        states.append(h)
    return np.stack(states, axis=1)
''',
    "rnn_to_torch": '''\
def rnn_to_torch(W_xh, W_hh, b_h):
    D, H = W_xh.shape
    rnn = nn.RNN(input_size=D, hidden_size=H, batch_first=True).to(torch.from_numpy(W_xh).dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(torch.from_numpy(W_xh)).T)  # warns: copy-constructs a tensor
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh).T)
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.copy_(torch.from_numpy(b_h))
    return rnn
''',
    "sequence_cross_entropy": '''\
def sequence_cross_entropy(logits, targets, mask=None):
    N, T, _ = logits.shape
    total, count = 0.0, 0
    for n in range(N):
        for t in range(T):
            if mask is None or mask[n, t]:
                total += np.logaddexp.reduce(logits[n, t]) - logits[n, t, targets[n, t]]
                count += 1
    return float(total / count)
''',
    "sample_with_temperature": '''\
def sample_with_temperature(logits, temperature, rng):
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    weights = np.exp(scaled - scaled.max())
    cumulative = np.cumsum(weights / weights.sum())
    return int(min(np.searchsorted(cumulative, rng.random(), side="right"), len(cumulative) - 1))
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: rnn_step_forward
    "step-no-tanh": dict(
        cells=mistake("rnn_step_forward", ("h_next[n] = np.tanh(", "h_next[n] = (")),
        lost=STEP | FORWARD, says=["forget the tanh"]),
    "step-transposed-recurrent-weights": dict(
        cells=mistake("rnn_step_forward", ("h_prev[n], W_hh)", "h_prev[n], W_hh.T)")),
        lost={"rnn_step_forward_terms", "rnn_step_forward_hidden", "rnn_forward_torch", "rnn_forward_hidden"},
        says=["the recurrent term h_prev W_hh"]),
    "step-no-bias": dict(
        cells=mistake("rnn_step_forward", ("np.tanh(b_h + ", "np.tanh(")),
        lost=STEP | {"rnn_forward_torch", "rnn_forward_hidden"}, says=["the bias b_h"]),
    # Exercise 2: rnn_forward
    "forward-state-not-carried": dict(
        cells=mistake("rnn_forward", ("rnn_step_forward(x_t, h,", "rnn_step_forward(x_t, h0,")),
        lost=FORWARD, says=["fed into the next step"]),
    "forward-time-major": dict(
        cells=mistake("rnn_forward", ("np.stack(states, axis=1)", "np.stack(states)")),
        lost=FORWARD, says=["batch-first"]),
    "forward-returns-h0": dict(
        cells=mistake("rnn_forward", ("np.stack(states, axis=1)", "np.stack([h0] + states[:-1], axis=1)")),
        lost=FORWARD, says=["H[:, 0] is h0"]),
    "forward-always-float64": dict(
        cells=wrong(rnn_forward="def rnn_forward(X, h0, W_xh, W_hh, b_h):\n"
                                "    N, T, _ = X.shape\n"
                                "    states, h = np.zeros((N, T, h0.shape[1])), h0  # float64 whatever X is\n"
                                "    for t in range(T):\n"
                                "        h = rnn_step_forward(X[:, t], h, W_xh, W_hh, b_h)\n"
                                "        states[:, t] = h\n"
                                "    return states\n"),
        # caught by a visible float32 test since issue 10 (it used to lose the hidden test only)
        lost={"rnn_forward_by_hand", "rnn_forward_hidden"}, says=["dtype float64, expected float32"]),
    # Exercise 3: rnn_to_torch
    "to-torch-not-transposed": dict(
        cells=mistake("rnn_to_torch", ("torch.from_numpy(W_xh)).T", "torch.from_numpy(W_xh))"),
                      ("torch.from_numpy(W_hh).T", "torch.from_numpy(W_hh)")),
        lost={"rnn_to_torch_parameters", "rnn_to_torch_hidden"}, says=["rnn_to_torch raised RuntimeError"]),
    "to-torch-bias-twice": dict(
        cells=mistake("rnn_to_torch", ("rnn.bias_ih_l0.zero_()", "rnn.bias_ih_l0.copy_(torch.from_numpy(b_h))")),
        lost={"rnn_to_torch_parameters", "rnn_to_torch_hidden"}, says=["equals 2 b_h"]),
    "to-torch-time-major": dict(
        cells=mistake("rnn_to_torch", ("batch_first=True", "batch_first=False")),
        lost=TO_TORCH, says=["not batch-first"]),
    # Exercise 4: sequence_cross_entropy
    "cross-entropy-summed": dict(
        cells=mistake("sequence_cross_entropy", ("float(total / count)", "float(total)")),
        lost=CROSS_ENTROPY, says=["the sum over the 6 positions"]),
    "cross-entropy-unstable": dict(
        cells=mistake("sequence_cross_entropy", ("np.logaddexp.reduce(logits[n, t])", "np.log(np.exp(logits[n, t]).sum())")),
        lost=LARGE_LOGITS, says=["log-sum-exp"]),  # large logits are visible since issue 10
    "cross-entropy-bits": dict(
        cells=mistake("sequence_cross_entropy", ("float(total / count)", "float(total / count / np.log(2))")),
        lost=CROSS_ENTROPY, says=["in bits"]),
    "cross-entropy-all-symbols": dict(
        cells=mistake("sequence_cross_entropy", ("logits[n, t, targets[n, t]]", "logits[n, t].mean()")),
        lost=CROSS_ENTROPY, says=["only each position's target symbol"]),
    # Exercise 5: sample_with_temperature
    "sampling-multiplies-temperature": dict(
        cells=mistake("sample_with_temperature", ("/ temperature", "* temperature")),
        lost=SAMPLING,  # the visible frequencies are also checked at temperature 2 since issue 10
        says=["At temperature 0.001 the draws should all be", "follow softmax(logits * temperature)"]),
    "sampling-argmax": dict(
        cells=wrong(sample_with_temperature="def sample_with_temperature(logits, temperature, rng):\n"
                                            "    return int(np.argmax(logits))\n"),
        lost=SAMPLING, says=["taking the argmax instead of sampling"]),
    "sampling-global-rng": dict(
        cells=mistake("sample_with_temperature", ("rng.random()", "np.random.random()")),
        lost={"sample_with_temperature_basics"}, says=["draw with the rng argument"]),
    "sampling-unstable": dict(  # the exercise's hint, rng.choice, without the max-subtraction
        cells=wrong(sample_with_temperature="def sample_with_temperature(logits, temperature, rng):\n"
                                            "    p = np.exp(logits / temperature)\n"
                                            "    return int(rng.choice(len(p), p=p / p.sum()))\n"),
        lost={"sample_with_temperature_basics", "sample_with_temperature_hidden"},
        says=["subtract the largest scaled logit before exp"]),
    # The families that held-out submissions showed (issue 10), and the hints rewritten for it.
    # Correct code that writes to stderr (a progress bar over the time steps) loses nothing.
    "forward-with-progress-bar": dict(
        cells=wrong(rnn_forward="def rnn_forward(X, h0, W_xh, W_hh, b_h):\n"
                                "    from tqdm import tqdm\n"
                                "    h, states = h0, []\n"
                                "    for x_t in tqdm(np.moveaxis(X, 1, 0), total=X.shape[1], desc=\"steps\"):\n"
                                "        h = rnn_step_forward(x_t, h, W_xh, W_hh, b_h)\n"
                                "        states.append(h)\n"
                                "    return np.stack(states, axis=1)\n"),
        lost=set(), says=[]),
    # A property checked on one input kind only, now caught by a visible test: float32 inputs,
    # and masks with gaps (not only padding at the end).
    "step-always-float64": dict(
        cells=mistake("rnn_step_forward", ("np.empty_like(h_prev)", "np.empty(h_prev.shape)")),
        lost={"rnn_step_forward_by_hand", "rnn_step_forward_hidden", "rnn_forward_by_hand",
              "rnn_forward_hidden"}, says=["dtype float64, expected float32"]),
    "to-torch-always-float64": dict(
        cells=mistake("rnn_to_torch", (".to(torch.from_numpy(W_xh).dtype)", ".to(torch.float64)")),
        lost={"rnn_to_torch_parameters", "rnn_to_torch_hidden"},
        says=["For float32 weights the parameters are torch.float64"]),
    "mask-as-lengths": dict(
        cells=wrong(sequence_cross_entropy="def sequence_cross_entropy(logits, targets, mask=None):\n"
                                           "    N, T, _ = logits.shape\n"
                                           "    lengths = [T] * N if mask is None else mask.sum(axis=1)\n"
                                           "    total, count = 0.0, 0\n"
                                           "    for n in range(N):\n"
                                           "        for t in range(lengths[n]):  # padding at the end only\n"
                                           "            total += np.logaddexp.reduce(logits[n, t]) - logits[n, t, targets[n, t]]\n"
                                           "            count += 1\n"
                                           "    return float(total / count)\n"),
        lost=MASK, says=["use the mask's entries themselves"]),
    # An input changed in place is reported as such, not as wrong values.
    "cross-entropy-in-place": dict(
        cells=wrong(sequence_cross_entropy="def sequence_cross_entropy(logits, targets, mask=None):\n"
                                           "    logits -= logits.max(axis=-1, keepdims=True)  # overwrites the caller's array\n"
                                           "    log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))\n"
                                           "    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]\n"
                                           "    if mask is None:\n"
                                           "        return float(-picked.mean())\n"
                                           "    return float(-picked[mask].sum() / mask.sum())\n"),
        lost=CROSS_ENTROPY, says=["changed its argument", "in place"]),
    # Results whose type or range would crash a test: a message instead of a test's own error.
    "sampling-off-by-one": dict(  # sometimes returns -1, which np.bincount would reject
        cells=mistake("sample_with_temperature", ('side="right"), len(cumulative) - 1))',
                                                  'side="right") - 1, len(cumulative) - 1))')),
        lost=SAMPLING, says=["which is not an index in [0, 4)"]),
    "forward-returns-list": dict(
        cells=mistake("rnn_forward", ("return np.stack(states, axis=1)", "return states")),
        lost=FORWARD, says=["should be a numpy array, got list"]),
    # Rewritten hints, each with the mistake it names.
    "sampling-reseeds": dict(
        cells=mistake("sample_with_temperature",
                      ("    scaled = np.asarray(", "    rng = np.random.default_rng(0)  # a new generator per call\n"
                                                   "    scaled = np.asarray(")),
        lost=SAMPLING, says=["Is a generator created inside the function"]),
    "sampling-ignores-temperature": dict(
        cells=mistake("sample_with_temperature", ("dtype=np.float64) / temperature", "dtype=np.float64)")),
        lost=SAMPLING, says=["ignore the temperature"]),
    "mask-ignored": dict(
        cells=mistake("sequence_cross_entropy", ("if mask is None or mask[n, t]:", "if True:  # mask unused")),
        lost=MASK, says=["equals the mean over all 6 positions, padding included"]),
    "mask-divides-by-all-positions": dict(
        cells=mistake("sequence_cross_entropy", ("float(total / count)", "float(total / (N * T))")),
        lost=MASK, says=["divide by the number of True entries"]),
    "mask-mean-of-sequence-means": dict(
        cells=wrong(sequence_cross_entropy="def sequence_cross_entropy(logits, targets, mask=None):\n"
                                           "    N, T, _ = logits.shape\n"
                                           "    means = []\n"
                                           "    for n in range(N):\n"
                                           "        costs = [np.logaddexp.reduce(logits[n, t]) - logits[n, t, targets[n, t]]\n"
                                           "                 for t in range(T) if mask is None or mask[n, t]]\n"
                                           "        means.append(np.mean(costs) if costs else 0.0)\n"
                                           "    return float(np.mean(means))\n"),
        lost=MASK, says=["is the mean of each sequence's mean"]),
    # Broken and hostile notebooks: zero on what they broke, the rest graded as usual.
    "syntax-error": dict(
        cells=wrong(rnn_forward=CORRECT["rnn_forward"].replace("):", ")", 1)),
        lost=FORWARD, says=["SyntaxError"]),
    "infinite-loop": dict(
        cells=wrong(sample_with_temperature="while True:\n    pass\n\n" + CORRECT["sample_with_temperature"]),
        lost=SAMPLING, says=["not defined"]),
    "calls-sys-exit": dict(
        cells=wrong(sequence_cross_entropy="import sys\nsys.exit('done for today')\n\n" + CORRECT["sequence_cross_entropy"]),
        lost=CROSS_ENTROPY, says=["not defined"]),
    "edits-test-cells": dict(
        cells={**mistake("rnn_step_forward", ("h_next[n] = np.tanh(", "h_next[n] = (")),
               **{test: "pass  # tests removed by the student\n" for test in STEP}},
        lost=STEP | FORWARD, says=["forget the tanh"]),
    "kills-its-kernel": dict(
        cells=wrong(rnn_to_torch="import os\nos._exit(1)\n"),
        lost=TO_TORCH, says=["stopped the notebook's process", "rnn_to_torch is not defined"]),
    "corrupt-file": dict(raw='{"cells": [{"cell_type": "code", "source": "trunc', lost=ALL_TESTS,
                         says=["not a valid notebook"], failed=True),
}
