"""The step rules of the loop (sknotes._step_rules): Nesterov's momentum
against plain gradient descent, and the 'auto' step's trial points."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from sknotes import GDLogisticRegression, ShallowNNClassifier


@pytest.mark.parametrize("k", [2, 3])
def test_nesterov_reaches_the_same_optimum_as_plain_gradient_descent(k, noisy_problem):
    X, y, sw = noisy_problem(n=200, d=5, k=k, seed=3)
    alpha = 2.0
    ref = LogisticRegression(C=1 / alpha, tol=1e-12).fit(X, y, sample_weight=sw)
    gd = GDLogisticRegression(alpha=alpha, tol=0, max_iter=5000, solver="gd")
    fast = GDLogisticRegression(
        alpha=alpha, tol=1e-13, max_iter=5000, solver="nesterov"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gd.fit(X, y, sample_weight=sw)
        fast.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(fast.coef_, gd.coef_, atol=1e-5)
    np.testing.assert_allclose(fast.intercept_, gd.intercept_, atol=1e-5)
    np.testing.assert_allclose(gd.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(fast.predict_proba(X), ref.predict_proba(X), atol=1e-5)
    # momentum gets within 1e-8 of the optimal cost in fewer iterations
    optimum = min(gd.loss_curve_)

    def reached(curve):
        return int(np.argmax(np.asarray(curve) - optimum < 1e-8))

    assert 0 < reached(fast.loss_curve_) < reached(gd.loss_curve_)


def test_nesterov_trains_the_network(noisy_problem):
    X, y, _ = noisy_problem(n=100, k=3, seed=4)
    clf = ShallowNNClassifier(
        solver="nesterov", learning_rate=0.2, max_iter=300, tol=0, random_state=0
    ).fit(X, y)
    assert np.isfinite(clf.loss_curve_).all()
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]
    # the model holds the parameters of the last gradient step; its cost is
    # the log loss of its predictions
    assert log_loss(y, clf.predict_proba(X)) < clf.loss_curve_[0]


@pytest.mark.parametrize("stop_at", [2, 5, 9])
def test_interrupt_during_a_trial_step_keeps_the_last_accepted_point(
    stop_at, monkeypatch, interrupt_on_call
):
    X, y = load_wine(return_X_y=True)
    interrupt_on_call(stop_at)
    clf = GDLogisticRegression()
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    monkeypatch.undo()
    assert clf.stop_reason_ == "interrupted"
    # The model is the last point whose cost was recorded, not a trial.
    assert log_loss(y, clf.predict_proba(X)) == pytest.approx(
        clf.loss_curve_[-1], rel=1e-9
    )


def test_a_gradient_that_overflows_is_not_taken_for_a_minimum():
    from sknotes._step_rules import AdaptiveStep

    theta = np.array([1.0, 2.0])

    def evaluate(out):
        out[:] = [np.inf, 1.0]
        return 1.0

    grad = np.empty(2)
    rule = AdaptiveStep(evaluate, theta, grad, momentum=False)
    with pytest.raises(FloatingPointError, match="not finite"):
        rule.step(theta, grad, evaluate(grad))
    assert rule.stuck is None
