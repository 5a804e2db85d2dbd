"""seqcourse.tasks: the delayed-recall task is what its docstring promises."""
import numpy as np
import pytest

from seqcourse.tasks import delayed_recall, one_hot


def test_one_hot_by_hand():
    """Check one_hot on a case written out by hand, for a 2-D array of symbols."""
    expected = np.array([[[0, 1, 0], [1, 0, 0]], [[0, 0, 1], [0, 1, 0]]], dtype=np.float32)
    got = one_hot(np.array([[1, 0], [2, 1]]), 3)
    assert got.dtype == np.float32 and got.shape == (2, 2, 3)
    np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError):
        one_hot(np.array([0, 3]), 3)


@pytest.mark.parametrize("N, T, delay, C", [(3, 20, 5, 4), (1, 1, 0, 2), (2, 7, 7, 6), (4, 30, 1, 3)])
def test_shapes_dtypes_and_the_delay(N, T, delay, C):
    """Check shapes, dtypes, one-hot inputs, and targets[:, t] = symbol read at t - delay."""
    inputs, targets = delayed_recall(N, T, delay, C, seed=1)
    assert inputs.shape == (N, T, C) and inputs.dtype == np.float32
    assert targets.shape == (N, T) and targets.dtype == np.int64
    assert np.all(inputs.sum(axis=2) == 1) and set(np.unique(inputs)) <= {0.0, 1.0}
    symbols = inputs.argmax(axis=2)  # (N, T)
    np.testing.assert_array_equal(targets[:, delay:], symbols[:, :T - delay])
    assert targets.min() >= 0 and targets.max() < C


def test_delay_zero_is_the_identity():
    """Check that with delay 0 the target is the current input."""
    inputs, targets = delayed_recall(2, 9, 0, 5, seed=3)
    np.testing.assert_array_equal(targets, inputs.argmax(axis=2))


def test_seeded_and_roughly_uniform():
    """Check that a seed fixes the data, another seed changes it, and symbols are near-uniform."""
    a, b = delayed_recall(4, 50, 3, seed=7), delayed_recall(4, 50, 3, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], delayed_recall(4, 50, 3, seed=8)[1])
    _, targets = delayed_recall(50, 400, 2, 4, seed=0)
    frequencies = np.bincount(targets.ravel(), minlength=4) / targets.size
    assert np.all(np.abs(frequencies - 0.25) < 0.01)  # 20,000 draws: standard error 0.003


def test_invalid_arguments():
    """Check that impossible sizes are refused."""
    for args in [(1, 5, -1), (0, 5, 1), (1, 0, 1)]:
        with pytest.raises(ValueError):
            delayed_recall(*args)
    with pytest.raises(ValueError):
        delayed_recall(1, 5, 1, num_symbols=1)
