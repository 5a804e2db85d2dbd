"""Sample submissions for chapter 05, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/05_gradients/05_gradients.ipynb,
starting from the released student notebook and replacing cells by their nbgrader grade_id;
`make grade` grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
"""
from instructor.samples import variants_of


NORMS = {"backprop_norms_by_hand", "backprop_norms_autograd", "backprop_norms_hidden"}
SIGMA = {"largest_singular_value_by_hand", "largest_singular_value_oracle", "largest_singular_value_hidden"}
CLIP = {"clip_by_global_norm_by_hand", "clip_by_global_norm_torch", "clip_by_global_norm_contract",
        "clip_by_global_norm_hidden"}
CLIP_VALUES = CLIP - {"clip_by_global_norm_contract"}
TRAIN = {"train_with_clipping_by_hand", "train_with_clipping_steps", "train_with_clipping_hidden"}
ALL_TESTS = NORMS | SIGMA | CLIP | TRAIN

# Correct, in another style than the solution: explicit Jacobian matrices and a loop over the batch,
# power iteration on W W^T with left singular vectors, PyTorch's clipping factor (with its 1e-6),
# and a training loop that clips by hand and zeroes the gradients after the step. Each wrong sample
# below edits one function; the comments name the families of the held-out review (a property
# checked on one branch only, a modified input, a result that used to crash a test).
CORRECT = {
    "backprop_norms": '''\
def backprop_norms(dh_last, H, W_hh):
    N, T, _ = H.shape
    squares = np.zeros(T)
    for n in range(N):  # one sequence at a time; the squared norms add up over the batch
        g = dh_last[n]
        squares[T - 1] += g @ g
        for t in range(T - 1, 0, -1):
            jacobian = (1 - H[n, t] ** 2)[:, None] * W_hh.T  # diag(1 - h^2) W_hh^T
            g = g @ jacobian
            squares[t - 1] += g @ g
    return np.sqrt(squares)
''',
    "largest_singular_value": '''\
def largest_singular_value(W, iterations=100):
    u = np.ones(W.shape[0]) / np.sqrt(W.shape[0])  # a left singular vector, in the output space
    for _ in range(iterations):
        u = W @ (W.T @ u)
        u /= np.linalg.norm(u)
    return float(np.sqrt(u @ W @ W.T @ u))
''',
    "clip_by_global_norm": '''\
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads])
    total_norm = float(np.linalg.norm(flat))
    factor = min(1.0, max_norm / (total_norm + 1e-6))  # PyTorch's factor
    return [g.dtype.type(factor) * g for g in grads], total_norm
''',
    "train_with_clipping": '''\
def train_with_clipping(model, batches, loss_fn, optimizer, max_norm=None):
    losses, norms = [], []
    parameters = list(model.parameters())
    for inputs, targets in batches:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        grads = [p.grad for p in parameters if p.grad is not None]
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()
        if max_norm is not None and norm > max_norm:
            with torch.no_grad():
                for g in grads:
                    g.mul_(max_norm / norm)
        optimizer.step()
        optimizer.zero_grad()
        losses.append(float(loss))
        norms.append(norm)
    return losses, norms
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Correct code that writes a progress bar to stderr: it must not lose points.
    "correct-with-progress-bar": dict(
        cells=mistake("train_with_clipping", ("    for inputs, targets in batches:\n",
                                              "    from tqdm.auto import tqdm\n\n    for inputs, targets in tqdm(batches, desc=\"training\"):\n")),
        lost=set(), says=[]),
    # Exercise 1: backprop_norms
    "norms-no-tanh-slope": dict(
        cells=mistake("backprop_norms", ("(1 - H[n, t] ** 2)[:, None] * W_hh.T", "W_hh.T")),
        lost=NORMS, says=["did you forget the tanh slope"]),
    "norms-not-transposed": dict(
        cells=mistake("backprop_norms", ("[:, None] * W_hh.T", "[:, None] * W_hh")),
        lost=NORMS, says=["instead of W_hh.T"]),
    "norms-slope-of-previous-state": dict(
        cells=mistake("backprop_norms", ("(1 - H[n, t] ** 2)", "(1 - H[n, t - 1] ** 2)")),
        lost=NORMS, says=["the slope belongs to the state it leaves"]),
    "norms-returns-list": dict(  # a result of the wrong type: the tests say so instead of crashing
        cells=mistake("backprop_norms", ("    return np.sqrt(squares)\n", "    return list(np.sqrt(squares))\n")),
        lost=NORMS, says=["norms should be a numpy array, got list"]),
    # Exercise 2: largest_singular_value
    "sigma-squared": dict(
        cells=mistake("largest_singular_value", ("np.sqrt(u @ W @ W.T @ u)", "u @ W @ W.T @ u")),
        lost=SIGMA, says=["the largest eigenvalue of W^T W"]),
    "sigma-spectral-radius": dict(
        cells=wrong(largest_singular_value="def largest_singular_value(W, iterations=100):\n"
                                           "    return float(np.abs(np.linalg.eigvals(W)).max())\n"),
        lost=SIGMA, says=["the spectral radius of [[0.5, 2], [0, 0.5]]"]),
    "sigma-returns-vector": dict(  # the singular vector's image instead of its length: a message, not a crash
        cells=mistake("largest_singular_value", ("return float(np.sqrt(u @ W @ W.T @ u))", "return W.T @ u")),
        lost=SIGMA, says=["should be a single number, got an array of shape"]),
    # Exercise 3: clip_by_global_norm
    "clip-each-tensor": dict(
        cells=wrong(clip_by_global_norm="def clip_by_global_norm(grads, max_norm):\n"
                                        "    clipped = []\n"
                                        "    for g in grads:  # each tensor on its own\n"
                                        "        norm = np.linalg.norm(g)\n"
                                        "        clipped.append(g * min(1.0, max_norm / norm) if norm > 0 else g.copy())\n"
                                        "    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))\n"
                                        "    return clipped, total_norm\n"),
        lost=CLIP_VALUES, says=["you clipped each tensor separately"]),
    "clip-by-value": dict(
        cells=mistake("clip_by_global_norm",
                      ("[g.dtype.type(factor) * g for g in grads]", "[np.clip(g, -max_norm, max_norm) for g in grads]")),
        lost=CLIP_VALUES, says=["that is clipping by value"]),
    "clip-always-rescales": dict(
        cells=mistake("clip_by_global_norm", ("min(1.0, max_norm / (total_norm + 1e-6))", "max_norm / (total_norm + 1e-6)")),
        lost=CLIP_VALUES, says=["clipping only shrinks"]),
    "clip-inverse-ratio": dict(
        cells=mistake("clip_by_global_norm", ("min(1.0, max_norm / (total_norm + 1e-6))",
                                              "total_norm / max_norm if total_norm > max_norm else 1.0")),
        lost=CLIP_VALUES, says=["instead of max_norm / norm"]),
    "clip-squared-norm": dict(
        cells=mistake("clip_by_global_norm", ("float(np.linalg.norm(flat))", "float(np.sum(flat ** 2))")),
        lost=CLIP_VALUES, says=["the sum of squares"]),
    "clip-in-place": dict(  # the caller's gradients are overwritten: reported as such, not as wrong values
        cells=wrong(clip_by_global_norm="def clip_by_global_norm(grads, max_norm):\n"
                                        "    total_norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))\n"
                                        "    if total_norm > max_norm:\n"
                                        "        for g in grads:\n"
                                        "            g *= max_norm / total_norm\n"
                                        "    return grads, total_norm\n"),
        lost=CLIP, says=["changed its argument `grads` (its entry 0) in place"]),
    "clip-returns-inputs-below-threshold": dict(  # a new array only when clipping: caught on the other branch now
        cells=wrong(clip_by_global_norm="def clip_by_global_norm(grads, max_norm):\n"
                                        "    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))\n"
                                        "    if total_norm <= max_norm:\n"
                                        "        return list(grads), total_norm  # nothing to clip\n"
                                        "    return [g * g.dtype.type(max_norm / total_norm) for g in grads], total_norm\n"),
        lost={"clip_by_global_norm_contract", "clip_by_global_norm_hidden"},
        says=["shares memory with grads[0]", "g.copy() when nothing is clipped"]),
    "clip-float64-factor": dict(  # float32 kept below the threshold only: caught on the clipping branch now
        cells=mistake("clip_by_global_norm", ("[g.dtype.type(factor) * g for g in grads]",
                                              "[np.float64(factor) * g for g in grads]")),
        lost={"clip_by_global_norm_contract", "clip_by_global_norm_hidden"}, says=["has dtype float64, expected float32"]),
    # Exercise 4: train_with_clipping
    "train-records-norm-after-clipping": dict(
        cells=mistake("train_with_clipping",
                      ("norms.append(norm)", "norms.append(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item())")),
        lost={"train_with_clipping_by_hand", "train_with_clipping_hidden"}, says=["the norm AFTER clipping"]),
    "train-clips-after-step": dict(
        cells=mistake("train_with_clipping",
                      ("        if max_norm is not None", "        optimizer.step()\n        if max_norm is not None"),
                      ("        optimizer.step()\n        optimizer.zero_grad()\n", "        optimizer.zero_grad()\n")),
        lost=TRAIN, says=["did you clip after optimizer.step()"]),
    "train-no-zero-grad": dict(
        cells=mistake("train_with_clipping", ("        optimizer.zero_grad()\n", "")),
        lost={"train_with_clipping_steps", "train_with_clipping_hidden"}, says=["call optimizer.zero_grad() at every step"]),
    "train-always-rescales": dict(  # scales every gradient to max_norm, also below it: caught on that branch now
        cells=mistake("train_with_clipping", ("if max_norm is not None and norm > max_norm:", "if max_norm is not None:")),
        lost={"train_with_clipping_steps", "train_with_clipping_hidden"}, says=["below the threshold the gradient must be left alone"]),
}
