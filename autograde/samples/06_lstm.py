"""Sample submissions for chapter 06, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/06_lstm/06_lstm.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
lstm_forward calls lstm_step_forward, so a wrong step also costs lstm_forward's tests. The other
exercises are tested on their own: lstm_to_torch against equations written out in the tests,
lstm_step_backward on caches the tests build themselves.
"""
from instructor.samples import variants_of

STEP = {"lstm_step_forward_by_hand", "lstm_step_forward_torch", "lstm_step_forward_hidden"}
FORWARD = {"lstm_forward_by_hand", "lstm_forward_torch", "lstm_forward_hidden"}
TO_TORCH = {"lstm_to_torch_parameters", "lstm_to_torch_outputs", "lstm_to_torch_hidden"}
BACKWARD = {"lstm_step_backward_by_hand", "lstm_step_backward_oracles", "lstm_step_backward_hidden"}
BIAS = {"set_gate_bias_forget", "set_gate_bias_every_gate", "set_gate_bias_hidden"}
TRAIN = {"train_language_model_by_hand", "train_language_model_steps", "train_language_model_hidden"}
ALL_TESTS = STEP | FORWARD | TO_TORCH | BACKWARD | BIAS | TRAIN

# Correct, in another style than the solution: np.split and einsum with the sigmoid written out; the
# states collected in a list and stacked; .data assignment and the bias in the other vector; every
# partial derivative named; the other bias vector set; the (N, V, T) form of cross_entropy.
CORRECT = {
    "lstm_step_forward": '''\
def lstm_step_forward(x, h_prev, c_prev, W_x, W_h, b):
    a = np.einsum("nd,dk->nk", x, W_x) + np.einsum("nh,hk->nk", h_prev, W_h) + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i = 1 / (1 + np.exp(-a_i))
    f = 1 / (1 + np.exp(-a_f))
    g = np.tanh(a_g)
    o = 1 / (1 + np.exp(-a_o))
    c_next = i * g + f * c_prev
    h_next = o * np.tanh(c_next)
    return h_next, c_next, (x, h_prev, c_prev, i, f, g, o, c_next, W_x, W_h)
''',
    "lstm_forward": '''\
def lstm_forward(X, h0, c0, W_x, W_h, b):
    h, c, hs = h0, c0, []
    for x_t in np.moveaxis(X, 1, 0):  # (N, D) slices, one per step
        h, c, _ = lstm_step_forward(x_t, h, c, W_x, W_h, b)
        hs.append(h)
    return np.stack(hs, axis=1), c
''',
    "lstm_to_torch": '''\
def lstm_to_torch(W_x, W_h, b):
    dtype = torch.float64 if W_x.dtype == np.float64 else torch.float32
    module = nn.LSTM(input_size=W_x.shape[0], hidden_size=W_h.shape[0], num_layers=1, batch_first=True, dtype=dtype)
    module.weight_ih_l0.data = torch.tensor(W_x.T.copy(), dtype=dtype)
    module.weight_hh_l0.data = torch.tensor(W_h.T.copy(), dtype=dtype)
    module.bias_ih_l0.data = torch.zeros(len(b), dtype=dtype)
    module.bias_hh_l0.data = torch.tensor(b, dtype=dtype)
    return module
''',
    "lstm_step_backward": '''\
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, c, W_x, W_h = cache
    tanh_c = np.tanh(c)
    do = dh_next * tanh_c
    dc = dh_next * o * (1 - tanh_c * tanh_c) + dc_next
    di, df, dg = dc * g, dc * c_prev, dc * i
    dc_prev = f * dc
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)])
    return (np.einsum("nk,dk->nd", da, W_x), np.einsum("nk,hk->nh", da, W_h), dc_prev,
            np.einsum("nd,nk->dk", x, da), np.einsum("nh,nk->hk", h_prev, da), np.einsum("nk->k", da))
''',
    "set_gate_bias": '''\
def set_gate_bias(lstm, gate, value):
    k = {"i": 0, "f": 1, "g": 2, "o": 3}[gate]
    H = lstm.bias_hh_l0.shape[0] // 4
    lstm.bias_hh_l0.data[k * H:(k + 1) * H] = value
    lstm.bias_ih_l0.data[k * H:(k + 1) * H] = 0.0
''',
    "train_language_model": '''\
def train_language_model(model, batches, optimizer, max_norm):
    history = []
    for inputs, targets in batches:
        model.zero_grad()
        logits = model(inputs)[0]                                    # (N, T, V)
        loss = nn.functional.cross_entropy(logits.transpose(1, 2), targets)  # the (N, V, T) form
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm=max_norm)
        optimizer.step()
        history.append(float(loss.detach()))
    return history
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: lstm_step_forward
    "step-gates-in-order-ifog": dict(
        cells=mistake("lstm_step_forward", ("a_i, a_f, a_g, a_o = np.split", "a_i, a_f, a_o, a_g = np.split")),
        lost=STEP | FORWARD, says=["in the order i, f, g, o"]),
    "step-sigmoid-on-candidate": dict(
        cells=mistake("lstm_step_forward", ("g = np.tanh(a_g)", "g = 1 / (1 + np.exp(-a_g))")),
        lost=STEP | FORWARD, says=["g uses tanh"]),
    "step-tanh-on-output-gate": dict(
        cells=mistake("lstm_step_forward", ("o = 1 / (1 + np.exp(-a_o))", "o = np.tanh(a_o)")),
        lost=STEP | FORWARD, says=["o uses sigmoid"]),
    "step-no-tanh-of-cell": dict(
        cells=mistake("lstm_step_forward", ("h_next = o * np.tanh(c_next)", "h_next = o * c_next")),
        lost=STEP | FORWARD, says=["the tanh is missing"]),
    "step-tanh-of-old-cell": dict(
        cells=mistake("lstm_step_forward", ("h_next = o * np.tanh(c_next)", "h_next = o * np.tanh(c_prev)")),
        lost=STEP | FORWARD, says=["the output reads the NEW cell"]),
    "step-forget-multiplies-candidate": dict(
        cells=mistake("lstm_step_forward", ("c_next = i * g + f * c_prev", "c_next = f * g + i * c_prev")),
        lost=STEP | FORWARD, says=["the forget gate multiplies the old cell"]),
    "step-float64-buffer": dict(  # np.zeros makes float64: float32 inputs give float64 outputs
        cells=mistake("lstm_step_forward", ("a = np.einsum", "a = np.zeros((x.shape[0], W_x.shape[1]))\n    a = a + np.einsum")),
        lost={"lstm_step_forward_torch", "lstm_step_forward_hidden", "lstm_forward_torch", "lstm_forward_hidden"},
        says=["float32 inputs should give float32 outputs"]),
    # Exercise 2: lstm_forward
    "forward-cell-not-carried": dict(
        cells=mistake("lstm_forward", ("h, c, _ = lstm_step_forward(x_t, h, c,", "h, c, _ = lstm_step_forward(x_t, h, c0,")),
        lost=FORWARD, says=["the cell is not carried"]),
    "forward-hidden-not-carried": dict(  # invisible with zero weights: the hand-worked case cannot see it
        cells=mistake("lstm_forward", ("h, c, _ = lstm_step_forward(x_t, h, c,", "h, c, _ = lstm_step_forward(x_t, h0, c,")),
        lost={"lstm_forward_torch", "lstm_forward_hidden"}, says=["hidden state is not carried"]),
    "forward-returns-last-hidden-state": dict(
        cells=mistake("lstm_forward", ("return np.stack(hs, axis=1), c", "return np.stack(hs, axis=1), h")),
        lost=FORWARD, says=["return the last CELL state"]),
    "forward-states-start-at-h0": dict(
        cells=mistake("lstm_forward", ("h, c, hs = h0, c0, []", "h, c, hs = h0, c0, [h0]"),
                      ("np.stack(hs, axis=1), c", "np.stack(hs[:-1], axis=1), c")),
        lost=FORWARD, says=["H[:, 0] is h0"]),
    # Exercise 3: lstm_to_torch
    "to-torch-both-biases-b": dict(
        cells=mistake("lstm_to_torch", ("module.bias_ih_l0.data = torch.zeros(len(b), dtype=dtype)",
                                        "module.bias_ih_l0.data = torch.tensor(b, dtype=dtype)")),
        lost=TO_TORCH, says=["equals 2 b"]),
    "to-torch-second-bias-untouched": dict(
        cells=mistake("lstm_to_torch", ("    module.bias_ih_l0.data = torch.zeros(len(b), dtype=dtype)\n", "")),
        lost=TO_TORCH, says=["random initial values"]),
    "to-torch-reordered-gates": dict(  # believes PyTorch's order is i, f, o, g
        cells=wrong(lstm_to_torch='''\
def lstm_to_torch(W_x, W_h, b):
    H = W_h.shape[0]
    order = np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])
    dtype = torch.from_numpy(W_x).dtype
    module = nn.LSTM(W_x.shape[0], H, batch_first=True, dtype=dtype)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(W_x[:, order].T.copy()))
        module.weight_hh_l0.copy_(torch.from_numpy(W_h[:, order].T.copy()))
        module.bias_ih_l0.copy_(torch.from_numpy(b[order].copy()))
        module.bias_hh_l0.zero_()
    return module
