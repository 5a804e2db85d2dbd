"""A timing task in the spirit of Gers, Schraudolph and Schmidhuber ("Learning precise timing with
LSTM recurrent networks", JMLR 3, 2002), and the small models chapter 07 trains on it.

Timed spikes: after one start spike at step 0, the network must emit a spike every `period`
steps, at steps period, 2 period, 3 period, ..., and stay silent in between. The input is zero
after the start, so the only clock the network has is its own state. Testing on sequences longer
than the training ones asks whether the learned clock keeps running or drifts.

    inputs[n, t, 0]  = 1 if t == 0 else 0
    targets[n, t]    = 1 if t > 0 and t % period == 0 else 0

Arrays are batch-first, as on the notation page. The task has no randomness: every sequence of a
batch is the same, so one sequence (N = 1) is the whole training set.

`SpikeReadout` puts a linear read-out on a recurrent module (torch.nn.LSTM or a module with the
same calling convention) and returns one spike logit per step. `PackedSpikeNets` trains many
small networks at once, packed into one recurrent module with block-diagonal weights.
"""
import math

import numpy as np
import torch
from torch import nn


def timed_spikes(period: int, length: int, num_sequences: int = 1, dtype=np.float32):
    """The timed-spikes task. Returns (inputs (N, T, 1), targets (N, T)), both of `dtype`:
    a start spike at t = 0, target spikes at t = period, 2 period, ... < length."""
    if period < 1 or length < 1 or num_sequences < 1:
        raise ValueError("need period >= 1, length >= 1 and num_sequences >= 1")
    inputs = np.zeros((num_sequences, length, 1), dtype=dtype)  # (N, T, 1)
    inputs[:, 0, 0] = 1
    targets = np.zeros((num_sequences, length), dtype=dtype)    # (N, T)
    targets[:, period::period] = 1
    return inputs, targets


def spikes_exact(logits, targets) -> np.ndarray:
    """Whether each sequence's spikes are exactly right: a spike (logit > 0) at every target step
    and nowhere else. logits: (N, T) or (N, T, S) for S networks; targets: (N, T).
    Returns booleans of shape (N,) or (S,): for S networks, all N sequences must be exact."""
    logits = logits.detach().numpy() if isinstance(logits, torch.Tensor) else np.asarray(logits)
    targets = targets.detach().numpy() if isinstance(targets, torch.Tensor) else np.asarray(targets)
    if logits.ndim == 2:
        return ((logits > 0) == (targets > 0.5)).all(axis=1)
    return ((logits > 0) == (targets[..., None] > 0.5)).all(axis=(0, 1))


class SpikeReadout(nn.Module):
    """A recurrent module followed by a linear read-out: one spike logit per step.

    `recurrent(X)` must return the states (N, T, H) first, as torch.nn.LSTM(batch_first=True)
    and the chapter's PeepholeLSTM do. forward: X (N, T, D) -> logits (N, T).
    """

    def __init__(self, recurrent: nn.Module, hidden_size: int):
        super().__init__()
        self.recurrent = recurrent
        self.readout = nn.Linear(hidden_size, 1, dtype=next(recurrent.parameters()).dtype)

    def forward(self, X):
        states = self.recurrent(X)[0]           # (N, T, H)
        return self.readout(states).squeeze(-1)  # (N, T)


