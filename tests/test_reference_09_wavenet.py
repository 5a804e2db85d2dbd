"""Chapter 09's reference implementation (the solution notebook) against independent oracles:
torch.nn.Conv1d with mapped weights and left padding, autograd for receptive fields and for which
inputs a block depends on, the closed forms of mu-law companding (and torchaudio's convention,
halves rounding up), and layers whose causality is known by construction (seqcourse.probes)."""
import numpy as np
import pytest
import torch
from torch import nn

from grader.reference import load_reference
from seqcourse.mulaw import mu_law_decode as shared_decode, mu_law_encode as shared_encode
from seqcourse.probes import Recurrent, Reversed, TimeShift

ref = load_reference("09_wavenet")
CONV_CASES = [(1, 1, 1, 1, 1, 1), (2, 9, 3, 4, 3, 2), (3, 5, 2, 1, 2, 4), (1, 3, 2, 3, 3, 2), (2, 16, 1, 2, 4, 3)]


def torch_causal_conv(x, W, b, d):
    """torch.nn.Conv1d with our kernel: weight = W.permute(2, 1, 0), and (k - 1) d zeros on the left."""
    k, C_in, C_out = W.shape
    conv = nn.Conv1d(C_in, C_out, k, dilation=d, dtype=torch.from_numpy(x).dtype)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.transpose(2, 1, 0))))
        conv.bias.copy_(torch.from_numpy(b))
        padded = nn.functional.pad(torch.from_numpy(x).transpose(1, 2), ((k - 1) * d, 0))
        return conv(padded).transpose(1, 2).numpy()


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, C_in, C_out, k, d", CONV_CASES)
def test_causal_conv1d_matches_torch_conv1d(N, T, C_in, C_out, k, d, dtype, tolerance):
    rng = np.random.default_rng(0)
    x, W, b = (rng.normal(size=s).astype(dtype) for s in [(N, T, C_in), (k, C_in, C_out), (C_out,)])
    y = ref.causal_conv1d(x, W, b, d)
    assert y.shape == (N, T, C_out) and y.dtype == dtype
    np.testing.assert_allclose(y, torch_causal_conv(x, W, b, d), rtol=tolerance, atol=tolerance)


def test_causal_conv1d_by_hand():
    # k = 2, d = 2, W_0 = 10 (two steps back), W_1 = 1 (the present), b = 0.5: y_t = 10 x_{t-2} + x_t + 0.5.
    y = ref.causal_conv1d(np.arange(1.0, 6.0).reshape(1, 5, 1), np.array([10.0, 1.0]).reshape(2, 1, 1), np.array([0.5]), 2)
    np.testing.assert_allclose(y[0, :, 0], [1.5, 2.5, 13.5, 24.5, 35.5])


def test_causal_conv1d_is_the_flipped_numpy_convolution():
    """np.convolve reverses the kernel: our cross-correlation with W equals np.convolve with W reversed."""
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=12), rng.normal(size=4)
    y = ref.causal_conv1d(x.reshape(1, 12, 1), w.reshape(4, 1, 1), np.zeros(1), 1)[0, :, 0]
    np.testing.assert_allclose(y, np.convolve(x, w[::-1])[:12], atol=1e-12)


@pytest.mark.parametrize("k, d", [(2, 1), (3, 2), (2, 5), (4, 3)])
def test_causal_conv1d_depends_on_exactly_its_taps(k, d):
    """Autograd: output t depends on x_t, x_{t-d}, ..., x_{t-(k-1)d} and on nothing else."""
    rng = np.random.default_rng(2)
    T, t = 20, 15
    W, b = rng.normal(size=(k, 2, 3)), rng.normal(size=3)
    jacobian = np.zeros((T, 2))
    x = rng.normal(size=(1, T, 2))
    for s in range(T):  # the layer is linear, so a unit change measures the dependence exactly
        for c in range(2):
            bumped = x.copy()
            bumped[0, s, c] += 1.0
            jacobian[s, c] = np.abs(ref.causal_conv1d(bumped, W, b, d) - ref.causal_conv1d(x, W, b, d))[0, t].max()
    assert sorted(np.flatnonzero(jacobian.max(axis=1) > 1e-12)) == sorted(t - j * d for j in range(k))


