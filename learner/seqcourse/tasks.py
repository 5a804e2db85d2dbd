"""Synthetic sequence tasks whose difficulty is a parameter.

Real data mixes dependencies of every length. A synthetic task fixes the one length that matters,
so an experiment can ask a sharp question: can this training method learn a dependency that spans
`delay` steps? Chapter 04 uses the delayed-recall task to show what truncated backpropagation
through time can and cannot learn.

Delayed recall: a stream of symbols drawn uniformly from `num_symbols` values is read one symbol
per step, and the target at step t is the symbol read `delay` steps earlier,

    target[n, t] = symbol[n, t - delay].

No model can do better than chance (accuracy 1 / num_symbols, cross-entropy log(num_symbols)
nats) without remembering the last `delay` inputs, and one that remembers them can be perfect.
The stream is drawn `delay` steps before the inputs start, so every step has a target: the first
`delay` targets are symbols the network never reads, unpredictable by construction, a vanishing
fraction of a long stream.

Arrays are numpy, batch-first, as on the notation page: N streams, T steps, C symbols.
Everything is drawn from `np.random.default_rng(seed)`, so a seed fixes the data exactly.
"""
import numpy as np


def one_hot(symbols, num_symbols: int, dtype=np.float32) -> np.ndarray:
    """Integer symbols of any shape S -> one-hot vectors of shape S + (num_symbols,)."""
    symbols = np.asarray(symbols)
    if symbols.size and (symbols.min() < 0 or symbols.max() >= num_symbols):
        raise ValueError(f"symbols must lie in [0, {num_symbols}), got values in "
                         f"[{symbols.min()}, {symbols.max()}]")
    return np.eye(num_symbols, dtype=dtype)[symbols]


def delayed_recall(num_streams: int, length: int, delay: int, num_symbols: int = 4, seed: int = 0):
    """A batch of delayed-recall streams.

    Returns (inputs, targets):
      inputs:  (N, T, C) float32, one-hot symbols, with N = num_streams, T = length, C = num_symbols;
      targets: (N, T) int64, targets[:, t] = the symbol of inputs[:, t - delay] for t >= delay, and
               symbols drawn before the stream starts (never read by the network) for t < delay.
    """
    if delay < 0 or length < 1 or num_streams < 1 or num_symbols < 2:
        raise ValueError("need delay >= 0, length >= 1, num_streams >= 1 and num_symbols >= 2")
    rng = np.random.default_rng(seed)
    stream = rng.integers(0, num_symbols, size=(num_streams, length + delay))  # (N, T + delay)
    inputs = one_hot(stream[:, delay:], num_symbols)                            # (N, T, C)
    targets = stream[:, :length].astype(np.int64)                               # (N, T)
    return inputs, targets
