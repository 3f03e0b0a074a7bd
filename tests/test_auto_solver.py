"""What solver='auto' and early_stopping='auto' choose, and the standardised rule."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._network import DenseNetwork
from sknotes._optimizers import AUTO_MINIBATCH_ROWS, AdamStep, MomentumStep
from sknotes._preconditioning import Preconditioner, StandardisedRule


def _raw_and_standard(n=400, d=5, seed=0):
    """Standardised ``Z`` (weighted moments exactly 0 and 1) and ``X = Z s + m``."""
    rng = np.random.RandomState(seed)
    Z = rng.normal(size=(n, d))
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    y = (Z[:, 0] - Z[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    scale, shift = np.logspace(0.5, 2, d), np.linspace(10, 1000, d)
    return Z * scale + shift, Z, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_the_standardised_coordinates_are_the_adjoint_pair(fit_intercept):
    X, _, _ = _raw_and_standard()
    net = DenseNetwork([5, 3, 1])
    net.fit_intercept = fit_intercept
    scaling = Preconditioner(net, X, np.full(X.shape[0], 1 / X.shape[0]))
    rng = np.random.RandomState(1)
    g, d = rng.normal(size=net.n_params), rng.normal(size=net.n_params)
    T = scaling.coordinates()
    Ttg = T.to_standard(g, np.empty_like(g))
    Td = T.from_standard(d, np.empty_like(d))
    # <T^T g, d> = <g, T d>, and T T^T is the first layer's preconditioner
    assert np.dot(Ttg, d) == pytest.approx(np.dot(g, Td), rel=1e-12)
    expected = scaling.apply(g, np.empty_like(g))
    n_first = 5 * 3 + 3
    np.testing.assert_allclose(
        T.from_standard(Ttg, np.empty_like(g))[:n_first], expected[:n_first]
    )


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd"])
def test_the_auto_rate_on_raw_data_is_the_fixed_rate_on_standardised_data(solver):
    # every feature above unit scale: the raw fit starts where the
    # standardised one does, and then steps as if a StandardScaler were there
    X, Z, y = _raw_and_standard()
    common = dict(n_hidden=4, solver=solver, max_iter=15, tol=0, random_state=0)
    rate = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}[solver]
    raw = ShallowNNClassifier(**common).fit(X, y)
    standard = ShallowNNClassifier(learning_rate=rate, **common).fit(Z, y)
    np.testing.assert_allclose(raw.loss_curve_, standard.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(
        raw.predict_proba(X), standard.predict_proba(Z), rtol=1e-9, atol=1e-12
    )


def test_a_rule_steps_alpha_over_sigma_in_the_first_layer():
    X = np.array([[0.0, 1.0], [1000.0, 3.0]])  # sigma = 500 and 1
    net = DenseNetwork([2, 1])
    scaling = Preconditioner(net, X, np.array([0.5, 0.5]))
    rule = StandardisedRule(AdamStep(0.001, net.params), scaling.coordinates())
    rule.step(net.params, np.array([5.0, -2.0, 0.0]), loss=1.0)
    # Adam's first step is alpha per standardised parameter, so alpha / sigma
    # per raw weight; the intercept moves against the centring as well
    np.testing.assert_allclose(net.coefs[0], [[-0.001 / 500, 0.001]], rtol=1e-6)
    assert rule.learning_rate == 0.001
    rule.learning_rate = 0.5  # decay sets the wrapped rule's rate
    assert rule.rule.learning_rate == 0.5


def test_a_constant_column_gets_no_step_from_a_standardised_rule():
    X = np.array([[0.0, 7.0], [2.0, 7.0], [4.0, 7.0]])
    net = DenseNetwork([2, 1])
    scaling = Preconditioner(net, X, np.full(3, 1 / 3))
    rule = StandardisedRule(
        MomentumStep(0.1, net.params, beta=0.0), scaling.coordinates()
    )
    for _ in range(3):
        rule.step(net.params, np.array([1.0, 5.0, 1.0]), loss=1.0)
    assert net.coefs[0][0, 1] == 0.0


@pytest.fixture(scope="module")
def large():
    X, y = make_classification(AUTO_MINIBATCH_ROWS, 10, n_informative=6, random_state=0)
    return X, y


def test_auto_trains_full_batch_below_the_threshold(large):
    X, y = large
    clf = ShallowNNClassifier(n_hidden=8, random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:-1], y[:-1])
    assert clf.solver_ == "nesterov"
    assert not hasattr(clf, "validation_loss_curve_")


@pytest.mark.parametrize(
    "est", [ShallowNNClassifier(n_hidden=8), DeepNNClassifier((8,))]
)
def test_auto_trains_adam_with_early_stopping_on_large_data(est, large):
    X, y = large
    clf = est.set_params(random_state=0, max_iter=40).fit(X, y)
    assert clf.solver_ == "adam"
    assert clf.learning_rate_ == 0.001
    # a validation split of 10 %, one cost per epoch, the best epoch kept
    assert len(clf.validation_loss_curve_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.score(X, y) > 0.9


def test_auto_keeps_the_notes_update_with_a_fixed_rate(large):
    X, y = large
    clf = ShallowNNClassifier(n_hidden=4, learning_rate=0.5, max_iter=3, tol=0)
    clf.fit(X, y)
    assert clf.solver_ == "gd"
    assert not hasattr(clf, "validation_loss_curve_")


def test_early_stopping_can_be_switched_off_on_large_data(large):
    X, y = large
    clf = ShallowNNClassifier(n_hidden=4, early_stopping=False, max_iter=3, tol=0)
    clf.fit(X, y)
    assert clf.solver_ == "adam" and not hasattr(clf, "validation_loss_curve_")


def test_logistic_regression_stays_full_batch_on_large_data(large):
    X, y = large
    clf = GDLogisticRegression().fit(X, y)
    assert clf.solver_ == "nesterov"
    assert not hasattr(clf, "validation_loss_curve_")


def test_mini_batch_warnings_do_not_advise_the_rate_already_in_use():
    X, y = make_classification(2000, 5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=3 epochs") as record:
        ShallowNNClassifier(solver="adam", max_iter=3, random_state=0).fit(X, y)
    assert all("learning_rate='auto'" not in str(w.message) for w in record)
    with pytest.warns(ConvergenceWarning, match="use learning_rate='auto'"):
        ShallowNNClassifier(
            solver="adam", learning_rate=0.001, max_iter=3, random_state=0
        ).fit(X, y)


def test_an_impossible_automatic_split_is_left_out(large):
    # four rows of positive weight among 20,000: the 10 % held out by
    # early_stopping='auto' may weigh nothing; the user asked for no split
    X, y = large
    sw = np.zeros(len(y))
    sw[:4] = 1
    y = y.copy()
    y[:4] = [0, 1, 0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ShallowNNClassifier(n_hidden=4, max_iter=2, random_state=1)
        clf.fit(X, y, sample_weight=sw)
    assert clf.solver_ == "adam" and not hasattr(clf, "validation_loss_curve_")
    # asked for, the same split is an error that says why
    with pytest.raises(ValueError, match="validation sample weights sum to zero"):
        clf.set_params(early_stopping=True).fit(X, y, sample_weight=sw)
