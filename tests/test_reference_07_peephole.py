"""Chapter 07's reference implementation (the solution notebook) against independent oracles.

No library implements the peephole LSTM of Gers, Schraudolph and Schmidhuber (2002): torch.nn.LSTM
and cuDNN have no peepholes. So the reference is proved right in four independent ways:
- by hand: a one-unit case whose every gate value was derived on paper (sigmoid(ln 3) = 3/4 and
  tanh(ln 3) = 4/5 keep the numbers exact), including the step where the output gate must see c_t;
- the reduction: with zero peepholes it is torch.nn.LSTM with mapped weights (and chapter 06's
  numpy LSTM);
- a peephole is a bias that depends on the cell: for one sequence, each step equals an
  nn.LSTM step whose input and forget biases are shifted by c_{t-1} * p and whose output bias is
  shifted by c_t * p_o (c_t does not depend on the output gate);
- gradients: autograd through the reference module against centred differences of the numpy forward;
and the hand-built clock of the chapter, which only a correct peephole cell runs.
"""
import copy

import numpy as np
import pytest
import torch

from grader.reference import load_reference
from oracles import centred_differences
from seqcourse.lstm import lstm_forward, lstm_step_forward, lstm_to_torch
from seqcourse.timing import SpikeReadout, timed_spikes

ref = load_reference("07_peephole")
LN3 = np.log(3.0)
SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)]


def random_problem(N, T, D, H, dtype, seed=0, peepholes=True):
    rng = np.random.default_rng(seed)
    X, h0, c0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    W_x, W_h, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)) / np.sqrt(H), rng.normal(size=4 * H)
    p = [rng.normal(size=H) if peepholes else np.zeros(H) for _ in range(3)]
    return [a.astype(dtype) for a in [X, h0, c0, W_x, W_h, b, *p]]


def torch_step_with_shifted_bias(x, h, c, W_x, W_h, b):
    """One step of torch.nn.LSTM (our weights mapped onto it) for a single sequence."""
    lstm = lstm_to_torch(W_x, W_h, b)
    with torch.no_grad():
        _, (h_new, c_new) = lstm(torch.from_numpy(x)[:, None], (torch.from_numpy(h)[None], torch.from_numpy(c)[None]))
    return h_new[0].numpy(), c_new[0].numpy()


def oracle_forward(X, h0, c0, W_x, W_h, b, p_i, p_f, p_o):
    """The peephole LSTM from nn.LSTM steps with cell-dependent biases, one sequence at a time."""
    N, T, _ = X.shape
    H = h0.shape[1]
    states, last_c = np.zeros((N, T, H)), np.zeros((N, H))
    for n in range(N):
        h, c = h0[n:n + 1].astype(np.float64), c0[n:n + 1].astype(np.float64)
        for t in range(T):
            shift = np.concatenate([c[0] * p_i, c[0] * p_f, np.zeros(H), np.zeros(H)])
            _, c_new = torch_step_with_shifted_bias(X[n:n + 1, t].astype(np.float64), h, c, W_x.astype(np.float64),
                                                    W_h.astype(np.float64), b + shift)
            shift[3 * H:] = c_new[0] * p_o
            h, c = torch_step_with_shifted_bias(X[n:n + 1, t].astype(np.float64), h, c, W_x.astype(np.float64),
                                                W_h.astype(np.float64), b + shift)
            states[n, t] = h[0]
        last_c[n] = c[0]
    return states, last_c


HAND = dict(W_x=np.array([[1 - LN3, 0.0, 0.0, LN3 + 1]]), W_h=np.zeros((1, 4)),
            b=np.array([LN3 - 1, LN3 + 1, LN3, -1.8]), p_i=np.array([2.5]), p_f=np.array([-2.5]), p_o=np.array([2.0]))


def test_step_by_hand():
    # a = b (x = 0, W_h = 0), c_prev = 0.4: i = f = sigmoid(ln 3) = 0.75, g = tanh(ln 3) = 0.8,
    # c = 0.75 * 0.4 + 0.75 * 0.8 = 0.9, o = sigmoid(-1.8 + 2 * 0.9) = 0.5 (it sees the NEW cell).
    h, c = ref.peephole_step_forward(np.zeros((1, 1)), np.full((1, 1), 0.3), np.full((1, 1), 0.4), np.ones((1, 4)),
                                     HAND["W_h"], HAND["b"], HAND["p_i"], HAND["p_f"], HAND["p_o"])
    np.testing.assert_allclose(c, [[0.9]], atol=1e-15)
    np.testing.assert_allclose(h, [[0.5 * np.tanh(0.9)]], atol=1e-15)


