"""seqcourse.gru, the GRU forward pass later chapters import, against torch.nn.GRU and
torch.nn.GRUCell with weights mapped here (independently of gru_to_torch), and against the
equations of torch.nn.GRU's documentation written out in torch, gate by gate."""
import numpy as np
import pytest
import torch

from seqcourse.gru import GATES, gru_forward, gru_step_forward, gru_to_torch


def random_gru(N, T, D, H, dtype, seed):
    rng = np.random.default_rng(seed)
    shapes = [(N, T, D), (N, H), (D, 3 * H), (H, 3 * H), (3 * H,), (3 * H,)]
    return [rng.normal(size=s).astype(dtype) for s in shapes]


def mapped_module(cls, W_x, W_h, b_x, b_h, **kwargs):
    D, three_H = W_x.shape
    module = cls(D, three_H // 3, dtype=torch.from_numpy(W_x).dtype, **kwargs)
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] if cls is torch.nn.GRUCell else \
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    with torch.no_grad():
        for name, value in zip(names, [W_x.T, W_h.T, b_x, b_h]):
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module


SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (2, 4, 6, 3), (5, 2, 3, 8)]


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_gru_forward_matches_torch_gru(N, T, D, H, dtype, tolerance):
    X, h0, W_x, W_h, b_x, b_h = random_gru(N, T, D, H, dtype, seed=10 * N + T)
    with torch.no_grad():
        expected, h_last = mapped_module(torch.nn.GRU, W_x, W_h, b_x, b_h, batch_first=True)(
            torch.from_numpy(X), torch.from_numpy(h0)[None])
    states = gru_forward(X, h0, W_x, W_h, b_x, b_h)
    assert states.shape == (N, T, H) and states.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(states[:, -1], h_last[0].numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("N, D, H", [(1, 1, 1), (4, 3, 2), (2, 5, 7)])
def test_step_matches_gru_cell_and_the_documented_equations(N, D, H):
    _, h0, W_x, W_h, b_x, b_h = random_gru(N, 1, D, H, np.float64, seed=N + D + H)
    x = np.random.default_rng(H).normal(size=(N, D))
    with torch.no_grad():
        expected = mapped_module(torch.nn.GRUCell, W_x, W_h, b_x, b_h)(torch.from_numpy(x), torch.from_numpy(h0))
    h = gru_step_forward(x, h0, W_x, W_h, b_x, b_h)
    np.testing.assert_allclose(h, expected.numpy(), rtol=1e-12, atol=1e-12)
    # torch.nn.GRU's documented equations, one gate at a time, with its own weight names
    tx, th = torch.from_numpy(x), torch.from_numpy(h0)
    W = {f"{side}{gate}": torch.from_numpy(M[:, k * H:(k + 1) * H].T.copy())
         for side, M in [("i", W_x), ("h", W_h)] for k, gate in enumerate(GATES)}
    b = {f"{side}{gate}": torch.from_numpy(v[k * H:(k + 1) * H].copy())
         for side, v in [("i", b_x), ("h", b_h)] for k, gate in enumerate(GATES)}
    r = torch.sigmoid(tx @ W["ir"].T + b["ir"] + th @ W["hr"].T + b["hr"])
    z = torch.sigmoid(tx @ W["iz"].T + b["iz"] + th @ W["hz"].T + b["hz"])
    n = torch.tanh(tx @ W["in"].T + b["in"] + r * (th @ W["hn"].T + b["hn"]))
    np.testing.assert_allclose(h, ((1 - z) * n + z * th).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_to_torch_copies_the_weights_and_keeps_the_dtype(dtype):
    X, h0, W_x, W_h, b_x, b_h = random_gru(3, 5, 4, 2, dtype, seed=7)
    module = gru_to_torch(W_x, W_h, b_x, b_h)
    assert isinstance(module, torch.nn.GRU) and module.batch_first
    assert module.weight_ih_l0.dtype == torch.from_numpy(X).dtype
    np.testing.assert_array_equal(module.weight_ih_l0.detach().numpy(), W_x.T)
    np.testing.assert_array_equal(module.bias_hh_l0.detach().numpy(), b_h)
    with torch.no_grad():
        states = module(torch.from_numpy(X), torch.from_numpy(h0)[None])[0].numpy()
    np.testing.assert_allclose(states, gru_forward(X, h0, W_x, W_h, b_x, b_h), rtol=1e-5, atol=1e-5)


def test_large_pre_activations_stay_finite_and_quiet():
    X, h0, W_x, W_h, b_x, b_h = random_gru(2, 3, 2, 3, np.float64, seed=3)
    with np.errstate(over="raise", invalid="raise"):  # no overflow anywhere, even with pre-activations near 1e3
        states = gru_forward(1000 * X, h0, W_x, W_h, b_x, b_h)
    assert np.all(np.isfinite(states)) and np.all(np.abs(states) <= 1 + np.abs(h0).max())


@pytest.mark.parametrize("name", ["gru_cell", "reset_placements"])
def test_diagrams_draw_one_legible_figure(name):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from seqcourse import gru_diagrams

    figure = getattr(gru_diagrams, name)()
    assert isinstance(figure, matplotlib.figure.Figure) and figure.get_figwidth() <= 8
    sizes = [text.get_fontsize() for ax in figure.axes for text in ax.texts]
    assert sizes and min(sizes) >= 10  # legible at page width (about 7 inches)
    plt.close(figure)
