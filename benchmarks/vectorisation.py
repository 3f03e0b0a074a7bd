"""The notes' lesson (§1.3): nested loops against the vectorised core.

The reference is the notes' first logistic regression, generalised from one
feature to ``d``: for every iteration, a loop over the samples computes
``z``, ``y_hat``, the loss ``L`` and, by the chain rule ``dL/dz = dL/dy_hat *
dy_hat/dz``, the derivatives ``dL/dw_j = dL/dz * x_j`` and ``dL/db =
dL/dz``, accumulating them; after the loop the sums are divided by ``m``
and ``w`` and ``b`` are updated. It is written twice: over Python lists (with
``math``) and over numpy arrays indexed element by element (with numpy's
scalar functions), the way code translated from a loop often ends up.

The vectorised side is ``GDLogisticRegression(learning_rate=alpha,
max_iter=k, tol=0)``, which starts from ``w = 0, b = 0`` like the loops. The
two must agree: ``w``, ``b`` and every cost ``J`` to ``rtol=1e-10``
(checked with ``np.testing.assert_allclose``; a mismatch stops the run).

Speed is compared per iteration. A fit has a fixed cost (input checks,
set-up) that dwarfs one iteration of the vectorised core on 1,000 samples,
so its time per iteration is measured as ``(t(fit with 10 + K iterations) -
t(fit with 10 iterations)) / K``. The core alone (``DenseNetwork.loss_grad``
plus the update) and the whole ``max_iter=1`` fit are reported too; the
latter is the misleading "speed-up" of a one-iteration fit.
"""

import math

import numpy as np

from sknotes import GDLogisticRegression
from sknotes._network import DenseNetwork

from ._common import interleaved_times
from ._report import section_main

LEARNING_RATE = 0.5
RTOL = 1e-10
ATOL = 1e-13  # for gradient components that cancel to nearly zero
TABLE_COLUMNS = [
    "n_samples",
    "n_features",
    "checked_iterations",
    "max_rel_diff",
    "lists_ms",
    "ndarray_ms",
    "vectorised_us",
    "core_us",
    "fit1_ms",
    "speedup_lists",
    "speedup_ndarray",
    "one_iter_fit_speedup_lists",
]


def loop_lists(X, y, learning_rate, n_iter):
    """Gradient descent with a loop over samples and features, on lists.

    ``X`` is a list of ``m`` rows (lists of ``d`` floats) and ``y`` a list
    of 0/1 labels. Returns ``(w, b, costs)``; ``costs[t]`` is ``J`` before
    the update of iteration ``t``.
    """
    m, d = len(X), len(X[0])
    w, b = [0.0] * d, 0.0
    costs = []
    for _ in range(n_iter):
        J, dJ_dw, dJ_db = 0.0, [0.0] * d, 0.0
        for i in range(m):
            x_i, y_i = X[i], y[i]
            z = b
            for j in range(d):
                z += w[j] * x_i[j]
            y_hat = 1.0 / (1.0 + math.exp(-z))
            J += -y_i * math.log(y_hat) - (1 - y_i) * math.log(1 - y_hat)
            dL_dyhat = -y_i / y_hat + (1 - y_i) / (1 - y_hat)
            dL_dz = dL_dyhat * y_hat * (1 - y_hat)  # dy_hat/dz = y_hat (1 - y_hat)
            for j in range(d):
                dJ_dw[j] += dL_dz * x_i[j]  # dz/dw_j = x_j
            dJ_db += dL_dz  # dz/db = 1
        costs.append(J / m)
        for j in range(d):
            w[j] -= learning_rate * dJ_dw[j] / m
        b -= learning_rate * dJ_db / m
    return w, b, costs


def loop_ndarray(X, y, learning_rate, n_iter):
    """The same loop over numpy arrays, read and written element by element."""
    m, d = X.shape
    w, b = np.zeros(d), 0.0
    costs = []
    for _ in range(n_iter):
        J, dJ_dw, dJ_db = 0.0, np.zeros(d), 0.0
        for i in range(m):
            z = b
            for j in range(d):
                z += w[j] * X[i, j]
            y_hat = 1.0 / (1.0 + np.exp(-z))
            J += -y[i] * np.log(y_hat) - (1 - y[i]) * np.log(1 - y_hat)
            dL_dyhat = -y[i] / y_hat + (1 - y[i]) / (1 - y_hat)
            dL_dz = dL_dyhat * y_hat * (1 - y_hat)
            for j in range(d):
                dJ_dw[j] += dL_dz * X[i, j]
            dJ_db += dL_dz
        costs.append(J / m)
        for j in range(d):
            w[j] -= learning_rate * dJ_dw[j] / m
        b -= learning_rate * dJ_db / m
    return w, b, costs


