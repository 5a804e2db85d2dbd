"""Chapter 04's reference implementation (the solution notebook) against independent oracles:
torch.nn.RNN with our weights mapped onto it and torch.autograd, torch's cross-entropy for the
read-out, centred finite differences written here, cases worked out by hand, and closed forms for
the gradient checker."""
import numpy as np
import pytest
import torch

from grader.reference import load_reference
from oracles import centred_differences
from seqcourse.rnn import rnn_forward

ref = load_reference("04_bptt")
SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)]  # N, T, D, H: N != T, D != H


def random_rnn(N, T, D, H, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    W_xh, W_hh, b_h = rng.normal(size=(D, H)), rng.normal(size=(H, H)) / np.sqrt(H), rng.normal(size=H)
    dH = rng.normal(size=(N, T, H))
    return [a.astype(dtype) for a in (X, h0, W_xh, W_hh, b_h, dH)]


def torch_rnn_gradients(X, h0, W_xh, W_hh, b_h, dH):
    """Gradients of L = sum(H * dH) from torch.nn.RNN and autograd, mapped back to our orientation."""
    D, H = W_xh.shape
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.from_numpy(X).dtype)
    with torch.no_grad():  # PyTorch stores the weights transposed and adds two biases
        rnn.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_xh.T)))
        rnn.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_hh.T)))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_h))
        rnn.bias_hh_l0.zero_()
    tX, th0 = torch.tensor(X, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    states, _ = rnn(tX, th0)
    (states * torch.from_numpy(dH)).sum().backward()
    return (tX.grad.numpy(), th0.grad[0].numpy(), rnn.weight_ih_l0.grad.numpy().T,
            rnn.weight_hh_l0.grad.numpy().T, rnn.bias_ih_l0.grad.numpy()), states.detach().numpy()


# --- rnn_step_backward --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_step_backward_matches_autograd(N, T, D, H, dtype, tolerance):
    X, h0, W_xh, W_hh, b_h, dH = random_rnn(N, 1, D, H, dtype, seed=T)
    x, dh_next = X[:, 0], dH[:, 0]
    h_next = np.tanh(x @ W_xh + h0 @ W_hh + b_h).astype(dtype)
    leaves = [torch.tensor(a, requires_grad=True) for a in (x, h0, W_xh, W_hh, b_h)]
    (torch.tanh(leaves[0] @ leaves[2] + leaves[1] @ leaves[3] + leaves[4]) * torch.from_numpy(dh_next)).sum().backward()
    got = ref.rnn_step_backward(dh_next, x, h0, h_next, W_xh, W_hh)
    for value, leaf in zip(got, leaves):
        assert value.shape == leaf.shape and value.dtype == dtype
        np.testing.assert_allclose(value, leaf.grad.numpy(), rtol=tolerance, atol=tolerance)


def test_step_backward_by_hand():
    # h_next = [0.5, 0], dh_next = [2, -1]: da = dh_next (1 - h_next^2) = [1.5, -1].
    # dx = da W_xh^T = 1.5 - 3 = -1.5; dh_prev = da W_hh^T = [1.5 - 2, -1] = [-0.5, -1];
    # dW_xh = x^T da = 2 [1.5, -1]; dW_hh = h_prev^T da = [[0.75, -0.5], [-0.75, 0.5]]; db_h = [1.5, -1].
    dx, dh_prev, dW_xh, dW_hh, db_h = ref.rnn_step_backward(
        np.array([[2.0, -1.0]]), np.array([[2.0]]), np.array([[0.5, -0.5]]), np.array([[0.5, 0.0]]),
        np.array([[1.0, 3.0]]), np.array([[1.0, 2.0], [0.0, 1.0]]))
    np.testing.assert_allclose(dx, [[-1.5]])
    np.testing.assert_allclose(dh_prev, [[-0.5, -1.0]])
    np.testing.assert_allclose(dW_xh, [[3.0, -2.0]])
    np.testing.assert_allclose(dW_hh, [[0.75, -0.5], [-0.75, 0.5]])
    np.testing.assert_allclose(db_h, [1.5, -1.0])


# --- rnn_backward -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-11), (np.float32, 2e-4)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_backward_matches_torch_rnn(N, T, D, H, dtype, tolerance):
    X, h0, W_xh, W_hh, b_h, dH = random_rnn(N, T, D, H, dtype)
    expected, torch_states = torch_rnn_gradients(X, h0, W_xh, W_hh, b_h, dH)
    states = rnn_forward(X, h0, W_xh, W_hh, b_h)
    np.testing.assert_allclose(states, torch_states, rtol=tolerance, atol=tolerance)
    got = ref.rnn_backward(dH, X, h0, states, W_xh, W_hh)
    for value, want in zip(got, expected):
        assert value.shape == want.shape and value.dtype == dtype
        np.testing.assert_allclose(value, want, rtol=tolerance, atol=tolerance)


def test_backward_matches_finite_differences():
    X, h0, W_xh, W_hh, b_h, dH = random_rnn(2, 6, 3, 4, seed=5)
    arrays = {"X": X, "h0": h0, "W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}

    def loss():
        return float(np.sum(rnn_forward(*arrays.values()) * dH))

    got = ref.rnn_backward(dH, X, h0, rnn_forward(X, h0, W_xh, W_hh, b_h), W_xh, W_hh)
    for value, name in zip(got, arrays):
        np.testing.assert_allclose(value, centred_differences(loss, arrays[name]), rtol=1e-7, atol=1e-8)


def test_backward_by_hand_two_steps():
    # One unit; h0 = 1, h_1 = 0.5, h_2 = 0, x = [1, -1], W_xh = 1, W_hh = 0.5, dH = [1, 2].
    # Step 2: da_2 = 2, sends 1 back; step 1: dh_1 = 1 + 1 = 2, da_1 = 1.5; dh0 = 0.75.
    # dW_hh = h_1 da_2 + h_0 da_1 = 1 + 1.5; dW_xh = -2 + 1.5; db_h = 3.5.
    one = np.ones((1, 1))
    dX, dh0, dW_xh, dW_hh, db_h = ref.rnn_backward(np.array([[[1.0], [2.0]]]), np.array([[[1.0], [-1.0]]]), one,
                                                   np.array([[[0.5], [0.0]]]), one, 0.5 * one)
    np.testing.assert_allclose(dX[0, :, 0], [1.5, 2.0])
    np.testing.assert_allclose(dh0, [[0.75]])
    np.testing.assert_allclose([dW_xh.item(), dW_hh.item(), db_h.item()], [-0.5, 2.5, 3.5])


def test_backward_leaves_its_inputs_alone():
    X, h0, W_xh, W_hh, b_h, dH = random_rnn(3, 4, 2, 3, seed=6)
    states = rnn_forward(X, h0, W_xh, W_hh, b_h)
    copies = [a.copy() for a in (dH, X, h0, states, W_xh, W_hh)]
    ref.rnn_backward(dH, X, h0, states, W_xh, W_hh)
    for after, before in zip((dH, X, h0, states, W_xh, W_hh), copies):
        np.testing.assert_array_equal(after, before)


# --- readout_backward ---------------------------------------------------------------------------

def torch_readout_gradients(H, W_hy, b_y, targets):
    """Gradients of torch's mean cross-entropy of H W_hy + b_y, by autograd."""
    leaves = [torch.tensor(a.astype(np.float64), requires_grad=True) for a in (H, W_hy, b_y)]
    logits = leaves[0] @ leaves[1] + leaves[2]
    torch.nn.functional.cross_entropy(logits.reshape(-1, W_hy.shape[1]), torch.from_numpy(targets).reshape(-1)).backward()
    return [leaf.grad.numpy() for leaf in leaves]


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, H, V", [(1, 1, 1, 2), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)])
def test_readout_backward_matches_torch_cross_entropy(N, T, H, V, dtype, tolerance):
    rng = np.random.default_rng(N * 31 + T)
    states = np.tanh(rng.normal(size=(N, T, H))).astype(dtype)
    W_hy, b_y = rng.normal(size=(H, V)).astype(dtype), rng.normal(size=V).astype(dtype)
    targets = rng.integers(0, V, size=(N, T))
    got = ref.readout_backward(states, W_hy, b_y, targets)
    for value, want in zip(got, torch_readout_gradients(states, W_hy, b_y, targets)):
        assert value.shape == want.shape and value.dtype == dtype
        np.testing.assert_allclose(value, want, rtol=tolerance, atol=tolerance)


def test_readout_backward_by_hand():
    # Logits b_y = [0, ln 3, 0] at both positions (h W_hy = 0): p = [0.2, 0.6, 0.2]. Targets 1 and 0, mean
    # over 2 positions: dY = [0.1, -0.2, 0.1] and [-0.4, 0.3, 0.1]; dH = dY W_hy^T; dW_hy = h_1^T dY_1.
    dH, dW_hy, db_y = ref.readout_backward(np.array([[[1.0, -1.0], [0.0, 0.0]]]), np.array([[1.0, 2.0, 0.0]] * 2),
                                           np.array([0.0, np.log(3.0), 0.0]), np.array([[1, 0]]))
    np.testing.assert_allclose(db_y, [-0.3, 0.1, 0.2], atol=1e-15)
    np.testing.assert_allclose(dH, [[[-0.3, -0.3], [0.2, 0.2]]], atol=1e-15)
    np.testing.assert_allclose(dW_hy, [[0.1, -0.2, 0.1], [-0.1, 0.2, -0.1]], atol=1e-15)


@pytest.mark.parametrize("dtype, shift, tolerance", [(np.float64, 1000.0, 1e-10), (np.float32, 200.0, 1e-3)])
def test_readout_backward_is_stable_for_large_logits(dtype, shift, tolerance):
    rng = np.random.default_rng(11)
    states = np.tanh(rng.normal(size=(2, 3, 4))).astype(dtype)
    W_hy, b_y = (shift / 30 * rng.normal(size=(4, 5))).astype(dtype), (shift + rng.normal(size=5)).astype(dtype)
    targets = rng.integers(0, 5, size=(2, 3))
    with np.errstate(over="raise", invalid="raise"):  # no overflow on the way
        got = ref.readout_backward(states, W_hy, b_y, targets)
    for value, want in zip(got, torch_readout_gradients(states, W_hy, b_y, targets)):
        np.testing.assert_allclose(value, want, rtol=tolerance, atol=tolerance)


def test_readout_backward_matches_finite_differences():
    rng = np.random.default_rng(12)
    arrays = {"H": np.tanh(rng.normal(size=(2, 3, 4))), "W_hy": rng.normal(size=(4, 5)), "b_y": rng.normal(size=5)}
    targets = rng.integers(0, 5, size=(2, 3))

    def loss():  # the mean cross-entropy, written out
        Y = arrays["H"] @ arrays["W_hy"] + arrays["b_y"]
        log_p = Y - np.log(np.exp(Y).sum(axis=-1, keepdims=True))
        return float(-np.take_along_axis(log_p, targets[..., None], axis=-1).mean())

    got = ref.readout_backward(arrays["H"], arrays["W_hy"], arrays["b_y"], targets)
    for value, name in zip(got, arrays):
        np.testing.assert_allclose(value, centred_differences(loss, arrays[name]), rtol=1e-7, atol=1e-9)


def test_the_three_backward_passes_are_loss_backward_of_an_rnn_language_model():
    """nn.RNN + nn.Linear + mean cross-entropy on one-hot inputs: autograd's gradients equal
    readout_backward followed by rnn_backward, with the weights mapped to our orientation."""
    torch.manual_seed(4)
    V, H, N, T = 5, 6, 3, 7
    rnn = torch.nn.RNN(V, H, batch_first=True, dtype=torch.float64)
    readout = torch.nn.Linear(H, V, dtype=torch.float64)
    symbols = np.random.default_rng(13).integers(0, V, size=(N, T + 1))
    X, targets = np.eye(V)[symbols[:, :-1]], symbols[:, 1:]
    logits = readout(rnn(torch.from_numpy(X))[0])
    torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.from_numpy(targets).reshape(-1)).backward()
    W_xh, W_hh = rnn.weight_ih_l0.detach().numpy().T, rnn.weight_hh_l0.detach().numpy().T
    b_h = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy()
    W_hy, b_y = readout.weight.detach().numpy().T, readout.bias.detach().numpy()
    states = rnn_forward(X, np.zeros((N, H)), W_xh, W_hh, b_h)
    dH, dW_hy, db_y = ref.readout_backward(states, W_hy, b_y, targets)
    _, _, dW_xh, dW_hh, db_h = ref.rnn_backward(dH, X, np.zeros((N, H)), states, W_xh, W_hh)
    for ours, theirs in [(dW_xh, rnn.weight_ih_l0.grad.T), (dW_hh, rnn.weight_hh_l0.grad.T), (db_h, rnn.bias_ih_l0.grad),
                         (db_h, rnn.bias_hh_l0.grad), (dW_hy, readout.weight.grad.T), (db_y, readout.bias.grad)]:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-15)