def test_sequence_by_hand():
    # x_1 = 1, x_2 = 0 from zero states: c_1 = 0.5 * 0.8 = 0.4, o_1 = sigmoid(ln3 + 1 - 1.8 + 0.8) = 0.75;
    # then the step above: c_2 = 0.9, o_2 = 0.5.
    X = np.array([[[1.0], [0.0]]])
    states, c_T = ref.peephole_forward(X, np.zeros((1, 1)), np.zeros((1, 1)), *HAND.values())
    np.testing.assert_allclose(states[0, :, 0], [0.75 * np.tanh(0.4), 0.5 * np.tanh(0.9)], atol=1e-15)
    np.testing.assert_allclose(c_T, [[0.9]], atol=1e-15)
    module = ref.PeepholeLSTM(1, 1).double()
    with torch.no_grad():
        for name, value in HAND.items():
            getattr(module, name).copy_(torch.from_numpy(value))
        got, (h_T, c_T) = module(torch.from_numpy(X))
    np.testing.assert_allclose(got[0, :, 0].numpy(), [0.75 * np.tanh(0.4), 0.5 * np.tanh(0.9)], atol=1e-15)
    np.testing.assert_allclose(c_T.numpy(), [[0.9]], atol=1e-15)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_zero_peepholes_are_torch_lstm(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b, *p = random_problem(N, T, D, H, dtype, peepholes=False)
    with torch.no_grad():
        expected, (h_T, c_T) = lstm_to_torch(W_x, W_h, b)(torch.from_numpy(X), (torch.from_numpy(h0)[None],
                                                                              torch.from_numpy(c0)[None]))
    states, last_c = ref.peephole_forward(X, h0, c0, W_x, W_h, b, *p)
    assert states.shape == (N, T, H) and states.dtype == dtype and last_c.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(last_c, c_T[0].numpy(), rtol=tolerance, atol=tolerance)
    numpy_states, numpy_c = lstm_forward(X, h0, c0, W_x, W_h, b)  # chapter 06's shared numpy LSTM
    np.testing.assert_allclose(states, numpy_states, rtol=tolerance, atol=tolerance)
    module = ref.PeepholeLSTM(D, H).to(torch.from_numpy(X).dtype)
    with torch.no_grad():
        for name, value in zip(["W_x", "W_h", "b"], [W_x, W_h, b]):
            getattr(module, name).copy_(torch.from_numpy(value))
        got, (_, got_c) = module(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(got_c.numpy(), c_T[0].numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_peepholes_are_cell_dependent_biases(N, T, D, H):
    problem = random_problem(N, T, D, H, np.float64, seed=1)
    states, last_c = ref.peephole_forward(*problem)
    want_states, want_c = oracle_forward(*problem)
    np.testing.assert_allclose(states, want_states, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(last_c, want_c, rtol=1e-12, atol=1e-12)
    h, c = ref.peephole_step_forward(problem[0][:, 0], *problem[1:])
    np.testing.assert_allclose(h, want_states[:, 0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_module_matches_numpy_with_peepholes(N, T, D, H, dtype, tolerance):
    X, h0, c0, W_x, W_h, b, p_i, p_f, p_o = random_problem(N, T, D, H, dtype, seed=2)
    module = ref.PeepholeLSTM(D, H).to(torch.from_numpy(X).dtype)
    with torch.no_grad():
        for name, value in zip(["W_x", "W_h", "b", "p_i", "p_f", "p_o"], [W_x, W_h, b, p_i, p_f, p_o]):
            getattr(module, name).copy_(torch.from_numpy(value))
        got, (h_T, c_T) = module(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))
        zero_start, _ = module(torch.from_numpy(X))
    want, want_c = ref.peephole_forward(X, h0, c0, W_x, W_h, b, p_i, p_f, p_o)
    assert got.dtype == torch.from_numpy(X).dtype and zero_start.dtype == got.dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(c_T.numpy(), want_c, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(h_T.numpy(), want[:, -1], rtol=tolerance, atol=tolerance)
    want_zero, _ = ref.peephole_forward(X, 0 * h0, 0 * c0, W_x, W_h, b, p_i, p_f, p_o)
    np.testing.assert_allclose(zero_start.numpy(), want_zero, rtol=tolerance, atol=tolerance)


def test_module_parameters_and_initial_values():
    torch.manual_seed(0)
    module = ref.PeepholeLSTM(3, 5)
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    assert shapes == {"W_x": (3, 20), "W_h": (5, 20), "b": (20,), "p_i": (5,), "p_f": (5,), "p_o": (5,)}
    for name in ["p_i", "p_f", "p_o"]:
        assert torch.all(getattr(module, name) == 0)
    for name in ["W_x", "W_h", "b"]:
        assert getattr(module, name).abs().max() <= 1 / np.sqrt(5)
    assert sum(p.numel() for p in module.parameters()) == 4 * 5 * (3 + 5 + 1) + 3 * 5


def test_module_gradients_against_centred_differences_of_numpy_forward():
    X, h0, c0, W_x, W_h, b, p_i, p_f, p_o = random_problem(2, 4, 3, 2, np.float64, seed=3)
    G = np.random.default_rng(4).normal(size=(2, 4, 2))
    params = {"W_x": W_x, "W_h": W_h, "b": b, "p_i": p_i, "p_f": p_f, "p_o": p_o}
    module = ref.PeepholeLSTM(3, 2).double()
    with torch.no_grad():
        for name, value in params.items():
            getattr(module, name).copy_(torch.from_numpy(value))
    (module(torch.from_numpy(X), (torch.from_numpy(h0), torch.from_numpy(c0)))[0] * torch.from_numpy(G)).sum().backward()
    loss = lambda: float(np.sum(ref.peephole_forward(X, h0, c0, *params.values())[0] * G))
    for name, value in params.items():
        numeric = centred_differences(loss, value)
        np.testing.assert_allclose(getattr(module, name).grad.numpy(), numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_output_gate_sees_the_new_cell():
    # The hand-built clock of section 7.2: one unit, no input, a spike every 6 steps. Only a cell whose
    # output gate sees c_t and whose forget gate sees c_{t-1} runs it.
    k, theta = 40.0, 1.375
    b = np.array([10.0, k * theta, np.arctanh(0.25), -k * theta])
    h, c, spikes = np.zeros((1, 1)), np.zeros((1, 1)), []
    for t in range(36):
        h, c = ref.peephole_step_forward(np.zeros((1, 1)), h, c, np.zeros((1, 4)), np.zeros((1, 4)), b,
                                         np.zeros(1), np.array([-k]), np.array([k]))
        spikes.append(h[0, 0])
    assert list(np.flatnonzero(np.array(spikes) > 0.5) + 1) == [6, 12, 18, 24, 30, 36]
    assert max(s for s in spikes if s < 0.5) < 0.01


def test_train_timing_is_full_batch_adam_on_the_mean_bce():
    torch.manual_seed(0)
    model = SpikeReadout(torch.nn.LSTM(1, 3, batch_first=True, dtype=torch.float64), 3)
    mirror = copy.deepcopy(model)
    inputs, targets = (torch.from_numpy(a) for a in timed_spikes(3, 10, num_sequences=2, dtype=np.float64))
    losses = ref.train_timing(model, inputs, targets, 1, 0.01)
    # The loss before the update, written out: mean of -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z)).
    z = mirror(inputs)
    manual = (-(targets * torch.log(torch.sigmoid(z)) + (1 - targets) * torch.log(1 - torch.sigmoid(z)))).mean()
    assert isinstance(losses, list) and len(losses) == 1 and isinstance(losses[0], float)
    assert losses[0] == pytest.approx(manual.item(), rel=1e-12)
    manual.backward()
    # Adam's first step moves each parameter by lr * g / (|g| + eps): by lr against the sign of its gradient.
    for moved, original in zip(model.parameters(), mirror.parameters()):
        expected = original.detach() - 0.01 * original.grad / (original.grad.abs() + 1e-8)
        np.testing.assert_allclose(moved.detach().numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)
