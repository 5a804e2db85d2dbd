"""The learner-facing checks: they fail on wrong answers, say why, and never print expected arrays."""
import re
import warnings

import numpy as np
import pytest
import torch

from seqcourse.checks import CheckFailed, call, check_array, check_close, check_scalar, matches
from instructor.nbgrader_setup import WARNING_PATTERN


def test_check_array_names_a_transposed_shape():
    with pytest.raises(CheckFailed, match=r"shape \(5, 3\), expected \(3, 5\)\. It looks transposed"):
        check_array(np.zeros((5, 3)), "h", shape=(3, 5))


def test_check_array_rejects_dtype_non_arrays_and_nan():
    with pytest.raises(CheckFailed, match="dtype float64, expected float32"):
        check_array(np.zeros(2), "h", shape=(2,), dtype=np.float32)
    with pytest.raises(CheckFailed, match="numpy array, got list"):
        check_array([0.0], "h", shape=(1,))
    with pytest.raises(CheckFailed, match=r"inf or nan at \(1,\)"):
        check_array(np.array([0.0, np.nan]), "h", shape=(2,))
    assert check_array(np.zeros((2, 3)), "h", shape=(2, 3)).shape == (2, 3)


def test_check_close_reports_the_largest_difference_but_not_the_expected_values():
    expected = np.array([[0.123456, 0.654321], [0.111111, 0.999999]])
    value = expected.copy()
    value[1, 0] += 0.5
    with pytest.raises(CheckFailed) as failure:
        check_close(value, expected, "H")
    message = str(failure.value)
    assert "0.5 at index (1, 0)" in message
    assert not re.search(r"0\.12|0\.65|0\.11|0\.99", message)
    check_close(expected + 1e-12, expected, "H")


def test_check_scalar_wants_one_number():
    with pytest.raises(CheckFailed, match="single number"):
        check_scalar(np.ones(3), 1.0, "loss")
    check_scalar(np.float64(2.0), 2.0, "loss")


def test_call_explains_stubs_and_crashes():
    def stub():
        raise NotImplementedError()

    def crash():
        return np.ones((2, 3)) @ np.ones((2, 3))

    with pytest.raises(CheckFailed, match="stub is not implemented yet"):
        call(stub)
    with pytest.raises(CheckFailed, match="crash raised ValueError"):
        call(crash)
    assert call(lambda x: x + 1, 1) == 2


def test_matches_recognises_a_mistake_and_tolerates_bad_shapes():
    assert matches(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9])
    assert not matches(np.array([1.0, 2.0]), [1.0, 2.1])
    assert not matches(np.ones(3), np.ones(2))


def test_warning_pattern_drops_real_warnings_only():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.tensor(torch.zeros(2))
    (warning,) = caught
    text = warnings.formatwarning(warning.message, warning.category, "/tmp/cell.py", 3, "x = torch.tensor(t)")
    assert re.search(WARNING_PATTERN, text)
    assert re.search(WARNING_PATTERN, text + text.replace("UserWarning", "DeprecationWarning"))
    with warnings.catch_warnings(record=True) as caught:  # torch's message spans two lines
        warnings.simplefilter("always")
        float((torch.ones(1, requires_grad=True) * 2).sum())
    (warning,) = caught
    two_lines = warnings.formatwarning(warning.message, warning.category, "/tmp/cell.py", 4, None)
    assert two_lines.count("\n") == 2 and re.search(WARNING_PATTERN, two_lines)
    assert re.search(WARNING_PATTERN, two_lines + text)
    assert not re.search(WARNING_PATTERN, two_lines + "Traceback (most recent call last):\n")
    for not_a_warning in ["Traceback (most recent call last):\n", "ValueError: bad\n",
                          text + "and then something else\n", "training: 100%|####| 10/10\n"]:
        assert not re.search(WARNING_PATTERN, not_a_warning)