# --- numerical_gradient and relative_errors ------------------------------------------------------

def test_numerical_gradient_closed_form_and_restores():
    # The centred difference of x^3 is 3x^2 + eps^2 exactly; (sum x)^2 gives 2 sum(x) exactly.
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    before = x.copy()
    got = ref.numerical_gradient(lambda: float(np.sum(x ** 3)), x, 1e-3)
    np.testing.assert_allclose(got, 3 * before ** 2 + 1e-6, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(x, before)
    got = ref.numerical_gradient(lambda: float(np.sum(x) ** 2), x)
    np.testing.assert_allclose(got, np.full(x.shape, 2 * before.sum()), rtol=1e-6)
    assert got.dtype == np.float64 and got.shape == x.shape


def test_numerical_gradient_matches_autograd_on_a_smooth_function():
    rng = np.random.default_rng(7)
    A, x = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 4, 2))
    tx = torch.tensor(x, requires_grad=True)
    (torch.sin(torch.from_numpy(A) * tx).sum() + tx.sum() ** 3 / 10).backward()
    got = ref.numerical_gradient(lambda: float(np.sum(np.sin(A * x)) + np.sum(x) ** 3 / 10), x)
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-7, atol=1e-8)


def test_relative_errors_by_hand_and_properties():
    # 0.5 / (2 + 2.5) = 1/9; 0.001 / (2 + 2) = 2.5e-4; zeros give 0.
    errors = ref.relative_errors({"W": np.array([1.0, 2.0]), "b": np.array([0.001, 2.0]), "z": np.zeros(3)},
                                 {"W": np.array([1.0, 2.5]), "b": np.array([0.002, 2.0]), "z": np.zeros(3)})
    assert errors == pytest.approx({"W": 1 / 9, "b": 2.5e-4, "z": 0.0})
    assert all(isinstance(e, float) for e in errors.values())
    rng = np.random.default_rng(8)
    for _ in range(20):
        a, n, scale = rng.normal(size=(3, 5)), rng.normal(size=(3, 5)), 10.0 ** rng.uniform(-6, 6)
        error = ref.relative_errors({"g": a}, {"g": n})["g"]
        assert 0.0 <= error <= 1.0
        assert ref.relative_errors({"g": n}, {"g": a})["g"] == pytest.approx(error)               # symmetric
        assert ref.relative_errors({"g": scale * a}, {"g": scale * n})["g"] == pytest.approx(error)  # scale-free
        c = rng.uniform(-3, 3)  # a = c n: |c - 1| / (|c| + 1)
        assert ref.relative_errors({"g": c * n}, {"g": n})["g"] == pytest.approx(abs(c - 1) / (abs(c) + 1))


