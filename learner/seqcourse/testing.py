"""Small models, optimizers, losses and functions that the test cells of chapters 04 and 05 hand to
your code, plus two checks those cells share.

A test cell may pass into your function only objects that can be imported, so that the grader can
rebuild them next to your code (see `seqcourse.checks`). Everything a test needs besides plain
arrays and PyTorch's own classes is defined here, readable, in the style of the rest of the package:

- functions of no arguments that read an array you perturb (for `numerical_gradient`, chapter 04):
  `SumOfCubes`, `SquareOfSum`, `SmoothFunction`, `RNNLoss`;
- models with the interface of chapter 04's `train_truncated`, `model(x, h) -> (outputs, h_last)`
  and `model.initial_state(N)`: `LinearUnit` (one unit, worked out by hand), `StateSpy` (records
  the states it receives) and `TinyRNN`; the loss `segment_cross_entropy`;
- optimizers that record what they see: `Recorder` (SGD that keeps every step's gradients) and
  `StepCounter` (counts steps, changes nothing);
- `matrix_with_gap`, random matrices on which power iteration (chapter 05) converges fast;
- `TinyRegressor`, a small RNN with a read-out for chapter 05's `train_with_clipping`;
- `check_results` (a tuple of the promised length) and `check_number` (one real number);
- `clip_aliasing`, which runs next to your code and tells whether `clip_by_global_norm` returned
  new arrays or arrays that share memory with its inputs;
- `shares_memory_with` (chapters 06 and 08), which tells whether a module built from arrays
  (`lstm_to_torch`, `gru_to_torch`) holds views of them, and `parameters_replaced` (chapter 06),
  which tells whether `set_gate_bias` changed the parameters in place or swapped in new ones.

None of this solves an exercise: the models are ordinary PyTorch modules, the optimizers take plain
gradient steps.
"""
import numpy as np
import torch
from torch import nn

from seqcourse.checks import beside_student, call, fail, type_name
from seqcourse.rnn import rnn_forward

# ---------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------


def check_results(value, function: str, names: list[str]) -> tuple:
    """Check that `value` is a tuple (or list) of len(names) results and return it as a tuple."""
    listing = ", ".join(names)
    if not isinstance(value, (tuple, list)):
        fail(f"{function} should return a tuple of {len(names)} results ({listing}), got {type_name(value)}.")
    if len(value) != len(names):
        fail(f"{function} should return a tuple of {len(names)} results ({listing}), got {len(value)}.")
    return tuple(value)


def check_number(value, name: str) -> float:
    """Check that `value` is one real number (a Python or numpy scalar, or a 0-d array) and return it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating, np.ndarray)):
        fail(f"{name} should be a number, got {type_name(value)}.")
    if np.ndim(value) != 0:
        fail(f"{name} should be a single number, got an array of shape {np.shape(value)}.")
    number = float(value)
    if not np.isfinite(number):
        fail(f"{name} is {number}: an overflow or a division by zero somewhere?")
    return number


# ---------------------------------------------------------------------------
# Chapter 04: functions that read the array numerical_gradient perturbs
# ---------------------------------------------------------------------------


class SumOfCubes:
    """f() = sum(x^3), reading the array x given at construction (and changed by the caller)."""

    def __init__(self, x):
        self.x = x

    def __call__(self) -> float:
        return float(np.sum(self.x ** 3))


class SquareOfSum:
    """f() = (sum x)^2: every entry of x affects every term."""

    def __init__(self, x):
        self.x = x

    def __call__(self) -> float:
        return float(np.sum(self.x) ** 2)


class SmoothFunction:
    """f() = sum(sin(A * x)) + (sum x)^3 / 10 for a fixed array A of x's shape."""

    def __init__(self, x, A):
        self.x, self.A = x, A

    def __call__(self) -> float:
        return float(np.sum(np.sin(self.A * self.x)) + np.sum(self.x) ** 3 / 10)