def measured_receptive_field(kernel_size, dilations, T=2000, seed=0):
    """Backpropagate from the last output of a stack of causal torch convolutions with random positive
    weights and return how many inputs back (the present one included) the gradient reaches."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.zeros(1, 1, T, dtype=torch.float64, requires_grad=True)
    h = x
    for d in dilations:
        weight = torch.rand(1, 1, kernel_size, generator=generator, dtype=torch.float64) + 0.1
        h = torch.tanh(nn.functional.conv1d(nn.functional.pad(h, ((kernel_size - 1) * d, 0)), weight, dilation=d))
    h[0, 0, -1].backward()
    return T - int(np.flatnonzero(x.grad[0, 0].numpy() != 0).min())


@pytest.mark.parametrize("k, dilations", [(2, [1]), (2, [1, 2, 4, 8]), (2, [1, 2, 4, 8] * 2), (3, [1, 3, 9]),
                                          (2, [2 ** i for i in range(9)]), (5, [2, 7, 1]), (1, [4, 4])])
def test_receptive_field_matches_autograd(k, dilations):
    assert ref.receptive_field(k, dilations) == measured_receptive_field(k, dilations)


def test_receptive_field_of_wavenet_blocks():
    block = [2 ** i for i in range(10)]  # 1, 2, ..., 512
    assert ref.receptive_field(2, block) == 1024
    assert ref.receptive_field(2, block * 3) == 3070
    assert ref.receptive_field(2, []) == 1
    assert isinstance(ref.receptive_field(2, (1, 2)), int)


def test_holes_do_not_change_the_span():
    """Dilations 1, 4, 16 with k = 2 leave lags that no path reaches, but R still measures the span."""
    x = torch.zeros(1, 1, 100, dtype=torch.float64, requires_grad=True)
    h = x
    for d in [1, 4, 16]:
        h = nn.functional.conv1d(nn.functional.pad(h, (d, 0)), torch.ones(1, 1, 2, dtype=torch.float64), dilation=d)
    h[0, 0, -1].backward()
    lags = 99 - np.flatnonzero(x.grad[0, 0].numpy() != 0)
    assert lags.max() + 1 == ref.receptive_field(2, [1, 4, 16]) == 22
    assert len(lags) == 8 < 22  # 2 ** 3 paths, one per choice of taps


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_is_causal_on_layers_of_known_causality(dtype):
    torch.manual_seed(0)
    x = torch.randn(2, 11, 3, dtype=dtype)
    before = x.clone()
    causal = [nn.Identity(), TimeShift(-3), TimeShift(0), Recurrent(3, 4).to(dtype), nn.Linear(3, 5, dtype=dtype),
              nn.Sequential(TimeShift(-1), nn.Tanh(), Recurrent(3, 2).to(dtype))]
    future = [TimeShift(1), TimeShift(10), TimeShift(1, at=0), TimeShift(1, at=-2), TimeShift(5, at=4),
              Reversed(Recurrent(3, 4).to(dtype))]
    assert all(ref.is_causal(layer, x) is True for layer in causal)
    assert all(ref.is_causal(layer, x) is False for layer in future)
    assert torch.equal(x, before)
    assert ref.is_causal(TimeShift(1), torch.ones(1, 1, 2)) is True  # one step: no future to read


def test_is_causal_on_paddings_of_one_convolution():
    conv = nn.Conv1d(2, 2, 3, padding="same", dtype=torch.float64)
    x = torch.randn(1, 9, 2, dtype=torch.float64)
    same = lambda x: conv(x.transpose(1, 2)).transpose(1, 2)  # noqa: E731
    left = lambda x: nn.functional.conv1d(nn.functional.pad(x.transpose(1, 2), (2, 0)), conv.weight,  # noqa: E731
                                          conv.bias).transpose(1, 2)
    assert ref.is_causal(same, x) is False and ref.is_causal(left, x) is True


def mu_law_closed_form(x, mu):
    """The companding formula of van den Oord et al. (2016), then rounding with halves up (torchaudio's)."""
    f = np.sign(x) * np.log(1 + mu * np.abs(x)) / np.log(1 + mu)
    return np.floor((f + 1) / 2 * mu + 0.5).astype(np.int64)


@pytest.mark.parametrize("mu", [255, 15, 1023])
def test_mu_law_encode_matches_the_closed_form(mu):
    rng = np.random.default_rng(3)
    x = np.concatenate([[-1.0, -0.5, 0.0, 0.5, 1.0], rng.uniform(-1, 1, size=5000), 1e-4 * rng.normal(size=100)])
    q = ref.mu_law_encode(x, mu)
    assert q.dtype == np.int64 and q.min() >= 0 and q.max() <= mu
    np.testing.assert_array_equal(q, mu_law_closed_form(x, mu))
    np.testing.assert_array_equal(shared_encode(x, mu), q)  # the copy later chapters import


def test_mu_law_by_hand():
    np.testing.assert_array_equal(ref.mu_law_encode(np.array([-1.0, -0.25, 0.0, 0.5, 1.0])), [0, 32, 128, 239, 255])
    np.testing.assert_array_equal(ref.mu_law_encode(np.array([-1.0, -0.25, 0.0, 0.5, 1.0]), 15), [0, 3, 8, 13, 15])
    small = (256 ** (1 / 255) - 1) / 255
    np.testing.assert_allclose(ref.mu_law_decode(np.array([0, 255, 128, 127])), [-1, 1, small, -small], rtol=1e-12)


@pytest.mark.parametrize("mu", [255, 15, 1023])
def test_mu_law_decode_inverts_the_companding_at_class_centres(mu):
    q = np.arange(mu + 1)
    x = ref.mu_law_decode(q, mu)
    assert x.dtype == np.float64 and np.all(np.diff(x) > 0) and abs(x[0] + 1) < 1e-12 and abs(x[-1] - 1) < 1e-12
    f = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    np.testing.assert_allclose(f, 2 * q / mu - 1, atol=1e-12)      # exactly the class centres
    np.testing.assert_array_equal(mu_law_closed_form(x, mu), q)   # and they encode back to their class
    np.testing.assert_allclose(shared_decode(q, mu), x, rtol=1e-12, atol=1e-15)


def test_mu_law_round_trip_error_is_at_most_half_a_step():
    """|x - decode(encode(x))| is at most half a class in the companded domain, mapped through the
    derivative of the inverse curve, (1 + mu)^|f| ln(1 + mu) / mu, at the larger end of the class."""
    mu = 255
    x = np.random.default_rng(4).uniform(-1, 1, size=20000)
    x_hat = ref.mu_law_decode(ref.mu_law_encode(x, mu), mu)
    f = np.abs(np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu))
    bound = (1 / mu) * (1 + mu) ** np.minimum(f + 1 / mu, 1) * np.log1p(mu) / mu
    assert np.all(np.abs(x - x_hat) <= bound + 1e-12)


