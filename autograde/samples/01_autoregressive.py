"""Sample submissions for chapter 01, and the grades they deserve.

`make samples` writes each one to autograde/submitted/<student_id>/01_autoregressive/01_autoregressive.ipynb,
starting from the released student notebook and replacing cells by their nbgrader grade_id; `make grade`
grades them, and tests/test_grading.py checks every expectation below:

- `lost`: the test cells that must score zero; every other test cell must score full marks;
- `says`: words the student's feedback must contain, because they name the mistake.

Wrong variants take the correct alternative below and break one function the way students do.
choose_order calls make_windows and fit_ar, so a student whose make_windows or fit_ar is wrong also
loses choose_order's tests; the tests of fit_ar and forecast build their inputs themselves and do not
depend on the earlier exercises.

The last group holds one sample of each family that grading held-out submissions revealed (issue 10):
correct code that writes a progress bar to stderr, a property that only some inputs show (orders not
in increasing order), a function that changes its input in place, results of a type that used to
crash the tests, and the hints that were rewritten to follow the evidence.
"""
from instructor.samples import variants_of


WINDOWS = {"make_windows_by_hand", "make_windows_every_row", "make_windows_hidden"}
FIT = {"fit_ar_by_hand", "fit_ar_optimality", "fit_ar_hidden"}
FORECAST = {"forecast_by_hand", "forecast_closed_form", "forecast_hidden"}
ORDER = {"choose_order_by_hand", "choose_order_oracle", "choose_order_hidden"}
ALL_TESTS = WINDOWS | FIT | FORECAST | ORDER

# Correct, in another style than the solution: strided views instead of an index array, the normal
# equations of the centred problem solved with np.linalg.solve instead of lstsq on [features, 1],
# a deque and a Python sum for the forecast, and validation windows sliced from the joined series.
CORRECT = {
    "make_windows": '''\
def make_windows(series, p):
    windows = np.lib.stride_tricks.sliding_window_view(series, p + 1)  # (T - p, p + 1), read-only views
    return windows[:, :p], windows[:, p]
''',
    "fit_ar": '''\
def fit_ar(features, targets):
    x_mean, y_mean = features.mean(axis=0), targets.mean()
    centred_x, centred_y = features - x_mean, targets - y_mean
    weights = np.linalg.solve(centred_x.T @ centred_x, centred_x.T @ centred_y)
    return weights, y_mean - x_mean @ weights
''',
    "forecast": '''\
from collections import deque

def forecast(history, weights, bias, k):
    window = deque(history[-len(weights):], maxlen=len(weights))
    predictions = []
    for _ in range(k):
        y = sum(w * v for w, v in zip(weights, window)) + bias
        predictions.append(y)
        window.append(y)
    return np.array(predictions)
''',
    "choose_order": '''\
def choose_order(train, val, orders):
    series = np.concatenate([train, val])
    scores = []
    for p in orders:
        w, b = fit_ar(*make_windows(train, p))
        errors = [(series[t - p:t] @ w + b - series[t]) ** 2 for t in range(len(train), len(series))]
        scores.append(np.mean(errors))
    scores = np.array(scores)
    best = min(orders, key=lambda p: scores[list(orders).index(p)])
    return best, scores
''',
}


wrong, mistake = variants_of(CORRECT)


