"""seqcourse.rnn, the forward pass later chapters import, against torch.nn.RNN with mapped weights."""
import numpy as np
import pytest
import torch

from seqcourse.rnn import rnn_forward, rnn_step_forward


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", [(1, 1, 1, 1), (3, 7, 2, 5), (2, 4, 6, 3)])
def test_rnn_forward_matches_torch(N, T, D, H, dtype, tolerance):
    rng = np.random.default_rng(N * 100 + T)
    X, h0, W_xh, W_hh, b_h = (rng.normal(size=s).astype(dtype) for s in [(N, T, D), (N, H), (D, H), (H, H), (H,)])
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.from_numpy(X).dtype)
    with torch.no_grad():  # PyTorch stores the weights transposed and has two biases
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_xh.T.copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh.T.copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_h))
        rnn.bias_hh_l0.zero_()
        expected, _ = rnn(torch.from_numpy(X), torch.from_numpy(h0)[None])
    states = rnn_forward(X, h0, W_xh, W_hh, b_h)
    assert states.shape == (N, T, H) and states.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(rnn_step_forward(X[:, 0], h0, W_xh, W_hh, b_h), states[:, 0], rtol=0, atol=0)
