"""Sample submissions for chapter 07, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/07_peephole/07_peephole.ipynb,
starting from the released student notebook and replacing cells by their nbgrader grade_id; `make
grade` grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
peephole_forward calls the student's peephole_step_forward, so a wrong step also loses the
sequence's tests, except where the mistake is invisible with one unit (the hand-worked case).
"""
from instructor.samples import variants_of


STEP = {"peephole_step_forward_by_hand", "peephole_step_forward_terms", "peephole_step_forward_hidden"}
FORWARD = {"peephole_forward_by_hand", "peephole_forward_oracle", "peephole_forward_hidden"}
MODULE = {"PeepholeLSTM_parameters", "PeepholeLSTM_by_hand", "PeepholeLSTM_reduction",
          "PeepholeLSTM_gradients", "PeepholeLSTM_hidden"}
TRAIN = {"train_timing_basics", "train_timing_adam", "train_timing_hidden"}
ALL_TESTS = STEP | FORWARD | MODULE | TRAIN

# Correct, in another style than the solution: np.split and a hand-written logistic function; a
# list of states; a module with torch.chunk, torch.addmm, a preallocated output tensor and a
# setattr loop; the BCEWithLogitsLoss module, zero_grad(set_to_none=False) and a line on stderr
# (harmless output that must not cost points).
CORRECT = {
    "peephole_step_forward": '''\
def peephole_step_forward(x, h_prev, c_prev, W_x, W_h, b, p_i, p_f, p_o):
    a_i, a_f, a_g, a_o = np.split(x @ W_x + h_prev @ W_h + b, 4, axis=1)
    logistic = lambda z: 1 / (1 + np.exp(-z))
    c = logistic(a_f + p_f * c_prev) * c_prev + logistic(a_i + p_i * c_prev) * np.tanh(a_g)
    h = np.tanh(c) * logistic(a_o + p_o * c)
    return h, c
''',
    "peephole_forward": '''\
def peephole_forward(X, h0, c0, W_x, W_h, b, p_i, p_f, p_o):
    h, c, states = h0, c0, []
    for x_t in np.moveaxis(X, 1, 0):  # (N, D) per step
        h, c = peephole_step_forward(x_t, h, c, W_x, W_h, b, p_i, p_f, p_o)
        states.append(h)
    return np.stack(states, axis=1), c
''',
    "PeepholeLSTM": '''\
class PeepholeLSTM(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        bound = hidden_size ** -0.5
        self.W_x = nn.Parameter(torch.rand(input_size, 4 * hidden_size) * 2 * bound - bound)
        self.W_h = nn.Parameter(torch.rand(hidden_size, 4 * hidden_size) * 2 * bound - bound)
        self.b = nn.Parameter(torch.rand(4 * hidden_size) * 2 * bound - bound)
        for name in ["p_i", "p_f", "p_o"]:
            setattr(self, name, nn.Parameter(torch.zeros(hidden_size)))

    def cell(self, x, h_prev, c_prev):
        a = torch.addmm(self.b, x, self.W_x) + h_prev @ self.W_h
        a_i, a_f, a_g, a_o = torch.chunk(a, 4, dim=1)
        i = torch.sigmoid(a_i + self.p_i * c_prev)
        c = torch.sigmoid(a_f + self.p_f * c_prev) * c_prev + i * torch.tanh(a_g)
        h = torch.sigmoid(a_o + self.p_o * c) * torch.tanh(c)
        return h, c

    def forward(self, X, state=None):
        N, T, _ = X.shape
        zeros = X.new_zeros((N, self.hidden_size))
        h, c = (zeros, zeros) if state is None else state
        H = X.new_empty((N, T, self.hidden_size))
        for t in range(T):
            h, c = self.cell(X[:, t, :], h, c)
            H[:, t] = h
        return H, (h, c)
''',
    "train_timing": '''\
def train_timing(model, inputs, targets, steps, lr):
    import sys
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(params=list(model.parameters()), lr=lr)
    history = []
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=False)
        loss = criterion(model(inputs), targets)
        loss.backward()
        history.append(float(loss.detach()))
        optimizer.step()
    print(f"trained for {steps} steps", file=sys.stderr)
    return history
''',
}


