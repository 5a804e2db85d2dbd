"""Synthetic time series for chapter 01 (autoregressive models), and what theory says about them.

Every generator takes a `seed` and draws from `np.random.default_rng(seed)`, so a series is the
same on every machine. A series is a 1-D float64 array of shape (T,), oldest value first.

- `sine_mixture`: a sum of sines plus Gaussian noise, predictable far ahead except for the noise;
- `trend_series`: a straight line plus a seasonal sine plus noise, which is not stationary;
- `ar_process`: a simulated autoregressive process with known coefficients,
  x_t = c + a_1 x_{t-1} + ... + a_p x_{t-p} + eps_t with eps_t ~ N(0, sigma^2), so that a fitted
  model can be checked against the truth.

Coefficients follow the textbook convention {Box et al. 2015, Hamilton 1994}: `coefficients[0]`
is a_1, the weight of the most recent value x_{t-1}. A window stored oldest first,
[x_{t-p}, ..., x_{t-1}], therefore meets these coefficients in reverse order: its weights are
`coefficients[::-1]`.

`psi_weights`, `process_mean`, `process_variance` and `forecast_mse` give the closed forms for a
stationary AR(p) process: the weights of its moving-average form x_t = mu + sum_j psi_j eps_{t-j},
and from them the variance and the mean squared error of the optimal k-step forecast,
sigma^2 (psi_0^2 + ... + psi_{k-1}^2) {Hamilton 1994, ch. 4}.
"""
import numpy as np


def sine_mixture(T: int = 600, periods=(25.0, 9.0), amplitudes=(1.0, 0.5), noise: float = 0.2,
                 seed: int = 0) -> np.ndarray:
    """sum_i amplitudes[i] * sin(2 pi t / periods[i] + phase_i) + N(0, noise^2), t = 0..T-1 -> (T,).

    The phases are drawn from the seeded generator, uniform on [0, 2 pi), before the noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(T, dtype=np.float64)                                   # (T,)
    phases = rng.uniform(0.0, 2 * np.pi, size=len(periods))              # (K,)
    waves = np.asarray(amplitudes, dtype=np.float64)[:, None] * np.sin(
        2 * np.pi * t[None, :] / np.asarray(periods, dtype=np.float64)[:, None] + phases[:, None])  # (K, T)
    return waves.sum(axis=0) + noise * rng.normal(size=T)               # (T,)


def trend_series(T: int = 300, slope: float = 0.02, intercept: float = 0.0, period: float = 20.0,
                 amplitude: float = 1.0, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    """intercept + slope * t + amplitude * sin(2 pi t / period) + N(0, noise^2), t = 0..T-1 -> (T,).

    Its mean grows with t, so it is not stationary: a model fitted on early values sees levels
    that never occur later."""
    rng = np.random.default_rng(seed)
    t = np.arange(T, dtype=np.float64)                                   # (T,)
    return intercept + slope * t + amplitude * np.sin(2 * np.pi * t / period) + noise * rng.normal(size=T)


def ar_process(coefficients, T: int, bias: float = 0.0, noise: float = 1.0, burn_in: int = 500,
               seed: int = 0) -> np.ndarray:
    """Simulate x_t = bias + sum_{i=1}^p coefficients[i-1] x_{t-i} + eps_t, eps_t ~ N(0, noise^2) -> (T,).

    The recursion starts from zeros and runs `burn_in` extra steps that are thrown away, so that
    the returned values are (very nearly) draws from the stationary process when it is stable."""
    a = np.asarray(coefficients, dtype=np.float64)                       # (p,), a[0] = a_1
    p = len(a)
    rng = np.random.default_rng(seed)
    shocks = noise * rng.normal(size=burn_in + T)                        # (burn_in + T,)
    x = np.zeros(p + burn_in + T)                                        # p zeros to start from
    for t in range(p, len(x)):
        x[t] = bias + a @ x[t - p:t][::-1] + shocks[t - p]               # x[t-1] meets a_1
    return x[p + burn_in:]                                               # (T,)


def is_stationary(coefficients) -> bool:
    """True if every root of 1 - a_1 z - ... - a_p z^p lies outside the unit circle, i.e. every
    eigenvalue of the companion matrix has modulus below 1."""
    return bool(np.all(np.abs(companion_eigenvalues(coefficients)) < 1.0))


def companion_eigenvalues(coefficients) -> np.ndarray:
    """Eigenvalues of the AR(p) companion matrix, shape (p,): the inverse roots of the AR polynomial."""
    a = np.asarray(coefficients, dtype=np.float64)
    p = len(a)
    companion = np.zeros((p, p))
    companion[0] = a                  # new x_t from (x_{t-1}, ..., x_{t-p})
    companion[1:, :-1] = np.eye(p - 1)  # and shift the rest down
    return np.linalg.eigvals(companion)


def psi_weights(coefficients, k: int) -> np.ndarray:
    """psi_0, ..., psi_{k-1} of the moving-average form -> (k,).

    psi_0 = 1 and psi_j = sum_{i=1}^{min(j, p)} a_i psi_{j-i}: the effect of a shock on the value j steps later."""
    a = np.asarray(coefficients, dtype=np.float64)
    psi = np.zeros(k)
    psi[0] = 1.0
    for j in range(1, k):
        m = min(j, len(a))
        psi[j] = a[:m] @ psi[j - m:j][::-1]
    return psi


def process_mean(coefficients, bias: float = 0.0) -> float:
    """The mean of a stationary AR(p) process, bias / (1 - a_1 - ... - a_p)."""
    return float(bias / (1.0 - np.sum(coefficients)))


def process_variance(coefficients, noise: float = 1.0, terms: int = 10_000) -> float:
    """The variance of a stationary AR(p) process, noise^2 * sum_j psi_j^2 (the sum truncated)."""
    return float(noise ** 2 * np.sum(psi_weights(coefficients, terms) ** 2))


def forecast_mse(coefficients, noise: float, horizons) -> np.ndarray:
    """Mean squared error of the optimal k-step forecast (true coefficients) for each k in `horizons`.

    MSE(k) = noise^2 * (psi_0^2 + ... + psi_{k-1}^2): it grows with k and tends to the process variance."""
    horizons = np.asarray(horizons, dtype=int)
    cumulative = np.cumsum(psi_weights(coefficients, int(horizons.max())) ** 2)  # (max k,)
    return noise ** 2 * cumulative[horizons - 1]
