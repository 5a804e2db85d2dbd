"""Chapter 03's reference implementation (the solution notebook) against independent oracles:
torch.nn.RNN with weights mapped here, torch's cross-entropy, closed forms worked out by hand,
and the frequencies of many draws for sampling."""
import numpy as np
import pytest
import torch

from grader.reference import load_reference

ref = load_reference("03_rnn")
SHAPES = [(1, 1, 1, 1), (3, 7, 2, 5), (4, 2, 6, 3), (2, 9, 5, 4)]


def torch_oracle(W_xh, W_hh, b_h):
    """torch.nn.RNN with our weights: PyTorch stores them transposed and adds two biases."""
    D, H = W_xh.shape
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.from_numpy(W_xh).dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_xh.T)))
        rnn.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(W_hh.T)))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b_h / 2))
        rnn.bias_hh_l0.copy_(torch.from_numpy(b_h / 2))
    return rnn


def random_problem(N, T, D, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in [(N, T, D), (N, H), (D, H), (H, H), (H,)]]
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_rnn_forward_matches_torch(N, T, D, H, dtype, tolerance):
    X, h0, W_xh, W_hh, b_h = random_problem(N, T, D, H, dtype)
    states = ref.rnn_forward(X, h0, W_xh, W_hh, b_h)
    with torch.no_grad():
        expected, h_last = torch_oracle(W_xh, W_hh, b_h)(torch.from_numpy(X), torch.from_numpy(h0)[None])
    assert states.shape == (N, T, H) and states.dtype == dtype
    np.testing.assert_allclose(states, expected.numpy(), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(states[:, -1], h_last[0].numpy(), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_rnn_step_forward_is_one_step_of_torch(N, T, D, H):
    X, h0, W_xh, W_hh, b_h = random_problem(N, T, D, H, np.float64, seed=1)
    with torch.no_grad():
        expected = torch_oracle(W_xh, W_hh, b_h)(torch.from_numpy(X[:, :1]), torch.from_numpy(h0)[None])[0]
    np.testing.assert_allclose(ref.rnn_step_forward(X[:, 0], h0, W_xh, W_hh, b_h), expected[:, 0].numpy(), atol=1e-12)


def test_rnn_step_forward_by_hand():
    # x W_xh = [0, -1], h_prev W_hh = [1, -1], b_h = [0, 1]: pre-activation [1, -1].
    h = ref.rnn_step_forward(np.array([[1.0, 0.0, -1.0]]), np.array([[0.5, -0.5]]),
                             np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), 2 * np.eye(2), np.array([0.0, 1.0]))
    np.testing.assert_allclose(h, [[np.tanh(1.0), np.tanh(-1.0)]], atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_rnn_to_torch_computes_the_oracle(N, T, D, H, dtype):
    X, h0, W_xh, W_hh, b_h = random_problem(N, T, D, H, dtype, seed=2)
    module = ref.rnn_to_torch(W_xh, W_hh, b_h)
    assert module.batch_first and module.weight_ih_l0.dtype == torch.from_numpy(X).dtype
    with torch.no_grad():
        got = module(torch.from_numpy(X), torch.from_numpy(h0)[None])[0].numpy()
        expected = torch_oracle(W_xh, W_hh, b_h)(torch.from_numpy(X), torch.from_numpy(h0)[None])[0].numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("N, T, V", [(1, 1, 2), (3, 4, 7), (2, 50, 57)])
@pytest.mark.parametrize("offset, scale", [(0.0, 1.0), (1000.0, 1.0), (0.0, 800.0)])
def test_cross_entropy_matches_torch(N, T, V, offset, scale):
    rng = np.random.default_rng(3)
    logits, targets = offset + scale * rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(logits).reshape(-1, V),
                                                 torch.from_numpy(targets).reshape(-1)).item()
    loss = ref.sequence_cross_entropy(logits, targets)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_cross_entropy_by_hand():
    assert ref.sequence_cross_entropy(np.zeros((2, 3, 5)), np.zeros((2, 3), dtype=int)) == pytest.approx(np.log(5))
    # probabilities [1/4, 3/4], target 1: -log(3/4)
    assert ref.sequence_cross_entropy(np.array([[[0.0, np.log(3.0)]]]), np.array([[1]])) == pytest.approx(np.log(4 / 3))


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sampling_frequencies_follow_tempered_softmax(temperature):
    logits = np.array([0.5, -1.0, 2.0, 1.0, 0.0])
    expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()  # closed form
    rng = np.random.default_rng(4)
    n = 20000
    draws = np.array([ref.sample_with_temperature(logits, temperature, rng) for _ in range(n)])
    frequencies = np.bincount(draws, minlength=5) / n
    assert np.all(np.abs(frequencies - expected) < 5 * np.sqrt(expected * (1 - expected) / n))


def test_sampling_is_greedy_at_tiny_temperature_and_reproducible():
    logits = np.array([1.0, 3.0, 2.0, -1.0])
    assert {ref.sample_with_temperature(logits, 1e-4, np.random.default_rng(s)) for s in range(20)} == {1}
    first = [ref.sample_with_temperature(logits, 1.0, np.random.default_rng(9)) for _ in range(3)]
    assert first == [ref.sample_with_temperature(logits, 1.0, np.random.default_rng(9)) for _ in range(3)]
    assert isinstance(first[0], int)


def torch_masked_cross_entropy(logits, targets, mask):
    """torch's cross-entropy with the positions outside the mask marked with its ignore_index."""
    V = logits.shape[-1]
    ignored = torch.from_numpy(np.where(mask, targets, -100)).reshape(-1)
    return torch.nn.functional.cross_entropy(torch.from_numpy(logits).double().reshape(-1, V), ignored,
                                             ignore_index=-100).item()


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("N, T, V", [(1, 1, 2), (3, 4, 7), (2, 50, 57), (5, 3, 4)])
@pytest.mark.parametrize("pattern", ["padding", "gaps"])
@pytest.mark.parametrize("scale", [1.0, 800.0])
def test_masked_cross_entropy_matches_torch_ignore_index(N, T, V, pattern, scale, dtype, tolerance):
    rng = np.random.default_rng(5)
    logits = (scale * rng.normal(size=(N, T, V))).astype(dtype)
    targets = rng.integers(0, V, size=(N, T))
    if pattern == "padding":
        mask = np.arange(T)[None, :] < rng.integers(1, T + 1, size=(N, 1))
    else:
        mask = rng.random((N, T)) < 0.5
        mask[0, 0] = True
    loss = ref.sequence_cross_entropy(logits, targets, mask)
    assert isinstance(loss, float)
    expected = torch_masked_cross_entropy(logits, targets, mask)
    assert loss == pytest.approx(expected, rel=tolerance, abs=tolerance + 1e-6 * float(np.abs(logits).max()))


def test_masked_cross_entropy_by_hand():
    # Two sequences padded to T = 3: three real positions of cost log 2 and one of cost log(4/3);
    # the padded positions (about 10 nats each) must not count.
    logits = np.array([[[0.0, 0.0]] * 3, [[0.0, np.log(3.0)], [0.0, 10.0], [0.0, 10.0]]])
    targets = np.array([[0, 1, 0], [1, 0, 0]])
    mask = np.array([[True, True, True], [True, False, False]])
    expected = (3 * np.log(2) + np.log(4 / 3)) / 4
    assert ref.sequence_cross_entropy(logits, targets, mask) == pytest.approx(expected, rel=1e-12)


def test_a_mask_that_is_true_everywhere_changes_nothing_and_inputs_stay_unchanged():
    rng = np.random.default_rng(6)
    logits, targets = rng.normal(size=(3, 5, 4)), rng.integers(0, 4, size=(3, 5))
    mask = np.ones((3, 5), dtype=bool)
    copies = logits.copy(), targets.copy(), mask.copy()
    assert ref.sequence_cross_entropy(logits, targets, mask) == pytest.approx(
        ref.sequence_cross_entropy(logits, targets), rel=1e-14)
    for array, copy in zip((logits, targets, mask), copies):
        np.testing.assert_array_equal(array, copy)