class RNNLoss:
    """f() = sum(rnn_forward(X, h0, W_xh, W_hh, b_h) * G), reading the arrays of the dict `params`
    (keys X, h0, W_xh, W_hh, b_h): its gradient with respect to the states is G."""

    def __init__(self, params: dict, G):
        self.params, self.G = params, G

    def __call__(self) -> float:
        p = self.params
        return float(np.sum(rnn_forward(p["X"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"]) * self.G))


# ---------------------------------------------------------------------------
# Chapter 04: models, a loss and optimizers for train_truncated
# ---------------------------------------------------------------------------


class LinearUnit(nn.Module):
    """h_t = w h_{t-1} + x_t with output y_t = h_t: one unit, no tanh, float64."""

    def __init__(self, w: float):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w, dtype=torch.float64))

    def initial_state(self, batch_size):
        return torch.zeros(batch_size, 1, dtype=torch.float64)

    def forward(self, x, h):  # x: (N, steps, 1), h: (N, 1)
        outputs = []
        for t in range(x.shape[1]):
            h = self.w * h + x[:, t]
            outputs.append(h)
        return torch.stack(outputs, dim=1), h


class TinyRNN(nn.Module):
    """A tanh RNN with a linear read-out, float64, its weights fixed by `seed`:
    (N, steps, D) inputs and an (N, H) state -> (N, steps, V) outputs and the last state."""

    def __init__(self, seed: int, input_size: int = 3, hidden_size: int = 4, output_size: int = 3):
        super().__init__()
        torch.manual_seed(seed)
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True, dtype=torch.float64)
        self.readout = nn.Linear(hidden_size, output_size, dtype=torch.float64)

    def initial_state(self, batch_size):
        return torch.zeros(batch_size, self.hidden_size, dtype=torch.float64)

    def forward(self, x, h):
        states, _ = self.rnn(x, h[None])                # (N, steps, H)
        return self.readout(states), states[:, -1]      # (N, steps, V), (N, H)


class StateSpy(TinyRNN):
    """A TinyRNN that records, for every call, (number of steps, the state received as a copy,
    whether that state was attached to a graph, the state returned as a copy)."""

    def __init__(self, seed: int = 7, input_size: int = 2, hidden_size: int = 3, output_size: int = 2):
        super().__init__(seed, input_size, hidden_size, output_size)
        self.calls = []

    def forward(self, x, h):
        outputs, last = super().forward(x, h)
        self.calls.append((int(x.shape[1]), h.detach().clone(), bool(h.requires_grad), last.detach().clone()))
        return outputs, last


def segment_cross_entropy(logits, targets):
    """Mean cross-entropy over the N k positions of a segment: logits (N, k, V), targets (N, k)."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def half_squared_error(outputs, targets):
    """0.5 * the sum of squared differences: a loss whose gradients are easy to work out by hand."""
    return 0.5 * ((outputs - targets) ** 2).sum()


def mean_squared_error(outputs, targets):
    return ((outputs - targets) ** 2).mean()


class Recorder:
    """An optimizer that records a copy of every parameter's gradient (None if it has none) at each
    step() in `self.steps`, then takes an SGD step in place, like every torch optimizer."""

    def __init__(self, parameters, lr: float = 0.0):
        self.parameters, self.lr, self.steps = list(parameters), lr, []

    def zero_grad(self, set_to_none: bool = True):
        for parameter in self.parameters:
            parameter.grad = None

    def step(self):
        self.steps.append([None if p.grad is None else p.grad.detach().clone() for p in self.parameters])
        with torch.no_grad():
            for parameter in self.parameters:
                if parameter.grad is not None:
                    parameter.sub_(self.lr * parameter.grad)


class StepCounter(Recorder):
    """A Recorder with learning rate 0 that only counts: `self.count` steps so far."""

    def __init__(self, parameters):
        super().__init__(parameters, lr=0.0)
        self.count = 0

    def step(self):
        super().step()
        self.count += 1


# ---------------------------------------------------------------------------
# Chapter 05: matrices for largest_singular_value, a model for train_with_clipping
# ---------------------------------------------------------------------------


def matrix_with_gap(rng, shape, gap: float = 1.5) -> np.ndarray:
    """A random (M, K) matrix U diag(s) V^T with random orthonormal U and V, whose largest singular
    value is `gap` times the next: power iteration converges like gap^(-2k), for any draw."""
    M, K = shape
    r = min(M, K)
    U, V = np.linalg.qr(rng.normal(size=(M, r)))[0], np.linalg.qr(rng.normal(size=(K, r)))[0]
    s = rng.uniform(0.2, 1.0, size=r)
    s[0] = gap * s[1:].max() if r > 1 else s[0]
    return U @ np.diag(s) @ V.T


# ---------------------------------------------------------------------------
# Chapter 05: a model for train_with_clipping, and the new-array check of clip_by_global_norm
# ---------------------------------------------------------------------------


class TinyRegressor(nn.Module):
    """A tanh RNN that reads (N, T, 3) inputs and predicts 2 numbers from its last state, float64.
    Its recurrent weights are multiplied by `recurrent_scale`: above about 1, gradients grow."""

    def __init__(self, seed: int, recurrent_scale: float = 1.0):
        super().__init__()
        torch.manual_seed(seed)
        self.rnn = nn.RNN(3, 5, batch_first=True, dtype=torch.float64)
        self.readout = nn.Linear(5, 2, dtype=torch.float64)
        with torch.no_grad():
            self.rnn.weight_hh_l0.mul_(recurrent_scale)

    def forward(self, sequences):                              # (N, T, 3)
        return self.readout(self.rnn(sequences)[0][:, -1])     # (N, 2)


@beside_student
def clip_aliasing(clip_by_global_norm, grads, max_norm):
    """Call clip_by_global_norm(grads, max_norm) and report how its result relates to its inputs:
    {"same_list": the returned list is `grads` itself, "shared": for each returned array, the index
    of an input array it shares memory with, or None}. None if the result is not a pair of a list."""
    result = clip_by_global_norm(grads, max_norm)
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[0], (tuple, list)):
        return None
    shared = []
    for clipped in result[0]:
        owners = [i for i, g in enumerate(grads) if isinstance(clipped, np.ndarray) and np.shares_memory(clipped, g)]
        shared.append(owners[0] if owners else None)
    return {"same_list": result[0] is grads, "shared": shared}


# ---------------------------------------------------------------------------
# Chapters 06 and 08: modules built from arrays, parameters changed in place
# ---------------------------------------------------------------------------


@beside_student
def shares_memory_with(convert, *arrays):
    """Call convert(*arrays) (lstm_to_torch, say) next to your code; for each array, whether a
    parameter of the module it returns shares memory with it, so that training the module would
    change the caller's array. None if it does not return a module."""
    module = call(convert, *arrays)
    if not isinstance(module, nn.Module):
        return None
    tensors = [parameter.detach().numpy() for parameter in module.parameters()]
    return [any(np.shares_memory(tensor, array) for tensor in tensors) for array in arrays]


@beside_student
def parameters_replaced(set_gate_bias, lstm, gate, value) -> list[str]:
    """Call set_gate_bias(lstm, gate, value) next to your code; the names of the parameters that
    are other objects afterwards (an optimizer made before the call would still hold the old ones)."""
    before = dict(lstm.named_parameters())
    call(set_gate_bias, lstm, gate, value)
    after = dict(lstm.named_parameters())
    return sorted(name for name, parameter in before.items() if after.get(name) is not parameter)
