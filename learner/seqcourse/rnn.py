"""The tanh RNN forward pass in numpy, for the chapters that build on chapter 03.

Chapter 03's first two exercises ask learners to write exactly these two functions; later chapters
(backpropagation through time, vanishing gradients) import them from here instead of re-typing them.
Row-vector convention, batch-first, as on the notation page:

    h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)
"""
import numpy as np

TAUGHT_IN = "03_rnn"  # withheld while chapter 03 is graded: it asks for exactly these functions


def rnn_step_forward(x, h_prev, W_xh, W_hh, b_h):
    """One step for a batch. x: (N, D), h_prev: (N, H), W_xh: (D, H), W_hh: (H, H), b_h: (H,) -> (N, H)."""
    pre_activation = x @ W_xh + h_prev @ W_hh + b_h  # (N, H)
    return np.tanh(pre_activation)


def rnn_forward(X, h0, W_xh, W_hh, b_h):
    """All the states of a sequence. X: (N, T, D), h0: (N, H) -> H: (N, T, H), H[:, t] = h_{t+1}."""
    h, states = h0, []
    for x_t in np.moveaxis(X, 1, 0):  # the T steps, each (N, D)
        h = rnn_step_forward(x_t, h, W_xh, W_hh, b_h)  # (N, H)
        states.append(h)
    return np.stack(states, axis=1)  # (N, T, H)
