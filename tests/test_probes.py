"""seqcourse.probes: each probe depends on the past and the future exactly as documented (checked
with autograd, not with a causality check that could share a bug), and output_gradients returns
autograd's gradients of the chosen output. Also: the chapter 09 diagrams draw, legibly."""
import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from seqcourse.checks import CheckFailed
from seqcourse.probes import Recurrent, Reversed, TimeShift, output_gradients

matplotlib.use("agg")


def dependence(layer, T=10, C=2, dtype=torch.float64):
    """D[t, s] = True when output step t depends on input step s (autograd, one output step at a time)."""
    x = torch.randn(1, T, C, dtype=dtype, requires_grad=True)
    y = layer(x)
    D = np.zeros((T, T), dtype=bool)
    for t in range(T):
        (grad,) = torch.autograd.grad(y[0, t].sum(), x, retain_graph=True, allow_unused=True)
        D[t] = grad is not None and (grad[0].abs().sum(dim=1) > 0).numpy()
    return D


@pytest.mark.parametrize("shift", [-3, -1, 0, 1, 4])
def test_time_shift_reads_exactly_one_other_step(shift):
    D = dependence(TimeShift(shift))
    for t in range(10):
        expected = {t} | ({t + shift} if 0 <= t + shift < 10 else set())
        assert set(np.flatnonzero(D[t])) == expected


def test_time_shift_at_one_step_and_its_values():
    D = dependence(TimeShift(2, at=-3))
    assert set(np.flatnonzero(D[7])) == {7, 9}
    assert all(set(np.flatnonzero(D[t])) == {t} for t in range(10) if t != 7)
    x = torch.arange(5.0).reshape(1, 5, 1)
    torch.testing.assert_close(TimeShift(1, weight=0.5)(x).reshape(-1), torch.tensor([0.5, 2.0, 3.5, 5.0, 4.0]))
    torch.testing.assert_close(TimeShift(-2, weight=1.0)(x).reshape(-1), torch.tensor([0.0, 1.0, 2.0, 4.0, 6.0]))
    torch.testing.assert_close(TimeShift(7)(x), x)  # the shift points outside the sequence everywhere


def test_recurrent_is_causal_deterministic_and_reversed_reads_only_the_future():
    torch.manual_seed(0)
    layer = Recurrent(2, 3).double()
    D = dependence(layer)
    assert np.array_equal(D, np.tril(np.ones((10, 10), dtype=bool)))
    assert np.array_equal(dependence(Reversed(layer)), np.triu(np.ones((10, 10), dtype=bool)))
    state = torch.random.get_rng_state()
    again = Recurrent(2, 3).double()
    assert torch.equal(torch.random.get_rng_state(), state)  # the probe leaves the global generator alone
    for a, b in zip(layer.parameters(), again.parameters()):
        assert torch.equal(a, b)


def test_output_gradients_matches_autograd():
    torch.manual_seed(1)

    class TwoOutputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(3, 4, dtype=torch.float64)

        def forward(self, x):
            return x * 2, torch.tanh(self.linear(x))

    module = TwoOutputs()
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    weights = np.random.default_rng(0).normal(size=(2, 5, 4))
    output, (grad,) = output_gradients(module, (x,), 1, weights)
    x_leaf = x.clone().requires_grad_(True)
    (module(x_leaf)[1] * torch.from_numpy(weights)).sum().backward()
    torch.testing.assert_close(grad, x_leaf.grad)
    torch.testing.assert_close(output, module(x)[1].detach())
    assert x.grad is None  # the caller's tensor is untouched
    with pytest.raises(CheckFailed, match="expected"):
        output_gradients(module, (x,), 1, np.zeros((2, 4, 5)))
    with pytest.raises(CheckFailed, match="tuple"):
        output_gradients(module.linear, (x,), 1, weights)


def test_diagrams_draw_with_legible_text():
    from seqcourse.wavenet_diagrams import causal_padding, dilated_stack, gated_block

    for figure in [causal_padding(), dilated_stack(), dilated_stack(mode="generation"), gated_block()]:
        assert figure.get_figwidth() <= 7.0
        sizes = [text.get_fontsize() for text in figure.findobj(matplotlib.text.Text) if text.get_text().strip()]
        assert sizes and min(sizes) >= 11
        matplotlib.pyplot.close(figure)
