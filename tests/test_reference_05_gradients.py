"""Chapter 05's reference implementation (the solution notebook) against independent oracles:
torch.autograd for the gradients through time, explicit Jacobian products, numpy's SVD for the
largest singular value, torch.nn.utils.clip_grad_norm_ for clipping, and a training loop written
here with torch.autograd.grad and a hand-made clipped SGD update."""
import copy

import numpy as np
import pytest
import torch
from torch import nn

from grader.reference import load_reference

ref = load_reference("05_gradients")


def torch_state_gradients(X, h0, W_xh, W_hh, b_h, dh_last):
    """States (N, T, H) and the gradients dL/dh_t (N, T, H) of L = sum(h_T * dh_last), by autograd."""
    as_tensor = torch.from_numpy
    h, states = as_tensor(h0).requires_grad_(True), []
    for t in range(X.shape[1]):
        h = torch.tanh(as_tensor(X[:, t]) @ as_tensor(W_xh) + h @ as_tensor(W_hh) + as_tensor(b_h))
        h.retain_grad()
        states.append(h)
    (states[-1] * as_tensor(dh_last)).sum().backward()
    return (torch.stack(states, 1).detach().numpy(), np.stack([s.grad.numpy() for s in states], 1))


def random_rnn(N, T, D, H, scale, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(D, H)),
            scale * rng.normal(size=(H, H)) / np.sqrt(H), rng.normal(size=H), rng.normal(size=(N, H)))


@pytest.mark.parametrize("N, T, D, H", [(1, 1, 1, 1), (3, 8, 2, 5), (2, 15, 4, 3), (5, 4, 3, 7)])
@pytest.mark.parametrize("scale", [0.5, 1.5, 3.0])
def test_backprop_norms_match_autograd(N, T, D, H, scale):
    X, h0, W_xh, W_hh, b_h, dh_last = random_rnn(N, T, D, H, scale, seed=N * 100 + T)
    states, gradients = torch_state_gradients(X, h0, W_xh, W_hh, b_h, dh_last)
    expected = np.linalg.norm(gradients.transpose(1, 0, 2).reshape(T, -1), axis=1)  # Frobenius norm per step
    norms = ref.backprop_norms(dh_last, states, W_hh)
    assert norms.shape == (T,)
    np.testing.assert_allclose(norms, expected, rtol=1e-10, atol=0)


def test_backprop_norms_match_an_explicit_product_of_jacobians():
    # One sequence: dL/dh_k = dL/dh_T J_T J_{T-1} ... J_{k+1} with J_j = diag(1 - h_j^2) W_hh^T, built as matrices.
    X, h0, W_xh, W_hh, b_h, dh_last = random_rnn(1, 6, 3, 4, 1.2, seed=7)
    states, _ = torch_state_gradients(X, h0, W_xh, W_hh, b_h, dh_last)
    jacobians = [np.diag(1 - states[0, j] ** 2) @ W_hh.T for j in range(6)]  # J for h_{j+1}
    expected, row = [np.linalg.norm(dh_last)], dh_last[0]
    for j in range(5, 0, -1):
        row = row @ jacobians[j]
        expected.append(np.linalg.norm(row))
    np.testing.assert_allclose(ref.backprop_norms(dh_last, states, W_hh), expected[::-1], rtol=1e-12)


def test_backprop_norms_by_hand():
    # One unit, w = 1.5, h = (0.5, -0.5, 0.8), dL/dh_3 = 2: 2 * 0.36 * 1.5 = 1.08, 1.08 * 0.75 * 1.5 = 1.215.
    norms = ref.backprop_norms(np.array([[2.0]]), np.array([[[0.5], [-0.5], [0.8]]]), np.array([[1.5]]))
    np.testing.assert_allclose(norms, [1.215, 1.08, 2.0], rtol=1e-14)
    # W_hh[0, 1] = 2 carries unit 0 forward to unit 1, so the gradient goes from unit 1 back to unit 0.
    norms = ref.backprop_norms(np.array([[0.0, 1.0]]), np.zeros((1, 3, 2)), np.array([[0.0, 2.0], [0.0, 0.0]]))
    np.testing.assert_allclose(norms, [0.0, 2.0, 1.0], atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backprop_norms_obey_the_singular_value_bound(dtype):
    X, h0, W_xh, W_hh, b_h, dh_last = random_rnn(4, 20, 3, 6, 2.0, seed=11)
    states, _ = torch_state_gradients(X, h0, W_xh, W_hh, b_h, dh_last)
    norms = ref.backprop_norms(dh_last.astype(dtype), states.astype(dtype), W_hh.astype(dtype))
    sigma = np.linalg.svd(W_hh, compute_uv=False)[0]
    assert np.all(norms[:-1] <= sigma * norms[1:] * (1 + 1e-5))


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (3, 8), (8, 3), (10, 10)])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 1e-5)])
def test_largest_singular_value_matches_svd(shape, dtype, rtol):
    W = np.random.default_rng(sum(shape)).normal(size=shape).astype(dtype)
    expected = np.linalg.svd(W.astype(np.float64), compute_uv=False)[0]
    assert ref.largest_singular_value(W, 2000) == pytest.approx(expected, rel=rtol)


def test_largest_singular_value_closed_form_and_spectral_radius():
    # [[0.5, 2], [0, 0.5]]: (s1 + s2)^2 = trace(W^T W) + 2 |det W| = 5, (s1 - s2)^2 = 4.5 - 0.5 = 4.
    W = np.array([[0.5, 2.0], [0.0, 0.5]])
    assert ref.largest_singular_value(W) == pytest.approx((np.sqrt(5) + 2) / 2, rel=1e-12)
    assert np.abs(np.linalg.eigvals(W)).max() == pytest.approx(0.5)  # the spectral radius is far smaller


