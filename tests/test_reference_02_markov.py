"""Chapter 02's reference implementation (the solution notebook) against independent oracles:
pair counts from collections.Counter, closed forms worked out by hand, normalisation over every
sequence of a tiny chain, matrix powers and detailed balance for stationary distributions, dense
count tables for n-gram models, and the frequencies of many draws for sampling."""
import itertools
import math
from collections import Counter

import numpy as np
import pytest

from grader.reference import load_reference

ref = load_reference("02_markov")


def random_chain(V, rng, concentration=1.0):
    """A random row-stochastic (V, V) matrix with strictly positive entries."""
    return rng.dirichlet(np.full(V, concentration), size=V) * 0.98 + 0.02 / V


# --- exercise 1: transition_counts ------------------------------------------------------------

def test_transition_counts_by_hand():
    # 0 1 1 2 0 1: pairs (0,1) (1,1) (1,2) (2,0) (0,1); symbol 3 never occurs.
    expected = np.zeros((4, 4))
    expected[0, 1], expected[1, 1], expected[1, 2], expected[2, 0] = 2, 1, 1, 1
    np.testing.assert_array_equal(ref.transition_counts(np.array([0, 1, 1, 2, 0, 1]), 4), expected)


@pytest.mark.parametrize("V, T", [(1, 5), (3, 1), (3, 2), (7, 500), (60, 40)])
def test_transition_counts_match_counter(V, T):
    ids = np.random.default_rng(V * 1000 + T).integers(0, V, size=T)
    pairs = Counter(zip(ids[:-1].tolist(), ids[1:].tolist()))
    oracle = np.array([[pairs[i, j] for j in range(V)] for i in range(V)])
    counts = ref.transition_counts(ids, V)
    assert counts.shape == (V, V)
    np.testing.assert_array_equal(counts, oracle)
    assert counts.sum() == max(T - 1, 0)


# --- exercise 2: transition_matrix ------------------------------------------------------------

def test_transition_matrix_by_hand():
    counts = np.array([[0, 2, 0], [0, 1, 1], [1, 0, 0]])
    # alpha = 1: (C + 1) / (n + 3) with n = [2, 2, 1]
    np.testing.assert_allclose(ref.transition_matrix(counts, 1.0),
                               [[0.2, 0.6, 0.2], [0.2, 0.4, 0.4], [0.5, 0.25, 0.25]], atol=1e-15)
    np.testing.assert_allclose(ref.transition_matrix(counts, 0.0), [[0, 1, 0], [0, 0.5, 0.5], [1, 0, 0]], atol=1e-15)


@pytest.mark.parametrize("alpha", [0.01, 0.5, 2.0])
def test_transition_matrix_rows_unseen_and_empty(alpha):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 5, size=(6, 6)) * (rng.random((6, 6)) < 0.5)
    counts[2] = 0
    P = ref.transition_matrix(counts, alpha)
    assert P.dtype == np.float64
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-14)
    np.testing.assert_allclose(P[2], 1 / 6, atol=1e-15)
    for i, j in zip(*np.nonzero(counts == 0)):
        assert P[i, j] == pytest.approx(alpha / (counts[i].sum() + 6 * alpha))


def test_transition_matrix_is_the_dirichlet_posterior_mean():
    # With a symmetric Dirichlet(alpha) prior on a row, the posterior is Dirichlet(C + alpha) and its
    # mean is (C + alpha) / sum(C + alpha): estimate that mean by sampling the posterior.
    rng = np.random.default_rng(2)
    counts = np.array([[5, 0, 1, 2], [0, 0, 3, 0], [1, 1, 1, 1], [0, 0, 0, 0]])
    draws = np.stack([rng.dirichlet(counts[i] + 0.7, size=200_000).mean(axis=0) for i in range(4)])
    np.testing.assert_allclose(ref.transition_matrix(counts, 0.7), draws, atol=3e-3)


def test_maximum_likelihood_estimate_beats_other_stochastic_matrices():
    rng = np.random.default_rng(3)
    counts = rng.integers(1, 20, size=(5, 5))
    P = ref.transition_matrix(counts, 0.0)
    best = np.sum(counts * np.log(P))
    for _ in range(200):
        other = random_chain(5, rng)
        assert np.sum(counts * np.log(other)) <= best + 1e-12


# --- exercise 3: sequence_log_prob and perplexity ---------------------------------------------

def test_sequence_log_prob_and_perplexity_by_hand():
    P, initial = np.array([[0.75, 0.25], [0.5, 0.5]]), np.array([0.8, 0.2])
    # p(0 0 1 1) = 0.8 * 0.75 * 0.25 * 0.5 = 0.075
    assert ref.sequence_log_prob(np.array([0, 0, 1, 1]), P, initial) == pytest.approx(math.log(0.075), rel=1e-14)
    assert ref.perplexity(np.array([0, 0, 1, 1]), P, initial) == pytest.approx(0.075 ** -0.25, rel=1e-14)
    assert ref.sequence_log_prob(np.array([1]), P, initial) == pytest.approx(math.log(0.2))