# --- train_truncated ----------------------------------------------------------------------------

class LinearUnit(torch.nn.Module):
    """h_t = w h_{t-1} + x_t, output h_t."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(w, dtype=torch.float64))

    def initial_state(self, batch_size):
        return torch.zeros(batch_size, 1, dtype=torch.float64)

    def forward(self, x, h):
        outputs = []
        for t in range(x.shape[1]):
            h = self.w * h + x[:, t]
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


class SmallRNN(torch.nn.Module):
    def __init__(self, seed, D=3, H=4):
        super().__init__()
        torch.manual_seed(seed)
        self.H = H
        self.rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64)
        self.readout = torch.nn.Linear(H, D, dtype=torch.float64)

    def initial_state(self, batch_size):
        return torch.zeros(batch_size, self.H, dtype=torch.float64)

    def forward(self, x, h):
        states, _ = self.rnn(x, h[None])
        return self.readout(states), states[:, -1]


class Recorder:
    """Records each step's gradients; learning rate 0, but updates in place like a real optimizer."""

    def __init__(self, parameters):
        self.parameters, self.steps = list(parameters), []

    def zero_grad(self, set_to_none=True):
        for p in self.parameters:
            p.grad = None

    def step(self):
        self.steps.append([p.grad.clone() for p in self.parameters])
        with torch.no_grad():
            for p in self.parameters:
                p.mul_(1.0)