wrong, mistake = variants_of(CORRECT)

OUTPUT_GATE_FIRST = '''\
def peephole_step_forward(x, h_prev, c_prev, W_x, W_h, b, p_i, p_f, p_o):
    H = h_prev.shape[1]
    a = x @ W_x + h_prev @ W_h + b
    i = sigmoid(a[:, :H] + c_prev * p_i)
    f = sigmoid(a[:, H:2 * H] + c_prev * p_f)
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:] + c_prev * p_o)  # all four gates first, as in chapter 6 ...
    c = f * c_prev + i * g                    # ... then the cell update
    return o * np.tanh(c), c
'''

FULL_MATRICES = '''\
class PeepholeLSTM(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        k = 1 / math.sqrt(hidden_size)
        self.W_x = nn.Parameter(torch.empty(input_size, 4 * hidden_size).uniform_(-k, k))
        self.W_h = nn.Parameter(torch.empty(hidden_size, 4 * hidden_size).uniform_(-k, k))
        self.b = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-k, k))
        self.p_i = nn.Parameter(torch.zeros(hidden_size, hidden_size))  # a full matrix per gate
        self.p_f = nn.Parameter(torch.zeros(hidden_size, hidden_size))
        self.p_o = nn.Parameter(torch.zeros(hidden_size, hidden_size))

    def cell(self, x, h_prev, c_prev):
        H = self.hidden_size
        a = x @ self.W_x + h_prev @ self.W_h + self.b
        i = torch.sigmoid(a[:, :H] + c_prev @ self.p_i)
        f = torch.sigmoid(a[:, H:2 * H] + c_prev @ self.p_f)
        c = f * c_prev + i * torch.tanh(a[:, 2 * H:3 * H])
        o = torch.sigmoid(a[:, 3 * H:] + c @ self.p_o)
        return o * torch.tanh(c), c

    def forward(self, X, state=None):
        N, T, _ = X.shape
        h, c = (X.new_zeros(N, self.hidden_size), X.new_zeros(N, self.hidden_size)) if state is None else state
        states = []
        for t in range(T):
            h, c = self.cell(X[:, t], h, c)
            states.append(h)
        return torch.stack(states, dim=1), (h, c)
'''

SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: peephole_step_forward
    "step-output-gate-sees-old-cell": dict(
        cells=mistake("peephole_step_forward", ("logistic(a_o + p_o * c)", "logistic(a_o + p_o * c_prev)")),
        lost=STEP | FORWARD, says=["output gate sees the old cell"]),
    "step-output-gate-before-update": dict(
        cells=wrong(peephole_step_forward=OUTPUT_GATE_FIRST),
        lost=STEP | FORWARD, says=["must see the new cell"]),
    "step-peephole-on-candidate": dict(  # the blocks read in ONNX's order i, o, f, c: o's peephole lands on g
        cells=mistake("peephole_step_forward", ("np.tanh(a_g)", "np.tanh(a_g + p_o * c_prev)"),
                      ("logistic(a_o + p_o * c)", "logistic(a_o)")),
        lost=STEP | FORWARD, says=["The candidate g has a peephole"]),
    "step-peepholes-read-all-cells": dict(  # a full matrix of equal rows instead of one weight per cell
        cells=mistake("peephole_step_forward", ("p_f * c_prev)", "p_f * c_prev.sum(axis=1, keepdims=True))"),
                      ("p_i * c_prev)", "p_i * c_prev.sum(axis=1, keepdims=True))")),
        lost={"peephole_step_forward_terms", "peephole_step_forward_hidden", "peephole_forward_oracle",
              "peephole_forward_hidden"},
        says=["reads the sum of ALL cells"]),
    "step-forget-gate-without-peephole": dict(
        cells=mistake("peephole_step_forward", ("logistic(a_f + p_f * c_prev)", "logistic(a_f)")),
        lost=STEP | FORWARD, says=["the forget gate ignores the cell"]),
    # Exercise 2: peephole_forward
    "forward-cell-not-carried": dict(
        cells=mistake("peephole_forward", ("peephole_step_forward(x_t, h, c,", "peephole_step_forward(x_t, h, c0,")),
        lost=FORWARD, says=["is the cell state carried"]),
    "forward-time-major": dict(
        cells=mistake("peephole_forward", ("np.stack(states, axis=1)", "np.stack(states)")),
        lost=FORWARD, says=["batch-first"]),
    "forward-states-include-h0": dict(
        cells=mistake("peephole_forward", ("    for x_t in np.moveaxis(X, 1, 0):  # (N, D) per step\n",
                                           "    for x_t in np.moveaxis(X, 1, 0):  # (N, D) per step\n"
                                           "        states.append(h)\n"),
                      ("        states.append(h)\n    return", "    return")),
        lost=FORWARD, says=["H[:, 0] is h0"]),
    # Exercise 3: PeepholeLSTM
    "module-output-gate-sees-old-cell": dict(
        cells=mistake("PeepholeLSTM", ("self.p_o * c)", "self.p_o * c_prev)")),
        lost={"PeepholeLSTM_by_hand", "PeepholeLSTM_hidden"}, says=["output gate sees"]),
    "module-full-peephole-matrices": dict(
        cells=wrong(PeepholeLSTM=FULL_MATRICES),
        lost=MODULE, says=["peephole weights are diagonal"]),
    "module-peephole-on-candidate": dict(
        cells=mistake("PeepholeLSTM", ("torch.tanh(a_g)", "torch.tanh(a_g + self.p_o * c_prev)"),
                      ("torch.sigmoid(a_o + self.p_o * c)", "torch.sigmoid(a_o)")),
        lost={"PeepholeLSTM_by_hand", "PeepholeLSTM_hidden"}, says=["The candidate g has a peephole"]),
    "module-float32-zero-state": dict(
        cells=mistake("PeepholeLSTM", ("zeros = X.new_zeros((N, self.hidden_size))",
                                       "zeros = torch.zeros(N, self.hidden_size)")),
        lost={"PeepholeLSTM_reduction", "PeepholeLSTM_gradients", "PeepholeLSTM_hidden"},
        says=["X.new_zeros"]),
    "module-detached-cell-in-output-gate": dict(
        cells=mistake("PeepholeLSTM", ("self.p_o * c)", "self.p_o * c.detach())")),
        lost={"PeepholeLSTM_gradients"}, says=["autograd and centred differences disagree"]),
    # Exercise 4: train_timing
    "train-plain-gradient-descent": dict(
        cells=mistake("train_timing", ("torch.optim.Adam(", "torch.optim.SGD(")),
        lost={"train_timing_adam", "train_timing_hidden"}, says=["plain gradient descent"]),
    "train-no-zero-grad": dict(
        cells=mistake("train_timing", ("        optimizer.zero_grad(set_to_none=False)\n", "")),
        lost={"train_timing_adam", "train_timing_hidden"}, says=["accumulated gradients"]),
    "train-mean-squared-error": dict(
        cells=mistake("train_timing", ("criterion(model(inputs), targets)",
                                       "((torch.sigmoid(model(inputs)) - targets) ** 2).mean()")),
        lost=TRAIN, says=["mean squared error"]),
    "train-sigmoid-twice": dict(
        cells=mistake("train_timing", ("criterion(model(inputs), targets)",
                                       "criterion(torch.sigmoid(model(inputs)), targets)")),
        lost=TRAIN, says=["sigmoid twice"]),
    # Broken notebooks: zero on what they broke, the rest graded as usual.
    "syntax-error": dict(
        cells=wrong(peephole_forward=CORRECT["peephole_forward"].replace("):", ")", 1)),
        lost=FORWARD, says=["SyntaxError"]),
}
