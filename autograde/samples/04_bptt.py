"""Sample submissions for chapter 04, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/04_bptt/04_bptt.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
rnn_backward calls rnn_step_backward, so a wrong step also costs rnn_backward's tests (except where
the one-unit hand-worked case cannot see the mistake, as with a missing transpose).
"""
from instructor.samples import variants_of


STEP = {"rnn_step_backward_by_hand", "rnn_step_backward_oracles", "rnn_step_backward_hidden"}
BACKWARD = {"rnn_backward_by_hand", "rnn_backward_oracles", "rnn_backward_edge_cases", "rnn_backward_hidden"}
READOUT = {"readout_backward_by_hand", "readout_backward_torch", "readout_backward_stable", "readout_backward_hidden"}
CHECKER = {"numerical_gradient_by_hand", "relative_errors_by_hand", "gradient_check_rnn", "gradient_check_hidden"}
TRUNCATED = {"train_truncated_by_hand", "train_truncated_state", "train_truncated_hidden"}
ALL_TESTS = STEP | BACKWARD | READOUT | CHECKER | TRUNCATED

# Correct, in another style than the solution: einsum instead of matrix products and another form of
# the tanh factor; the weight gradients summed at the end instead of accumulated; the read-out through
# a log-softmax and a one-hot array; flat iteration with np.nditer and no tiny guard; the model called
# one step at a time, detaching when a segment starts.
CORRECT = {
    "rnn_step_backward": '''\
def rnn_step_backward(dh_next, x, h_prev, h_next, W_xh, W_hh):
    da = dh_next - dh_next * h_next * h_next  # dh_next * (1 - h_next^2)
    dx = np.einsum("nh,dh->nd", da, W_xh)
    dh_prev = np.einsum("nh,kh->nk", da, W_hh)
    dW_xh = np.einsum("nd,nh->dh", x, da)
    dW_hh = np.einsum("nk,nh->kh", h_prev, da)
    db_h = np.einsum("nh->h", da)
    return dx, dh_prev, dW_xh, dW_hh, db_h
''',
    "rnn_backward": '''\
def rnn_backward(dH, X, h0, H, W_xh, W_hh):
    T = X.shape[1]
    previous = np.concatenate([h0[:, None], H[:, :-1]], axis=1)  # the state before each step
    dX = np.empty_like(X)
    contributions = []
    carry = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        dX[:, t], carry, gx, gh, gb = rnn_step_backward(dH[:, t] + carry, X[:, t], previous[:, t], H[:, t], W_xh, W_hh)
        contributions.append((gx, gh, gb))
    dW_xh, dW_hh, db_h = (np.sum(parts, axis=0) for parts in zip(*contributions))
    return dX, carry, dW_xh, dW_hh, db_h
''',
    "readout_backward": '''\
def readout_backward(H, W_hy, b_y, targets):
    N, T, _ = H.shape
    V = W_hy.shape[1]
    logits = np.einsum("nth,hv->ntv", H, W_hy) + b_y
    shifted = logits - logits.max(axis=2, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    onehot = np.eye(V, dtype=H.dtype)[targets]
    dY = (np.exp(log_p) - onehot) / (N * T)
    dH = np.einsum("ntv,hv->nth", dY, W_hy)
    dW_hy = np.einsum("nth,ntv->hv", H, dY)
    db_y = dY.sum(axis=(0, 1))
    return dH, dW_hy, db_y
''',
    "numerical_gradient": '''\
def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    entries = np.nditer(x, flags=["multi_index"])
    for _ in entries:
        index = entries.multi_index
        saved = x[index]
        x[index] = saved + eps
        upper = f()
        x[index] = saved - eps
        lower = f()
        x[index] = saved
        grad[index] = (upper - lower) / (2 * eps)
    return grad


def relative_errors(analytic, numeric):
    result = {}
    for name in analytic:
        a = np.array(analytic[name], dtype=np.float64).ravel()
        n = np.array(numeric[name], dtype=np.float64).ravel()
        denominator = np.max(np.abs(a)) + np.max(np.abs(n))
        result[name] = 0.0 if denominator == 0 else float(np.max(np.abs(a - n)) / denominator)
    return result
''',
    "train_truncated": '''\
def train_truncated(model, inputs, targets, k, optimizer, loss_fn):
    T = inputs.shape[1]
    h = model.initial_state(inputs.shape[0])
    losses, outputs = [], []
    for t in range(T):
        if t % k == 0:
            h = h.detach()  # a segment starts: cut the graph here, and only here
        out, h = model(inputs[:, t:t + 1], h)
        outputs.append(out)
        if (t + 1) % k == 0 or t == T - 1:  # a segment ends: one update
            start = t + 1 - len(outputs)
            loss = loss_fn(torch.cat(outputs, dim=1), targets[:, start:t + 1])
            model.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
            outputs = []
    return losses
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Correct code that writes a progress bar to stderr: it must not lose points.
    "correct-with-progress-bar": dict(
        cells=mistake("train_truncated", ("    for t in range(T):\n", "    for t in tqdm(range(T), desc=\"truncated BPTT\"):\n"),
                      ("    T = inputs.shape[1]\n", "    from tqdm.auto import tqdm\n\n    T = inputs.shape[1]\n")),
        lost=set(), says=[]),
    # Exercise 1: rnn_step_backward
    "step-no-tanh-derivative": dict(
        cells=mistake("rnn_step_backward", ("da = dh_next - dh_next * h_next * h_next", "da = dh_next")),
        lost=STEP | BACKWARD, says=["forget the 1 - h^2 factor"]),
    "step-derivative-of-h-prev": dict(
        cells=mistake("rnn_step_backward", ("dh_next * h_next * h_next", "dh_next * h_prev * h_prev")),
        lost=STEP | BACKWARD, says=["uses 1 - h_prev^2"]),
    "step-recurrent-weight-not-transposed": dict(  # da @ W_hh: square, so the shapes cannot tell
        cells=mistake("rnn_step_backward", ('"nh,kh->nk", da, W_hh', '"nh,hk->nk", da, W_hh')),
        lost=STEP | BACKWARD - {"rnn_backward_by_hand"}, says=["da @ W_hh.T"]),
    "step-bias-not-summed-over-batch": dict(
        cells=mistake("rnn_step_backward", ('db_h = np.einsum("nh->h", da)', "db_h = da")),
        lost=STEP | BACKWARD, says=["sum of da over the rows"]),
    "step-returns-four": dict(  # a result of the wrong length: the tests say so instead of crashing
        cells=mistake("rnn_step_backward", ("return dx, dh_prev, dW_xh, dW_hh, db_h", "return dh_prev, dW_xh, dW_hh, db_h")),
        lost=STEP | BACKWARD, says=["should return a tuple of 5 results"]),
    # Exercise 2: rnn_backward
    "backward-drops-next-step": dict(
        cells=mistake("rnn_backward", ("dH[:, t] + carry", "dH[:, t]")),
        lost=BACKWARD, says=["the gradient flowing back from step"]),
    "backward-last-step-only": dict(  # the first contribution appended is the last step's
        cells=mistake("rnn_backward", ("np.sum(parts, axis=0)", "parts[0]")),
        lost=BACKWARD, says=["the contribution of the last step alone"]),
    "backward-sum-overwritten": dict(  # = instead of +=: the sums end with step 1's term
        cells=wrong(rnn_backward='''\
def rnn_backward(dH, X, h0, H, W_xh, W_hh):
    T = X.shape[1]
    dX = np.zeros_like(X)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(W_hh[0])
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = H[:, t - 1] if t > 0 else h0
        dX[:, t], carry, dW_xh, dW_hh, db_h = rnn_step_backward(dH[:, t] + carry, X[:, t], h_prev, H[:, t], W_xh, W_hh)
    return dX, carry, dW_xh, dW_hh, db_h
'''),
        lost=BACKWARD, says=["is the sum overwritten (=) instead of added to (+=)"]),
    "backward-averaged-over-time": dict(
        cells=mistake("rnn_backward", ("np.sum(parts, axis=0)", "np.mean(parts, axis=0)")),
        lost=BACKWARD, says=["sum over time, do not average"]),
    "backward-writes-into-dH": dict(  # right values, but the caller's dH is overwritten
        cells=mistake("rnn_backward", ("rnn_step_backward(dH[:, t] + carry,", "rnn_step_backward(dH[:, t],"),
                      ("    for t in range(T - 1, -1, -1):\n", "    for t in range(T - 1, -1, -1):\n        dH[:, t] += carry\n")),
        lost=BACKWARD, says=["changed its argument `dH` in place", "add it into a new variable"]),
    "backward-float64-bias": dict(  # float32 in, float64 db_h out: caught by a visible test now
        cells=wrong(rnn_backward='''\
def rnn_backward(dH, X, h0, H, W_xh, W_hh):
    N, T, _ = X.shape
    dX = np.zeros_like(X)
    dW_xh, dW_hh, db_h = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[1])
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = H[:, t - 1] if t > 0 else h0
        dX[:, t], carry, gx, gh, gb = rnn_step_backward(dH[:, t] + carry, X[:, t], h_prev, H[:, t], W_xh, W_hh)
        dW_xh += gx
        dW_hh += gh
        db_h += gb
    return dX, carry, dW_xh, dW_hh, db_h
