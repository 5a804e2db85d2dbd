"""The checks that test cells call.

A failing check says what is wrong in words, the way a good teaching assistant would: which
output, which shape was expected, where the largest difference is and what mistake usually
causes it. Checks never print the expected array, so hidden tests give nothing away.
"""
import numpy as np


class CheckFailed(AssertionError):
    """A test found a mistake; the message explains it."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def call(function, *args, **kwargs):
    """Call a learner's function and turn a crash into a readable failure."""
    name = getattr(function, "__name__", "your function")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        fail(f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code.")
    except CheckFailed:
        raise
    except Exception as error:  # the learner's bug, reported with its own message
        raise CheckFailed(f"{name} raised {type(error).__name__}: {error}") from error


def check_array(value, name: str, shape: tuple, dtype=None, hint: str = "") -> np.ndarray:
    """Check that `value` is a finite numpy array of the given shape (and dtype)."""
    if not isinstance(value, np.ndarray):
        fail(f"{name} should be a numpy array, got {type(value).__name__}.")
    if value.shape != tuple(shape):
        message = f"{name} has shape {value.shape}, expected {tuple(shape)}."
        if value.shape == tuple(shape)[::-1]:
            message += " It looks transposed."
        fail(f"{message} {hint}".strip())
    if dtype is not None and value.dtype != np.dtype(dtype):
        fail(f"{name} has dtype {value.dtype}, expected {np.dtype(dtype)}: keep the dtype of the inputs "
             "(for example allocate arrays with dtype=X.dtype).")
    if not np.all(np.isfinite(value)):
        fail(f"{name} contains inf or nan at {_first_bad_index(value)}: an overflow somewhere?")
    return value


def check_close(value, expected, name: str, rtol: float = 1e-6, atol: float = 1e-8, hint: str = "") -> None:
    """Check that two arrays agree, and report the largest difference and where it is."""
    value = np.asarray(value, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if value.shape != expected.shape:
        fail(f"{name} has shape {value.shape}, expected {expected.shape}. {hint}".strip())
    if not np.all(np.isfinite(value)):
        fail(f"{name} contains inf or nan at {_first_bad_index(value)}: an overflow somewhere? {hint}".strip())
    if np.allclose(value, expected, rtol=rtol, atol=atol):
        return
    difference = np.abs(value - expected)
    where = np.unravel_index(np.argmax(difference), difference.shape) if difference.ndim else ()
    where_text = f" at index {tuple(int(i) for i in where)}" if where else ""
    fail(f"{name} is wrong: the largest difference from the expected value is "
         f"{difference.max():.3g}{where_text}. {hint}".strip())


def check_scalar(value, expected: float, name: str, rtol: float = 1e-6, atol: float = 1e-8, hint: str = "") -> None:
    """Check a single number: a Python or numpy scalar (a 0-d array counts)."""
    if np.ndim(value) != 0:
        fail(f"{name} should be a single number, got an array of shape {np.shape(value)}: "
             "did you forget to average?")
    check_close(float(value), expected, name, rtol=rtol, atol=atol, hint=hint)


def matches(value, candidate, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    """True if `value` equals `candidate`: used to recognise a known mistake."""
    try:
        return bool(np.allclose(np.asarray(value, dtype=np.float64), candidate, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _first_bad_index(value: np.ndarray) -> tuple:
    return tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