class PackedSpikeNets(nn.Module):
    """S independent networks of H units each, packed into one recurrent module of S * H units.

    Training small networks one after another costs S times the Python overhead of one, because
    each step of a recurrence is a handful of tiny tensor operations. Packed, the S networks share
    those operations: network s owns units s H to (s + 1) H - 1, its recurrent weights are the
    diagonal blocks of W_h, and gradient masks keep the blocks between networks at exactly zero
    (with zero gradients, Adam never moves them). Network s has its own read-out, so its loss,
    and its gradient, involve only its own parameters: the packed training is the same as S
    separate trainings with Adam, up to rounding (and Adam's epsilon, if the losses are averaged
    over the networks instead of summed).

    `recurrent` must be a peephole LSTM with S * H units and the parameters W_x (D, 4SH),
    W_h (SH, 4SH), b (4SH,), p_i, p_f, p_o (SH,), gate blocks i, f, g, o along 4SH.
    `seeds[s]` seeds the initial weights of network s, drawn like torch.nn.LSTM's (uniform in
    +-1/sqrt(H)) with zero peepholes and a zero read-out bias, so two networks with the same seed
    start identical.
    `peepholes[s]` False keeps network s's peephole weights at zero: a plain LSTM.
    forward: X (N, T, D) -> logits (N, T, S), one column per network.
    """

    def __init__(self, recurrent: nn.Module, hidden_size: int, seeds, peepholes):
        super().__init__()
        if len(seeds) != len(peepholes):
            raise ValueError("give one seed and one peephole flag per network")
        S, H = len(seeds), hidden_size
        self.recurrent, self.num_networks, self.hidden_size = recurrent, S, H
        names = ["W_x", "W_h", "b", "p_i", "p_f", "p_o"]
        params = dict(recurrent.named_parameters())
        missing = [name for name in names if name not in params]
        if missing:
            raise ValueError(f"the recurrent module has no parameters named {missing}")
        D = params["W_x"].shape[0]
        dtype = params["W_x"].dtype
        unit = torch.arange(S * H)
        network = unit // H                                     # (SH,) the network of each unit
        column_network = network.repeat(4)                      # (4SH,) of each gate column
        masks = {"W_h": (network[:, None] == column_network[None, :]).to(dtype)}
        peep = torch.tensor([bool(flag) for flag in peepholes]).repeat_interleave(H).to(dtype)  # (SH,)
        for name in ["p_i", "p_f", "p_o"]:
            masks[name] = peep
        values = {"W_x": torch.zeros(D, 4 * S * H, dtype=dtype), "W_h": torch.zeros(S * H, 4 * S * H, dtype=dtype),
                  "b": torch.zeros(4 * S * H, dtype=dtype)}
        k = 1 / math.sqrt(H)
        readout = torch.zeros(S, H, dtype=dtype)
        for s, seed in enumerate(seeds):
            generator = torch.Generator().manual_seed(int(seed))
            draw = lambda *shape: (torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1) * k
            W_x, W_h, b, readout[s] = draw(D, 4 * H), draw(H, 4 * H), draw(4 * H), draw(H).to(dtype)
            rows = slice(s * H, (s + 1) * H)
            for q in range(4):  # gate block q of network s: columns q SH + s H ... q SH + (s + 1) H
                columns = slice(q * S * H + s * H, q * S * H + (s + 1) * H)
                values["W_x"][:, columns] = W_x[:, q * H:(q + 1) * H].to(dtype)
                values["W_h"][rows, columns] = W_h[:, q * H:(q + 1) * H].to(dtype)
                values["b"][columns] = b[q * H:(q + 1) * H].to(dtype)
        with torch.no_grad():
            for name, value in values.items():
                params[name].copy_(value)
            for name in ["p_i", "p_f", "p_o"]:
                params[name].zero_()
        for name, mask in masks.items():
            params[name].register_hook(lambda grad, mask=mask: grad * mask)
        self.readout_weight = nn.Parameter(readout)                         # (S, H)
        self.readout_bias = nn.Parameter(torch.zeros(S, dtype=dtype))

    def forward(self, X):
        states = self.recurrent(X)[0]                                      # (N, T, SH)
        N, T, _ = states.shape
        states = states.reshape(N, T, self.num_networks, self.hidden_size)  # (N, T, S, H)
        return (states * self.readout_weight).sum(dim=-1) + self.readout_bias  # (N, T, S)

    def network_states(self, X, s: int):
        """The hidden states (N, T, H) of network s alone."""
        states = self.recurrent(X)[0]
        return states[..., s * self.hidden_size:(s + 1) * self.hidden_size]
