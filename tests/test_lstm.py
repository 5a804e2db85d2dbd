"""seqcourse.lstm, the LSTM forward pass later chapters import, against torch.nn.LSTM and torch.nn.LSTMCell
with mapped weights, and on a case worked out by hand."""
import numpy as np
import pytest
import torch

from seqcourse.lstm import GATES, lstm_forward, lstm_step_forward, lstm_to_torch, sigmoid

SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (2, 4, 6, 3), (4, 2, 3, 2)]  # N, T, D, H


def random_lstm(N, T, D, H, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in [(N, T, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]]
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_forward_matches_torch_lstm(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=10 * N + T)
    oracle = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.from_numpy(X).dtype)
    with torch.no_grad():  # written out here, independently of lstm_to_torch
        oracle.weight_ih_l0.copy_(torch.from_numpy(W_x.T.copy()))
        oracle.weight_hh_l0.copy_(torch.from_numpy(W_h.T.copy()))
        oracle.bias_ih_l0.copy_(torch.from_numpy(b / 2))
        oracle.bias_hh_l0.copy_(torch.from_numpy(b / 2))  # any split of b: only the sum matters
        expected, (h_T, c_T) = oracle(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    states, c_last = lstm_forward(X, h0, c0, W_x, W_h, b)
    assert states.shape == (N, T, H) and states.dtype == dtype
    assert c_last.shape == (N, H) and c_last.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c_last, c_T[0].numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(states[:, -1], h_T[0].numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("N, D, H", [(1, 1, 1), (3, 2, 5), (2, 6, 3)])
def test_step_matches_lstm_cell_and_cache(N, D, H):
    _, h0, c0, W_x, W_h, b = random_lstm(N, 1, D, H, np.float64, seed=N + D)
    x = np.random.default_rng(99).normal(size=(N, D))
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(W_x.T.copy()))
        cell.weight_hh.copy_(torch.from_numpy(W_h.T.copy()))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
        h_expected, c_expected = cell(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)))
    h, c, cache = lstm_step_forward(x, h0, c0, W_x, W_h, b)
    np.testing.assert_allclose(h, h_expected.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c, c_expected.numpy(), rtol=1e-12, atol=1e-12)
    cx, ch, cc, i, f, g, o, c_cache, cW_x, cW_h = cache
    assert cx is x and ch is h0 and cc is c0 and cW_x is W_x and cW_h is W_h and c_cache is c
    a = x @ W_x + h0 @ W_h + b
    for name, gate, activation in zip(GATES, (i, f, g, o), (sigmoid, sigmoid, np.tanh, sigmoid)):
        k = GATES.index(name)
        np.testing.assert_allclose(gate, activation(a[:, k * H:(k + 1) * H]), rtol=1e-14, atol=1e-15)


def test_step_by_hand():
    """One unit, zero weights: every gate is sigmoid(bias), the candidate tanh(bias)."""
    # Biases [i, f, g, o] = [0, ln 3, ln 3, 0]: i = 1/2, f = 3/4, g = tanh(ln 3) = (9 - 1)/(9 + 1) = 4/5, o = 1/2.
    # With c_prev = 2: c = 3/4 * 2 + 1/2 * 4/5 = 1.9, and h = 1/2 * tanh(1.9).
    zeros = np.zeros((1, 4))
    b = np.array([0.0, np.log(3.0), np.log(3.0), 0.0])
    h, c, cache = lstm_step_forward(np.ones((1, 1)), np.ones((1, 1)), np.array([[2.0]]), zeros, zeros, b)
    np.testing.assert_allclose(c, [[1.9]], rtol=1e-14)
    np.testing.assert_allclose(h, [[0.5 * np.tanh(1.9)]], rtol=1e-14)
    np.testing.assert_allclose([g[0, 0] for g in cache[3:7]], [0.5, 0.75, 0.8, 0.5], rtol=1e-14)


def test_sigmoid_is_stable_and_keeps_dtype():
    a = np.array([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise"):
        s = sigmoid(a)
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-2.0)), 1.0], rtol=1e-14, atol=1e-300)
    assert sigmoid(a.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("dtype, torch_dtype, tolerance", [(np.float64, torch.float64, 1e-12),
                                                           (np.float32, torch.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_to_torch(N, T, D, H, dtype, torch_dtype, tolerance):
    X, h0, c0, W_x, W_h, b = random_lstm(N, T, D, H, dtype, seed=7 * T + D)
    lstm = lstm_to_torch(W_x, W_h, b)
    assert isinstance(lstm, torch.nn.LSTM) and lstm.batch_first and lstm.weight_ih_l0.dtype == torch_dtype
    assert tuple(lstm.weight_ih_l0.shape) == (4 * H, D) and tuple(lstm.weight_hh_l0.shape) == (4 * H, H)
    assert torch.all(lstm.bias_hh_l0 == 0)
    np.testing.assert_array_equal(lstm.bias_ih_l0.detach().numpy(), b)
    with torch.no_grad():
        out, (h_T, c_T) = lstm(torch.from_numpy(X), (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    states, c_last = lstm_forward(X, h0, c0, W_x, W_h, b)
    np.testing.assert_allclose(out.numpy(), states, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c_T[0].numpy(), c_last, rtol=tolerance, atol=tolerance)
    W_x_before = W_x.copy()
    with torch.no_grad():
        lstm.weight_ih_l0.add_(1.0)  # the module owns its weights: our arrays are unchanged
    np.testing.assert_array_equal(W_x, W_x_before)
