"""Sample submissions for chapter 02, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/02_markov/02_markov.ipynb, starting
from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
ngram_log_probs calls ngram_counts, so a wrong ngram_counts can also cost ngram_log_probs' tests.

The last group holds one sample of each family that grading held-out submissions revealed (issue 10):
correct code that writes a progress bar to stderr, properties that only some inputs show (a slowly
mixing chain, a chain with complex eigenvalues, order n = 1), a function that changes its input in
place, a result of a type that used to crash the tests, and the hints that were rewritten to follow
the evidence (a generator that is ignored is no longer called an argmax).
"""
from instructor.samples import variants_of


COUNTS = {"transition_counts_by_hand", "transition_counts_oracle", "transition_counts_hidden"}
MATRIX = {"transition_matrix_by_hand", "transition_matrix_rows", "transition_matrix_hidden"}
LIKELIHOOD = {"sequence_log_prob_by_hand", "sequence_log_prob_long", "perplexity_by_hand", "sequence_log_prob_hidden"}
SAMPLING = {"sample_chain_basics", "sample_chain_frequencies", "sample_chain_hidden"}
STATIONARY = {"stationary_two_state", "stationary_closed_forms", "stationary_hidden"}
NGRAM_COUNTS = {"ngram_counts_by_hand", "ngram_counts_low_orders", "ngram_counts_hidden"}
NGRAM_LOG_PROBS = {"ngram_log_probs_by_hand", "ngram_log_probs_low_orders", "ngram_log_probs_hidden"}
ALL_TESTS = COUNTS | MATRIX | LIKELIHOOD | SAMPLING | STATIONARY | NGRAM_COUNTS | NGRAM_LOG_PROBS