def test_power_iteration_estimates_grow_towards_sigma_from_below():
    rng = np.random.default_rng(3)
    U, V = np.linalg.qr(rng.normal(size=(8, 8)))[0], np.linalg.qr(rng.normal(size=(8, 8)))[0]
    W = U @ np.diag(1.0 - 0.05 * np.arange(8)) @ V.T  # sigma_max = 1, sigma_2 = 0.95
    estimates = [ref.largest_singular_value(W, k) for k in [0, 1, 2, 5, 20, 100, 1000]]
    assert all(a <= b + 1e-12 for a, b in zip(estimates, estimates[1:]))  # Rayleigh quotients never decrease
    assert estimates[1] < 1.0 - 1e-3 and estimates[-1] == pytest.approx(1.0, rel=1e-12)
    assert np.isfinite(ref.largest_singular_value(10 * np.eye(3) + rng.normal(size=(3, 3)), 5000))


def torch_clip(grads, max_norm):
    parameters = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True) for g in grads]
    for parameter, g in zip(parameters, grads):
        parameter.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(parameters, max_norm).item()
    return [p.grad.numpy() for p in parameters], total


@pytest.mark.parametrize("shapes", [[(5,)], [(3, 4), (4,), (2, 2, 2)], [(1,), (1, 1), (7, 3)]])
@pytest.mark.parametrize("relative_threshold", [0.1, 0.9, 1.0 + 1e-3, 10.0])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-5), (np.float32, 1e-4)])
def test_clip_by_global_norm_matches_torch(shapes, relative_threshold, dtype, rtol):
    # torch uses max_norm / (total + 1e-6): equal to the exact factor up to a relative 1e-6 / total.
    rng = np.random.default_rng(len(shapes))
    grads = [rng.normal(size=shape).astype(dtype) for shape in shapes]
    originals = [g.copy() for g in grads]
    total_norm = float(np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads)))
    max_norm = relative_threshold * total_norm
    clipped, total = ref.clip_by_global_norm(grads, max_norm)
    expected, expected_total = torch_clip(originals, max_norm)
    assert total == pytest.approx(expected_total, rel=rtol)
    for c, e, g, o in zip(clipped, expected, grads, originals):
        assert c.shape == e.shape and c.dtype == dtype
        np.testing.assert_allclose(c, e, rtol=rtol, atol=1e-7)
        np.testing.assert_array_equal(g, o)  # the inputs are untouched
    flat, flat_original = np.concatenate([c.ravel() for c in clipped]), np.concatenate([o.ravel() for o in originals])
    cosine = flat @ flat_original / (np.linalg.norm(flat) * np.linalg.norm(flat_original))
    assert cosine == pytest.approx(1.0, abs=1e-6)  # the direction never changes
    assert np.linalg.norm(flat) <= max(max_norm, total_norm) * (1 + 1e-6)


def test_clip_by_global_norm_by_hand_and_zero_gradients():
    # (1, -2) and [[2], [4]]: global norm sqrt(25) = 5, max_norm 2.5 -> factor 0.5.
    clipped, total = ref.clip_by_global_norm([np.array([1.0, -2.0]), np.array([[2.0], [4.0]])], 2.5)
    assert total == 5.0
    np.testing.assert_allclose(clipped[0], [0.5, -1.0])
    np.testing.assert_allclose(clipped[1], [[1.0], [2.0]])
    with np.errstate(all="raise"):  # no division by zero
        zeros, total = ref.clip_by_global_norm([np.zeros(3), np.zeros((2, 2))], 1.0)
    assert total == 0.0 and all(np.all(z == 0) for z in zeros)


class TinyRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 4, batch_first=True, dtype=torch.float64)
        self.readout = nn.Linear(4, 1, dtype=torch.float64)

    def forward(self, inputs):
        return self.readout(self.rnn(inputs)[0][:, -1])[:, 0]


def oracle_training(model, batches, lr, max_norm):
    """Clipped SGD written out: gradients from torch.autograd.grad, the update computed by hand."""
    parameters, losses, norms = list(model.parameters()), [], []
    for inputs, targets in batches:
        loss = nn.functional.mse_loss(model(inputs), targets)
        grads = torch.autograd.grad(loss, parameters)
        norm = float(np.sqrt(sum((g.numpy() ** 2).sum() for g in grads)))
        factor = 1.0 if max_norm is None else min(1.0, max_norm / norm)
        with torch.no_grad():
            for parameter, g in zip(parameters, grads):
                parameter -= lr * factor * g
        losses.append(loss.item())
        norms.append(norm)
    return losses, norms


@pytest.mark.parametrize("max_norm", [None, 0.01, 0.5, 1e6])
def test_train_with_clipping_matches_a_hand_written_clipped_sgd(max_norm):
    torch.manual_seed(0)
    model = TinyRNN()
    with torch.no_grad():
        model.rnn.weight_hh_l0.mul_(2.5)
    twin = copy.deepcopy(model)
    rng = np.random.default_rng(0)
    batches = [(torch.from_numpy(rng.normal(size=(3, 7, 2))), torch.from_numpy(rng.normal(size=3))) for _ in range(8)]
    losses, norms = ref.train_with_clipping(model, batches, nn.functional.mse_loss,
                                            torch.optim.SGD(model.parameters(), lr=0.1), max_norm)
    expected_losses, expected_norms = oracle_training(twin, batches, 0.1, max_norm)
    assert all(isinstance(v, float) for v in losses + norms)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    np.testing.assert_allclose(norms, expected_norms, rtol=1e-5)
    for parameter, expected in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(parameter.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-9)
    if max_norm == 0.01:
        assert min(norms) > 0.01  # every step was clipped, and the norms were recorded before clipping