def block_oracle(x, parameters, k, d):
    """The block's equations with nn.Conv1d padded at both ends, keeping the first T outputs (an
    independent way to be causal)."""
    C, T = x.shape[2], x.shape[1]
    pad = (k - 1) * d
    convs = {}
    for name in ["filter_conv", "gate_conv", "residual_conv", "skip_conv"]:
        weight = parameters[f"{name}.weight"]
        conv = nn.Conv1d(weight.shape[1], weight.shape[0], weight.shape[2], dilation=d if weight.shape[2] == k else 1,
                         padding=pad if weight.shape[2] == k else 0, dtype=weight.dtype)
        with torch.no_grad():
            conv.weight.copy_(weight)
            conv.bias.copy_(parameters[f"{name}.bias"])
        convs[name] = conv
    with torch.no_grad():
        h = x.transpose(1, 2)
        z = torch.tanh(convs["filter_conv"](h)[..., :T]) * torch.sigmoid(convs["gate_conv"](h)[..., :T])
        return (h + convs["residual_conv"](z)).transpose(1, 2), convs["skip_conv"](z).transpose(1, 2)


@pytest.mark.parametrize("dtype, tolerance", [(torch.float64, 1e-12), (torch.float32, 1e-5)])
@pytest.mark.parametrize("N, T, C, S, k, d", [(2, 13, 3, 5, 3, 2), (1, 1, 2, 4, 2, 8), (3, 4, 1, 1, 2, 4), (1, 30, 4, 2, 4, 3)])
def test_gated_residual_block_matches_the_equations(N, T, C, S, k, d, dtype, tolerance):
    torch.manual_seed(0)
    block = ref.GatedResidualBlock(C, S, k, d).to(dtype)
    shapes = {name: tuple(p.shape) for name, p in block.named_parameters()}
    assert shapes == {"filter_conv.weight": (C, C, k), "filter_conv.bias": (C,), "gate_conv.weight": (C, C, k),
                      "gate_conv.bias": (C,), "residual_conv.weight": (C, C, 1), "residual_conv.bias": (C,),
                      "skip_conv.weight": (S, C, 1), "skip_conv.bias": (S,)}
    x = torch.randn(N, T, C, dtype=dtype)
    residual, skip = block(x)
    expected = block_oracle(x, dict(block.named_parameters()), k, d)
    assert residual.shape == (N, T, C) and skip.shape == (N, T, S) and residual.dtype == skip.dtype == dtype
    torch.testing.assert_close(residual, expected[0], rtol=tolerance, atol=tolerance)
    torch.testing.assert_close(skip, expected[1], rtol=tolerance, atol=tolerance)


