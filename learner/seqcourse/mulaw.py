"""mu-law companding: a waveform in [-1, 1] as integer classes 0..mu, and back.

WaveNet predicts the next audio sample with a softmax over 256 classes {van den Oord et al. 2016,
section 2.2}. The classes come from the companding curve

    f(x) = sign(x) ln(1 + mu |x|) / ln(1 + mu),   mu = 255,

whose range [-1, 1] is cut into mu + 1 equal classes, each value going to the nearest class
centre (ties go up, as torchaudio's `mu_law_encoding` does). Decoding returns the value of the
class centre. Chapter 09 asks learners to write both functions; later chapters use these.
"""
import numpy as np

TAUGHT_IN = "09_wavenet"  # withheld while chapter 09 is graded: it asks for exactly these functions


def mu_law_encode(x, mu: int = 255) -> np.ndarray:
    """Values in [-1, 1] (clipped) -> classes 0..mu, int64, the shape of x."""
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    magnitude = np.log(1.0 + mu * np.abs(x)) / np.log(1.0 + mu)    # f(|x|), in [0, 1]
    position = 0.5 * mu * (1.0 + np.copysign(magnitude, x))        # in [0, mu]
    return (position + 0.5).astype(np.int64)                       # truncation = floor here (>= 0)


def mu_law_decode(q, mu: int = 255) -> np.ndarray:
    """Classes 0..mu -> the values of their centres in [-1, 1], float64, the shape of q."""
    centre = np.asarray(q, dtype=np.float64) * (2.0 / mu) - 1.0    # f at the class centre
    return np.copysign(((1.0 + mu) ** np.abs(centre) - 1.0) / mu, centre)
