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
    return np.tanh(x @ W_xh + h_prev @ W_hh + b_h)  # (N, H)


def rnn_forward(X, h0, W_xh, W_hh, b_h):
    """All the states of a sequence. X: (N, T, D), h0: (N, H) -> H: (N, T, H), H[:, t] = h_{t+1}."""
    N, T, _ = X.shape
    states = np.empty((N, T, h0.shape[1]), dtype=np.result_type(X, h0, W_xh))  # (N, T, H)
    h = h0
    for t in range(T):
        h = rnn_step_forward(X[:, t], h, W_xh, W_hh, b_h)  # (N, H)
        states[:, t] = h
    return states
