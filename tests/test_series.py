"""seqcourse.series: shapes, determinism, and the statistical property each generator promises,
checked against closed forms worked out independently of the generators."""
import numpy as np
import pytest

from seqcourse.series import (ar_process, companion_eigenvalues, forecast_mse, is_stationary, process_mean,
                              process_variance, psi_weights, sine_mixture, trend_series)

GENERATORS = [
    lambda seed: sine_mixture(T=300, seed=seed),
    lambda seed: trend_series(T=300, seed=seed),
    lambda seed: ar_process([0.5, -0.2], T=300, bias=1.0, seed=seed),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_shape_dtype_and_determinism(make):
    """Check that every generator returns a finite float64 (T,) array, the same for a seed and different for another."""
    series = make(0)
    assert series.shape == (300,) and series.dtype == np.float64 and np.all(np.isfinite(series))
    np.testing.assert_array_equal(series, make(0))
    assert not np.allclose(series, make(1))


def test_sine_mixture_is_sines_plus_noise_of_the_given_size():
    """Check that without noise the series is an exact sum of sines, and that the noise has the promised std."""
    clean = sine_mixture(T=2000, periods=(25.0,), amplitudes=(2.0,), noise=0.0, seed=3)
    # A single sine satisfies x_t = 2 cos(2 pi / 25) x_{t-1} - x_{t-2} exactly, whatever its phase.
    np.testing.assert_allclose(clean[2:], 2 * np.cos(2 * np.pi / 25) * clean[1:-1] - clean[:-2], atol=1e-10)
    assert np.max(np.abs(clean)) == pytest.approx(2.0, abs=0.02)
    noisy = sine_mixture(T=20000, periods=(25.0,), amplitudes=(2.0,), noise=0.3, seed=3)
    noise = noisy - sine_mixture(T=20000, periods=(25.0,), amplitudes=(2.0,), noise=0.0, seed=3)
    assert noise.std() == pytest.approx(0.3, rel=0.03)
    assert abs(noise.mean()) < 0.01


def test_trend_series_has_the_promised_slope():
    """Check that a least-squares line through the trend series has (nearly) the promised slope and intercept."""
    series = trend_series(T=1000, slope=0.05, intercept=2.0, period=20.0, seed=4)
    slope, intercept = np.polyfit(np.arange(1000), series, 1)
    assert slope == pytest.approx(0.05, abs=1e-3)
    assert intercept == pytest.approx(2.0, abs=0.1)


def test_ar_process_follows_its_recursion():
    """Check that the residuals x_t - c - a_1 x_{t-1} - a_2 x_{t-2} are white noise of the given std."""
    a1, a2, c, sigma = 0.6, -0.3, 1.0, 0.5
    x = ar_process([a1, a2], T=20000, bias=c, noise=sigma, seed=5)
    residuals = x[2:] - c - a1 * x[1:-1] - a2 * x[:-2]
    assert residuals.std() == pytest.approx(sigma, rel=0.02)
    assert abs(np.corrcoef(residuals[1:], residuals[:-1])[0, 1]) < 0.03


def test_ar1_moments_match_the_closed_forms():
    """Check the mean c / (1 - a), variance sigma^2 / (1 - a^2) and lag-1 autocorrelation a of an AR(1)."""
    a, c, sigma = 0.8, 0.4, 1.5
    x = ar_process([a], T=50000, bias=c, noise=sigma, seed=6)
    assert x.mean() == pytest.approx(c / (1 - a), abs=0.1)
    assert x.var() == pytest.approx(sigma ** 2 / (1 - a ** 2), rel=0.05)
    assert np.corrcoef(x[1:], x[:-1])[0, 1] == pytest.approx(a, abs=0.02)
    assert process_mean([a], c) == pytest.approx(c / (1 - a))
    assert process_variance([a], sigma) == pytest.approx(sigma ** 2 / (1 - a ** 2))


def test_ar2_moments_match_the_yule_walker_closed_forms():
    """Check the AR(2) lag-1 autocorrelation a_1 / (1 - a_2) and its variance from the Yule-Walker equations."""
    a1, a2 = 1.5, -0.75
    # Yule-Walker: rho_1 = a1 / (1 - a2); gamma_0 = sigma^2 / (1 - a1 rho_1 - a2 rho_2), rho_2 = a1 rho_1 + a2.
    rho1 = a1 / (1 - a2)
    rho2 = a1 * rho1 + a2
    gamma0 = 1.0 / (1 - a1 * rho1 - a2 * rho2)
    assert process_variance([a1, a2], 1.0) == pytest.approx(gamma0, rel=1e-9)
    x = ar_process([a1, a2], T=50000, bias=0.5, seed=7)
    assert np.corrcoef(x[1:], x[:-1])[0, 1] == pytest.approx(rho1, abs=0.01)
    assert x.var() == pytest.approx(gamma0, rel=0.08)
    assert x.mean() == pytest.approx(0.5 / (1 - a1 - a2), abs=0.1)


def test_stationarity_and_companion_eigenvalues():
    """Check stationarity against the AR(1) rule |a| < 1 and the AR(2) triangle, and the eigenvalue modulus sqrt(-a_2)."""
    assert is_stationary([0.9]) and not is_stationary([1.0]) and not is_stationary([-1.2])
    assert is_stationary([1.5, -0.75]) and not is_stationary([0.6, 0.5])  # a1 + a2 < 1 fails
    # Complex roots of z^2 - a1 z - a2: modulus sqrt(-a2).
    np.testing.assert_allclose(np.abs(companion_eigenvalues([1.5, -0.75])), np.sqrt(0.75), atol=1e-12)


def test_psi_weights_and_forecast_mse():
    """Check psi_j = a^j for an AR(1), the closed form of the k-step error, and its limit, the variance."""
    np.testing.assert_allclose(psi_weights([0.7], 6), 0.7 ** np.arange(6), atol=1e-15)
    # AR(2) by hand: psi_1 = a1 = 1.5, psi_2 = a1 psi_1 + a2 = 2.25 - 0.75 = 1.5, psi_3 = 1.5 * 1.5 - 0.75 * 1.5 = 1.125.
    np.testing.assert_allclose(psi_weights([1.5, -0.75], 4), [1.0, 1.5, 1.5, 1.125], atol=1e-15)
    k = np.arange(1, 8)
    np.testing.assert_allclose(forecast_mse([0.7], 2.0, k), 4.0 * (1 - 0.49 ** k) / (1 - 0.49), rtol=1e-12)
    assert forecast_mse([1.5, -0.75], 1.0, [200])[0] == pytest.approx(process_variance([1.5, -0.75]), rel=1e-6)


def test_forecast_mse_matches_a_simulation():
    """Check the 3-step error of the true AR(2) forecast against many simulated continuations of one state."""
    a1, a2, sigma = 1.5, -0.75, 1.0
    rng = np.random.default_rng(8)
    shocks = sigma * rng.normal(size=(20000, 3))
    x1, x0 = np.zeros(20000), np.zeros(20000)  # x_{T}, x_{T-1} = 0, so the forecast of every step is 0
    for j in range(3):
        x1, x0 = a1 * x1 + a2 * x0 + shocks[:, j], x1
    assert np.mean(x1 ** 2) == pytest.approx(forecast_mse([a1, a2], sigma, [3])[0], rel=0.03)
