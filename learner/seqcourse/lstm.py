"""The LSTM forward pass in numpy, and our weights in torch.nn.LSTM, for the chapters after 06.

Long short-term memory (Hochreiter and Schmidhuber, "Long short-term memory", Neural Computation,
1997) with the forget gate of Gers, Schmidhuber and Cummins ("Learning to forget: continual
prediction with LSTM", Neural Computation, 2000), in the course's row-vector, batch-first convention. One fused affine map computes
the pre-activations of all four gates, whose column blocks are, in PyTorch's order, i, f, g, o:

    [a_i a_f a_g a_o] = x_t W_x + h_{t-1} W_h + b          (N, 4H)
    i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

with W_x of shape (D, 4H), W_h (H, 4H) and b (4H,). torch.nn.LSTM stores the transposes:
weight_ih_l0 = W_x^T (4H, D), weight_hh_l0 = W_h^T (4H, H), and its two biases add, so
b = bias_ih_l0 + bias_hh_l0.

The three public functions are taught in chapter 06 (`06_lstm`), whose first three exercises ask
learners to write them; chapters 07 (peephole LSTM) and 08 (GRU) import them from here.
"""
import numpy as np

GATES = ("i", "f", "g", "o")  # the order of the four column blocks of W_x, W_h and b


def sigmoid(a):
    """The logistic function, computed without overflow for large |a|; keeps the dtype of a."""
    a = np.asarray(a)
    e = np.exp(-np.abs(a))                                   # in (0, 1]: never overflows
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def lstm_step_forward(x, h_prev, c_prev, W_x, W_h, b):
    """One LSTM step for a batch.

    x: (N, D), h_prev: (N, H), c_prev: (N, H), W_x: (D, 4H), W_h: (H, 4H), b: (4H,)
    -> h: (N, H), c: (N, H), cache = (x, h_prev, c_prev, i, f, g, o, c, W_x, W_h),
    the arrays a backward pass needs (the gates are the activations, each (N, H)).
    """
    H = h_prev.shape[1]
    a = x @ W_x + h_prev @ W_h + b                          # (N, 4H): one fused affine map
    i = sigmoid(a[:, :H])                                   # (N, H) input gate
    f = sigmoid(a[:, H:2 * H])                              # (N, H) forget gate
    g = np.tanh(a[:, 2 * H:3 * H])                          # (N, H) candidate
    o = sigmoid(a[:, 3 * H:])                               # (N, H) output gate
    c = f * c_prev + i * g                                  # (N, H) the cell: an additive update
    h = o * np.tanh(c)                                      # (N, H)
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, W_x, W_h)


def lstm_forward(X, h0, c0, W_x, W_h, b):
    """All the hidden states of a batch of sequences, and the last cell state.

    X: (N, T, D), h0: (N, H), c0: (N, H) -> H: (N, T, H) with H[:, t] = h_{t+1}, c_T: (N, H)
    """
    N, T, _ = X.shape
    states = np.empty((N, T, h0.shape[1]), dtype=np.result_type(X, h0, W_x))  # (N, T, H)
    h, c = h0, c0
    for t in range(T):
        h, c, _ = lstm_step_forward(X[:, t], h, c, W_x, W_h, b)  # both states carried
        states[:, t] = h
    return states, c


def lstm_to_torch(W_x, W_h, b):
    """A batch-first torch.nn.LSTM that computes lstm_forward with these numpy weights.

    W_x: (D, 4H), W_h: (H, 4H), b: (4H,), one float dtype. The module's parameters have that dtype:
    weight_ih_l0 = W_x^T, weight_hh_l0 = W_h^T, bias_ih_l0 = b and bias_hh_l0 = 0 (the two add).
    """
    import torch

    D, four_H = W_x.shape
    lstm = torch.nn.LSTM(D, four_H // 4, batch_first=True, dtype=torch.from_numpy(np.asarray(W_x)).dtype)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_x.T)))  # (4H, D)
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_h.T)))  # (4H, H)
        lstm.bias_ih_l0.copy_(torch.from_numpy(np.asarray(b)))                  # (4H,)
        lstm.bias_hh_l0.zero_()
    return lstm