def test_gated_residual_block_by_hand():
    # Filter reads x_t, gate reads x_{t-2}; residual weight 1, skip weight 2 and bias 0.5.
    block = ref.GatedResidualBlock(1, 1, 2, 2).double()
    with torch.no_grad():
        for name, value in {"filter_conv.weight": [[[0.0, 1.0]]], "gate_conv.weight": [[[1.0, 0.0]]],
                            "residual_conv.weight": [[[1.0]]], "skip_conv.weight": [[[2.0]]]}.items():
            dict(block.named_parameters())[name].copy_(torch.tensor(value))
        for name, value in {"filter_conv.bias": 0.0, "gate_conv.bias": 0.0, "residual_conv.bias": 0.0,
                            "skip_conv.bias": 0.5}.items():
            dict(block.named_parameters())[name].fill_(value)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    residual, skip = block(x.reshape(1, 4, 1))
    lagged = torch.tensor([0.0, 0.0, 1.0, 2.0], dtype=torch.float64)
    z = torch.tanh(x) * torch.sigmoid(lagged)
    torch.testing.assert_close(residual.reshape(-1), x + z)
    torch.testing.assert_close(skip.reshape(-1), 2 * z + 0.5)


@pytest.mark.parametrize("k, d", [(2, 4), (3, 2), (2, 1)])
def test_gated_residual_block_depends_on_its_taps_only(k, d):
    """Autograd: the residual and the skip output at step t depend on the input at t, t-d, ..., t-(k-1)d."""
    torch.manual_seed(1)
    block = ref.GatedResidualBlock(2, 3, k, d).double()
    t = 14
    for which in [0, 1]:
        x = torch.randn(1, 20, 2, dtype=torch.float64, requires_grad=True)
        block(x)[which][0, t].sum().backward()
        reached = sorted(np.flatnonzero(x.grad[0].abs().sum(dim=1).numpy() > 0))
        assert reached == sorted(t - j * d for j in range(k))


def test_gated_residual_block_is_causal_and_its_skip_comes_before_the_sum():
    torch.manual_seed(2)
    block = ref.GatedResidualBlock(3, 4, 2, 2).double()
    x = torch.randn(2, 10, 3, dtype=torch.float64)
    assert ref.is_causal(lambda x: block(x)[0], x) and ref.is_causal(lambda x: block(x)[1], x)
    with torch.no_grad():
        block.residual_conv.weight.zero_()
        block.residual_conv.bias.zero_()
        residual, skip = block(x)
    torch.testing.assert_close(residual, x)  # the residual path is the identity when W_r = 0 and b_r = 0
    assert skip.abs().max() > 0  # while the skip, taken from z, is untouched
