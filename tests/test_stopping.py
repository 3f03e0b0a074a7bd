"""When a fit stops and what it says (sknotes._stopping): tol and
n_iter_no_change by the documented rule, max_iter, an exact minimum, a rising
cost, a plateau at chance, each checked against a number recomputed here."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier


@pytest.fixture(params=["GDLogisticRegression", "ShallowNNClassifier"])
def est(request):
    """One of each estimator, with a fixed step and seed."""
    if request.param == "GDLogisticRegression":
        return GDLogisticRegression(learning_rate=0.5)
    return ShallowNNClassifier(learning_rate=0.5, random_state=0)


@pytest.mark.parametrize("tol", [0, 0.0, None])
def test_without_tol_exactly_max_iter_iterations_run(est, tol, noisy_problem):
    X, y, _ = noisy_problem()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.set_params(tol=tol, max_iter=37).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 37
    assert np.isfinite(est.loss_curve_).all()


def _first_stop(curve, tol, n_iter_no_change):
    """The documented rule, on a precomputed cost curve: the iteration count
    after which the cost has failed to beat its best by ``tol`` for
    ``n_iter_no_change`` consecutive iterations."""
    best, streak = np.inf, 0
    for i, loss in enumerate(curve):
        streak = streak + 1 if loss > best - tol else 0
        best = min(best, loss)
        if streak >= n_iter_no_change:
            return i + 1
    return None


@pytest.mark.parametrize("tol, n_iter_no_change", [(1e-4, 10), (1e-3, 3)])
def test_tol_stops_where_the_documented_rule_says(
    est, tol, n_iter_no_change, noisy_problem
):
    X, y, _ = noisy_problem()
    full = clone(est).set_params(tol=0, max_iter=3000).fit(X, y)
    expected = _first_stop(full.loss_curve_, tol, n_iter_no_change)
    assert expected is not None and expected < 3000
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_params(tol=tol, n_iter_no_change=n_iter_no_change, max_iter=3000)
        est.fit(X, y)
    assert est.n_iter_ == expected
    np.testing.assert_array_equal(est.loss_curve_, full.loss_curve_[:expected])
    assert est.best_loss_ == min(est.loss_curve_)


def test_huge_tol_stops_after_n_iter_no_change_plus_one(est, noisy_problem):
    X, y, _ = noisy_problem()
    est.set_params(tol=1e6, n_iter_no_change=4, max_iter=100).fit(X, y)
    # the first iteration sets the best cost; the next four fail to beat it
    assert est.n_iter_ == 5


def test_convergence_warning_at_max_iter(est, noisy_problem):
    X, y, _ = noisy_problem()
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        est.set_params(tol=1e-12, max_iter=7).fit(X, y)
    assert est.n_iter_ == 7
    assert est.predict(X).shape == y.shape


def test_default_tol_stops_early_on_easy_data(est):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.set_params(max_iter=5000).fit(X, y)
    assert est.n_iter_ < 5000
    assert est.score(X, y) > 0.97


def test_an_exact_minimum_is_not_reported_as_convergence():
    # Separable blobs: the cost underflows to 0 and no step can lower it.
    # With tol=0 nothing "converges"; the fit says it hit the minimum.
    from sklearn.datasets import make_blobs

    X, y = make_blobs(200, 2, centers=2, cluster_std=0.3, random_state=0)
    clf = GDLogisticRegression(tol=0, max_iter=5000).fit(X, y)
    assert clf.stop_reason_ == "minimum"
    assert clf.n_iter_ < 5000
    assert clf.loss_curve_[-1] == 0.0 or not np.any(_gradient(clf, X, y))
    assert clf.score(X, y) == 1.0


def _gradient(clf, X, y):
    """The mean cross-entropy's gradient, from the predicted probabilities."""
    residual = clf.predict_proba(X)[:, 1] - (y == clf.classes_[1])
    return np.r_[X.T @ residual, residual.sum()] / len(y)


def test_converged_only_when_the_cost_stopped_changing():

    X, y = load_iris(return_X_y=True)
    for tol, expected in ((0, {"max_iter", "minimum"}), (1e-3, {"converged"})):
        clf = GDLogisticRegression(tol=tol, max_iter=300)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        assert clf.stop_reason_ in expected
        if clf.stop_reason_ == "converged":
            assert clf.n_iter_ > clf.n_iter_no_change


