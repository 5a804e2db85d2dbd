"""The GRU forward pass in numpy, and our weights in torch.nn.GRU, for the chapters after 08.

The gated recurrent unit {Cho et al. 2014; Chung et al. 2014} in PyTorch's (and cuDNN's)
convention, written with the course's row vectors, batch first. Two fused affine maps, one of the
input and one of the previous state, compute the pre-activations of all three parts at once; their
column blocks are, in PyTorch's order, r (reset gate), z (update gate) and n (candidate):

    [ax_r ax_z ax_n] = x_t W_x + b_x                          (N, 3H)
    [ah_r ah_z ah_n] = h_{t-1} W_h + b_h                      (N, 3H)
    r = sigmoid(ax_r + ah_r), z = sigmoid(ax_z + ah_z)
    n = tanh(ax_n + r * ah_n)           the reset gate acts AFTER the product h_{t-1} W_hn + b_hn
    h_t = (1 - z) * n + z * h_{t-1}     z close to 1 keeps the old state

with W_x of shape (D, 3H), W_h (H, 3H), and two biases b_x, b_h of shape (3H,) kept apart,
because b_hn sits inside the product with r. torch.nn.GRU stores the transposes:
weight_ih_l0 = W_x^T (3H, D), weight_hh_l0 = W_h^T (3H, H), bias_ih_l0 = b_x, bias_hh_l0 = b_h.
The later (EMNLP) version of Cho et al.'s paper resets BEFORE the product,
n = tanh(x W_xn + (r * h_{t-1}) W_hn), a different function of the same parameters.

The three public functions are taught in chapter 08 (`08_gru`), whose exercises ask learners to
write them; later chapters import them from here.
"""
import numpy as np

from seqcourse.lstm import sigmoid

TAUGHT_IN = "08_gru"  # withheld while chapter 08 is graded: it asks for exactly these functions
GATES = ("r", "z", "n")  # the order of the three column blocks of W_x, W_h, b_x and b_h


def gru_step_forward(x, h_prev, W_x, W_h, b_x, b_h):
    """One GRU step for a batch, PyTorch's convention.

    x: (N, D), h_prev: (N, H), W_x: (D, 3H), W_h: (H, 3H), b_x: (3H,), b_h: (3H,) -> h: (N, H)
    """
    H = h_prev.shape[1]
    a_x = x @ W_x + b_x                                     # (N, 3H): the input's part of r, z, n
    a_h = h_prev @ W_h + b_h                                # (N, 3H): the state's part, b_hn included
    r = sigmoid(a_x[:, :H] + a_h[:, :H])                    # (N, H) reset gate
    z = sigmoid(a_x[:, H:2 * H] + a_h[:, H:2 * H])          # (N, H) update gate
    n = np.tanh(a_x[:, 2 * H:] + r * a_h[:, 2 * H:])        # (N, H) candidate, reset after the product
    return n + z * (h_prev - n)                             # (N, H): (1 - z) n + z h_prev


def gru_forward(X, h0, W_x, W_h, b_x, b_h):
    """All the hidden states of a batch of sequences.

    X: (N, T, D), h0: (N, H) -> H: (N, T, H) with H[:, t] = h_{t+1}, the state after reading X[:, t]
    """
    h, states = h0, []
    for x_t in np.moveaxis(X, 1, 0):  # the T steps, each (N, D)
        h = gru_step_forward(x_t, h, W_x, W_h, b_x, b_h)  # (N, H)
        states.append(h)
    return np.stack(states, axis=1)  # (N, T, H)


def gru_to_torch(W_x, W_h, b_x, b_h):
    """A batch-first torch.nn.GRU that computes gru_forward with these numpy weights.

    W_x: (D, 3H), W_h: (H, 3H), b_x: (3H,), b_h: (3H,), one float dtype, which the module's
    parameters get. The gate order r, z, n is PyTorch's, so the blocks need no reordering.
    """
    import torch

    D, three_H = W_x.shape
    gru = torch.nn.GRU(D, three_H // 3, batch_first=True, dtype=torch.from_numpy(np.asarray(W_x)).dtype)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_x.T)))  # (3H, D)
        gru.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_h.T)))  # (3H, H)
        gru.bias_ih_l0.copy_(torch.from_numpy(np.asarray(b_x)))                # (3H,)
        gru.bias_hh_l0.copy_(torch.from_numpy(np.asarray(b_h)))                # (3H,): not summable into b_x
    return gru