def make_data(n_samples, n_features, random_state=0):
    """Standard normal features and labels drawn from a logistic model."""
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_samples, n_features))
    w_true = rng.standard_normal(n_features) / np.sqrt(n_features)
    y = (rng.random(n_samples) < 1 / (1 + np.exp(-(X @ w_true + 0.3)))).astype(int)
    return X, y


def vectorised(X, y, learning_rate, n_iter):
    model = GDLogisticRegression(learning_rate=learning_rate, max_iter=n_iter, tol=0)
    model.fit(X, y)
    return model.coef_[0], float(model.intercept_[0]), model.loss_curve_


def check_equal(X, y, n_iter, learning_rate=LEARNING_RATE):
    """Run the three versions; assert they agree; return the largest difference."""
    w_vec, b_vec, J_vec = vectorised(X, y, learning_rate, n_iter)
    expected = np.concatenate([w_vec, [b_vec], J_vec])
    worst = 0.0
    for loop, data in ((loop_lists, (X.tolist(), y.tolist())), (loop_ndarray, (X, y))):
        w, b, J = loop(*data, learning_rate, n_iter)
        actual = np.concatenate([np.asarray(w, dtype=float), [b], J])
        np.testing.assert_allclose(
            actual, expected, rtol=RTOL, atol=ATOL, err_msg=loop.__name__
        )
        scale = np.maximum(np.abs(expected), ATOL / RTOL)
        worst = max(worst, float(np.max(np.abs(actual - expected) / scale)))
    return worst


def _core_iterations(X, y, learning_rate, n_iter):
    """``n_iter`` bare iterations of the network core, no estimator around."""
    n, d = X.shape
    network = DenseNetwork([d, 1])
    grad = np.empty_like(network.params)
    s = np.full(n, 1.0 / n)
    y = y.astype(np.float64)

    def iterations():
        network.params[:] = 0
        for _ in range(n_iter):
            network.loss_grad(X, y, s, 0.0, grad)
            network.params -= learning_rate * grad

    return iterations


def measure(n_samples, n_features, loop_iter=2, check_iter=3, extra=200, repeat=5):
    """Equality check and per-iteration times for one ``(n, d)``."""
    X, y = make_data(n_samples, n_features)
    worst = check_equal(X, y, check_iter)
    X_list, y_list = X.tolist(), y.tolist()
    a = LEARNING_RATE
    base = 10

    def fit(k):
        return lambda: GDLogisticRegression(learning_rate=a, max_iter=k, tol=0).fit(
            X, y
        )

    times = interleaved_times(
        {
            "lists": lambda: loop_lists(X_list, y_list, a, loop_iter),
            "ndarray": lambda: loop_ndarray(X, y, a, loop_iter),
            "fit_short": fit(base),
            "fit_long": fit(base + extra),
            "fit_one": fit(1),
            "core": _core_iterations(X, y, a, extra),
        },
        repeat=repeat,
    )
    vec = (times["fit_long"] - times["fit_short"]) / extra
    lists = times["lists"] / loop_iter
    ndarray = times["ndarray"] / loop_iter
    return {
        "n_samples": n_samples,
        "n_features": n_features,
        "checked_iterations": check_iter,
        "max_rel_diff": worst,
        "lists_ms": 1e3 * lists,
        "ndarray_ms": 1e3 * ndarray,
        "vectorised_us": 1e6 * vec,
        "core_us": 1e6 * times["core"] / extra,
        "fit1_ms": 1e3 * times["fit_one"],
        "speedup_lists": lists / vec,
        "speedup_ndarray": ndarray / vec,
        "speedup_lists_core": lists / (times["core"] / extra),
        "one_iter_fit_speedup_lists": lists / times["fit_one"],
        "one_iter_fit_speedup_ndarray": ndarray / times["fit_one"],
    }


def run(quick=False, tiny=False):
    """Equality and speed-up at n = 1,000 for d = 2, 10, 100.

    Parameters
    ----------
    quick : bool, default=False
        3 timed rounds instead of 5.
    tiny : bool, default=False
        n = 50, d = 2 and 3, one round: checks the plumbing (and still the
        equality).

    Returns
    -------
    rows : list of dict
        One row per ``d``; see ``TABLE_COLUMNS``.
    """
    if tiny:
        return [
            measure(50, d, loop_iter=1, check_iter=3, extra=5, repeat=1) for d in (2, 3)
        ]
    repeat = 3 if quick else 5
    return [measure(1_000, d, repeat=repeat) for d in (2, 10, 100)]


def notes(rows):
    return (
        f"`w`, `b` and `J` of both loops equal the vectorised fit's to "
        f"rtol={RTOL:g} (largest relative difference "
        f"{max(r['max_rel_diff'] for r in rows):.1e}). Speed-ups are per "
        "iteration: `vectorised_us` is the fit-difference estimate, `core_us` "
        "the bare `loss_grad` + update; `one_iter_fit_speedup_lists` divides "
        "a loop iteration by a whole `max_iter=1` fit, whose fixed cost "
        "hides the vectorised iteration.\n"
    )


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
