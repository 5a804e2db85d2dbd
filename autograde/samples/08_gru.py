"""Sample submissions for chapter 08, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/08_gru/08_gru.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
A student whose step function is wrong also loses gru_forward's tests where gru_forward calls it
and the test's weights expose the mistake (the hand-worked sequence has no recurrent weights, so
a mistake in the reset path does not show there).
"""
from instructor.samples import variants_of


STEP = {"gru_step_forward_by_hand", "gru_step_forward_conventions", "gru_step_forward_hidden"}
FORWARD = {"gru_forward_by_hand", "gru_forward_torch", "gru_forward_hidden"}
TO_TORCH = {"gru_to_torch_parameters", "gru_to_torch_outputs", "gru_to_torch_hidden"}
RESET_BEFORE = {"reset_before_by_hand", "reset_before_conventions", "reset_before_hidden"}
COUNT = {"parameter_count_torch", "parameter_count_distinct", "parameter_count_hidden"}
ALL_TESTS = STEP | FORWARD | TO_TORCH | RESET_BEFORE | COUNT

# Correct, in another style than the solution: one gate at a time with einsum and a sigmoid written
# with tanh, a list of states stacked at the end, the weights loaded through load_state_dict,
# parameter counts read off a torch module. gru_to_torch copy-constructs tensors with
# torch.tensor(tensor), which makes PyTorch print a harmless UserWarning to stderr: it must not
# cost points.
CORRECT = {
    "gru_step_forward": '''\
def gru_step_forward(x, h_prev, W_x, W_h, b_x, b_h):
    H = h_prev.shape[1]
    logistic = lambda a: 0.5 * (1 + np.tanh(0.5 * a))  # the same function as sigmoid
    W_xr, W_xz, W_xn = W_x[:, :H], W_x[:, H:2 * H], W_x[:, 2 * H:]
    W_hr, W_hz, W_hn = W_h[:, :H], W_h[:, H:2 * H], W_h[:, 2 * H:]
    r = logistic(np.einsum("nd,dh->nh", x, W_xr) + b_x[:H] + np.einsum("nk,kh->nh", h_prev, W_hr) + b_h[:H])
    z = logistic(np.einsum("nd,dh->nh", x, W_xz) + b_x[H:2 * H] + np.einsum("nk,kh->nh", h_prev, W_hz) + b_h[H:2 * H])
    recurrent = np.einsum("nk,kh->nh", h_prev, W_hn) + b_h[2 * H:]
    n = np.tanh(np.einsum("nd,dh->nh", x, W_xn) + b_x[2 * H:] + r * recurrent)
    return h_prev + (1 - z) * (n - h_prev)
''',
    "gru_forward": '''\
def gru_forward(X, h0, W_x, W_h, b_x, b_h):
    h, states = h0, []
    for x_t in np.moveaxis(X, 1, 0):  # (N, D) per step
        h = gru_step_forward(x_t, h, W_x, W_h, b_x, b_h)
        states.append(h)
    return np.stack(states, axis=1)
''',
    "gru_to_torch": '''\
def gru_to_torch(W_x, W_h, b_x, b_h):
    D, H = W_x.shape[0], W_h.shape[0]
    gru = nn.GRU(input_size=D, hidden_size=H, batch_first=True).to(torch.from_numpy(W_x).dtype)
    gru.load_state_dict({
        "weight_ih_l0": torch.tensor(torch.from_numpy(W_x)).T,  # warns: copy-constructs a tensor
        "weight_hh_l0": torch.from_numpy(np.ascontiguousarray(W_h.T)),
        "bias_ih_l0": torch.from_numpy(b_x.copy()),
        "bias_hh_l0": torch.from_numpy(b_h.copy()),
    })
    return gru
''',
    "gru_step_forward_reset_before": '''\
def gru_step_forward_reset_before(x, h_prev, W_x, W_h, b_x, b_h):
    H = h_prev.shape[1]
    gates = sigmoid(x @ W_x[:, :2 * H] + h_prev @ W_h[:, :2 * H] + b_x[:2 * H] + b_h[:2 * H])  # (N, 2H)
    r, z = gates[:, :H], gates[:, H:]
    n = np.tanh(x @ W_x[:, 2 * H:] + b_x[2 * H:] + b_h[2 * H:] + np.einsum("nk,kh->nh", r * h_prev, W_h[:, 2 * H:]))
    return z * h_prev + (1 - z) * n
''',
    "parameter_count": '''\
def parameter_count(cell, input_size, hidden_size, torch_biases=True):
    module = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](input_size, hidden_size)
    counted = sum(p.numel() for p in module.parameters())
    if torch_biases:
        return counted
    merged = {"rnn": 1, "lstm": 4, "gru": 2}[cell] * hidden_size  # pairs of biases that only add
    return counted - merged
''',
}