'''),
        lost=TO_TORCH, says=["PyTorch's order is i, f, g, o"]),
    "to-torch-shares-memory": dict(  # views of the caller's arrays: training the module would change them
        cells=wrong(lstm_to_torch='''\
def lstm_to_torch(W_x, W_h, b):
    lstm = nn.LSTM(W_x.shape[0], W_h.shape[0], batch_first=True, dtype=torch.from_numpy(W_x).dtype)
    lstm.weight_ih_l0 = nn.Parameter(torch.from_numpy(W_x).T)
    lstm.weight_hh_l0 = nn.Parameter(torch.from_numpy(W_h).T)
    lstm.bias_ih_l0 = nn.Parameter(torch.from_numpy(b))
    with torch.no_grad():
        lstm.bias_hh_l0.zero_()
    return lstm
'''),
        lost={"lstm_to_torch_parameters"}, says=["share memory with W_x, W_h, b"]),
    "to-torch-not-batch-first": dict(
        cells=mistake("lstm_to_torch", ("num_layers=1, batch_first=True,", "num_layers=1,")),
        lost=TO_TORCH, says=["not batch-first"]),
    "to-torch-always-float32": dict(
        cells=mistake("lstm_to_torch", ("dtype = torch.float64 if W_x.dtype == np.float64 else torch.float32",
                                        "dtype = torch.float32")),
        lost=TO_TORCH, says=["pass dtype=torch.float64"]),
    # Exercise 4: lstm_step_backward
    "backward-no-path-through-tanh": dict(
        cells=mistake("lstm_step_backward", ("dc = dh_next * o * (1 - tanh_c * tanh_c) + dc_next", "dc = dc_next")),
        lost=BACKWARD, says=["the gradient through tanh(c) is missing"]),
    "backward-cell-path-without-forget": dict(
        cells=mistake("lstm_step_backward", ("dc_prev = f * dc", "dc_prev = dc")),
        lost=BACKWARD, says=["dc_prev = dc * f"]),
    "backward-tanh-of-old-cell": dict(
        cells=mistake("lstm_step_backward", ("tanh_c = np.tanh(c)", "tanh_c = np.tanh(c_prev)")),
        lost=BACKWARD, says=["1 - tanh(c)^2 of the NEW cell"]),
    "backward-blocks-in-order-ifog": dict(
        cells=mistake("lstm_step_backward", ("dg * (1 - g * g), do * o * (1 - o)", "do * o * (1 - o), dg * (1 - g * g)")),
        lost=BACKWARD, says=["put da together in the order i, f, g, o"]),
    "backward-no-sigmoid-derivatives": dict(
        cells=mistake("lstm_step_backward", ("di * i * (1 - i), df * f * (1 - f)", "di, df"),
                      ("do * o * (1 - o)", "do")),
        lost=BACKWARD, says=["the sigmoid's derivative"]),
    # Exercise 5: set_gate_bias
    "bias-set-in-both-vectors": dict(
        cells=mistake("set_gate_bias", ("lstm.bias_ih_l0.data[k * H:(k + 1) * H] = 0.0", "lstm.bias_ih_l0.data[k * H:(k + 1) * H] = value")),
        lost=BIAS, says=["both bias_ih_l0 and bias_hh_l0"]),
    "bias-set-in-one-vector-only": dict(
        cells=mistake("set_gate_bias", ("    lstm.bias_ih_l0.data[k * H:(k + 1) * H] = 0.0\n", "")),
        lost=BIAS, says=["random initial values"]),
    "bias-blocks-in-order-ifog": dict(  # the forget gate's block is right, the candidate's and output's are swapped
        cells=mistake("set_gate_bias", ('{"i": 0, "f": 1, "g": 2, "o": 3}', '{"i": 0, "f": 1, "o": 2, "g": 3}')),
        lost={"set_gate_bias_every_gate", "set_gate_bias_hidden"}, says=["the blocks are in the order i, f, g, o"]),
    "bias-new-parameters": dict(  # right values, but an optimizer made before the call keeps the old biases
        cells=wrong(set_gate_bias='''\