def test_sequence_probabilities_sum_to_one_over_all_sequences():
    rng = np.random.default_rng(4)
    P, initial = random_chain(3, rng), rng.dirichlet(np.ones(3))
    for T in [1, 2, 4]:
        total = sum(math.exp(ref.sequence_log_prob(np.array(ids), P, initial))
                    for ids in itertools.product(range(3), repeat=T))
        assert total == pytest.approx(1.0, abs=1e-12)


def test_sequence_log_prob_of_a_long_sequence_equals_the_count_formula():
    rng = np.random.default_rng(5)
    P, initial = random_chain(6, rng), rng.dirichlet(np.ones(6))
    ids = rng.integers(0, 6, size=50_000)
    pairs = Counter(zip(ids[:-1].tolist(), ids[1:].tolist()))
    oracle = math.log(initial[ids[0]]) + sum(k * math.log(P[i, j]) for (i, j), k in pairs.items())
    assert ref.sequence_log_prob(ids, P, initial) == pytest.approx(oracle, rel=1e-11)


def test_perplexity_of_uniform_and_deterministic_chains():
    assert ref.perplexity(np.array([3, 1, 4, 1, 0]), np.full((5, 5), 0.2), np.full(5, 0.2)) == pytest.approx(5.0)
    cycle = np.roll(np.eye(3), 1, axis=1)  # 0 -> 1 -> 2 -> 0
    with np.errstate(divide="ignore"):
        assert ref.perplexity(np.array([0, 1, 2, 0, 1]), cycle, np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)


# --- exercise 4: sample_chain -----------------------------------------------------------------

def test_sample_chain_follows_a_deterministic_chain_and_is_reproducible():
    cycle = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # 0 -> 2 -> 1 -> 0
    np.testing.assert_array_equal(ref.sample_chain(cycle, np.array([0.0, 1.0, 0.0]), 7, np.random.default_rng(0)),
                                  [1, 0, 2, 1, 0, 2, 1])
    P = random_chain(4, np.random.default_rng(6))
    first = ref.sample_chain(P, np.full(4, 0.25), 100, np.random.default_rng(9))
    np.testing.assert_array_equal(first, ref.sample_chain(P, np.full(4, 0.25), 100, np.random.default_rng(9)))
    assert np.issubdtype(first.dtype, np.integer) and first.shape == (100,)


def test_sample_chain_frequencies_match_rows_and_initial():
    rng = np.random.default_rng(7)
    P = random_chain(4, rng, concentration=0.5)
    sample = ref.sample_chain(P, np.full(4, 0.25), 100_000, rng)
    pairs = np.zeros((4, 4))
    np.add.at(pairs, (sample[:-1], sample[1:]), 1)
    visits = pairs.sum(axis=1, keepdims=True)
    assert np.all(np.abs(pairs / visits - P) < 5 * np.sqrt(P * (1 - P) / visits))
    initial = np.array([0.1, 0.0, 0.6, 0.3])
    firsts = np.array([ref.sample_chain(P, initial, 1, rng)[0] for _ in range(20_000)])
    frequencies = np.bincount(firsts, minlength=4) / len(firsts)
    assert np.all(np.abs(frequencies - initial) <= 5 * np.sqrt(initial * (1 - initial) / len(firsts)))


# --- exercise 5: stationary_distribution ------------------------------------------------------

def test_stationary_two_state_closed_form():
    for a, b in [(7534 / 8638, 7535 / 11362), (0.01, 0.3), (0.9, 0.9)]:
        pi = ref.stationary_distribution(np.array([[1 - a, a], [b, 1 - b]]))
        np.testing.assert_allclose(pi, np.array([b, a]) / (a + b), atol=1e-11)


def test_stationary_doubly_stochastic_is_uniform():
    P = 0.5 * np.eye(5) + 0.3 * np.roll(np.eye(5), 1, axis=1) + 0.2 * np.roll(np.eye(5), 3, axis=1)
    np.testing.assert_allclose(ref.stationary_distribution(P), np.full(5, 0.2), atol=1e-11)


def test_stationary_birth_death_by_detailed_balance():
    up, down = np.array([0.5, 0.4, 0.3, 0.2, 0.1, 0.0]), np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    P = np.diag(1 - up - down) + np.diag(up[:-1], 1) + np.diag(down[1:], -1)
    ratios = np.concatenate([[1.0], np.cumprod(up[:-1] / down[1:])])  # pi_(k+1) / pi_k = up_k / down_(k+1)
    np.testing.assert_allclose(ref.stationary_distribution(P), ratios / ratios.sum(), atol=1e-11)


@pytest.mark.parametrize("V", [1, 3, 12, 57])
def test_stationary_matches_a_high_matrix_power(V):
    P = random_chain(V, np.random.default_rng(V), concentration=0.3)
    pi = ref.stationary_distribution(P)
    assert pi.shape == (V,) and pi.dtype == np.float64 and pi.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(pi, np.linalg.matrix_power(P, 2000)[0], atol=1e-10)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)


