"""Probes for sequence layers (chapter 09): layers whose dependence on past and future inputs is
known by construction, and a gradient helper for modules that return several outputs.

A layer maps a batch-first tensor (N, T, C) to (N, T, C'). It is *causal* when its output at step
t depends on the inputs at steps 0..t only. The probes below are causal or not by design, so they
can test a causality check:

- `TimeShift(shift, weight, at)`: y_t = x_t + weight * x_{t + shift}; it reads the past for
  shift < 0 (causal) and the future for shift > 0 (not causal), at every step or at one step only;
- `Recurrent(channels, hidden)`: a GRU that returns its outputs only; causal, like every RNN;
- `Reversed(layer)`: runs a layer on the time-reversed sequence and reverses its output, which
  turns a causal layer into one that reads only the future.

`output_gradients` runs next to a learner's module while grading (see `seqcourse.checks`): it
backpropagates from one of the module's outputs, for example the skip output of a WaveNet block,
and returns the gradients with respect to the inputs.
"""
import torch
from torch import nn

from seqcourse.checks import beside_student, fail, type_name


class TimeShift(nn.Module):
    """y[:, t] = x[:, t] + weight * x[:, t + shift], where x[:, s] counts as zero outside 0..T-1;
    with `at` given, the shifted term is added at the output step `at` only (negative `at`
    counts from the end, as in indexing). No parameters: it works in any floating dtype."""

    def __init__(self, shift: int, weight: float = 0.1, at: int | None = None):
        super().__init__()
        self.shift, self.weight, self.at = int(shift), float(weight), at

    def forward(self, x):                                       # x: (N, T, C)
        T = x.shape[1]
        shifted = torch.zeros_like(x)                           # (N, T, C): x[:, t + shift] or 0
        if abs(self.shift) < T:
            if self.shift >= 0:
                shifted[:, :T - self.shift] = x[:, self.shift:]
            else:
                shifted[:, -self.shift:] = x[:, :T + self.shift]
        if self.at is not None:
            mask = torch.zeros(T, 1, dtype=x.dtype)
            if -T <= self.at < T:
                mask[self.at] = 1.0
            shifted = shifted * mask                            # only output step `at` reads it
        return x + self.weight * shifted

    def extra_repr(self) -> str:
        return f"shift={self.shift}, weight={self.weight}, at={self.at}"


class Recurrent(nn.Module):
    """A batch-first GRU (channels -> hidden) that returns its outputs (N, T, hidden) only."""

    def __init__(self, channels: int, hidden: int, seed: int = 0):
        super().__init__()
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(seed)                                 # the same weights on every machine
        self.gru = nn.GRU(channels, hidden, batch_first=True)
        torch.random.set_rng_state(generator_state)

    def forward(self, x):                                       # x: (N, T, channels)
        return self.gru(x)[0]                                   # (N, T, hidden)


class Reversed(nn.Module):
    """Reverse time, apply `layer`, reverse back: a causal layer becomes anti-causal."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, x):                                       # x: (N, T, C)
        return self.layer(x.flip(1)).flip(1)


@beside_student
def output_gradients(module, inputs: tuple, which: int, output_weights):
    """Run `module(*inputs)`, take its result number `which` (0 for the first of a tuple) and
    backpropagate sum(output * output_weights). Returns (output, [gradient of each input]), the
    gradient None for inputs that are not floating-point tensors."""
    inputs = tuple(x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point()
                   else x for x in inputs)
    result = module(*inputs)
    if not isinstance(result, (tuple, list)) or not -len(result) <= which < len(result):
        fail(f"the module returned {type_name(result)}, expected a tuple with at least {which + 1} tensors.")
    output = result[which]
    if not isinstance(output, torch.Tensor):
        fail(f"output number {which + 1} of the module is {type_name(output)}, expected a tensor.")
    weights = torch.as_tensor(output_weights, dtype=output.dtype)
    if tuple(weights.shape) != tuple(output.shape):
        fail(f"output number {which + 1} of the module has shape {tuple(output.shape)}, expected {tuple(weights.shape)}.")
    if not output.requires_grad:
        fail(f"output number {which + 1} of the module does not depend on its input through autograd: "
             "was it computed under torch.no_grad(), or from numpy arrays?")
    (output * weights).sum().backward()
    gradients = [x.grad.detach().clone() if isinstance(x, torch.Tensor) and x.grad is not None else None
                 for x in inputs]
    return output.detach(), gradients
