"""Numerical gradient checking of both estimators, and that it catches bad gradients."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

import sknotes
from sknotes import GDLogisticRegression, ShallowNNClassifier, activations
from sknotes._network import DenseNetwork
from sknotes.gradcheck import check_gradients

ACTIVATION_NAMES = ["tanh", "sigmoid", "relu", "leaky_relu"]


@pytest.fixture(scope="module")
def make_problem(weighted_problem):
    """``weighted_problem`` with this module's sizes as defaults."""
    return lambda n=25, d=3, k=2, seed=0: weighted_problem(n, d, k, seed)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 1.3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_logistic_regression_gradient(k, weighted, alpha, fit_intercept, make_problem):
    X, y, sw = make_problem(k=k)
    sw = sw if weighted else None
    clf = GDLogisticRegression(alpha=alpha, fit_intercept=fit_intercept)
    # at random parameters (unfitted) and at fitted ones; a few short steps
    # only, since near the optimum the gradient is as small as the
    # finite-difference noise and a relative difference means nothing
    assert check_gradients(clf, X, y, sw) < 1e-7
    clf.set_params(max_iter=3, tol=0, learning_rate=0.1).fit(X, y, sample_weight=sw)
    assert check_gradients(clf, X, y, sw) < 1e-7


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.9])
def test_shallow_network_gradient(activation, k, weighted, alpha, make_problem):
    X, y, sw = make_problem(k=k, seed=1)
    sw = sw if weighted else None
    clf = ShallowNNClassifier(
        n_hidden=4, activation=activation, negative_slope=0.1, alpha=alpha
    )
    assert check_gradients(clf, X, y, sw, random_state=3) < 1e-7
    clf.set_params(max_iter=15, tol=0, random_state=0).fit(X, y, sample_weight=sw)
    assert check_gradients(clf, X, y, sw) < 1e-7


@pytest.mark.parametrize("estimator", [GDLogisticRegression(), ShallowNNClassifier()])
def test_class_weight_and_sparse_input(estimator, make_problem):
    X, y, sw = make_problem(k=3, seed=2)
    estimator.set_params(class_weight="balanced", alpha=0.5)
    assert check_gradients(estimator, X, y, sw) < 1e-7
    X[np.abs(X) < 0.5] = 0
    assert check_gradients(estimator, sp.csr_matrix(X), y, sw) < 1e-7


def test_wrong_activation_derivative_is_detected(monkeypatch, make_problem):
    X, y, _ = make_problem(seed=3)
    clf = ShallowNNClassifier(n_hidden=4, activation="tanh")
    assert check_gradients(clf, X, y) < 1e-7

    def wrong(A, delta, **_):
        # sigma'-style a (1 - a) instead of tanh's 1 - a^2
        delta *= A * (1 - A)
        return delta

    # the numpy kernels read DERIVATIVES; the numba ones have their own copy
    monkeypatch.setitem(activations.DERIVATIVES, "tanh", wrong)
    with sknotes.config_context(kernels="numpy"):
        assert check_gradients(clf, X, y) > 1e-3


def test_scaled_analytic_gradient_is_detected(monkeypatch, make_problem):
    X, y, _ = make_problem(k=3, seed=4)
    original = DenseNetwork.loss_grad

    def ten_percent_off(self, X, y, sample_weight, l2=0.0, grad=None):
        loss = original(self, X, y, sample_weight, l2, grad)
        if grad is not None:
            grad *= 1.1
        return loss

    monkeypatch.setattr(DenseNetwork, "loss_grad", ten_percent_off)
    # ||0.1 g|| / (||1.1 g|| + ||g||) = 0.1 / 2.1
    for clf in (GDLogisticRegression(), ShallowNNClassifier()):
        assert check_gradients(clf, X, y) == pytest.approx(0.1 / 2.1, rel=1e-5)


def test_wrong_penalty_gradient_is_detected(monkeypatch, make_problem):
    X, y, _ = make_problem(seed=5)
    original = DenseNetwork.loss_grad

    def penalty_forgotten(self, X, y, sample_weight, l2=0.0, grad=None):
        if grad is None:
            return original(self, X, y, sample_weight, l2)
        loss = original(self, X, y, sample_weight, 0.0, grad)
        return loss + 0.5 * l2 * sum(np.sum(W**2) for W in self.coefs)

    monkeypatch.setattr(DenseNetwork, "loss_grad", penalty_forgotten)
    assert check_gradients(GDLogisticRegression(alpha=0.0), X, y) < 1e-7
    assert check_gradients(GDLogisticRegression(alpha=20.0), X, y) > 1e-3


def test_estimator_is_left_as_it_was(make_problem):
    X, y, _ = make_problem()
    unfitted = ShallowNNClassifier()
    check_gradients(unfitted, X, y)
    assert not hasattr(unfitted, "coefs_")
    assert not hasattr(unfitted, "n_features_in_")
    fitted = GDLogisticRegression(max_iter=10, tol=0).fit(X, y)
    coef = fitted.coef_.copy()
    check_gradients(fitted, X, y)
    np.testing.assert_array_equal(fitted.coef_, coef)


def test_fitted_float32_model_is_checked_in_float64(make_problem):
    X, y, _ = make_problem(seed=6)
    clf = ShallowNNClassifier(max_iter=10, tol=0, random_state=0)
    clf.fit(X.astype(np.float32), y)
    assert clf.coefs_[0].dtype == np.float32
    assert check_gradients(clf, X, y) < 1e-7


def test_random_state_selects_the_point_and_the_result_is_reproducible(make_problem):
    X, y, _ = make_problem(seed=7)
    clf = ShallowNNClassifier()
    a = check_gradients(clf, X, y, random_state=1)
    b = check_gradients(clf, X, y, random_state=1)
    assert a == b


def test_bad_arguments(make_problem):
    X, y, _ = make_problem()
    with pytest.raises(TypeError, match="sknotes"):
        check_gradients(LogisticRegression(), X, y)
    clf = GDLogisticRegression(max_iter=5, tol=0).fit(X, y)
    with pytest.raises(ValueError, match="classes"):
        check_gradients(clf, X, y + 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("epsilon", [0, -1e-6, np.nan, np.inf, "small", True])
def test_check_gradients_validates_epsilon(epsilon, weighted_problem):
    X, y, _ = weighted_problem(20, 3, 2)
    with pytest.raises(ValueError, match="epsilon"):
        check_gradients(GDLogisticRegression(), X, y, epsilon=epsilon)
