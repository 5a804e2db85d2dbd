"""seqcourse.gradcheck: centred differences of a module's parameters agree with autograd, and the
module is left as it was."""
import numpy as np
import torch

from seqcourse.checks import forward_and_gradients
from seqcourse.gradcheck import parameter_differences
from seqcourse.peephole_diagrams import peephole_cell


def test_parameter_differences_match_autograd_on_torch_lstm():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 3, batch_first=True, dtype=torch.float64)
    X = torch.randn(2, 4, 2, dtype=torch.float64)
    weights = np.random.default_rng(0).normal(size=(2, 4, 3))
    before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
    _, gradients, _ = forward_and_gradients(lstm, (X,), weights)
    numeric = parameter_differences(lstm, (X,), weights)
    assert set(numeric) == set(gradients)
    for name in numeric:
        np.testing.assert_allclose(numeric[name].numpy(), gradients[name].numpy(), rtol=1e-6, atol=1e-8)
        assert torch.equal(dict(lstm.named_parameters())[name].detach(), before[name])


def test_parameter_differences_of_a_linear_map_are_exact():
    layer = torch.nn.Linear(3, 2, dtype=torch.float64)
    x = torch.tensor([[1.0, 2.0, -1.0]], dtype=torch.float64)
    weights = np.array([[0.5, -2.0]])
    numeric = parameter_differences(layer, (x,), weights)
    np.testing.assert_allclose(numeric["weight"].numpy(), weights.T @ x.numpy(), atol=1e-8)
    np.testing.assert_allclose(numeric["bias"].numpy(), weights[0], atol=1e-8)


def test_peephole_cell_diagram_draws():
    figure = peephole_cell()
    assert len(figure.axes) == 1 and figure.axes[0].get_title().startswith("One peephole LSTM step")
