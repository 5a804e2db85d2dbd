"""The long-range memory experiment shared by chapters 06 (LSTM) and 08 (GRU).

A recurrent network reads chapter 04's delayed-recall streams (`seqcourse.tasks.delayed_recall`):
one random symbol per step, and the target at step t is the symbol read `delay` steps earlier.
Guessing scores 1 / num_symbols. The experiment asks, for one kind of recurrent layer and one
delay, how well a network recalls after a short, fixed training budget:

    result = train_recall("lstm", delay=20)
    result.accuracy, result.losses, result.seconds

By default a stream has delay + 1 steps and only its last step is scored: the network must return
the first symbol it read after `delay` steps of distraction, so the task measures how far back
training can reach, and nothing else. With scored="every" every step t >= delay is scored, as in
chapter 04; the state must then hold `delay` symbols at once, which also tests its capacity.

`RecallNet` is the network: one-hot symbols (N, T, C) in, a torch.nn.RNN (tanh), nn.LSTM or
nn.GRU layer, and a linear read-out giving logits (N, T, C) at every step, batch-first. The three
layers are those of Elman (1990), Hochreiter and Schmidhuber (1997) with the forget gate of Gers,
Schmidhuber and Cummins (2000), and Cho et al. (2014), in PyTorch's implementation.

Training uses full backpropagation through time on fresh streams at every step, Adam and gradient
clipping by the global norm (chapter 05). Everything is seeded: the same arguments give the same
initial weights, data, losses and accuracy (torch is used with one thread and deterministic
algorithms, as `seqcourse.runtime.setup` sets it). Only `seconds` differs from run to run.
"""
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from seqcourse.tasks import delayed_recall

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # affine maps per layer: tanh RNN 1, LSTM i f g o, GRU r z n


def recurrent_parameters(cell: str, input_size: int, hidden_size: int) -> int:
    """The number of parameters of a one-layer torch recurrent layer, in closed form: each of its
    `GATES[cell]` affine maps has an (H, D) input matrix, an (H, H) recurrent matrix and PyTorch's
    two (H,) bias vectors, so gates * (H D + H H + 2 H)."""
    return GATES[cell] * (hidden_size * input_size + hidden_size * hidden_size + 2 * hidden_size)


class RecallNet(nn.Module):
    """One-hot symbols -> one recurrent layer ("rnn", "lstm" or "gru") -> logits at every step."""

    def __init__(self, cell: str, num_symbols: int, hidden_size: int):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.cell = cell
        self.recurrent = CELLS[cell](num_symbols, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, num_symbols)

    def forward(self, inputs, state=None):
        """inputs: (N, T, C) one-hot -> logits (N, T, C), and the recurrent layer's last state
        ((1, N, H), or the pair (h, c) of such for the LSTM), which `state` can pass back in."""
        states, state = self.recurrent(inputs, state)  # (N, T, H)
        return self.readout(states), state             # (N, T, C)


@dataclass
class RecallResult:
    """What `train_recall` measured."""
    cell: str
    delay: int
    accuracy: float                    # on fresh streams, at the scored steps
    losses: list = field(repr=False)   # the training loss (nats) of every update
    seconds: float = field(repr=False)  # wall-clock time of the training: varies from run to run
    parameters: int = 0                # of the whole network (recurrent layer and read-out)


def _scored(logits, targets, delay: int, scored: str):
    """The logits (M, C) and targets (M,) of the scored steps: the last one, or every t >= delay."""
    if scored == "last":
        return logits[:, -1], targets[:, -1]
    return logits[:, delay:].reshape(-1, logits.shape[-1]), targets[:, delay:].reshape(-1)


def _check(delay: int, length: int, scored: str) -> None:
    if scored not in ("last", "every"):
        raise ValueError(f"scored must be 'last' or 'every', got {scored!r}")
    if delay < 1 or length <= delay:
        raise ValueError(f"need delay >= 1 and length > delay, got delay {delay} and length {length}")


def default_length(delay: int, scored: str) -> int:
    """delay + 1 steps when only the last step is scored (its target is the first symbol read),
    delay + 20 when every step t >= delay is (20 targets the network could know per stream)."""
    return delay + 1 if scored == "last" else delay + 20


def recall_accuracy(model: nn.Module, delay: int, num_symbols: int = 4, scored: str = "last",
                    length: int | None = None, num_streams: int = 1000, seed: int = 10_000) -> float:
    """The fraction of the symbols the model recalls on `num_streams` fresh streams, at the scored
    steps: the last step of each stream, or every step t >= delay (the earlier targets were drawn
    before the stream began and cannot be known)."""
    length = default_length(delay, scored) if length is None else length
    _check(delay, length, scored)
    inputs, targets = delayed_recall(num_streams, length, delay, num_symbols, seed=seed)
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(inputs))  # (N, T, C)
    logits, targets = _scored(logits, torch.from_numpy(targets), delay, scored)
    return float((logits.argmax(dim=-1) == targets).double().mean())


def train_recall(cell: str, delay: int, hidden_size: int = 32, num_symbols: int = 4, steps: int = 500,
                 batch_size: int = 32, scored: str = "last", length: int | None = None, lr: float = 0.005,
                 max_norm: float = 1.0, seed: int = 0, init=None) -> RecallResult:
    """Train a `RecallNet` on delayed recall with the given delay and measure its recall.

    Each of the `steps` updates reads `batch_size` fresh streams with full backpropagation through
    time. With scored="last" (the default) a stream has delay + 1 steps and only its last step is
    scored: the network must recall the first symbol it read, across `delay` steps of distractors,
    and no shorter dependency helps. With scored="every", as in chapter 04, every step t >= delay
    is scored (streams of delay + 20 steps): the state must then hold the last `delay` symbols at
    once, a question of capacity as well as of reach. The loss is the mean cross-entropy over
    the scored steps. `init(model)`, if given, is called once on the new network before training
    (to set a forget-gate bias, say). Returns a `RecallResult` with the accuracy on fresh streams.
    """
    length = default_length(delay, scored) if length is None else length
    _check(delay, length, scored)
    torch.manual_seed(seed)
    model = RecallNet(cell, num_symbols, hidden_size)
    if init is not None:
        init(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        inputs, targets = delayed_recall(batch_size, length, delay, num_symbols, seed=seed * 1_000_003 + step)
        logits, _ = model(torch.from_numpy(inputs))  # (N, T, C)
        loss = nn.functional.cross_entropy(*_scored(logits, torch.from_numpy(targets), delay, scored))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    model.eval()
    return RecallResult(cell=cell, delay=delay, accuracy=recall_accuracy(model, delay, num_symbols, scored, length),
                        losses=losses, seconds=seconds, parameters=sum(p.numel() for p in model.parameters()))