SAMPLES = {
    "correct-alternative": dict(cells=CORRECT, lost=set(), says=[]),
    "untouched-stub": dict(cells={}, lost=ALL_TESTS, says=["not implemented yet"]),
    # Exercise 1: make_windows
    "windows-newest-first": dict(
        cells=mistake("make_windows", ("windows[:, :p], windows[:, p]", "windows[:, :p][:, ::-1], windows[:, p]")),
        lost=WINDOWS | {"choose_order_oracle", "choose_order_hidden"}, says=["newest first"]),  # p = 1 cannot be reversed
    "windows-target-inside": dict(  # off by one: the target is the last value of the window
        cells=mistake("make_windows", ("windows[:, :p], windows[:, p]", "windows[:, :p], windows[:, p - 1]")),
        lost=WINDOWS | ORDER, says=["the last value inside the window"]),
    "windows-one-too-many": dict(  # windows of p values, the last one without a target
        cells=wrong(make_windows="def make_windows(series, p):\n"
                                 "    features = np.lib.stride_tricks.sliding_window_view(series, p)\n"
                                 "    return features, series[p:]\n"),
        lost=WINDOWS | ORDER, says=["the last window must have a value after it"]),
    # Exercise 2: fit_ar
    "fit-no-bias": dict(
        cells=wrong(fit_ar="def fit_ar(features, targets):\n"
                           "    weights = np.linalg.lstsq(features, targets, rcond=None)[0]\n"
                           "    return weights, 0.0\n"),
        lost=FIT | ORDER, says=["WITHOUT a bias"]),
    "fit-bias-is-target-mean": dict(
        cells=mistake("fit_ar", ("return weights, y_mean - x_mean @ weights", "return weights, y_mean")),
        lost=FIT | ORDER, says=["The bias is the mean of the targets"]),
    "fit-bias-read-from-wrong-end": dict(  # the column of ones first, the bias read from the last entry
        cells=wrong(fit_ar="def fit_ar(features, targets):\n"
                           "    design = np.column_stack([np.ones(len(targets)), features])\n"
                           "    theta = np.linalg.lstsq(design, targets, rcond=None)[0]\n"
                           "    return theta[:-1], theta[-1]\n"),
        lost=FIT | ORDER, says=["weights and bias are swapped"]),
    # Exercise 3: forecast
    "forecast-not-fed-back": dict(
        cells=mistake("forecast", ("        window.append(y)\n", "")),
        lost=FORECAST, says=["feed each prediction back"]),
    "forecast-newest-first": dict(
        cells=mistake("forecast", ("deque(history[-len(weights):],", "deque(history[-len(weights):][::-1],"),
                      ("window.append(y)", "window.appendleft(y)")),
        lost=FORECAST, says=["newest first"]),
    "forecast-teacher-forcing": dict(  # one-step predictions from windows of true values in history
        cells=wrong(forecast="def forecast(history, weights, bias, k):\n"
                             "    p = len(weights)\n"
                             "    return np.array([history[i:i + p] @ weights + bias for i in range(k)])\n"),
        lost=FORECAST, says=["one-step-ahead predictions of values INSIDE history"]),
    "forecast-no-bias": dict(
        cells=mistake("forecast", (") + bias", ")")),
        lost=FORECAST, says=["add the bias"]),
    "forecast-window-one-step-early": dict(
        cells=mistake("forecast", ("deque(history[-len(weights):],", "deque(history[-len(weights) - 1:-1],")),
        lost=FORECAST, says=["one step too early"]),
    # Exercise 4: choose_order
    "order-by-training-error": dict(
        cells=mistake("choose_order", ("for t in range(len(train), len(series))", "for t in range(p, len(train))")),
        lost=ORDER, says=["TRAINING error"]),
    "order-val-windows-only": dict(  # order p is scored on len(val) - p targets only
        cells=mistake("choose_order", ("for t in range(len(train), len(series))", "for t in range(len(train) + p, len(series))")),
        lost=ORDER, says=["windows inside `val`"]),
    "order-returns-position": dict(
        cells=mistake("choose_order", ("best = min(orders, key=lambda p: scores[list(orders).index(p)])",
                                       "best = int(np.argmin(scores))")),
        lost=ORDER, says=["POSITION of the smallest error"]),
    "order-fits-on-validation-too": dict(
        cells=mistake("choose_order", ("fit_ar(*make_windows(train, p))", "fit_ar(*make_windows(series, p))")),
        lost=ORDER, says=["fitted on train AND val"]),
    # Families found by grading held-out submissions (issue 10)
    "order-with-progress-bar": dict(  # correct; tqdm writes its bar to stderr, which must cost nothing
        cells=wrong(choose_order="""\
from tqdm import tqdm


def choose_order(train, val, orders):
    series = np.concatenate([train, val])
    scores = []
    for p in tqdm(orders, desc="orders"):
        w, b = fit_ar(*make_windows(train, p))
        errors = [(series[t - p:t] @ w + b - series[t]) ** 2 for t in range(len(train), len(series))]
        scores.append(np.mean(errors))
    scores = np.array(scores)
    return orders[int(np.argmin(scores))], scores
"""),
        lost=set(), says=[]),
    "order-sorts-orders": dict(  # right whenever `orders` is sorted, as in the old visible tests
        cells=mistake("choose_order", ("for p in orders:", "for p in sorted(orders):"),
                      ("best = min(orders, key=lambda p: scores[list(orders).index(p)])",
                       "best = sorted(orders)[int(np.argmin(scores))]")),
        lost={"choose_order_oracle", "choose_order_hidden"}, says=["in increasing order of p"]),
    "forecast-writes-into-history": dict(  # right predictions, but the window is a view of `history`
        cells=wrong(forecast="""\
def forecast(history, weights, bias, k):
    window = history[len(history) - len(weights):]  # a view: writing into it changes history
    predictions = np.empty(k)
    for step in range(k):
        predictions[step] = window @ weights + bias
        window[:-1] = window[1:]
        window[-1] = predictions[step]
    return predictions
"""),
        lost=FORECAST, says=["changed its argument `history` in place"]),
    "order-errors-in-a-dict": dict(  # a type the old tests converted with np.asarray and crashed on
        cells=mistake("choose_order", ("scores = np.array(scores)\n", "scores = dict(zip(orders, scores))\n"),
                      ("best = min(orders, key=lambda p: scores[list(orders).index(p)])",
                       "best = min(orders, key=lambda p: scores[p])")),
        lost=ORDER, says=["val_mse is a dict"]),
    "fit-returns-theta": dict(  # one array instead of (weights, bias): used to crash the unpacking
        cells=wrong(fit_ar="""\
def fit_ar(features, targets):
    design = np.column_stack([features, np.ones(len(targets))])
    return np.linalg.lstsq(design, targets, rcond=None)[0]
"""),
        lost=FIT | ORDER, says=["it should return two things"]),
    "fit-bias-as-array": dict(  # the rewritten hint names theta[p:] only when the bias has shape (1,)
        cells=wrong(fit_ar="""\
def fit_ar(features, targets):
    p = features.shape[1]
    design = np.column_stack([features, np.ones(len(targets))])
    theta = np.linalg.lstsq(design, targets, rcond=None)[0]
    return theta[:p], theta[p:]
"""),
        lost=FIT, says=["take theta[p], not theta[p:]"]),
    "windows-lose-float32": dict(  # float64 buffers: the dtype is now checked for every order, not p = 1 only
        cells=wrong(make_windows="""\
def make_windows(series, p):
    M = len(series) - p
    features, targets = np.zeros((M, p)), np.zeros(M)
    for i in range(M):
        features[i] = series[i:i + p]
        targets[i] = series[i + p]
    return features, targets
"""),
        lost={"make_windows_every_row", "make_windows_hidden"}, says=["expected float32"]),
}