'''),
        lost={"rnn_backward_edge_cases", "rnn_backward_hidden"}, says=["has dtype float64, expected float32"]),
    # Exercise 3: readout_backward
    "readout-sum-not-mean": dict(
        cells=mistake("readout_backward", (" / (N * T)", "")),
        lost=READOUT, says=["twice the expected value", "every gradient is 12 times too large"]),
    "readout-divides-by-N": dict(
        cells=mistake("readout_backward", (" / (N * T)", " / N")),
        lost=READOUT, says=["divided by N only"]),
    "readout-wrong-sign": dict(
        cells=mistake("readout_backward", ("(np.exp(log_p) - onehot)", "(onehot - np.exp(log_p))")),
        lost=READOUT, says=["the wrong sign"]),
    "readout-unstable-softmax": dict(  # right for small logits, nan for large ones
        cells=mistake("readout_backward", ("shifted = logits - logits.max(axis=2, keepdims=True)", "shifted = logits")),
        lost={"readout_backward_stable", "readout_backward_hidden"}, says=["np.exp overflows"]),
    "readout-float64-onehot": dict(  # float32 in, float64 out: caught by a visible test now
        cells=mistake("readout_backward", ("np.eye(V, dtype=H.dtype)", "np.eye(V)")),
        lost=READOUT - {"readout_backward_by_hand"}, says=["has dtype float64, expected float32"]),
    # Exercise 4: numerical_gradient and relative_errors
    "checker-forward-differences": dict(
        cells=mistake("numerical_gradient", ("x[index] = saved - eps\n        lower = f()", "x[index] = saved\n        lower = f()"),
                      ("(upper - lower) / (2 * eps)", "(upper - lower) / eps")),
        lost={"numerical_gradient_by_hand", "gradient_check_rnn", "gradient_check_hidden"},
        says=["use centred differences"]),
    "checker-does-not-restore": dict(
        cells=mistake("numerical_gradient", ("        x[index] = saved\n        grad", "        grad")),
        lost={"numerical_gradient_by_hand", "gradient_check_rnn", "gradient_check_hidden"},
        says=["restore it"]),
    "checker-restores-by-round-off": dict(  # x[index] += eps ... -= 2 eps ... += eps: off by an ulp
        cells=mistake("numerical_gradient", ("x[index] = saved + eps", "x[index] += eps"),
                      ("x[index] = saved - eps", "x[index] -= 2 * eps"),
                      ("        x[index] = saved\n        grad", "        x[index] += eps\n        grad")),
        lost={"numerical_gradient_by_hand", "gradient_check_rnn", "gradient_check_hidden"},
        says=["changed x by round-off", "x[index] = old"]),
    "checker-absolute-error": dict(
        cells=mistake("numerical_gradient", ("0.0 if denominator == 0 else float(np.max(np.abs(a - n)) / denominator)",
                                             "float(np.max(np.abs(a - n)))")),
        lost={"relative_errors_by_hand", "gradient_check_rnn", "gradient_check_hidden"},
        says=["the absolute error"]),
    "checker-numpy-scalars": dict(  # np.float32 errors for float32 arrays: a dtype only the tests' float32 pair shows
        cells=mistake("numerical_gradient",
                      ("a = np.array(analytic[name], dtype=np.float64).ravel()", "a = np.asarray(analytic[name]).ravel()"),
                      ("n = np.array(numeric[name], dtype=np.float64).ravel()", "n = np.asarray(numeric[name]).ravel()"),
                      ("0.0 if denominator == 0 else float(np.max(np.abs(a - n)) / denominator)",
                       "0.0 if denominator == 0 else np.max(np.abs(a - n)) / denominator")),
        lost={"relative_errors_by_hand", "gradient_check_hidden"}, says=["numpy keeps the dtype of float32 arrays"]),
    "checker-returns-list": dict(  # a result of the wrong type: the tests say so instead of crashing
        cells=mistake("numerical_gradient", ("    return result\n", "    return list(result.values())\n")),
        lost={"relative_errors_by_hand", "gradient_check_rnn", "gradient_check_hidden"}, says=["should return a dict"]),
    # Exercise 5: train_truncated
    "truncated-no-detach": dict(
        cells=mistake("train_truncated", ("            h = h.detach()  # a segment starts: cut the graph here, and only here\n", "            pass\n")),
        lost=TRUNCATED, says=["did you forget to detach"]),
    "truncated-detach-every-step": dict(
        cells=mistake("train_truncated", ("if t % k == 0:", "if True:")),
        lost=TRUNCATED, says=["detach only at the segment boundaries"]),
    "truncated-reset-state": dict(
        cells=mistake("train_truncated", ("h = h.detach()", "h = model.initial_state(inputs.shape[0])")),
        lost=TRUNCATED, says=["the state was reset"]),
    "truncated-no-zero-grad": dict(
        cells=mistake("train_truncated", ("            model.zero_grad()\n", "")),
        lost={"train_truncated_by_hand", "train_truncated_hidden"}, says=["was not cleared"]),
    "truncated-drops-last-segment": dict(  # the last, shorter segment never trains (and T < k trains nothing)
        cells=mistake("train_truncated", ("if (t + 1) % k == 0 or t == T - 1:", "if (t + 1) % k == 0:")),
        lost={"train_truncated_state", "train_truncated_hidden"}, says=["the last, shorter segment of 2 step(s) was not trained"]),
    "truncated-one-step-per-sequence": dict(
        cells=wrong(train_truncated='''\
def train_truncated(model, inputs, targets, k, optimizer, loss_fn):
    h = model.initial_state(inputs.shape[0])
    losses = []
    optimizer.zero_grad()
    for start in range(0, inputs.shape[1], k):
        outputs, h = model(inputs[:, start:start + k], h.detach())
        loss = loss_fn(outputs, targets[:, start:start + k])
        loss.backward()  # the segments' gradients add up
        losses.append(loss.item())
    optimizer.step()  # one update for the whole sequence
    return losses
'''),
        lost=TRUNCATED, says=["take exactly one step per segment"]),
}
