"""The gradient-descent loop shared by the estimators (sknotes._gradient_descent).

Verbose lines, validation curves, early stopping, warm starts, interruption
and divergence, each checked against a number recomputed here.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from sknotes import GDLogisticRegression, ShallowNNClassifier


def _estimators(**params):
    """One of each estimator, with a fixed step and seed."""
    return [
        GDLogisticRegression(learning_rate=0.5, **params),
        ShallowNNClassifier(learning_rate=0.5, random_state=0, **params),
    ]


def _ids(est):
    return type(est).__name__


def _noisy_widenoisy_problem():
    """Few samples, many useless features: the validation cost turns upwards."""
    return make_classification(300, 60, n_informative=4, flip_y=0.2, random_state=0)


def _params(est):
    if isinstance(est, GDLogisticRegression):
        return [est.coef_, est.intercept_]
    return est.coefs_ + est.intercepts_


def _penalty(est, total_weight):
    """alpha / 2 ||W||^2 / sum(s): the L2 term of the training cost."""
    weights = [est.coef_] if isinstance(est, GDLogisticRegression) else est.coefs_
    return 0.5 * est.alpha * sum(np.sum(W**2) for W in weights) / total_weight


# --- stopping ----------------------------------------------------------------


# --- verbose -----------------------------------------------------------------


@pytest.mark.parametrize("est", _estimators(), ids=_ids)
@pytest.mark.parametrize("every", [1, 4])
def test_verbose_prints_the_loss_every_k_iterations(est, every, capsys, noisy_problem):
    X, y, _ = noisy_problem()
    est.set_params(verbose=every, tol=0, max_iter=13).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    pattern = re.compile(r"Iteration (\d+), loss = ([0-9.]+)$")
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    iterations = [int(m.group(1)) for m in parsed]
    assert iterations == list(range(every, 14, every))
    for m in parsed:
        i, loss = int(m.group(1)), float(m.group(2))
        assert loss == pytest.approx(est.loss_curve_[i - 1], abs=1e-8)


def test_verbose_shows_validation_loss_and_silence_by_default(capsys, noisy_problem):
    X, y, _ = noisy_problem()
    clf = GDLogisticRegression(tol=0, max_iter=4)
    clf.fit(X, y)
    assert capsys.readouterr().out == ""
    clf.set_params(verbose=2).fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line, i in zip(lines, (2, 4)):
        value = float(line.rsplit("validation loss = ", 1)[1])
        assert value == pytest.approx(clf.validation_loss_curve_[i - 1], abs=1e-8)


# --- validation and early stopping -------------------------------------------


@pytest.mark.parametrize("est", _estimators(alpha=0.3), ids=_ids)
@pytest.mark.parametrize("k", [2, 3])
def test_validation_curve_is_the_log_loss_of_the_model_so_far(est, k, noisy_problem):
    X, y, sw = noisy_problem(n=90, k=k)
    X_tr, y_tr, X_val, y_val, sw_val = X[:60], y[:60], X[60:], y[60:], sw[60:]
    n_iter = 6
    short = clone(est).set_params(tol=0, max_iter=n_iter)
    short.fit(X_tr, y_tr, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    longer = clone(est).set_params(tol=0, max_iter=n_iter + 1)
    longer.fit(X_tr, y_tr, X_val=X_val, y_val=y_val, sample_weight_val=sw_val)
    assert len(longer.validation_loss_curve_) == len(longer.loss_curve_) == n_iter + 1
    # unpenalised cross-entropy of the validation set, weighted
    expected = log_loss(
        y_val, short.predict_proba(X_val), sample_weight=sw_val, labels=short.classes_
    )
    assert longer.validation_loss_curve_[n_iter] == pytest.approx(expected, rel=1e-10)
    # while the training curve carries the penalty
    expected_train = log_loss(y_tr, short.predict_proba(X_tr)) + _penalty(short, 60)
    assert longer.loss_curve_[n_iter] == pytest.approx(expected_train, rel=1e-10)
    # the validation data take no part in training
    plain = clone(est).set_params(tol=0, max_iter=n_iter + 1).fit(X_tr, y_tr)
    np.testing.assert_array_equal(plain.loss_curve_, longer.loss_curve_)


def test_validation_curve_disappears_when_refitted_without_one(noisy_problem):
    X, y, _ = noisy_problem()
    clf = GDLogisticRegression(tol=0, max_iter=3)
    clf.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:])
    assert len(clf.validation_loss_curve_) == 3
    clf.fit(X, y)
    assert not hasattr(clf, "validation_loss_curve_")


@pytest.mark.parametrize(
    "est",
    [
        GDLogisticRegression(learning_rate=1.0, max_iter=2000, random_state=0),
        ShallowNNClassifier(
            n_hidden=20, learning_rate=1.0, max_iter=2000, random_state=0
        ),
    ],
    ids=_ids,
)
def test_early_stopping_keeps_the_best_validation_model(est):
    X, y = _noisy_widenoisy_problem()
    without = clone(est).fit(X, y)
    est.set_params(early_stopping=True, validation_fraction=0.2).fit(X, y)
    curve = est.validation_loss_curve_
    assert len(curve) == len(est.loss_curve_) == est.n_iter_
    assert est.n_iter_ < without.n_iter_
    best = int(np.argmin(curve))
    # stopped n_iter_no_change iterations after the best one
    assert est.n_iter_ == best + est.n_iter_no_change + 1
    assert est.best_loss_ == min(curve)
    # the restored parameters are the best ones: recompute the stratified
    # split and the validation log loss of the final model
    _, X_val, _, y_val = train_test_split(
        X, y, test_size=0.2, random_state=0, stratify=y
    )
    assert log_loss(y_val, est.predict_proba(X_val)) == pytest.approx(
        est.best_loss_, rel=1e-10
    )
    # and training used the other 80 %: its first cost is the same as a fit
    # on that part alone
    X_tr, _, y_tr, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    alone = clone(est).set_params(early_stopping=False, tol=0, max_iter=3)
    alone.fit(X_tr, y_tr)
    np.testing.assert_allclose(est.loss_curve_[:3], alone.loss_curve_, rtol=1e-12)


def test_early_stopping_with_own_validation_set_trains_on_all_rows():
    X, y = _noisy_widenoisy_problem()
    X_tr, X_val, y_tr, y_val = X[:200], X[200:], y[:200], y[200:]
    clf = GDLogisticRegression(learning_rate=1.0, early_stopping=True, max_iter=500)
    clf.fit(X_tr, y_tr, X_val=X_val, y_val=y_val)
    plain = GDLogisticRegression(learning_rate=1.0, tol=0, max_iter=clf.n_iter_)
    plain.fit(X_tr, y_tr)
    np.testing.assert_allclose(clf.loss_curve_, plain.loss_curve_, rtol=1e-12)
    assert clf.best_loss_ == pytest.approx(
        log_loss(y_val, clf.predict_proba(X_val)), rel=1e-10
    )


# --- warm start --------------------------------------------------------------


@pytest.mark.parametrize("est", _estimators(alpha=0.4), ids=_ids)
def test_warm_start_concatenates_and_continues(est, noisy_problem):
    X, y, sw = noisy_problem(k=3)
    est.set_params(warm_start=True, tol=0, max_iter=8)
    est.fit(X, y, sample_weight=sw)
    first_curve = list(est.loss_curve_)
    proba = est.predict_proba(X)
    total = sw.sum()
    cost_here = log_loss(y, proba, sample_weight=sw) + _penalty(est, total)
    est.set_params(max_iter=5).fit(X, y, sample_weight=sw)
    assert est.n_iter_ == 13
    assert len(est.loss_curve_) == 13
    assert est.loss_curve_[:8] == first_curve
    assert est.loss_curve_[8] == pytest.approx(cost_here, rel=1e-10)
    # gradient descent has no state besides the parameters: 8 + 5 = 13
    once = clone(est).set_params(warm_start=False, max_iter=13)
    once.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.loss_curve_, once.loss_curve_, rtol=1e-12)
    for a, b in zip(_params(est), _params(once)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("est", _estimators(), ids=_ids)
def test_without_warm_start_a_refit_starts_over(est, noisy_problem):
    X, y, _ = noisy_problem()
    est.set_params(tol=0, max_iter=6).fit(X, y)
    first = [p.copy() for p in _params(est)]
    est.fit(X, y)
    assert est.n_iter_ == 6
    for a, b in zip(_params(est), first):
        np.testing.assert_array_equal(a, b)


# --- interruption ------------------------------------------------------------


@pytest.mark.parametrize("est", _estimators(), ids=_ids)
@pytest.mark.parametrize("stop_at", [1, 6])
def test_keyboard_interrupt_leaves_a_usable_model(
    est, stop_at, monkeypatch, interrupt_on_call, noisy_problem
):
    X, y, _ = noisy_problem()
    reference = clone(est).set_params(tol=0, max_iter=stop_at - 1 or 1).fit(X, y)
    interrupt_on_call(stop_at)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the interrupt goes on to the caller, after the model is published
        with pytest.raises(KeyboardInterrupt, match="interrupted after"):
            est.set_params(max_iter=50).fit(X, y)
    messages = [(w.category, str(w.message)) for w in caught]
    assert not any(c is ConvergenceWarning for c, _ in messages), messages
    monkeypatch.undo()
    assert est.n_iter_ == len(est.loss_curve_) == stop_at - 1
    assert est.predict(X).shape == y.shape
    np.testing.assert_allclose(est.predict_proba(X).sum(axis=1), 1.0)
    if stop_at > 1:
        for a, b in zip(_params(est), _params(reference)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# --- divergence --------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize(
    "est",
    [GDLogisticRegression(learning_rate=1e6), ShallowNNClassifier(learning_rate=1e4)],
    ids=_ids,
)
def test_divergence_raises_a_clear_error(est, k):
    X, y = load_breast_cancer(return_X_y=True)
    if k == 3:
        y = y + (X[:, 0] > 17)
    est.set_params(random_state=0)
    with pytest.raises(ValueError, match="learning_rate") as info:
        est.fit(X, y)
    message = str(info.value)
    assert "diverged" in message
    assert re.search(r"iteration \d+", message)
    assert f"{est.learning_rate:.4g}" in message
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize("k", [2, 3])
def test_overflowing_arithmetic_is_reported_as_divergence(k):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3)) * 1e200
    y = np.arange(50) % k
    with pytest.raises(ValueError, match="learning_rate"):
        GDLogisticRegression(learning_rate=1.0).fit(X, y)


@settings(max_examples=25, deadline=None)
@given(
    log_rate=st.floats(-3, 4),
    log_scale=st.floats(-2, 3),
    k=st.sampled_from([2, 3]),
    network=st.booleans(),
    solver=st.sampled_from(["gd", "nesterov"]),
)
def test_loss_curve_never_holds_nan(
    noisy_problem, log_rate, log_scale, k, network, solver
):
    X, y, _ = noisy_problem(n=30, k=k, seed=1)
    X = X * 10.0**log_scale
    params = dict(learning_rate=10.0**log_rate, max_iter=30, tol=0, solver=solver)
    if network:
        est = ShallowNNClassifier(n_hidden=3, random_state=0, **params)
    else:
        est = GDLogisticRegression(**params)
    try:
        est.fit(X, y)
    except ValueError as error:
        assert "learning_rate" in str(error)
        return
    assert len(est.loss_curve_) == 30
    assert np.isfinite(est.loss_curve_).all()
    assert all(np.isfinite(p).all() for p in _params(est))


# --- solvers -----------------------------------------------------------------


def test_interrupt_stops_a_grid_search(monkeypatch, interrupt_on_call, noisy_problem):
    from sklearn.model_selection import GridSearchCV

    X, y, _ = noisy_problem()
    interrupt_on_call(7)
    search = GridSearchCV(
        GDLogisticRegression(max_iter=20), {"alpha": [0.0, 1.0, 2.0]}, cv=3
    )
    # not scored as a failed fit, not carried on past: the search stops
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)


@pytest.mark.parametrize("stop_at", [2, 4, 5])
def test_interrupt_in_the_validation_pass_keeps_the_curves_aligned(
    stop_at, monkeypatch, interrupt_on_call, noisy_problem
):
    X, y, _ = noisy_problem()
    clf = ShallowNNClassifier(
        n_hidden=3, learning_rate=0.5, max_iter=30, tol=0, random_state=0
    )
    # training and validation costs alternate: calls 2 and 4 are validation
    interrupt_on_call(stop_at)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X[:30], y[:30], X_val=X[30:], y_val=y[30:])
    monkeypatch.undo()
    assert clf.stop_reason_ == "interrupted"
    assert clf.n_iter_ == len(clf.loss_curve_) == len(clf.validation_loss_curve_)
    assert clf.n_iter_ == (stop_at - 1) // 2
    assert np.isfinite(clf.predict_proba(X)).all()


# --- stop reasons that say what happened ----------------------------------------


def test_divergence_names_the_step_and_the_default():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match="learning_rate='auto' \\(the default\\)"):
        GDLogisticRegression(learning_rate=1.0).fit(X, y)


def test_an_overflowing_gradient_stops_the_fit_with_a_clear_error(monkeypatch):
    # A penalty of 1e38 per unit of weight fits in float32, its gradient
    # l2 * W does not: the fit names the overflow, not a minimum.
    from sknotes._network import DenseNetwork

    original = DenseNetwork.loss_grad

    def overflowing(self, X, y, sample_weight, l2=0.0, grad=None):
        loss = original(self, X, y, sample_weight, l2, grad)
        if grad is not None:
            grad[0] = np.inf
        return loss

    monkeypatch.setattr(DenseNetwork, "loss_grad", overflowing)
    X, y = make_classification(100, 4, random_state=0)
    with pytest.raises(ValueError, match="overflowed float32.*smaller alpha"):
        GDLogisticRegression(alpha=1.0).fit(X.astype(np.float32), y)


def test_an_alpha_that_overflows_float32_is_refused():
    X, y = make_classification(100, 4, random_state=0)
    with pytest.raises(ValueError, match="alpha=1e.100 is too large for float32"):
        GDLogisticRegression(alpha=1e100).fit(X.astype(np.float32), y)
    GDLogisticRegression(alpha=1e100).fit(X, y)  # float64 holds it
