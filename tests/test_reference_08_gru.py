"""Chapter 08's reference implementation (the solution notebook) against independent oracles:
torch.nn.GRUCell and torch.nn.GRU with weights mapped here, the reset-before candidate written out
in torch from TensorFlow 1's documented GRUCell equations, cases worked out by hand, parameter counts
against sum(p.numel()), and the number of parameters that can change the function against the rank
of the Jacobian of a layer's outputs with respect to all its parameters (computed by autograd)."""
import numpy as np
import pytest
import torch

from grader.reference import load_reference

ref = load_reference("08_gru")
SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)]
NAMES = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]


def random_gru(N, T, D, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(N, T, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,), (3 * H,)]
    return [rng.normal(size=s).astype(dtype) for s in shapes]


def oracle(cls, W_x, W_h, b_x, b_h, suffix="_l0", **kwargs):
    """torch.nn.GRU or GRUCell with our weights: transposed, gate blocks r, z, n as they are."""
    D, three_H = W_x.shape
    module = cls(D, three_H // 3, dtype=torch.from_numpy(W_x).dtype, **kwargs)
    with torch.no_grad():
        for name, value in zip(NAMES, [W_x.T, W_h.T, b_x, b_h]):
            getattr(module, name + suffix).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_step_matches_torch_gru_cell(N, T, D, H, dtype, tolerance):
    X, h0, W_x, W_h, b_x, b_h = random_gru(N, T, D, H, dtype, seed=1)
    with torch.no_grad():
        expected = oracle(torch.nn.GRUCell, W_x, W_h, b_x, b_h, suffix="")(torch.from_numpy(X[:, 0]), torch.from_numpy(h0))
    h = ref.gru_step_forward(X[:, 0], h0, W_x, W_h, b_x, b_h)
    assert h.shape == (N, H) and h.dtype == dtype
    np.testing.assert_allclose(h, expected.numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_forward_matches_torch_gru(N, T, D, H, dtype, tolerance):
    X, h0, W_x, W_h, b_x, b_h = random_gru(N, T, D, H, dtype, seed=2)
    with torch.no_grad():
        expected, h_last = oracle(torch.nn.GRU, W_x, W_h, b_x, b_h, batch_first=True)(
            torch.from_numpy(X), torch.from_numpy(h0)[None])
    states = ref.gru_forward(X, h0, W_x, W_h, b_x, b_h)
    assert states.shape == (N, T, H) and states.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(states[:, -1], h_last[0].numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_gru_to_torch_computes_the_oracle(N, T, D, H, dtype):
    X, h0, W_x, W_h, b_x, b_h = random_gru(N, T, D, H, dtype, seed=3)
    module = ref.gru_to_torch(W_x, W_h, b_x, b_h)
    assert isinstance(module, torch.nn.GRU) and module.batch_first
    assert module.weight_ih_l0.dtype == torch.from_numpy(X).dtype
    for name, value in zip(NAMES, [W_x.T, W_h.T, b_x, b_h]):
        np.testing.assert_array_equal(getattr(module, name + "_l0").detach().numpy(), value)
    with torch.no_grad():
        got = module(torch.from_numpy(X), torch.from_numpy(h0)[None])[0].numpy()
        expected = oracle(torch.nn.GRU, W_x, W_h, b_x, b_h, batch_first=True)(
            torch.from_numpy(X), torch.from_numpy(h0)[None])[0].numpy()
    np.testing.assert_array_equal(got, expected)


def reset_before_in_torch(x, h, W_x, W_h, b_x, b_h):
    """TensorFlow 1's GRUCell (tf.contrib.rnn.GRUBlockCell's documented equations), with PyTorch's
    gate order and weight names: r, u from [x, h]; c = tanh(x W_c + (r * h) R_c + b);
    h = (1 - u) * c + u * h. Written gate by gate, in torch, with torch's own sigmoid."""
    x, h = torch.from_numpy(x), torch.from_numpy(h)
    H = h.shape[1]
    Wx, Wh, bx, bh = (torch.from_numpy(a) for a in (W_x, W_h, b_x, b_h))
    r = torch.sigmoid(torch.cat([x, h], 1) @ torch.cat([Wx[:, :H], Wh[:, :H]]) + bx[:H] + bh[:H])
    u = torch.sigmoid(torch.cat([x, h], 1) @ torch.cat([Wx[:, H:2 * H], Wh[:, H:2 * H]]) + bx[H:2 * H] + bh[H:2 * H])
    c = torch.tanh(torch.cat([x, r * h], 1) @ torch.cat([Wx[:, 2 * H:], Wh[:, 2 * H:]]) + bx[2 * H:] + bh[2 * H:])
    return ((1 - u) * c + u * h).numpy()


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_reset_before_matches_the_tensorflow_equations(N, T, D, H, dtype, tolerance):
    X, h0, W_x, W_h, b_x, b_h = random_gru(N, T, D, H, dtype, seed=4)
    got = ref.gru_step_forward_reset_before(X[:, 0], h0, W_x, W_h, b_x, b_h)
    assert got.shape == (N, H) and got.dtype == dtype
    np.testing.assert_allclose(got, reset_before_in_torch(X[:, 0], h0, W_x, W_h, b_x, b_h), rtol=tolerance, atol=tolerance)


def test_the_two_conventions_differ_except_where_the_algebra_says():
    X, h0, W_x, W_h, b_x, b_h = random_gru(5, 1, 3, 4, np.float64, seed=5)
    x, H = X[:, 0], 4
    after = ref.gru_step_forward(x, h0, W_x, W_h, b_x, b_h)
    before = ref.gru_step_forward_reset_before(x, h0, W_x, W_h, b_x, b_h)
    assert np.abs(after - before).max() > 1e-2  # different functions of the same parameters
    W_diagonal, b_h0 = W_h.copy(), b_h.copy()
    W_diagonal[:, 2 * H:] = np.diag(np.diag(W_h[:, 2 * H:]))
    b_h0[2 * H:] = 0
    np.testing.assert_allclose(ref.gru_step_forward(x, h0, W_x, W_diagonal, b_x, b_h0),
                               ref.gru_step_forward_reset_before(x, h0, W_x, W_diagonal, b_x, b_h0), atol=1e-14)
    b_open = b_x.copy()
    b_open[:H] = 40.0  # r = 1 to machine precision
    np.testing.assert_allclose(ref.gru_step_forward(x, h0, W_x, W_h, b_open, b_h),
                               ref.gru_step_forward_reset_before(x, h0, W_x, W_h, b_open, b_h), atol=1e-14)


def test_the_hand_worked_cases():
    # One unit: r = 1/2, z = 3/4, x W_xn + b_xn = 0.5, h_prev = 0.5, W_hn = 2, b_hn = 1.
    # After: n = tanh(0.5 + (1/2)(0.5 * 2 + 1)) = tanh(1.5). Before: n = tanh(0.5 + (0.25 * 2) + 1) = tanh(2).
    args = (np.array([[1.0]]), np.array([[0.5]]), np.array([[0.0, 0.0, 0.5]]), np.array([[0.0, 0.0, 2.0]]),
            np.array([0.0, np.log(3.0), 0.0]), np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(ref.gru_step_forward(*args), [[np.tanh(1.5) / 4 + 3 / 8]], atol=1e-15)
    np.testing.assert_allclose(ref.gru_step_forward_reset_before(*args), [[np.tanh(2.0) / 4 + 3 / 8]], atol=1e-15)
    # Zero weights, b_x = [0, ln 3, ln 3]: z = 3/4, n = tanh(ln 3) = 0.8, so h_t = 0.8 + (h_0 - 0.8) 0.75^t.
    h0 = np.array([[0.0], [1.0]])
    states = ref.gru_forward(np.zeros((2, 3, 1)), h0, np.zeros((1, 3)), np.zeros((1, 3)),
                             np.array([0.0, np.log(3.0), np.log(3.0)]), np.zeros(3))
    np.testing.assert_allclose(states[:, :, 0], 0.8 + (h0 - 0.8) * 0.75 ** np.arange(1, 4), atol=1e-15)


MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


@pytest.mark.parametrize("cell", MODULES)
@pytest.mark.parametrize("D, H", [(1, 1), (3, 5), (10, 2), (57, 64), (300, 7)])
def test_parameter_count_matches_torch(cell, D, H):
    count = ref.parameter_count(cell, D, H)
    assert isinstance(count, int) and not isinstance(count, bool)
    assert count == sum(p.numel() for p in MODULES[cell](D, H).parameters())


@pytest.mark.parametrize("cell", MODULES)
@pytest.mark.parametrize("D, H", [(2, 3), (3, 2), (1, 4)])
def test_distinct_parameters_are_the_rank_of_the_output_jacobian(cell, D, H):
    """The parameters that can change the function span the directions in which the outputs move:
    generically, the rank of the Jacobian of many outputs with respect to all the parameters. Only
    the redundant bias pairs (one direction each: b_ih up, b_hh down) leave the outputs unchanged."""
    torch.manual_seed(0)
    module = MODULES[cell](D, H, batch_first=True, dtype=torch.float64)
    names, values = zip(*[(name, p.detach().clone()) for name, p in module.named_parameters()])
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(40, 6, D, generator=generator, dtype=torch.float64)
    h0 = torch.randn(1, 40, H, generator=generator, dtype=torch.float64)
    state = (h0, torch.randn(1, 40, H, generator=generator, dtype=torch.float64)) if cell == "lstm" else h0

    def outputs(*parameters):
        return torch.func.functional_call(module, dict(zip(names, parameters)), (X, state))[0].reshape(-1)

    jacobian = torch.cat([j.reshape(j.shape[0], -1) for j in torch.autograd.functional.jacobian(outputs, values)], 1)
    rank = int(torch.linalg.matrix_rank(jacobian, rtol=1e-9))
    assert rank == ref.parameter_count(cell, D, H, torch_biases=False)
    assert rank < ref.parameter_count(cell, D, H)
