"""Chapter 06's reference implementation (the solution notebook) against independent oracles:
torch.nn.LSTMCell and torch.nn.LSTM with our weights mapped onto them, torch.autograd, centred finite
differences written here, PyTorch's own gates (to prove the gate order of set_gate_bias), and cases
worked out by hand."""
import copy

import numpy as np
import pytest
import torch

from grader.reference import load_reference
from oracles import centred_differences

ref = load_reference("06_lstm")
SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)]  # N, T, D, H: N != T, D != H
NAMES = ["dx", "dh_prev", "dc_prev", "dW_x", "dW_h", "db"]


def random_lstm(N, T, D, H, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(N, T, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
    arrays = [rng.normal(size=s) for s in shapes]
    arrays[4] /= np.sqrt(H)
    return [a.astype(dtype) for a in arrays]


def torch_cell(W_x, W_h, b, split_bias=False):
    """nn.LSTMCell with our weights, mapped here (transposes; b split in two halves or put in one)."""
    D, four_H = W_x.shape
    cell = torch.nn.LSTMCell(D, four_H // 4, dtype=torch.from_numpy(W_x).dtype)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(np.ascontiguousarray(W_x.T)))
        cell.weight_hh.copy_(torch.from_numpy(np.ascontiguousarray(W_h.T)))
        cell.bias_ih.copy_(torch.from_numpy(b / 2 if split_bias else b))
        cell.bias_hh.copy_(torch.from_numpy(b / 2 if split_bias else np.zeros_like(b)))
    return cell


# --- lstm_step_forward --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_step_matches_lstm_cell(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=T)
    x = X[:, 0]
    with torch.no_grad():
        h_t, c_t = torch_cell(W_x, W_h, b, split_bias=True)(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    h, c, cache = ref.lstm_step_forward(x, h0, c0, W_x, W_h, b)
    assert h.dtype == dtype and c.dtype == dtype and h.shape == (N, H)
    np.testing.assert_allclose(h, h_t.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c, c_t.numpy(), rtol=tolerance, atol=tolerance)
    assert len(cache) == 10
    assert cache[0] is x and cache[1] is h0 and cache[2] is c0 and cache[8] is W_x and cache[9] is W_h
    np.testing.assert_array_equal(cache[7], c)
    i, f, g, o = cache[3:7]  # the gates reproduce the cell and the output
    np.testing.assert_allclose(f * c0 + i * g, c, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(o * np.tanh(c), h, rtol=tolerance, atol=tolerance)
    assert np.all((0 < i) & (i < 1) & (0 < f) & (f < 1) & (0 < o) & (o < 1)) and np.all(np.abs(g) < 1)


def test_step_by_hand():
    # b = [0, ln 3, ln 2, -ln 3]: i = 1/2, f = 3/4, g = 3/5, o = 1/4; c = 3/4 * 2 + 3/10 = 1.8; h = tanh(1.8)/4.
    b = np.array([0.0, np.log(3.0), np.log(2.0), -np.log(3.0)])
    h, c, cache = ref.lstm_step_forward(np.ones((1, 1)), -np.ones((1, 1)), np.array([[2.0]]), np.zeros((1, 4)),
                                        np.zeros((1, 4)), b)
    np.testing.assert_allclose([v[0, 0] for v in cache[3:7]], [0.5, 0.75, 0.6, 0.25], rtol=1e-14)
    np.testing.assert_allclose(c, [[1.8]], rtol=1e-14)
    np.testing.assert_allclose(h, [[np.tanh(1.8) / 4]], rtol=1e-14)


def test_sigmoid_is_the_logistic_function_and_stable():
    a = np.array([-800.0, -3.0, 0.0, 0.5, 800.0])
    with np.errstate(all="raise"):
        s = ref.sigmoid(a)
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.exp(3.0)), 0.5, 1 / (1 + np.exp(-0.5)), 1.0], rtol=1e-14, atol=1e-300)
    assert ref.sigmoid(a.astype(np.float32)).dtype == np.float32


# --- lstm_forward and lstm_to_torch -------------------------------------------------------------

@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_forward_matches_torch_lstm(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=10 + T)
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.from_numpy(X).dtype)
    with torch.no_grad():  # mapped here, independently of lstm_to_torch; b split between the two biases
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_x.T)))
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_h.T)))
        lstm.bias_ih_l0.copy_(torch.from_numpy(0.3 * b))
        lstm.bias_hh_l0.copy_(torch.from_numpy(0.7 * b))
        out, (h_T, c_T) = lstm(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    states, c_last = ref.lstm_forward(X, h0, c0, W_x, W_h, b)
    assert states.shape == (N, T, H) and states.dtype == dtype and c_last.dtype == dtype
    np.testing.assert_allclose(states, out.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c_last, c_T[0].numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(states[:, -1], h_T[0].numpy(), rtol=tolerance, atol=tolerance)


def test_forward_by_hand_carries_the_cell():
    # Zero weights: c_t = 3/4 c_{t-1} + 3/10 from c_0 = 2 gives 1.8, 1.65, 1.5375.
    b = np.array([0.0, np.log(3.0), np.log(2.0), -np.log(3.0)])
    states, c_last = ref.lstm_forward(np.zeros((1, 3, 1)), np.zeros((1, 1)), np.array([[2.0]]), np.zeros((1, 4)),
                                      np.zeros((1, 4)), b)
    np.testing.assert_allclose(states[0, :, 0], np.tanh([1.8, 1.65, 1.5375]) / 4, rtol=1e-14)
    np.testing.assert_allclose(c_last, [[1.5375]], rtol=1e-14)


@pytest.mark.parametrize("dtype, torch_dtype", [(np.float64, torch.float64), (np.float32, torch.float32)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_to_torch(N, T, D, H, dtype, torch_dtype):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=20 + T)
    lstm = ref.lstm_to_torch(W_x, W_h, b)
    assert isinstance(lstm, torch.nn.LSTM) and lstm.batch_first and lstm.num_layers == 1
    assert lstm.weight_ih_l0.dtype == torch_dtype and tuple(lstm.weight_ih_l0.shape) == (4 * H, D)
    np.testing.assert_array_equal((lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy(), b)
    with torch.no_grad():  # against LSTMCell, stepped by hand, with the weights mapped here
        cell, h, c = torch_cell(W_x, W_h, b), torch.from_numpy(h0), torch.from_numpy(c0)
        expected = []
        for t in range(T):
            h, c = cell(torch.from_numpy(X[:, t]), (h, c))
            expected.append(h)
        out, (_, c_T) = lstm(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out.numpy(), torch.stack(expected, 1).numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c_T[0].numpy(), c.numpy(), rtol=tolerance, atol=tolerance)


# --- lstm_step_backward -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_step_backward_matches_autograd(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=30 + T)
    rng = np.random.default_rng(T)
    dh_next, dc_next = rng.normal(size=(N, H)).astype(dtype), rng.normal(size=(N, H)).astype(dtype)
    cell = torch_cell(W_x, W_h, b)
    leaves = [torch.tensor(a, requires_grad=True) for a in (X[:, 0], h0, c0)]
    h_t, c_t = cell(leaves[0], (leaves[1], leaves[2]))
    ((h_t * torch.from_numpy(dh_next)).sum() + (c_t * torch.from_numpy(dc_next)).sum()).backward()
    expected = [leaves[0].grad, leaves[1].grad, leaves[2].grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T, cell.bias_ih.grad]
    _, _, cache = ref.lstm_step_forward(X[:, 0], h0, c0, W_x, W_h, b)
    got = ref.lstm_step_backward(dh_next, dc_next, cache)
    for name, value, want in zip(NAMES, got, expected):
        assert value.shape == tuple(want.shape) and value.dtype == dtype, name
        np.testing.assert_allclose(value, want.numpy(), rtol=tolerance, atol=tolerance, err_msg=name)
    np.testing.assert_allclose(got[5], cell.bias_hh.grad.numpy(), rtol=tolerance, atol=tolerance)  # the biases share it


def test_step_backward_against_centred_differences():
    N, D, H = 2, 3, 4
    X, h0, c0, W_x, W_h, b = random_lstm(N, 1, D, H, seed=5)
    x = X[:, 0].copy()
    rng = np.random.default_rng(6)
    dh_next, dc_next = rng.normal(size=(N, H)), rng.normal(size=(N, H))

    def loss():
        h, c, _ = ref.lstm_step_forward(x, h0, c0, W_x, W_h, b)
        return float(np.sum(h * dh_next) + np.sum(c * dc_next))

    _, _, cache = ref.lstm_step_forward(x, h0, c0, W_x, W_h, b)
    got = dict(zip(NAMES, ref.lstm_step_backward(dh_next, dc_next, cache)))
    for name, array in [("dx", x), ("dh_prev", h0), ("dc_prev", c0), ("dW_x", W_x), ("dW_h", W_h), ("db", b)]:
        np.testing.assert_allclose(got[name], centred_differences(loss, array), rtol=1e-6, atol=1e-8, err_msg=name)


def test_step_backward_by_hand():
    # i, f, g, o = 1/2, 3/4, 3/5, 1/4, c_prev = 1, c = 1.05, s = tanh(1.05); dh = 1, dc_next = 1/2:
    # dc = 1/2 + (1 - s^2)/4; da = [3/20 dc, 3/16 dc, 8/25 dc, 3/16 s]; dc_prev = 3/4 dc.
    s = np.tanh(1.05)
    dc = 0.5 + (1 - s ** 2) / 4
    da = np.array([[3 / 20 * dc, 3 / 16 * dc, 8 / 25 * dc, 3 / 16 * s]])
    W_x, W_h = np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[1.0, -1.0, 1.0, -1.0]])
    one = lambda v: np.array([[v]])
    cache = (one(2.0), one(-1.0), one(1.0), one(0.5), one(0.75), one(0.6), one(0.25), one(1.05), W_x, W_h)
    dx, dh_prev, dc_prev, dW_x, dW_h, db = ref.lstm_step_backward(one(1.0), one(0.5), cache)
    np.testing.assert_allclose(dc_prev, [[0.75 * dc]], rtol=1e-14)
    np.testing.assert_allclose(db, da[0], rtol=1e-14)
    np.testing.assert_allclose(dW_x, 2 * da, rtol=1e-14)
    np.testing.assert_allclose(dW_h, -da, rtol=1e-14)
    np.testing.assert_allclose(dx, [[da[0] @ [1, 2, 3, 4]]], rtol=1e-14)
    np.testing.assert_allclose(dh_prev, [[da[0] @ [1, -1, 1, -1]]], rtol=1e-14)


# --- set_gate_bias ------------------------------------------------------------------------------

def test_set_gate_bias_sets_the_sum_and_nothing_else():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 5, batch_first=True)
    before = copy.deepcopy(lstm)
    ref.set_gate_bias(lstm, "f", 1.0)
    effective = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    torch.testing.assert_close(effective[5:10], torch.ones(5))
    old = (before.bias_ih_l0 + before.bias_hh_l0).detach()
    torch.testing.assert_close(effective[:5], old[:5], rtol=0, atol=0)
    torch.testing.assert_close(effective[10:], old[10:], rtol=0, atol=0)
    for name in ["weight_ih_l0", "weight_hh_l0"]:
        assert torch.equal(getattr(lstm, name), getattr(before, name))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_set_gate_bias_reaches_the_gate_pytorch_means(dtype):
    """PyTorch's own behaviour proves the block order, without assuming it: closing the forget gate makes
    the new cell ignore c0, closing the input gate makes it proportional to c0, closing the output gate
    zeroes h, and saturating the candidate fixes the sign of what is written."""
    torch.manual_seed(1)
    D, H, N = 2, 3, 4
    x, h0, c0 = torch.randn(N, 1, D, dtype=dtype), torch.randn(1, N, H, dtype=dtype), torch.randn(1, N, H, dtype=dtype)
    original = torch.nn.LSTM(D, H, batch_first=True, dtype=dtype)

    def run(gate, value, c_start):
        lstm = copy.deepcopy(original)
        ref.set_gate_bias(lstm, gate, value)
        assert lstm.bias_ih_l0.dtype == dtype
        with torch.no_grad():
            out, (_, c) = lstm(x, (h0, c_start))
        return out[:, 0], c[0]

    torch.testing.assert_close(run("f", -100.0, c0)[1], run("f", -100.0, 5 * c0)[1])
    torch.testing.assert_close(run("i", -100.0, 2 * c0)[1], 2 * run("i", -100.0, c0)[1])
    torch.testing.assert_close(run("o", -100.0, c0)[0], torch.zeros(N, H, dtype=dtype))
    zero = torch.zeros_like(c0)
    assert torch.all(run("g", 100.0, zero)[1] > 0) and torch.all(run("g", -100.0, zero)[1] < 0)
    for gate in "ifo":  # no other block fixes the sign of the written value
        assert not torch.all(run(gate, 100.0, zero)[1] > 0) or not torch.all(run(gate, -100.0, zero)[1] < 0)


# --- train_language_model -----------------------------------------------------------------------

class ConstantLogits(torch.nn.Module):
    def __init__(self, V):
        super().__init__()
        self.logits = torch.nn.Parameter(torch.zeros(V, dtype=torch.float64))

    def forward(self, inputs):
        return self.logits.expand(inputs.shape[0], inputs.shape[1], -1), None


def test_train_language_model_by_hand():
    # Targets 0, 0, 1 under uniform logits: loss ln 2, mean gradient [-1/6, 1/6]; clipped to 0.1, lr 1.
    model = ConstantLogits(2)
    losses = ref.train_language_model(model, [(torch.zeros(1, 3, dtype=torch.long), torch.tensor([[0, 0, 1]]))],
                                      torch.optim.SGD(model.parameters(), lr=1.0), 0.1)
    assert losses == [pytest.approx(np.log(2))] and isinstance(losses[0], float)
    step = 0.1 / np.sqrt(2)
    np.testing.assert_allclose(model.logits.detach().numpy(), [step, -step], rtol=1e-5)


def test_train_language_model_against_a_loop_written_out():
    """Against SGD written by hand: cross-entropy by log-softmax, the global norm by its formula."""
    torch.manual_seed(3)
    embed, lstm, readout = torch.nn.Embedding(5, 3), torch.nn.LSTM(3, 4, batch_first=True), torch.nn.Linear(4, 5)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.lstm, self.readout = embed, lstm, readout

        def forward(self, ids):
            states, state = self.lstm(self.embed(ids))
            return self.readout(states), state

    model, rng = Model(), np.random.default_rng(4)
    twin = copy.deepcopy(model)
    batches = [(torch.from_numpy(rng.integers(0, 5, size=(2, 6))), torch.from_numpy(rng.integers(0, 5, size=(2, 6))))
               for _ in range(5)]
    losses = ref.train_language_model(model, batches, torch.optim.SGD(model.parameters(), lr=0.3), 0.2)
    for k, (inputs, targets) in enumerate(batches):
        logits, _ = twin(inputs)
        log_p = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
        loss = -log_p.gather(-1, targets[..., None]).mean()
        for p in twin.parameters():
            p.grad = None
        loss.backward()
        norm = torch.sqrt(sum((p.grad ** 2).sum() for p in twin.parameters()))
        scale = min(1.0, 0.2 / (norm.item() + 1e-6))
        with torch.no_grad():
            for p in twin.parameters():
                p -= 0.3 * scale * p.grad
        assert losses[k] == pytest.approx(loss.item(), rel=1e-6)
    for p, q in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
