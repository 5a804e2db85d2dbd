"""The checks that test cells call.

A failing check says what is wrong in words, the way a good teaching assistant would: which
output, which shape was expected, where the largest difference is and what mistake usually
causes it. Checks never print the expected array, so hidden tests give nothing away.

The same test cells run in two places. In your notebook they call your functions directly. When
a notebook is graded they run in the grader, outside your notebook's process: your functions
are called through a channel, on inputs that `test_rng` draws from a seed the notebook cannot
know, and whatever they return comes back as plain data (arrays, tensors, numbers, strings,
lists) or as a stand-in for an object (a module, say) whose attributes and methods are read
and called through the same channel. Helpers marked `beside_student` run next to your objects.
"""
import functools
import inspect

import numpy as np

GRADING_SALT = None  # set by the grader, in its own process only: test inputs it alone knows


class CheckFailed(AssertionError):
    """A test found a mistake; the message explains it."""


def fail(message: str) -> None:
    raise CheckFailed(message)


def test_rng(seed: int) -> np.random.Generator:
    """The random generator of a test's inputs: `np.random.default_rng(seed)` in your notebook,
    and other inputs, from a seed only the grader knows, when the notebook is graded."""
    return np.random.default_rng(seed if GRADING_SALT is None else [GRADING_SALT, seed])


def beside_student(function):
    """Mark a helper that must run next to the learner's objects: while grading, a call whose
    arguments include a stand-in for a learner's object runs in the learner's process (the stand-in's
    type offers `run_beside`), and only its result, plain data, comes back."""
    @functools.wraps(function)
    def helper(*args, **kwargs):
        for value in [*args, *kwargs.values()]:
            run_beside = getattr(type(value), "run_beside", None)
            if run_beside is not None:
                return run_beside(value, helper, args, kwargs)
        return function(*args, **kwargs)

    helper.beside_student = True
    return helper