# A parameter count written as a formula, to break in the ways students do.
FORMULA = '''\
def parameter_count(cell, input_size, hidden_size, torch_biases=True):
    maps = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    D, H = input_size, hidden_size
    weights = maps * (H * D + H * H)
    if torch_biases:
        return weights + 2 * maps * H
    return weights + (4 * H if cell == "gru" else maps * H)
'''


wrong, mistake = variants_of(CORRECT)


def formula(*edits):
    source = FORMULA
    for old, new in edits:
        assert old in source, f"{old!r} is not in the formula"
        source = source.replace(old, new)
    return wrong(parameter_count=source)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "correct-formula": dict(cells=formula(), lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: gru_step_forward
    "step-z-flipped": dict(
        cells=mistake("gru_step_forward", ("h_prev + (1 - z) * (n - h_prev)", "h_prev + z * (n - h_prev)")),
        lost=STEP | FORWARD, says=["z and 1 - z are swapped"]),
    "step-r-z-swapped": dict(
        cells=mistake("gru_step_forward", ("W_xr, W_xz, W_xn = W_x[:, :H], W_x[:, H:2 * H]", "W_xz, W_xr, W_xn = W_x[:, :H], W_x[:, H:2 * H]"),
                      ("W_hr, W_hz, W_hn = W_h[:, :H], W_h[:, H:2 * H]", "W_hz, W_hr, W_hn = W_h[:, :H], W_h[:, H:2 * H]"),
                      ("+ b_x[:H] +", "+ b_x[H:2 * H] +"), ("+ b_h[:H])", "+ b_h[H:2 * H])"),
                      ("W_xz) + b_x[H:2 * H] +", "W_xz) + b_x[:H] +"), ("W_hz) + b_h[H:2 * H])", "W_hz) + b_h[:H])")),
        lost=STEP | FORWARD, says=["with r and z swapped"]),
    "step-reset-before-product": dict(  # Cho et al.'s later convention where PyTorch's is asked
        cells=mistake("gru_step_forward", ('recurrent = np.einsum("nk,kh->nh", h_prev, W_hn) + b_h[2 * H:]',
                                           'recurrent = np.einsum("nk,kh->nh", r * h_prev, W_hn) + b_h[2 * H:]'),
                      ("+ r * recurrent)", "+ recurrent)")),
        lost=STEP | {"gru_forward_torch", "gru_forward_hidden"}, says=["Cho et al.'s later convention"]),
    "step-b_hn-outside-reset": dict(
        cells=mistake("gru_step_forward", ('recurrent = np.einsum("nk,kh->nh", h_prev, W_hn) + b_h[2 * H:]',
                                           'recurrent = np.einsum("nk,kh->nh", h_prev, W_hn)'),
                      ("+ r * recurrent)", "+ r * recurrent + b_h[2 * H:])")),
        lost=STEP | {"gru_forward_torch", "gru_forward_hidden"}, says=["b_hn is added outside the reset product"]),
    "step-biases-summed": dict(  # b_x + b_h added to the input side before slicing: b_hn escapes the reset
        cells=wrong(gru_step_forward="def gru_step_forward(x, h_prev, W_x, W_h, b_x, b_h):\n"
                                     "    H = h_prev.shape[1]\n"
                                     "    a_x = x @ W_x + (b_x + b_h)  # the two biases only add... or do they?\n"
                                     "    a_h = h_prev @ W_h\n"
                                     "    r = sigmoid(a_x[:, :H] + a_h[:, :H])\n"
                                     "    z = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])\n"
                                     "    n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])\n"
                                     "    return (1 - z) * n + z * h_prev\n"),
        lost=STEP | {"gru_forward_torch", "gru_forward_hidden"}, says=["b_hn is added outside the reset product"]),
    "step-no-reset": dict(
        cells=mistake("gru_step_forward", ("+ r * recurrent)", "+ recurrent)")),
        lost=STEP | {"gru_forward_torch", "gru_forward_hidden"}, says=["reset gate is missing"]),
    # Exercise 2: gru_forward
    "forward-state-not-carried": dict(
        cells=mistake("gru_forward", ("gru_step_forward(x_t, h,", "gru_step_forward(x_t, h0,")),
        lost=FORWARD, says=["fed into the next step"]),
    "forward-returns-h0": dict(
        cells=mistake("gru_forward", ("np.stack(states, axis=1)", "np.stack([h0] + states[:-1], axis=1)")),
        lost=FORWARD, says=["H[:, 0] is h0"]),
    "forward-time-major": dict(
        cells=mistake("gru_forward", ("np.stack(states, axis=1)", "np.stack(states)")),
        lost=FORWARD, says=["batch-first"]),
    "forward-always-float64": dict(
        cells=wrong(gru_forward="def gru_forward(X, h0, W_x, W_h, b_x, b_h):\n"
                                "    N, T, _ = X.shape\n"
                                "    states, h = np.zeros((N, T, h0.shape[1])), h0  # float64 whatever X is\n"
                                "    for t in range(T):\n"
                                "        h = gru_step_forward(X[:, t], h, W_x, W_h, b_x, b_h)\n"
                                "        states[:, t] = h\n"
                                "    return states\n"),
        lost={"gru_forward_by_hand", "gru_forward_hidden"}, says=["dtype float64, expected float32"]),
    # Exercise 3: gru_to_torch
    "to-torch-biases-summed": dict(
        cells=mistake("gru_to_torch", ('"bias_ih_l0": torch.from_numpy(b_x.copy())', '"bias_ih_l0": torch.from_numpy(b_x + b_h)'),
                      ('"bias_hh_l0": torch.from_numpy(b_h.copy())', '"bias_hh_l0": torch.zeros(len(b_h), dtype=torch.from_numpy(b_h).dtype)')),
        lost={"gru_to_torch_parameters", "gru_to_torch_hidden"}, says=["b_hn sits inside the product with r"]),
    "to-torch-shares-memory": dict(  # views of the caller's arrays: training the module would change them
        cells=wrong(gru_to_torch='''\
def gru_to_torch(W_x, W_h, b_x, b_h):
    gru = nn.GRU(W_x.shape[0], W_h.shape[0], batch_first=True, dtype=torch.from_numpy(W_x).dtype)
    gru.weight_ih_l0 = nn.Parameter(torch.from_numpy(W_x).T)
    gru.weight_hh_l0 = nn.Parameter(torch.from_numpy(W_h).T)
    gru.bias_ih_l0 = nn.Parameter(torch.from_numpy(b_x))
    gru.bias_hh_l0 = nn.Parameter(torch.from_numpy(b_h))
    return gru
'''),
        lost={"gru_to_torch_parameters"}, says=["share memory with W_x, W_h, b_x, b_h"]),
    "to-torch-gate-order-zrn": dict(  # the update gate first, as Keras and ONNX store it
        cells=wrong(gru_to_torch="def gru_to_torch(W_x, W_h, b_x, b_h):\n"
                                 "    D, H = W_x.shape[0], W_h.shape[0]\n"
                                 "    order = np.r_[H:2 * H, 0:H, 2 * H:3 * H]  # z, r, n\n"
                                 "    gru = nn.GRU(D, H, batch_first=True, dtype=torch.from_numpy(W_x).dtype)\n"
                                 "    with torch.no_grad():\n"
                                 "        gru.weight_ih_l0.copy_(torch.from_numpy(W_x[:, order].T))\n"
                                 "        gru.weight_hh_l0.copy_(torch.from_numpy(W_h[:, order].T))\n"
                                 "        gru.bias_ih_l0.copy_(torch.from_numpy(b_x[order]))\n"
                                 "        gru.bias_hh_l0.copy_(torch.from_numpy(b_h[order]))\n"
                                 "    return gru\n"),
        lost=TO_TORCH, says=["in the order z, r, n"]),
    "to-torch-reshape-not-transpose": dict(
        cells=mistake("gru_to_torch", ("torch.tensor(torch.from_numpy(W_x)).T", "torch.from_numpy(W_x.reshape(3 * H, D))"),
                      ("np.ascontiguousarray(W_h.T)", "W_h.reshape(3 * H, H)")),
        lost={"gru_to_torch_parameters", "gru_to_torch_hidden"}, says=["reshaped"]),
    "to-torch-time-major": dict(
        cells=mistake("gru_to_torch", ("batch_first=True", "batch_first=False")),
        lost=TO_TORCH, says=["not batch-first"]),
    "to-torch-float32-only": dict(
        cells=mistake("gru_to_torch", (".to(torch.from_numpy(W_x).dtype)", "")),
        lost=TO_TORCH, says=["dtype=torch.float64"]),
    # Exercise 4: gru_step_forward_reset_before
    "reset-before-is-pytorch": dict(
        cells=mistake("gru_step_forward_reset_before",
                      ('+ b_x[2 * H:] + b_h[2 * H:] + np.einsum("nk,kh->nh", r * h_prev, W_h[:, 2 * H:]))',
                       '+ b_x[2 * H:] + r * (np.einsum("nk,kh->nh", h_prev, W_h[:, 2 * H:]) + b_h[2 * H:]))')),
        lost=RESET_BEFORE, says=["that is PyTorch's convention"]),
    "reset-before-z-flipped": dict(
        cells=mistake("gru_step_forward_reset_before", ("return z * h_prev + (1 - z) * n", "return (1 - z) * h_prev + z * n")),
        lost=RESET_BEFORE, says=["z and 1 - z are swapped"]),
    "reset-before-no-b_hn": dict(
        cells=mistake("gru_step_forward_reset_before", ("+ b_x[2 * H:] + b_h[2 * H:] +", "+ b_x[2 * H:] +")),
        lost=RESET_BEFORE, says=["b_hn is missing"]),
    "reset-before-r-z-swapped": dict(
        cells=mistake("gru_step_forward_reset_before", ("r, z = gates[:, :H], gates[:, H:]", "z, r = gates[:, :H], gates[:, H:]")),
        lost=RESET_BEFORE, says=["with r and z swapped"]),
    # Exercise 5: parameter_count
    "count-one-bias-per-map": dict(
        cells=formula(("return weights + 2 * maps * H", "return weights + maps * H")),
        lost={"parameter_count_torch", "parameter_count_hidden"}, says=["counts one bias vector per map"]),
    "count-gru-biases-merged": dict(
        cells=formula(("return weights + (4 * H if cell == \"gru\" else maps * H)", "return weights + maps * H")),
        lost={"parameter_count_distinct", "parameter_count_hidden"}, says=["b_xn and b_hn cannot be merged"]),
    "count-gru-four-maps": dict(
        cells=formula(('"gru": 3}', '"gru": 4}')),
        lost=COUNT, says=["counts four affine map(s)"]),
    "count-d-h-swapped": dict(
        cells=formula(("weights = maps * (H * D + H * H)", "weights = maps * (H * D + D * D)"),
                      ("return weights + 2 * maps * H", "return weights + 2 * maps * D")),
        lost=COUNT, says=["D and H are swapped"]),
    "count-returns-float": dict(
        cells=formula(("D, H = input_size, hidden_size", "D, H = float(input_size), float(hidden_size)")),
        lost=COUNT, says=["return an int"]),
    # Broken and hostile notebooks: zero on what they broke, the rest graded as usual.
    "syntax-error": dict(
        cells=wrong(gru_forward=CORRECT["gru_forward"].replace("):", ")", 1)),
        lost=FORWARD, says=["SyntaxError"]),
    "infinite-loop": dict(
        cells=wrong(parameter_count="while True:\n    pass\n\n" + CORRECT["parameter_count"]),
        lost=COUNT, says=["not defined"]),
    "calls-sys-exit": dict(
        cells=wrong(gru_step_forward_reset_before="import sys\nsys.exit('done for today')\n\n"
                                                  + CORRECT["gru_step_forward_reset_before"]),
        lost=RESET_BEFORE, says=["not defined"]),
    "edits-test-cells": dict(
        cells={**mistake("gru_step_forward", ("h_prev + (1 - z) * (n - h_prev)", "h_prev + z * (n - h_prev)")),
               **{test: "pass  # tests removed by the student\n" for test in STEP}},
        lost=STEP | FORWARD, says=["z and 1 - z are swapped"]),
    "kills-its-kernel": dict(
        cells=wrong(gru_to_torch="import os\nos._exit(1)\n"),
        lost=TO_TORCH, says=["stopped the notebook's process", "gru_to_torch is not defined"]),
    "corrupt-file": dict(raw='{"cells": [{"cell_type": "code", "source": "trunc', lost=ALL_TESTS,
                         says=["not a valid notebook"], failed=True),
}