def test_stationary_of_a_slowly_mixing_chain():
    rng = np.random.default_rng(8)
    P = 0.995 * np.eye(6) + 0.005 * rng.dirichlet(np.ones(6), size=6)
    values, vectors = np.linalg.eig(P.T)
    oracle = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    np.testing.assert_allclose(ref.stationary_distribution(P), oracle / oracle.sum(), atol=1e-8)


# --- exercises 6 and 7: ngram_counts and ngram_log_probs --------------------------------------

def dense_counts(ids, n, V):
    """Oracle: the full (V,) * n + (V,) table of (n+1)-gram counts, by np.add.at."""
    table = np.zeros((V,) * (n + 1))
    windows = np.stack([ids[k:len(ids) - n + k] for k in range(n + 1)]) if len(ids) > n else np.zeros((n + 1, 0), int)
    np.add.at(table, tuple(windows), 1)
    return table


def test_ngram_counts_by_hand():
    # 0 1 0 1 0 2 with n = 2: (0,1) -> 0 twice, (1,0) -> 1 once and -> 2 once; (0,2) is followed by nothing.
    counts = ref.ngram_counts(np.array([0, 1, 0, 1, 0, 2]), 2, 3)
    assert set(counts) == {(0, 1), (1, 0)}
    np.testing.assert_array_equal(counts[(0, 1)], [2, 0, 0])
    np.testing.assert_array_equal(counts[(1, 0)], [0, 1, 1])


@pytest.mark.parametrize("n, V, T", [(0, 5, 100), (1, 4, 300), (2, 3, 200), (3, 4, 500), (4, 3, 3)])
def test_ngram_counts_match_dense_table(n, V, T):
    ids = np.random.default_rng(10 + n).integers(0, V, size=T)
    table = dense_counts(ids, n, V)
    counts = ref.ngram_counts(ids, n, V)
    expected_keys = {context for context in itertools.product(range(V), repeat=n) if table[context].sum() > 0}
    assert set(counts) == expected_keys
    for context, row in counts.items():
        assert all(isinstance(i, int) for i in context)
        np.testing.assert_array_equal(row, table[context])


def test_ngram_log_probs_by_hand():
    # p = (C(c, x) + 1) / (C(c) + 3): 3/5, 2/5, and 1/3 for the unseen context (0, 2).
    log_probs = ref.ngram_log_probs(np.array([0, 1, 0, 1, 0, 2]), np.array([0, 1, 0, 2, 2]), 2, 3, 1.0)
    np.testing.assert_allclose(log_probs, np.log([3 / 5, 2 / 5, 1 / 3]), atol=1e-15)


@pytest.mark.parametrize("n, V, alpha", [(0, 6, 0.5), (1, 6, 0.5), (2, 4, 0.1), (3, 3, 2.0), (5, 3, 0.01)])
def test_ngram_log_probs_match_dense_table(n, V, alpha):
    rng = np.random.default_rng(20 + n)
    train, ids = rng.integers(0, V, size=1500), rng.integers(0, V, size=200)
    table = dense_counts(train, n, V)
    expected = [math.log((table[tuple(ids[t - n:t])][ids[t]] + alpha) / (table[tuple(ids[t - n:t])].sum() + alpha * V))
                for t in range(n, len(ids))]
    log_probs = ref.ngram_log_probs(train, ids, n, V, alpha)
    assert log_probs.shape == (len(ids) - n,) and log_probs.dtype == np.float64
    np.testing.assert_allclose(log_probs, expected, rtol=1e-12)


def test_ngram_order_one_is_the_first_order_chain():
    rng = np.random.default_rng(30)
    train, ids = rng.integers(0, 7, size=800), rng.integers(0, 7, size=100)
    P = ref.transition_matrix(ref.transition_counts(train, 7), 0.3)
    np.testing.assert_allclose(ref.ngram_log_probs(train, ids, 1, 7, 0.3), np.log(P[ids[:-1], ids[1:]]), rtol=1e-12)


@pytest.mark.parametrize("n", [0, 2, 3])
def test_ngram_conditionals_sum_to_one(n):
    # For every context, seen or not, the V conditional probabilities sum to one.
    rng = np.random.default_rng(40 + n)
    V = 4
    train = rng.integers(0, V, size=300)
    for context in [(0,) * n, tuple(rng.integers(0, V, size=n)), (3,) * n]:
        total = sum(math.exp(ref.ngram_log_probs(train, np.array(context + (x,)), n, V, 0.2)[0]) for x in range(V))
        assert total == pytest.approx(1.0, abs=1e-12)


def test_ngram_scores_nothing_when_the_text_is_shorter_than_the_context():
    assert ref.ngram_log_probs(np.array([0, 1, 0, 1]), np.array([1, 0]), 3, 2, 1.0).shape == (0,)