@pytest.mark.parametrize("alpha", [1e10, 1e100, 1e300])
@pytest.mark.parametrize(
    "estimator",
    [GDLogisticRegression, ShallowNNClassifier, DeepNNClassifier],
)
def test_a_huge_penalty_drives_the_weights_to_zero(estimator, alpha):

    X, y = load_iris(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="smaller alpha"):
        clf = estimator(alpha=alpha).fit(X, y)
    assert clf.stop_reason_ == "converged"
    weights = clf.coefs_ if hasattr(clf, "coefs_") else [clf.coef_]
    assert max(np.abs(W).max() for W in weights) < 1e-6
    # all that is left is the intercept: the class shares
    np.testing.assert_allclose(clf.predict_proba(X), 1 / 3, atol=1e-4)


@pytest.mark.parametrize(
    "Estimator, learning_rate",
    [(GDLogisticRegression, 1e-4), (ShallowNNClassifier, 0.01)],
)
def test_rising_cost_is_not_convergence(Estimator, learning_rate):
    # The case: a fixed step that oscillates and then sits above its
    # best cost used to count as "no improvement" and then as convergence.
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as caught:
        clf = Estimator(learning_rate=learning_rate, random_state=0).fit(X, y)
    message = str(caught[-1].message)
    assert clf.stop_reason_ == "rising"
    assert "too large" in message and "smaller learning_rate" in message
    assert "larger learning_rate" not in message
    assert clf.n_iter_ < clf.max_iter
    # The model kept is the one of lowest cost, recomputed independently.
    assert log_loss(y, clf.predict_proba(X)) == pytest.approx(
        min(clf.loss_curve_), rel=1e-9
    )
    assert min(clf.loss_curve_) < clf.loss_curve_[-1]


def test_rising_cost_without_stopping_runs_on_and_warns():
    # tol=0 is the notes' loop: it runs max_iter steps and keeps the last
    # parameters, but a final cost far above the best is still reported.
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="too large"):
        clf = GDLogisticRegression(learning_rate=1e-4, max_iter=60, tol=0).fit(X, y)
    assert clf.n_iter_ == 60 and clf.stop_reason_ == "max_iter"


def test_max_iter_warning_never_advises_a_larger_step():
    X, y = load_digits(return_X_y=True)
    for params in (dict(learning_rate=1e-5), {}):
        with pytest.warns(ConvergenceWarning) as caught:
            GDLogisticRegression(max_iter=3, **params).fit(X / 16, y)
        message = str(caught[-1].message)
        assert "max_iter=3" in message and "larger learning_rate" not in message


def test_a_healthy_fixed_step_still_converges_quietly():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = GDLogisticRegression(learning_rate=0.5, solver="gd").fit(X, y)
    assert clf.stop_reason_ == "converged"


def test_stop_reasons_of_validation_and_max_iter():
    X, y = load_wine(return_X_y=True)
    early = ShallowNNClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert early.stop_reason_ == "validation"
    with pytest.warns(ConvergenceWarning):
        short = GDLogisticRegression(max_iter=2).fit(X, y)
    assert short.stop_reason_ == "max_iter"


def _checkerboard():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 4, (2000, 2))
    y = ((np.floor(X[:, 0]) + np.floor(X[:, 1])) % 2).astype(int)
    return train_test_split(X, y, test_size=0.3, random_state=0)


def test_a_plateau_at_chance_is_not_taken_for_convergence():
    # A 4x4 checkerboard starts on a plateau (cost about 0.681 of ln 2 =
    # 0.693) where the cost changes by less than tol; seed 0 used to stop
    # there as 'converged' at 45 % test accuracy, without a warning.
    X_train, X_test, y_train, y_test = _checkerboard()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ShallowNNClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9


def test_a_model_left_at_chance_says_so():
    # The duration is end - start, a tiny difference of two large, almost
    # equal columns: descent crawls, and the fit must not end in silence.
    rng = np.random.RandomState(0)
    start = rng.uniform(0, 24 * 365, 2000)
    duration = rng.uniform(0.5, 5.0, 2000)
    X = np.column_stack([start, start + duration])
    y = (duration > 2.5).astype(int)
    with pytest.warns(ConvergenceWarning, match="no better .* class shares"):
        GDLogisticRegression().fit(X, y)
