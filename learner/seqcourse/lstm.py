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

TAUGHT_IN = "06_lstm"  # withheld while chapter 06 is graded: it asks for exactly these functions
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
    blocks = np.split(x @ W_x + h_prev @ W_h + b, 4, axis=1)  # one fused map, then i, f, g, o
    input_gate, forget_gate, output_gate = (sigmoid(blocks[k]) for k in (0, 1, 3))
    candidate = np.tanh(blocks[2])                            # (N, H), in (-1, 1)
    cell = forget_gate * c_prev + input_gate * candidate      # (N, H): an additive update
    hidden = output_gate * np.tanh(cell)                      # (N, H)
    cache = (x, h_prev, c_prev, input_gate, forget_gate, candidate, output_gate, cell, W_x, W_h)
    return hidden, cell, cache


def lstm_forward(X, h0, c0, W_x, W_h, b):
    """All the hidden states of a batch of sequences, and the last cell state.

    X: (N, T, D), h0: (N, H), c0: (N, H) -> H: (N, T, H) with H[:, t] = h_{t+1}, c_T: (N, H)
    """
    h, c, hidden_states = h0, c0, []
    for x_t in np.moveaxis(X, 1, 0):                         # the T steps, each (N, D)
        h, c, _ = lstm_step_forward(x_t, h, c, W_x, W_h, b)  # both states are carried
        hidden_states.append(h)
    return np.stack(hidden_states, axis=1), c                # (N, T, H), (N, H)


def lstm_to_torch(W_x, W_h, b):
    """A batch-first torch.nn.LSTM that computes lstm_forward with these numpy weights.

    W_x: (D, 4H), W_h: (H, 4H), b: (4H,), one float dtype. The module's parameters have that dtype:
    weight_ih_l0 = W_x^T, weight_hh_l0 = W_h^T, bias_ih_l0 = b and bias_hh_l0 = 0 (the two add).
    """
    import torch

    W_x, W_h, b = (np.asarray(array) for array in (W_x, W_h, b))
    module = torch.nn.LSTM(input_size=W_x.shape[0], hidden_size=W_h.shape[0], batch_first=True,
                           dtype=torch.from_numpy(W_x).dtype)
    values = {"weight_ih_l0": W_x.T, "weight_hh_l0": W_h.T, "bias_ih_l0": b, "bias_hh_l0": np.zeros_like(b)}
    with torch.no_grad():
        for name, value in values.items():  # PyTorch stores our matrices transposed
            getattr(module, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return module