def half_squares(outputs, targets):
    return 0.5 * ((outputs - targets) ** 2).sum()


def test_truncated_by_hand():
    # w = 0.5, x = [1, 0, 0, 0], k = 2. Segment 1: h = [1, 0.5], loss 0.625, dL/dw = h_2 h_1 = 0.5.
    # Segment 2 from the constant c = 0.5: h = [w c, w^2 c], loss 0.5 (w^2 + w^4) c^2 = 0.0390625,
    # dL/dw = w c^2 + 2 w^3 c^2 = 0.1875.
    model = LinearUnit(0.5)
    optimizer = Recorder(model.parameters())
    inputs = torch.tensor([[[1.0], [0.0], [0.0], [0.0]]], dtype=torch.float64)
    losses = ref.train_truncated(model, inputs, torch.zeros_like(inputs), 2, optimizer, half_squares)
    assert losses == pytest.approx([0.625, 0.0390625]) and all(isinstance(v, float) for v in losses)
    assert [s[0].item() for s in optimizer.steps] == pytest.approx([0.5, 0.1875])


@pytest.mark.parametrize("N, T, k", [(3, 23, 5), (1, 7, 1), (2, 6, 10), (4, 12, 4)])
def test_truncated_matches_segment_oracle(N, T, k):
    """Oracle: with the weights fixed, segment s's gradient is autograd of its loss alone, starting
    from the state that a no-grad forward pass over the previous steps computes (a constant)."""
    rng = np.random.default_rng(N * 100 + T)
    inputs, targets = torch.from_numpy(rng.normal(size=(N, T, 3))), torch.from_numpy(rng.normal(size=(N, T, 3)))
    model, oracle = SmallRNN(seed=1), SmallRNN(seed=1)
    optimizer = Recorder(model.parameters())
    losses = ref.train_truncated(model, inputs, targets, k, optimizer, half_squares)
    starts = list(range(0, T, k))
    assert len(losses) == len(optimizer.steps) == len(starts)
    for segment, start in enumerate(starts):
        with torch.no_grad():
            _, h = oracle(inputs[:, :start], oracle.initial_state(N)) if start else (None, oracle.initial_state(N))
        oracle.zero_grad()
        outputs, _ = oracle(inputs[:, start:start + k], h)
        loss = half_squares(outputs, targets[:, start:start + k])
        loss.backward()
        assert losses[segment] == pytest.approx(loss.item(), rel=1e-12)
        for got, parameter in zip(optimizer.steps[segment], oracle.parameters()):
            np.testing.assert_allclose(got.numpy(), parameter.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_truncated_with_one_segment_is_full_bptt():
    rng = np.random.default_rng(9)
    inputs, targets = torch.from_numpy(rng.normal(size=(2, 8, 3))), torch.from_numpy(rng.normal(size=(2, 8, 3)))
    model, oracle = SmallRNN(seed=2), SmallRNN(seed=2)
    optimizer = Recorder(model.parameters())
    ref.train_truncated(model, inputs, targets, 8, optimizer, half_squares)
    outputs, _ = oracle(inputs, oracle.initial_state(2))
    half_squares(outputs, targets).backward()
    for got, parameter in zip(optimizer.steps[0], oracle.parameters()):
        np.testing.assert_allclose(got.numpy(), parameter.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_truncated_updates_once_per_segment_with_a_real_optimizer():
    """With SGD the parameters move after every segment: the result equals SGD applied to the
    recorded per-segment gradients, one update per segment."""
    rng = np.random.default_rng(10)
    inputs, targets = torch.from_numpy(rng.normal(size=(2, 9, 3))), torch.from_numpy(rng.normal(size=(2, 9, 3)))
    model = SmallRNN(seed=3)
    before = [p.detach().clone() for p in model.parameters()]
    ref.train_truncated(model, inputs, targets, 4, torch.optim.SGD(model.parameters(), lr=0.1), half_squares)
    replay = SmallRNN(seed=3)  # the same loop by hand: carry the state, detach, update
    h = replay.initial_state(2)
    for start in range(0, 9, 4):
        outputs, h = replay(inputs[:, start:start + 4], h.detach())
        grads = torch.autograd.grad(half_squares(outputs, targets[:, start:start + 4]), list(replay.parameters()))
        with torch.no_grad():
            for p, g in zip(replay.parameters(), grads):
                p -= 0.1 * g
    for p, q, b in zip(model.parameters(), replay.parameters(), before):
        assert not torch.equal(p, b)
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14)
