"""seqcourse.testing: the objects that test cells of chapters 04 and 05 hand to learners' code do
what their docstrings promise, and the shared checks fail with words instead of crashing."""
import numpy as np
import pytest
import torch

from seqcourse.checks import CheckFailed
from seqcourse.rnn import rnn_forward
from seqcourse.testing import (LinearUnit, Recorder, RNNLoss, SmoothFunction, SquareOfSum, StateSpy, StepCounter,
                               SumOfCubes, TinyRegressor, TinyRNN, check_number, check_results, clip_aliasing,
                               half_squared_error, matrix_with_gap, mean_squared_error, segment_cross_entropy)


def test_functions_of_no_arguments_read_the_array_they_hold():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    cubes, square, smooth = SumOfCubes(x), SquareOfSum(x), SmoothFunction(x, np.full(x.shape, 2.0))
    before = cubes(), square(), smooth()
    assert before == pytest.approx((np.sum(x ** 3), np.sum(x) ** 2, np.sum(np.sin(2 * x)) + np.sum(x) ** 3 / 10))
    x[0, 0] += 1.0  # changed in place: every function sees it
    assert cubes() != before[0] and square() != before[1] and smooth() != before[2]
    rng = np.random.default_rng(0)
    params = {"X": rng.normal(size=(2, 3, 2)), "h0": rng.normal(size=(2, 4)), "W_xh": rng.normal(size=(2, 4)),
              "W_hh": rng.normal(size=(4, 4)), "b_h": rng.normal(size=4)}
    G = rng.normal(size=(2, 3, 4))
    assert RNNLoss(params, G)() == pytest.approx(float(np.sum(rnn_forward(*params.values()) * G)))


def test_linear_unit_and_recorder_reproduce_the_hand_worked_case():
    model = LinearUnit(0.5)
    optimizer = Recorder(model.parameters())
    outputs, h = model(torch.tensor([[[1.0], [0.0]]], dtype=torch.float64), model.initial_state(1))
    loss = half_squared_error(outputs, torch.zeros_like(outputs))
    assert loss.item() == pytest.approx(0.625) and h.item() == pytest.approx(0.5)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert optimizer.steps[0][0].item() == pytest.approx(0.5) and model.w.item() == 0.5  # lr 0: unchanged
    sgd = Recorder(model.parameters(), lr=0.1)  # the same recorder with SGD steps: w -= 0.1 dL/dw
    sgd.zero_grad()
    (model.w * 2).backward()
    sgd.step()
    assert model.w.item() == pytest.approx(0.5 - 0.1 * 2)


def test_state_spy_records_copies_and_whether_the_state_was_attached():
    spy = StateSpy()
    counter = StepCounter(spy.parameters())
    x = torch.zeros(2, 3, 2, dtype=torch.float64)
    out, h = spy(x, spy.initial_state(2))
    spy(x[:, :1], h)
    (steps0, received0, attached0, sent0), (steps1, received1, attached1, _) = spy.calls
    assert (steps0, steps1) == (3, 1) and not attached0 and attached1
    assert torch.equal(received1, sent0) and not received1.requires_grad
    counter.step()
    counter.step()
    assert counter.count == 2 and len(counter.steps) == 2


def test_tiny_models_are_deterministic_float64_and_have_the_promised_shapes():
    a, b = TinyRNN(seed=3), TinyRNN(seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    outputs, last = a(torch.zeros(2, 5, 3, dtype=torch.float64), a.initial_state(2))
    assert outputs.shape == (2, 5, 3) and last.shape == (2, 4) and outputs.dtype == torch.float64
    loss = segment_cross_entropy(outputs, torch.zeros(2, 5, dtype=torch.long))
    assert loss.item() == pytest.approx(torch.nn.functional.cross_entropy(outputs.reshape(-1, 3),
                                                                          torch.zeros(10, dtype=torch.long)).item())
    assert mean_squared_error(torch.ones(3), torch.zeros(3)).item() == 1.0
    plain, scaled = TinyRegressor(seed=1), TinyRegressor(seed=1, recurrent_scale=3.0)
    assert torch.allclose(scaled.rnn.weight_hh_l0, 3 * plain.rnn.weight_hh_l0)
    assert plain(torch.zeros(4, 6, 3, dtype=torch.float64)).shape == (4, 2)


def test_matrix_with_gap_has_the_promised_singular_values():
    rng = np.random.default_rng(1)
    for shape in [(1, 5), (7, 1), (9, 3), (3, 9), (12, 12)]:
        singular = np.linalg.svd(matrix_with_gap(rng, shape), compute_uv=False)
        assert singular.shape == (min(shape),)
        if len(singular) > 1:
            assert singular[0] == pytest.approx(1.5 * singular[1])


def test_check_results_and_check_number_fail_with_words():
    assert check_results([1, 2], "f", ["a", "b"]) == (1, 2)
    with pytest.raises(CheckFailed, match="should return a tuple of 2 results .a, b., got 3"):
        check_results((1, 2, 3), "f", ["a", "b"])
    with pytest.raises(CheckFailed, match="got NoneType"):
        check_results(None, "f", ["a", "b"])
    assert check_number(np.float32(2.5), "x") == 2.5 and check_number(np.array(3.0), "x") == 3.0
    with pytest.raises(CheckFailed, match="single number, got an array of shape .2,."):
        check_number(np.ones(2), "x")
    with pytest.raises(CheckFailed, match="should be a number, got str"):
        check_number("1", "x")
    with pytest.raises(CheckFailed, match="is nan"):
        check_number(float("nan"), "x")


def test_clip_aliasing_sees_shared_memory_and_the_same_list():
    grads = [np.ones(3), np.ones((2, 2))]
    fresh = clip_aliasing(lambda g, c: ([a.copy() for a in g], 1.0), grads, 1.0)
    assert fresh == {"same_list": False, "shared": [None, None]}
    shared = clip_aliasing(lambda g, c: (g, 1.0), grads, 1.0)
    assert shared == {"same_list": True, "shared": [0, 1]}
    views = clip_aliasing(lambda g, c: ([g[1].reshape(-1), g[0][:2]], 1.0), grads, 1.0)
    assert views["shared"] == [1, 0]
    assert clip_aliasing(lambda g, c: 1.0, grads, 1.0) is None