def call(function, *args, **kwargs):
    """Call a learner's function and turn a crash into a readable failure. Fails, too, when the
    function changed an array or tensor it was given (tasks never ask for that)."""
    name = getattr(function, "__name__", "your function")
    before = _snapshots(args, kwargs)
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        fail(f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code.")
    except CheckFailed:
        raise
    except Exception as error:  # the learner's bug, reported with its own message
        raise CheckFailed(f"{name} raised {type_name(error)}: {error}") from error
    for where, (value, copy) in before.items():
        if not _same(value, copy):
            label = _argument_label(function, where)
            fail(f"{name} changed its argument {label} in place: after the call it no longer holds the values it "
                 "was given. Work on a copy (for example x = x.copy()), or put back what you change.")
    return result


def type_name(value) -> str:
    """The name of a value's type (for a learner's object seen from the grader, the type it has
    in the learner's process)."""
    return value.__class__.__name__


def _snapshots(args: tuple, kwargs: dict) -> dict:
    """Copies of the arrays and tensors among the arguments (also inside lists and tuples)."""
    copies = {}
    for where, value in [*((i, a) for i, a in enumerate(args)), *kwargs.items()]:
        items = [(where, value)] if not isinstance(value, (list, tuple)) else [((where, j), v) for j, v in enumerate(value)]
        for key, item in items:
            if isinstance(item, np.ndarray):
                copies[key] = (item, item.copy())
            elif _is_tensor(item):
                copies[key] = (item, item.detach().clone())
    return copies


def _is_tensor(value) -> bool:
    torch = __import__("sys").modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _same(value, copy) -> bool:
    if isinstance(value, np.ndarray):
        return value.shape == copy.shape and np.array_equal(value, copy, equal_nan=value.dtype.kind in "fc")
    value = value.detach()
    return value.shape == copy.shape and bool(((value == copy) | (value.isnan() & copy.isnan())).all())


def _argument_label(function, where) -> str:
    index, item = (where if isinstance(where, tuple) else (where, None))
    try:
        names = list(inspect.signature(function).parameters)
        label = f"`{names[index]}`" if isinstance(index, int) else f"`{index}`"
    except Exception:  # no signature to read: say where the argument is
        label = f"number {index + 1}" if isinstance(index, int) else f"`{index}`"
    return label if item is None else f"{label} (its entry {item})"


def check_array(value, name: str, shape: tuple, dtype=None, hint: str = "") -> np.ndarray:
    """Check that `value` is a finite numpy array of the given shape (and dtype)."""
    if not isinstance(value, np.ndarray):
        fail(f"{name} should be a numpy array, got {type_name(value)}.")
    if value.shape != tuple(shape):
        message = f"{name} has shape {value.shape}, expected {tuple(shape)}."
        if value.shape == tuple(shape)[::-1]:
            message += " It looks transposed."
        fail(f"{message} {hint}".strip())
    if dtype is not None and value.dtype != np.dtype(dtype):
        expected = np.dtype(dtype)
        if value.dtype.kind == "c" and expected.kind == "f":
            fail(f"{name} has dtype {value.dtype}, expected {expected}: the result is complex (np.linalg.eig, for one, "
                 "returns complex numbers); its imaginary part should be zero, so return np.real(...) of it.")
        fail(f"{name} has dtype {value.dtype}, expected {expected}, the dtype of the inputs. Look for an array made "
             f"without dtype= (np.zeros and np.empty make float64) or a conversion to another type. {hint}".strip())
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
        fail(f"{name} should be a single number, got an array of shape {np.shape(value)}. {hint}".strip())
    check_close(float(value), expected, name, rtol=rtol, atol=atol, hint=hint)


def matches(value, candidate, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    """True if `value` equals `candidate`: used to recognise a known mistake."""
    try:
        return bool(np.allclose(np.asarray(value, dtype=np.float64), candidate, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _first_bad_index(value: np.ndarray) -> tuple:
    return tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])


@beside_student
def repeat(function, times: int, *args, **kwargs) -> list:
    """`[call(function, *args, **kwargs) for _ in range(times)]`: many calls of a learner's function,
    for tests that need many draws (while grading, they all run in the learner's process at once)."""
    return [call(function, *args, **kwargs) for _ in range(times)]


@beside_student
def set_parameters(module, values: dict) -> None:
    """Copy `values` ({name: array or tensor}) into the parameters of a torch module, by the names
    of `module.named_parameters()`; fails with words on a missing name or a wrong shape."""
    import torch

    parameters = dict(module.named_parameters())
    with torch.no_grad():
        for name, value in values.items():
            if name not in parameters:
                fail(f"the module has no parameter named {name!r}; it has {sorted(parameters)}.")
            value = torch.as_tensor(value)
            if tuple(parameters[name].shape) != tuple(value.shape):
                fail(f"the parameter {name!r} has shape {tuple(parameters[name].shape)}, expected {tuple(value.shape)}.")
            parameters[name].copy_(value.to(parameters[name].dtype))


@beside_student
def forward_and_gradients(module, inputs: tuple, output_weights):
    """Run `module(*inputs)` and backpropagate the loss sum(output * output_weights), where the
    output is the module's first result if it returns several. Floating-point tensor inputs take
    part in the gradient. Returns (output, {parameter name: gradient or None}, [input gradients])."""
    import torch

    inputs = tuple(x.detach().clone().requires_grad_(True) if _is_tensor(x) and x.is_floating_point() else x
                   for x in inputs)
    module.zero_grad(set_to_none=True)
    result = module(*inputs)
    output = result[0] if isinstance(result, (tuple, list)) else result
    if not _is_tensor(output):
        fail(f"the module returned {type_name(output)}, expected a tensor.")
    weights = torch.as_tensor(output_weights, dtype=output.dtype)
    if tuple(weights.shape) != tuple(output.shape):
        fail(f"the module's output has shape {tuple(output.shape)}, expected {tuple(weights.shape)}.")
    (output * weights).sum().backward()
    gradients = {name: None if p.grad is None else p.grad.detach().clone() for name, p in module.named_parameters()}
    input_gradients = [x.grad.detach().clone() if _is_tensor(x) and x.grad is not None else None for x in inputs]
    return output.detach(), gradients, input_gradients