def set_gate_bias(lstm, gate, value):
    H, k = lstm.hidden_size, "ifgo".index(gate)
    ih, hh = lstm.bias_ih_l0.detach().clone(), lstm.bias_hh_l0.detach().clone()
    ih[k * H:(k + 1) * H] = value
    hh[k * H:(k + 1) * H] = 0.0
    lstm.bias_ih_l0, lstm.bias_hh_l0 = nn.Parameter(ih), nn.Parameter(hh)
'''),
        lost={"set_gate_bias_forget"}, says=["new Parameter objects"]),
    "bias-whole-vector": dict(
        cells=wrong(set_gate_bias='''\
def set_gate_bias(lstm, gate, value):
    with torch.no_grad():
        lstm.bias_ih_l0.fill_(value)
        lstm.bias_hh_l0.zero_()
'''),
        lost=BIAS, says=["only the forget gate's block should change"]),
    # Exercise 6: train_language_model
    "train-no-clipping": dict(
        cells=mistake("train_language_model", ("        torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm=max_norm)\n", "")),
        lost={"train_language_model_by_hand", "train_language_model_hidden"}, says=["clip the gradients' global norm"]),
    "train-clip-after-step": dict(
        cells=mistake("train_language_model", (
            "        torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm=max_norm)\n        optimizer.step()\n",
            "        optimizer.step()\n        torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm=max_norm)\n")),
        lost={"train_language_model_by_hand", "train_language_model_hidden"}, says=["before optimizer.step()"]),
    "train-no-zero-grad": dict(  # one update cannot show it
        cells=mistake("train_language_model", ("        model.zero_grad()\n", "")),
        lost={"train_language_model_steps", "train_language_model_hidden"}, says=["optimizer.zero_grad()"]),
    "train-last-position-only": dict(
        cells=mistake("train_language_model", ("cross_entropy(logits.transpose(1, 2), targets)", "cross_entropy(logits[:, -1], targets[:, -1])")),
        lost=TRAIN, says=["ALL positions"]),
    "train-summed-loss": dict(
        cells=mistake("train_language_model", ("cross_entropy(logits.transpose(1, 2), targets)",
                                               "cross_entropy(logits.transpose(1, 2), targets, reduction='sum')")),
        lost=TRAIN, says=["use the mean cross-entropy"]),
}