# Correct, in another style than the solution: a dictionary of pairs instead of np.add.at, a loop over
# rows, math.log in a loop, inverse-CDF sampling with searchsorted, an eigenvector instead of power
# iteration, setdefault counting into a dict of arrays, and a log-probability per position in a loop.
CORRECT = {
    "transition_counts": '''\
def transition_counts(ids, V):
    pairs = {}
    for current, following in zip(ids[:-1], ids[1:]):
        pairs[current, following] = pairs.get((current, following), 0) + 1
    counts = np.zeros((V, V), dtype=np.int64)
    for (i, j), k in pairs.items():
        counts[i, j] = k
    return counts
''',
    "transition_matrix": '''\
def transition_matrix(counts, alpha):
    V = len(counts)
    P = np.empty((V, V))
    for i in range(V):
        row = np.asarray(counts[i], dtype=np.float64)
        P[i] = (row + alpha) / (row.sum() + alpha * V)
    return P
''',
    "sequence_log_prob": '''\
import math


def sequence_log_prob(ids, P, initial):
    total = math.log(initial[ids[0]])
    for t in range(1, len(ids)):
        total += math.log(P[ids[t - 1], ids[t]])
    return total


def perplexity(ids, P, initial):
    return math.exp(-sequence_log_prob(ids, P, initial) / len(ids))
''',
    "sample_chain": '''\
def sample_chain(P, initial, length, rng):
    cumulative = np.cumsum(initial)
    state = int(min(np.searchsorted(cumulative, rng.random(), side="right"), len(cumulative) - 1))
    states = [state]
    for _ in range(length - 1):
        cumulative = np.cumsum(P[state])
        state = int(min(np.searchsorted(cumulative, rng.random(), side="right"), len(cumulative) - 1))
        states.append(state)
    return np.array(states)
''',
    "stationary_distribution": '''\
def stationary_distribution(P, tolerance=1e-12, max_iterations=100_000):
    values, vectors = np.linalg.eig(np.asarray(P, dtype=np.float64).T)
    k = int(np.argmin(np.abs(values - 1)))
    pi = np.real(vectors[:, k])
    return pi / pi.sum()
''',
    "ngram_counts": '''\
def ngram_counts(ids, n, V):
    table = {}
    for t in range(n, len(ids)):
        context = tuple(int(i) for i in ids[t - n:t])
        table.setdefault(context, np.zeros(V, dtype=np.int64))[int(ids[t])] += 1
    return table
''',
    "ngram_log_probs": '''\
import math


def ngram_log_probs(train_ids, ids, n, V, alpha):
    table = ngram_counts(train_ids, n, V)
    unseen = np.zeros(V)
    result = np.zeros(max(len(ids) - n, 0))
    for t in range(n, len(ids)):
        row = table.get(tuple(int(i) for i in ids[t - n:t]), unseen)
        result[t - n] = math.log((row[int(ids[t])] + alpha) / (row.sum() + alpha * V))
    return result
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: transition_counts
    "counts-transposed": dict(
        cells=mistake("transition_counts", ("counts[i, j] = k", "counts[j, i] = k")),
        lost=COUNTS, says=["C looks transposed"]),
    "counts-fancy-index": dict(  # numpy's buffered fancy indexing adds one per distinct pair
        cells=wrong(transition_counts="def transition_counts(ids, V):\n"
                                      "    counts = np.zeros((V, V), dtype=np.int64)\n"
                                      "    counts[ids[:-1], ids[1:]] += 1\n"
                                      "    return counts\n"),
        lost=COUNTS, says=["adds one only once"]),
    # Exercise 2: transition_matrix
    "matrix-normalises-columns": dict(
        cells=mistake("transition_matrix", ("counts[i]", "counts[:, i]"), ("P[i] =", "P[:, i] =")),
        lost=MATRIX, says=["The columns of P sum to one"]),
    "matrix-alpha-in-numerator-only": dict(
        cells=mistake("transition_matrix", ("(row.sum() + alpha * V)", "row.sum()")),
        lost=MATRIX, says=["added to the numerator only"]),
    "matrix-normalises-whole-matrix": dict(
        cells=wrong(transition_matrix="def transition_matrix(counts, alpha):\n"
                                      "    counts = np.asarray(counts, dtype=np.float64)\n"
                                      "    return (counts + alpha) / (counts.sum() + alpha * counts.size)\n"),
        lost=MATRIX, says=["normalised over the whole matrix"]),
    # Exercise 3: sequence_log_prob and perplexity
    "log-prob-in-bits": dict(
        cells=mistake("sequence_log_prob", ("math.log(", "math.log2(")),
        lost=LIKELIHOOD, says=["is in bits"]),
    "log-prob-multiplies-probabilities": dict(  # right on short sequences, underflows on long ones
        cells=mistake("sequence_log_prob", (
            "    total = math.log(initial[ids[0]])\n"
            "    for t in range(1, len(ids)):\n"
            "        total += math.log(P[ids[t - 1], ids[t]])\n"
            "    return total\n",
            "    return float(np.log(initial[ids[0]] * np.prod(P[ids[:-1], ids[1:]])))\n")),
        lost={"sequence_log_prob_long", "sequence_log_prob_hidden"}, says=["underflows"]),
    "log-prob-transposed": dict(
        cells=mistake("sequence_log_prob", ("P[ids[t - 1], ids[t]]", "P[ids[t], ids[t - 1]]")),
        lost=LIKELIHOOD, says=["are read as P[x_{t+1}, x_t]"]),
    "log-prob-no-initial": dict(
        cells=mistake("sequence_log_prob", ("total = math.log(initial[ids[0]])", "total = 0.0")),
        lost=LIKELIHOOD, says=["The first symbol is missing"]),
    # Exercise 4: sample_chain
    "sampling-global-rng": dict(
        cells=mistake("sample_chain", ("rng.random()", "np.random.random()")),
        lost={"sample_chain_basics"}, says=["not np.random"]),
    "sampling-argmax": dict(
        cells=wrong(sample_chain="def sample_chain(P, initial, length, rng):\n"
                                 "    states = [int(np.argmax(initial))]\n"
                                 "    for _ in range(length - 1):\n"
                                 "        states.append(int(np.argmax(P[states[-1]])))\n"
                                 "    return np.array(states)\n"),
        lost=SAMPLING, says=["argmax"]),
    "sampling-from-column": dict(
        cells=mistake("sample_chain", ("np.cumsum(P[state])", "np.cumsum(P[:, state])")),
        lost=SAMPLING, says=["column P[:, x_t]"]),
    "sampling-ignores-initial": dict(
        cells=mistake("sample_chain", (
            "    cumulative = np.cumsum(initial)\n"
            "    state = int(min(np.searchsorted(cumulative, rng.random(), side=\"right\"), len(cumulative) - 1))\n"
            "    states = [state]\n",
            "    state = 0  # start at the first symbol\n"
            "    states = [state]\n")),
        lost=SAMPLING, says=["draw the first symbol from"]),  # the first symbol is now checked visibly too
    # Exercise 5: stationary_distribution
    "stationary-right-eigenvector": dict(
        cells=mistake("stationary_distribution", ("np.asarray(P, dtype=np.float64).T", "np.asarray(P, dtype=np.float64)")),
        lost=STATIONARY, says=["RIGHT eigenvector"]),
    "stationary-not-normalised": dict(
        cells=mistake("stationary_distribution", ("return pi / pi.sum()", "return pi")),
        lost=STATIONARY, says=["divide it by its sum"]),
    "stationary-one-iteration": dict(
        cells=wrong(stationary_distribution="def stationary_distribution(P, tolerance=1e-12, max_iterations=100_000):\n"
                                            "    return np.full(len(P), 1 / len(P)) @ P\n"),
        lost=STATIONARY, says=["one step of the chain"]),
    # Exercise 6: ngram_counts
    "ngram-context-includes-target": dict(
        cells=mistake("ngram_counts", ("ids[t - n:t]", "ids[t - n + 1:t + 1]")),
        lost=NGRAM_COUNTS | NGRAM_LOG_PROBS, says=["contain the symbol it predicts"]),
    "ngram-counts-final-context": dict(
        cells=wrong(ngram_counts="def ngram_counts(ids, n, V):\n"
                                 "    table = {}\n"
                                 "    for t in range(n, len(ids) + 1):  # every window of n symbols\n"
                                 "        context = tuple(int(i) for i in ids[t - n:t])\n"
                                 "        row = table.setdefault(context, np.zeros(V, dtype=np.int64))\n"
                                 "        if t < len(ids):\n"
                                 "            row[int(ids[t])] += 1\n"
                                 "    return table\n"),
        lost=NGRAM_COUNTS, says=["nothing follows them"]),
    # Exercise 7: ngram_log_probs
    "ngram-counts-the-scored-text": dict(
        cells=mistake("ngram_log_probs", ("ngram_counts(train_ids, n, V)", "ngram_counts(ids, n, V)")),
        lost=NGRAM_LOG_PROBS, says=["counted on the scored ids"]),
    "ngram-unseen-context-zero": dict(
        cells=mistake("ngram_log_probs", (
            "        row = table.get(tuple(int(i) for i in ids[t - n:t]), unseen)\n",
            "        context = tuple(int(i) for i in ids[t - n:t])\n"
            "        if context not in table:  # never seen: no evidence for any symbol\n"
            "            result[t - n] = -math.inf\n"
            "            continue\n"
            "        row = table[context]\n")),
        lost=NGRAM_LOG_PROBS, says=["never zero"]),  # unseen contexts now also in the visible n = 3 case
    # Families found by grading held-out submissions (issue 10)
    "stationary-power-iteration-progress-bar": dict(  # correct; tqdm writes to stderr, which must cost nothing
        cells=wrong(stationary_distribution="""\
from tqdm import tqdm


def stationary_distribution(P, tolerance=1e-12, max_iterations=100_000):
    P = np.asarray(P, dtype=np.float64)
    pi = np.full(len(P), 1.0 / len(P))
    for _ in tqdm(range(max_iterations), desc="power iteration"):
        new = pi @ P
        if np.max(np.abs(new - pi)) < tolerance:
            break
        pi = new
    return new / new.sum()
"""),
        lost=set(), says=[]),
    "stationary-fixed-iterations": dict(  # right on fast chains; the slowly mixing one used to be hidden only
        cells=wrong(stationary_distribution="""\
def stationary_distribution(P, tolerance=1e-12, max_iterations=100_000):
    pi = np.full(len(P), 1.0 / len(P))
    for _ in range(300):  # enough for every chain in sight
        pi = pi @ P
    return pi / pi.sum()
"""),
        lost={"stationary_closed_forms", "stationary_hidden"}, says=["not stationary yet"]),
    "stationary-eig-without-real": dict(  # complex128 whenever the spectrum is complex: the hint says np.real
        cells=mistake("stationary_distribution", ("pi = np.real(vectors[:, k])", "pi = vectors[:, k]")),
        lost={"stationary_closed_forms", "stationary_hidden"}, says=["np.real"]),
    "matrix-adds-alpha-in-place": dict(  # right values, but float counts are changed in the caller's array
        cells=wrong(transition_matrix="""\
def transition_matrix(counts, alpha):
    counts = np.asarray(counts, dtype=np.float64)  # no copy when the counts are float64 already
    counts += alpha
    return counts / counts.sum(axis=1, keepdims=True)
"""),
        lost={"transition_matrix_rows", "transition_matrix_hidden"}, says=["changed its argument `counts` in place"]),
    "ngram-counter-values": dict(  # a Counter per context instead of an array: used to crash the tests
        cells=wrong(ngram_counts="""\
from collections import Counter


def ngram_counts(ids, n, V):
    table = {}
    for t in range(n, len(ids)):
        context = tuple(int(i) for i in ids[t - n:t])
        table.setdefault(context, Counter())[int(ids[t])] += 1
    return table
"""),
        lost=NGRAM_COUNTS | NGRAM_LOG_PROBS, says=["should be an array of V counts"]),
    "ngram-int-keys-for-order-one": dict(  # keys 3 instead of (3,) when n = 1: only the n = 1 tests see it
        cells=mistake("ngram_counts", ("        context = tuple(int(i) for i in ids[t - n:t])\n",
                                       "        context = int(ids[t - 1]) if n == 1 else tuple(int(i) for i in ids[t - n:t])\n")),
        lost={"ngram_counts_low_orders", "ngram_log_probs_low_orders"}, says=["should be a tuple of n = 1 ints"]),
    "sampling-reseeds": dict(  # a generator of its own: the old hint asked about argmax
        cells=mistake("sample_chain", ("    cumulative = np.cumsum(initial)\n",
                                       "    rng = np.random.default_rng(0)  # reproducible\n    cumulative = np.cumsum(initial)\n")),
        lost=SAMPLING, says=["ignores the generator"]),
}
