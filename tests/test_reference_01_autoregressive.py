"""Chapter 01's reference implementation (the solution notebook) against independent oracles:
numpy's sliding_window_view, np.polyfit, normal equations solved by hand, exact recursions that a
noise-free sine obeys, the companion-matrix closed form of a forecast, and explicit loops."""
import numpy as np
import pytest

from grader.reference import load_reference
from seqcourse.series import ar_process, sine_mixture

ref = load_reference("01_autoregressive")
sliding = np.lib.stride_tricks.sliding_window_view


# ---------------------------------------------------------------------------- make_windows

def test_make_windows_by_hand():
    # T = 5, p = 2: windows [1, 2] -> 3, [2, 3] -> 4, [3, 4] -> 5 (oldest first).
    features, targets = ref.make_windows(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2)
    np.testing.assert_array_equal(features, [[1, 2], [2, 3], [3, 4]])
    np.testing.assert_array_equal(targets, [3, 4, 5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("T, p", [(2, 1), (10, 9), (50, 7), (13, 1)])
def test_make_windows_matches_sliding_window_view(T, p, dtype):
    series = np.random.default_rng(T * p).normal(size=T).astype(dtype)
    features, targets = ref.make_windows(series, p)
    windows = sliding(series, p + 1)  # (T - p, p + 1): p values, then the one after them
    assert features.shape == (T - p, p) and targets.shape == (T - p,)
    assert features.dtype == dtype and targets.dtype == dtype
    np.testing.assert_array_equal(features, windows[:, :p])
    np.testing.assert_array_equal(targets, windows[:, p])


def test_make_windows_does_not_alias_the_series():
    series = np.arange(6.0)
    features, targets = ref.make_windows(series, 2)
    features[0, 0], targets[0] = 100.0, 100.0
    np.testing.assert_array_equal(series, np.arange(6.0))


# ---------------------------------------------------------------------------- fit_ar

def test_fit_ar_by_hand():
    # A = [x, 1] with x = [0, 1, 2, 3], y = [2, 3, 3, 6]: A^T A = [[14, 6], [6, 4]], A^T y = [27, 14],
    # det 20, so w = (4 * 27 - 6 * 14) / 20 = 1.2 and b = (14 * 14 - 6 * 27) / 20 = 1.7.
    weights, bias = ref.fit_ar(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([2.0, 3.0, 3.0, 6.0]))
    np.testing.assert_allclose(weights, [1.2], atol=1e-12)
    assert bias == pytest.approx(1.7, abs=1e-12)
    assert isinstance(bias, float)


def test_fit_ar_one_lag_matches_polyfit():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=30), rng.normal(size=30)
    slope, intercept = np.polyfit(x, y, 1)
    weights, bias = ref.fit_ar(x[:, None], y)
    assert weights[0] == pytest.approx(slope, rel=1e-10) and bias == pytest.approx(intercept, rel=1e-10)


@pytest.mark.parametrize("M, p", [(4, 3), (20, 5), (200, 2)])
def test_fit_ar_is_exact_on_noise_free_data(M, p):
    rng = np.random.default_rng(M)
    features, true_weights = rng.normal(size=(M, p)), rng.normal(size=p)
    weights, bias = ref.fit_ar(features, features @ true_weights - 0.7)
    np.testing.assert_allclose(weights, true_weights, atol=1e-10)
    assert bias == pytest.approx(-0.7, abs=1e-10)


@pytest.mark.parametrize("M, p", [(10, 1), (40, 3), (100, 8)])
def test_fit_ar_satisfies_the_normal_equations(M, p):
    # The least-squares optimum: residuals orthogonal to every column of [features, 1].
    rng = np.random.default_rng(M + p)
    features = rng.normal(loc=2.0, size=(M, p))
    targets = rng.normal(size=M) + features.sum(axis=1)
    weights, bias = ref.fit_ar(features, targets)
    residuals = targets - features @ weights - bias
    np.testing.assert_allclose(features.T @ residuals, 0.0, atol=1e-9)
    assert residuals.sum() == pytest.approx(0.0, abs=1e-9)
    # and any perturbation of the parameters makes the squared error larger
    for delta in np.eye(p + 1) * 1e-3:
        worse = targets - features @ (weights + delta[:p]) - (bias + delta[p])
        assert (worse ** 2).sum() > (residuals ** 2).sum()


def test_fit_ar_recovers_known_ar2_coefficients():
    # x_t = 0.5 + 1.5 x_{t-1} - 0.75 x_{t-2} + eps: the window (x_{t-2}, x_{t-1}) has weights (-0.75, 1.5).
    x = ar_process([1.5, -0.75], T=20000, bias=0.5, seed=11)
    windows = sliding(x, 3)
    weights, bias = ref.fit_ar(windows[:, :2], windows[:, 2])
    np.testing.assert_allclose(weights, [-0.75, 1.5], atol=0.02)
    assert bias == pytest.approx(0.5, abs=0.06)


# ---------------------------------------------------------------------------- forecast

def test_forecast_by_hand():
    # weights (0.5, 1.0), bias -1, last two values (2, 4): 0.5*2 + 4 - 1 = 4, then 0.5*4 + 4 - 1 = 5,
    # then 0.5*4 + 5 - 1 = 6. The older value 9 does not matter.
    np.testing.assert_allclose(ref.forecast(np.array([9.0, 2.0, 4.0]), np.array([0.5, 1.0]), -1.0, 3), [4, 5, 6])


@pytest.mark.parametrize("period", [7.0, 25.0, 40.0])
def test_forecast_continues_a_noise_free_sine_exactly(period):
    # Any sine with period P obeys x_t = 2 cos(2 pi / P) x_{t-1} - x_{t-2}: with these weights and no
    # bias the recursive forecast must reproduce the continuation of the sine.
    t = np.arange(300)
    x = 1.3 * np.sin(2 * np.pi * t / period + 0.4)
    weights = np.array([-1.0, 2 * np.cos(2 * np.pi / period)])  # (x_{t-2}, x_{t-1})
    np.testing.assert_allclose(ref.forecast(x[:100], weights, 0.0, 200), x[100:], atol=1e-9)


@pytest.mark.parametrize("p, k, L", [(1, 10, 1), (3, 1, 8), (4, 15, 4), (6, 9, 30)])
def test_forecast_matches_the_companion_matrix(p, k, L):
    # The state (x_{t-p+1}, ..., x_t, 1) moves by s -> s C; the forecast j steps ahead is the newest slot of s C^j.
    rng = np.random.default_rng(p * 100 + k)
    history, weights, bias = rng.normal(size=L), rng.uniform(-0.5, 0.5, size=p) / p, float(rng.normal())
    C = np.zeros((p + 1, p + 1))
    C[1:p, 0:p - 1] = np.eye(p - 1)
    C[:p, p - 1], C[p, p - 1], C[p, p] = weights, bias, 1.0
    state = np.append(history[-p:], 1.0)
    expected = [(state @ np.linalg.matrix_power(C, j))[p - 1] for j in range(1, k + 1)]
    original = history.copy()
    np.testing.assert_allclose(ref.forecast(history, weights, bias, k), expected, atol=1e-12)
    np.testing.assert_array_equal(history, original)


def test_forecast_converges_to_the_implied_mean():
    # A stable AR(2) forecast settles at b / (1 - sum w).
    weights, bias = np.array([-0.75, 1.5]), 2.5
    predictions = ref.forecast(np.array([0.0, 30.0]), weights, bias, 400)
    assert predictions[-1] == pytest.approx(bias / (1 - weights.sum()), abs=1e-8)


# ---------------------------------------------------------------------------- choose_order

def test_choose_order_by_hand():
    # Alternating training values fit x_t = 1 - x_{t-1} exactly. With the context 1, the validation
    # values (0, 1, 1) are predicted as (0, 1, 0): one error of 1 among 3 targets.
    best, val_mse = ref.choose_order(np.array([0.0, 1.0] * 4), np.array([0.0, 1.0, 1.0]), [1])
    assert best == 1 and isinstance(best, int)
    np.testing.assert_allclose(val_mse, [1 / 3], atol=1e-12)


def explicit_loop_errors(train, val, orders):
    """Validation errors with every target predicted by an explicit loop over time."""
    series = np.concatenate([train, val])
    errors = []
    for p in orders:
        rows = [series[t - p:t] for t in range(p, len(train))]
        design = np.column_stack([np.array(rows), np.ones(len(rows))])
        theta = np.linalg.lstsq(design, train[p:], rcond=None)[0]
        squared = [(series[t - p:t] @ theta[:p] + theta[p] - series[t]) ** 2 for t in range(len(train), len(series))]
        errors.append(sum(squared) / len(val))  # every order: the same len(val) targets
    return np.array(errors)


@pytest.mark.parametrize("orders", [[1, 2, 3, 4, 6], [9, 3, 1, 5]])
def test_choose_order_matches_explicit_loops(orders):
    x = ar_process([0.6, -0.4, 0.2], T=300, bias=1.0, seed=12)
    train, val = x[:150], x[150:]
    best, val_mse = ref.choose_order(train, val, orders)
    expected = explicit_loop_errors(train, val, orders)
    np.testing.assert_allclose(val_mse, expected, rtol=1e-10)
    assert best == orders[int(np.argmin(expected))] and isinstance(best, int)


def test_choose_order_prefers_enough_lags_on_an_ar2_process():
    # On a long AR(2) series one lag is clearly too few; order 2 does much better than 1.
    x = ar_process([1.5, -0.75], T=4000, bias=0.0, seed=13)
    best, val_mse = ref.choose_order(x[:3000], x[3000:], [1, 2, 3, 4])
    assert val_mse[0] > 1.5 * val_mse[1]
    assert best in (2, 3, 4)
    assert val_mse[1] == pytest.approx(1.0, abs=0.1)  # the noise variance: nothing more to predict


def test_choose_order_does_not_pick_by_training_error():
    # The training error keeps falling with the order; the validation choice on the noisy sines does not
    # take the largest order offered.
    x = sine_mixture(T=600, noise=0.2, seed=1)
    best, val_mse = ref.choose_order(x[:200], x[200:400], list(range(1, 41)))
    assert best < 40 and val_mse[best - 1] == val_mse.min()
