"""seqcourse.mulaw (taught in chapter 09): the closed forms of van den Oord et al. (2016),
section 2.2, with ties rounding up, and decoding to the class centres."""
import numpy as np
import pytest

from seqcourse.mulaw import mu_law_decode, mu_law_encode


@pytest.mark.parametrize("mu", [255, 15])
def test_mu_law_matches_the_closed_forms(mu):
    x = np.concatenate([[-1.0, 0.0, 1.0], np.random.default_rng(8).uniform(-1, 1, size=2000)])
    f = np.sign(x) * np.log(1 + mu * np.abs(x)) / np.log(1 + mu)
    q = mu_law_encode(x, mu)
    assert q.dtype == np.int64
    np.testing.assert_array_equal(q, np.floor((f + 1) / 2 * mu + 0.5))
    centre = 2 * q / mu - 1
    np.testing.assert_allclose(mu_law_decode(q, mu), np.sign(centre) * ((1 + mu) ** np.abs(centre) - 1) / mu,
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(mu_law_encode(mu_law_decode(np.arange(mu + 1), mu), mu), np.arange(mu + 1))


def test_mu_law_by_hand():
    np.testing.assert_array_equal(mu_law_encode([-1.0, -0.25, 0.0, 0.5, 1.0]), [0, 32, 128, 239, 255])
    np.testing.assert_array_equal(mu_law_encode([-1.0, -0.25, 0.0, 0.5, 1.0], 15), [0, 3, 8, 13, 15])
    small = (256 ** (1 / 255) - 1) / 255
    np.testing.assert_allclose(mu_law_decode([0, 255, 128, 127]), [-1, 1, small, -small], rtol=1e-12)
    assert mu_law_encode(np.zeros((2, 3), dtype=np.float32)).shape == (2, 3)
