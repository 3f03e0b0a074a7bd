"""GDLogisticRegression against independent computations.

Every expected number here is computed a second way: the cost and its
finite-difference gradient written out in numpy below, scikit-learn's
``log_loss``, or the optimum ``LogisticRegression`` finds for the same convex
problem.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit, logsumexp, softmax
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import compute_sample_weight
from sklearn.utils.class_weight import compute_class_weight

from sknotes import GDLogisticRegression
from sknotes._network import DenseNetwork

# --- an independent implementation of the cost -------------------------------


@pytest.fixture(scope="module")
def make_problem(weighted_problem):
    """``weighted_problem`` with this module's sizes as defaults."""
    return lambda n=40, d=4, k=2, seed=0: weighted_problem(n, d, k, seed)


def _cost(W, b, X, y, s, alpha):
    """J = (sum_i s_i L_i + alpha/2 ||W||^2) / sum_i s_i, written from scratch."""
    Z = X @ W.T + b
    if W.shape[0] == 1:
        z = Z[:, 0]
        # -log sigma(z) for y = 1, -log(1 - sigma(z)) = -log sigma(-z) for y = 0
        L = np.where(y == 1, np.logaddexp(0, -z), np.logaddexp(0, z))
    else:
        L = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    return (s @ L + 0.5 * alpha * np.sum(W * W)) / s.sum()


def _fd_gradient(W, b, X, y, s, alpha, h=1e-6):
    W, b = W.copy(), b.copy()
    gW, gb = np.zeros_like(W), np.zeros_like(b)
    for arr, g in ((W, gW), (b, gb)):
        for idx in np.ndindex(arr.shape):
            saved = arr[idx]
            arr[idx] = saved + h
            plus = _cost(W, b, X, y, s, alpha)
            arr[idx] = saved - h
            minus = _cost(W, b, X, y, s, alpha)
            arr[idx] = saved
            g[idx] = (plus - minus) / (2 * h)
    return gW, gb


PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def _n_out(k):
    return 1 if k == 2 else k


# --- gradients ---------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_one_gradient_step_equals_finite_difference_gradient(
    k, weighted, alpha, make_problem
):
    X, y, sw = make_problem(k=k)
    s = sw if weighted else np.ones_like(sw)
    fit_sw = sw if weighted else None
    eta = 0.5
    n_out, d = _n_out(k), X.shape[1]

    # First step from w = 0, b = 0: coef_ = -eta dJ/dw(0).
    clf = GDLogisticRegression(learning_rate=eta, max_iter=1, tol=0, alpha=alpha)
    clf.fit(X, y, sample_weight=fit_sw)
    W0, b0 = np.zeros((n_out, d)), np.zeros(n_out)
    gW, gb = _fd_gradient(W0, b0, X, y, s, alpha)
    assert clf.coef_.shape == (n_out, d)
    assert clf.intercept_.shape == (n_out,)
    np.testing.assert_allclose(clf.coef_, -eta * gW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(clf.intercept_, -eta * gb, rtol=1e-6, atol=1e-9)
    assert clf.loss_curve_ == [pytest.approx(_cost(W0, b0, X, y, s, alpha), 1e-12)]

    # A second step from a non-zero point, where the penalty has a gradient.
    rng = np.random.RandomState(5)
    W1 = rng.normal(scale=0.5, size=(n_out, d))
    b1 = rng.normal(scale=0.5, size=n_out)
    clf.set_params(warm_start=True)
    clf.coef_, clf.intercept_ = W1.copy(), b1.copy()
    clf.fit(X, y, sample_weight=fit_sw)
    gW, gb = _fd_gradient(W1, b1, X, y, s, alpha)
    np.testing.assert_allclose((W1 - clf.coef_) / eta, gW, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose((b1 - clf.intercept_) / eta, gb, rtol=1e-6, atol=1e-9)
    assert clf.loss_curve_[-1] == pytest.approx(_cost(W1, b1, X, y, s, alpha), 1e-12)


@pytest.mark.usefixtures("both_kernels")
def test_the_notes_scalar_loop_with_soft_labels():
    # The notes' first program (section 1.3): five points x = -2..2 with soft labels
    # y = sigma(x), w = b = 1, step 0.01, 1000 iterations, every derivative
    # written out per sample. A soft label y is a sample of class 1 with
    # weight y plus one of class 0 with weight 1 - y.
    x = np.arange(-2.0, 3.0)
    soft = expit(x)
    w, b, costs = 1.0, 1.0, []
    for _ in range(1000):
        yhat = 1 / (1 + np.exp(-(w * x + b)))
        costs.append(np.mean(-soft * np.log(yhat) - (1 - soft) * np.log(1 - yhat)))
        dz = yhat - soft  # dL/dyhat * dyhat/dz
        w, b = w - 0.01 * np.mean(dz * x), b - 0.01 * np.mean(dz)

    X = np.repeat(x, 2)[:, None]
    y = np.tile([1, 0], 5)
    weight = np.column_stack([soft, 1 - soft]).ravel()
    clf = GDLogisticRegression(learning_rate=0.01, max_iter=1000, tol=0)
    clf.set_params(warm_start=True, max_iter=1).fit(X, y, sample_weight=weight)
    clf.coef_, clf.intercept_ = np.array([[1.0]]), np.array([1.0])
    clf.set_params(max_iter=1000).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(clf.loss_curve_[1:], costs, rtol=1e-14, atol=0)
    np.testing.assert_allclose(clf.coef_, [[w]], rtol=1e-14)
    np.testing.assert_allclose(clf.intercept_, [b], rtol=1e-14)


@pytest.mark.parametrize("k", [2, 3])
def test_without_intercept_the_bias_stays_zero(k, make_problem):
    X, y, sw = make_problem(k=k)
    eta, alpha = 0.5, 0.3
    clf = GDLogisticRegression(
        learning_rate=eta, max_iter=1, tol=0, alpha=alpha, fit_intercept=False
    ).fit(X, y, sample_weight=sw)
    n_out = _n_out(k)
    gW, _ = _fd_gradient(np.zeros((n_out, 4)), np.zeros(n_out), X, y, sw, alpha)
    np.testing.assert_allclose(clf.coef_, -eta * gW, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(clf.intercept_, 0.0)
    clf.set_params(max_iter=50).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(clf.intercept_, 0.0)


# --- loss curve --------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_curve_entries_are_log_loss_of_the_model_so_far(
    k, alpha, weighted, make_problem
):
    X, y, sw = make_problem(k=k, seed=1)
    s = sw if weighted else np.ones_like(sw)
    fit_sw = sw if weighted else None
    params = dict(learning_rate=0.3, tol=0, alpha=alpha)
    for n_iter in (1, 4, 9):
        short = GDLogisticRegression(max_iter=n_iter, **params).fit(X, y, fit_sw)
        longer = GDLogisticRegression(max_iter=n_iter + 1, **params).fit(X, y, fit_sw)
        expected = (
            log_loss(y, short.predict_proba(X), sample_weight=s, labels=short.classes_)
            + 0.5 * alpha * np.sum(short.coef_**2) / s.sum()
        )
        assert len(longer.loss_curve_) == n_iter + 1
        assert longer.loss_curve_[n_iter] == pytest.approx(expected, rel=1e-10)
        np.testing.assert_allclose(longer.loss_curve_[:n_iter], short.loss_curve_)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_first_loss_is_log_of_the_number_of_classes(k, make_problem):
    X, y, sw = make_problem(k=k)
    for fit_sw in (None, sw):
        clf = GDLogisticRegression(max_iter=3, tol=0, alpha=1.5).fit(X, y, fit_sw)
        assert clf.loss_curve_[0] == pytest.approx(np.log(k), rel=1e-14)
    assert np.log(2) == pytest.approx(0.6931471805599453)


# --- agreement with scikit-learn at the optimum ------------------------------


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 5.0])
def test_converged_probabilities_match_logistic_regression(k, sparse, alpha):
    X, y = make_classification(
        2000, 20, n_informative=5, n_classes=k, flip_y=0.1, random_state=k
    )
    C = np.inf if alpha == 0 else 1.0 / alpha
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    X_fit = sp.csr_matrix(X) if sparse else X
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = GDLogisticRegression(
            solver="nesterov", alpha=alpha, tol=1e-12, max_iter=5000
        ).fit(X_fit, y)
    np.testing.assert_allclose(
        ours.predict_proba(X_fit), ref.predict_proba(X), atol=1e-4
    )
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    if alpha > 0:
        # strictly convex: the same weights. Without a penalty the redundant
        # features of make_classification leave the weights free along their
        # null space, and each solver picks its own point there.
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=2e-3)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=2e-3)
    assert (ours.predict(X_fit) == ref.predict(X)).mean() > 0.995


def test_no_intercept_matches_logistic_regression():
    X, y = make_classification(500, 5, flip_y=0.1, random_state=3)
    ref = LogisticRegression(C=1.0, fit_intercept=False, tol=1e-12).fit(X, y)
    ours = GDLogisticRegression(
        alpha=1.0, fit_intercept=False, solver="nesterov", tol=1e-12, max_iter=5000
    ).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.intercept_, 0.0)


# --- sample and class weights ------------------------------------------------


# A fixed step is the same arithmetic whichever way the weights are written,
# so its models agree to rounding. The 'auto' step makes the same choices
# as long as no trial cost ties its predecessor to rounding, which holds in
# the first iterations of a fit.
_EXACT = [(0.5, 200, 1e-7, 1e-10), ("auto", 15, 1e-6, 1e-9)]


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("learning_rate, max_iter, rtol, curve_rtol", _EXACT)
def test_integer_sample_weights_equal_repeated_rows(
    k, learning_rate, max_iter, rtol, curve_rtol, make_problem
):
    X, y, _ = make_problem(n=30, k=k, seed=2)
    w = np.random.RandomState(3).randint(0, 4, size=30)
    w[:k] = 1  # every class keeps a row
    params = dict(learning_rate=learning_rate, max_iter=max_iter, tol=0, alpha=0.5)
    weighted = GDLogisticRegression(**params).fit(X, y, sample_weight=w)
    repeated = GDLogisticRegression(**params).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    assert weighted.learning_rate_ == pytest.approx(repeated.learning_rate_, rtol)
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=rtol, atol=1e-9)
    np.testing.assert_allclose(
        weighted.intercept_, repeated.intercept_, rtol=rtol, atol=1e-9
    )
    np.testing.assert_allclose(
        weighted.loss_curve_, repeated.loss_curve_, rtol=curve_rtol
    )


@pytest.mark.parametrize("learning_rate, max_iter, rtol, curve_rtol", _EXACT)
def test_scaling_all_weights_changes_nothing_without_penalty(
    learning_rate, max_iter, rtol, curve_rtol, make_problem
):
    X, y, sw = make_problem(seed=4)
    params = dict(learning_rate=learning_rate, max_iter=max_iter, tol=0)
    a = GDLogisticRegression(**params).fit(X, y, sample_weight=sw)
    b = GDLogisticRegression(**params).fit(X, y, sample_weight=37.0 * sw)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=rtol * 1e-3, atol=1e-12)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=curve_rtol)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("class_weight", ["balanced", "dict"])
def test_class_weight_equals_the_sample_weights_it_implies(
    k, class_weight, make_problem
):
    X, y, sw = make_problem(n=50, k=k, seed=6)
    y[: 35 - 5 * k] = 0  # imbalanced
    if class_weight == "dict":
        class_weight = {c: 1.0 + 2.5 * c for c in range(k)}
    implied = compute_sample_weight(class_weight, y)
    params = dict(max_iter=60, tol=0, alpha=0.2)
    by_class = GDLogisticRegression(class_weight=class_weight, **params).fit(X, y)
    by_sample = GDLogisticRegression(**params).fit(X, y, sample_weight=implied)
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-12)
    np.testing.assert_allclose(by_class.intercept_, by_sample.intercept_, rtol=1e-12)
    # with sample weights as well, the two multiply; 'balanced' then counts
    # each class by its weights, as LogisticRegression does
    if class_weight == "balanced":
        weights = compute_class_weight(
            "balanced", classes=np.arange(k), y=y, sample_weight=sw
        )
        implied = weights[y]
    both = GDLogisticRegression(class_weight=class_weight, **params).fit(X, y, sw)
    product = GDLogisticRegression(**params).fit(X, y, sample_weight=sw * implied)
    np.testing.assert_allclose(both.coef_, product.coef_, rtol=1e-12)


def test_balanced_class_weight_matches_logistic_regression():
    X, y = make_classification(600, 6, weights=[0.85], flip_y=0.05, random_state=8)
    ref = LogisticRegression(C=0.5, class_weight="balanced", tol=1e-12).fit(X, y)
    ours = GDLogisticRegression(
        alpha=2.0, class_weight="balanced", solver="nesterov", tol=1e-12, max_iter=5000
    ).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)


# --- properties --------------------------------------------------------------


@st.composite
def _classification_problems(draw, max_classes=3):
    k = draw(st.integers(2, max_classes))
    n = draw(st.integers(2 * k, 25))
    d = draw(st.integers(1, 3))
    X = draw(
        hnp.arrays(
            np.float64,
            (n, d),
            elements=st.floats(-5, 5, allow_nan=False, allow_subnormal=False),
        )
    )
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, k - 1)))
    y[:k] = np.arange(k)
    return X, y


@settings(max_examples=25, deadline=None)
@given(_classification_problems())
def test_probabilities_are_distributions(problem):
    X, y = problem
    clf = GDLogisticRegression(max_iter=30, tol=0, alpha=0.1).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), len(clf.classes_))
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)
    clear = np.sort(proba, axis=1)
    clear = clear[:, -1] - clear[:, -2] > 1e-9
    np.testing.assert_array_equal(
        clf.predict(X)[clear], clf.classes_[proba.argmax(axis=1)][clear]
    )


@settings(max_examples=25, deadline=None)
@given(_classification_problems(), st.randoms(use_true_random=False))
def test_renaming_labels_changes_nothing(problem, random):
    X, y = problem
    k = y.max() + 1
    names = ["apple", "banana", "cherry"][:k]
    random.shuffle(names)
    names = np.array(names, dtype=object)
    params = dict(max_iter=30, tol=0, learning_rate=0.2)
    by_code = GDLogisticRegression(**params).fit(X, y)
    by_name = GDLogisticRegression(**params).fit(X, names[y])
    assert list(by_name.classes_) == sorted(names)
    # column of class c in the renamed model
    column = [list(by_name.classes_).index(names[c]) for c in range(k)]
    p_code = by_code.predict_proba(X)
    np.testing.assert_allclose(by_name.predict_proba(X)[:, column], p_code, atol=1e-9)
    top = np.sort(p_code, axis=1)
    clear = top[:, -1] - top[:, -2] > 1e-6
    np.testing.assert_array_equal(
        by_name.predict(X)[clear], names[by_code.predict(X)][clear]
    )


@settings(max_examples=25, deadline=None)
@given(_classification_problems(), st.randoms(use_true_random=False))
def test_full_batch_fit_ignores_row_order(problem, random):
    X, y = problem
    order = list(range(len(y)))
    random.shuffle(order)
    # A fixed step: the 'auto' step's accept/reject decisions can flip on
    # rounding once the cost is flat, and the sum order changes rounding.
    params = dict(learning_rate=0.02, max_iter=30, tol=0, alpha=0.05)
    a = GDLogisticRegression(**params).fit(X, y)
    b = GDLogisticRegression(**params).fit(X[order], y[order])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-10)


# --- dtypes ------------------------------------------------------------------


def _spy_on_dtypes(monkeypatch):
    seen = []
    original = DenseNetwork.loss_grad

    def spy(self, X, y, sample_weight, l2=0.0, grad=None):
        seen.append((X.dtype, self.params.dtype, sample_weight.dtype))
        if grad is not None:
            seen.append((grad.dtype,))
        return original(self, X, y, sample_weight, l2, grad)

    monkeypatch.setattr(DenseNetwork, "loss_grad", spy)
    return seen


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_end_to_end(monkeypatch, k, sparse, dtype, make_problem):
    X, y, sw = make_problem(k=k)
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)
    seen = _spy_on_dtypes(monkeypatch)
    clf = GDLogisticRegression(max_iter=20, tol=0).fit(X, y, sample_weight=sw)
    assert seen and all(dt == dtype for entry in seen for dt in entry)
    assert clf.coef_.dtype == dtype
    assert clf.intercept_.dtype == dtype
    assert clf.predict_proba(X).dtype == dtype
    assert clf.predict_log_proba(X).dtype == dtype
    assert clf.decision_function(X).dtype == dtype


@pytest.mark.parametrize(
    "learning_rate, max_iter, rtol", [(0.5, 100, 1e-4), ("auto", 15, 1e-2)]
)
def test_float32_fit_is_close_to_float64_fit(
    learning_rate, max_iter, rtol, make_problem
):
    # The 'auto' step compares costs, so float32 rounding can change which
    # trial steps it keeps: its models agree less closely than a fixed step's.
    X, y, sw = make_problem(k=3)
    params = dict(learning_rate=learning_rate, max_iter=max_iter, tol=0)
    a = GDLogisticRegression(**params).fit(X, y, sw)
    b = GDLogisticRegression(**params).fit(X.astype(np.float32), y, sw)
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=rtol, atol=1e-5)
    np.testing.assert_allclose(b.loss_curve_, a.loss_curve_, rtol=rtol / 10)


def test_integer_input_is_trained_in_float64(make_problem):
    X, y, _ = make_problem()
    clf = GDLogisticRegression(max_iter=5, tol=0).fit(np.round(X * 10).astype(int), y)
    assert clf.coef_.dtype == np.float64


# --- errors ------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_rejected(bad, make_problem):
    X, y, _ = make_problem()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        GDLogisticRegression().fit(X, y)
    clf = GDLogisticRegression(max_iter=5, tol=0).fit(*make_problem()[:2])
    with pytest.raises(ValueError, match="NaN|infinity"):
        clf.predict(X)


def test_single_class_is_rejected(make_problem):
    X, _, _ = make_problem()
    with pytest.raises(ValueError, match="one class"):
        GDLogisticRegression().fit(X, np.full(len(X), "spam"))


def test_wrong_number_of_features_at_predict_time(make_problem):
    X, y, _ = make_problem()
    clf = GDLogisticRegression(max_iter=5, tol=0).fit(X, y)
    for method in PREDICT_METHODS:
        with pytest.raises(ValueError, match="features"):
            getattr(clf, method)(X[:, :3])


def test_negative_sample_weight_is_rejected(make_problem):
    X, y, sw = make_problem()
    sw[0] = -1.0
    with pytest.raises(ValueError, match="[Nn]egative"):
        GDLogisticRegression().fit(X, y, sample_weight=sw)


def test_validation_set_errors(make_problem):
    X, y, _ = make_problem()
    clf = GDLogisticRegression(max_iter=5)
    with pytest.raises(ValueError, match="not seen|unknown|labels"):
        clf.fit(X, y, X_val=X[:5], y_val=np.array([0, 1, 0, 7, 1]))
    with pytest.raises(ValueError, match="together"):
        clf.fit(X, y, X_val=X[:5])
    with pytest.raises(ValueError, match="together"):
        clf.fit(X, y, y_val=y[:5])
    with pytest.raises(ValueError, match="features"):
        clf.fit(X, y, X_val=X[:5, :2], y_val=y[:5])
    with pytest.raises(ValueError):
        clf.fit(X, y, X_val=X[:5], y_val=y[:4])


def test_divergence_on_unscaled_data_names_the_learning_rate():
    X, y = load_breast_cancer(return_X_y=True)
    clf = GDLogisticRegression(learning_rate=1e6)
    with pytest.raises(ValueError, match="learning_rate"):
        clf.fit(X, y)
    # nothing half-done: the estimator is not fitted
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_unfitted_estimator_raises_not_fitted(make_problem):
    X, _, _ = make_problem()
    clf = GDLogisticRegression()
    for method in PREDICT_METHODS:
        with pytest.raises(NotFittedError):
            getattr(clf, method)(X)


def test_failed_fit_on_bad_input_leaves_estimator_unfitted(make_problem):
    X, y, _ = make_problem()
    clf = GDLogisticRegression()
    with pytest.raises(ValueError, match="one class"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize("failure", ["one class", "learning_rate"])
def test_failed_refit_leaves_nothing_half_done(failure):
    # A refit that raises must leave either an unfitted estimator or the
    # previous model, predicting as before; not a mixture of the two fits.
    X, y = load_breast_cancer(return_X_y=True)
    clf = GDLogisticRegression().fit(X[:, :3], y)
    before = clf.predict_proba(X[:, :3])
    with pytest.raises(ValueError, match=failure):
        if failure == "one class":
            clf.fit(X[:, :5], np.ones_like(y))
        else:
            clf.set_params(learning_rate=1e6).fit(X[:, :5], y)
    try:
        after = clf.predict_proba(X[:, :3])
    except NotFittedError:
        return
    np.testing.assert_array_equal(after, before)


# --- the automatic learning rate ---------------------------------------------


def _lbfgs_cost(X, y, s, alpha, fit_intercept=True):
    """The optimal cost of the same problem, found by LogisticRegression."""
    C = np.inf if alpha == 0 else 1.0 / alpha
    ref = LogisticRegression(
        C=C, fit_intercept=fit_intercept, tol=1e-12, max_iter=10000
    ).fit(X, y, sample_weight=s)
    proba = ref.predict_proba(X)
    L = -np.log(proba[np.arange(len(y)), np.searchsorted(ref.classes_, y)])
    return (s @ L + 0.5 * alpha * np.sum(ref.coef_**2)) / s.sum()


@pytest.mark.parametrize("solver, gap", [("auto", 1e-4), ("gd", 1e-3)])
def test_auto_learning_rate_trains_on_unscaled_data(solver, gap):
    # breast_cancer's features span 1e-3 to 4e3 and are strongly correlated:
    # a step of 1/L of the raw cost crawls; the preconditioned 'auto' step
    # gets near the optimum that lbfgs finds.
    X, y = load_breast_cancer(return_X_y=True)
    s = np.ones(len(y))
    clf = GDLogisticRegression(alpha=1.0, solver=solver, tol=0, max_iter=2000)
    clf.fit(X, y)
    assert (np.diff(clf.loss_curve_) <= 0).all()  # never a rising cost
    assert clf.loss_curve_[-1] == pytest.approx(_lbfgs_cost(X, y, s, 1.0), abs=gap)
    plain = GDLogisticRegression(alpha=1.0, learning_rate=1e-5, tol=0, max_iter=2000)
    plain.fit(X, y)  # a fixed step small enough for the raw features
    assert plain.loss_curve_[-1] - clf.loss_curve_[-1] > 0.05


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_auto_learning_rate_multiclass_weighted_penalised(fit_intercept, weighted):
    X, y = load_iris(return_X_y=True)
    X = X * np.array([1e-3, 1.0, 1e2, 1e3])  # badly scaled on purpose
    sw = np.random.RandomState(0).uniform(0.2, 5.0, size=len(y))
    s = sw if weighted else np.ones_like(sw)
    alpha = 3.0
    for target in (y, (y == 2).astype(int)):
        clf = GDLogisticRegression(
            alpha=alpha, fit_intercept=fit_intercept, tol=0, max_iter=3000
        ).fit(X, target, sample_weight=sw if weighted else None)
        assert (np.diff(clf.loss_curve_) <= 0).all()
        optimum = _lbfgs_cost(X, target, s, alpha, fit_intercept)
        # Separable classes and a feature scaled by 1e3 leave directions of
        # tiny curvature: first-order steps get close, not to 1e-8.
        assert clf.loss_curve_[-1] == pytest.approx(optimum, abs=1e-4)
        assert clf.learning_rate_ > 0


def test_fixed_learning_rate_is_reported(make_problem):
    X, y, _ = make_problem()
    clf = GDLogisticRegression(learning_rate=0.123, max_iter=2, tol=0).fit(X, y)
    assert clf.learning_rate_ == 0.123


# --- scikit-learn integration ------------------------------------------------


def test_dataframe_input_sets_feature_names(make_problem):
    X, y, _ = make_problem()
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = GDLogisticRegression(max_iter=20, tol=0).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    with pytest.warns(UserWarning, match="feature names"):
        plain_proba = clf.predict_proba(df.values)
    np.testing.assert_allclose(clf.predict_proba(df), plain_proba)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df[["b", "a", "c", "d"]])
    plain = GDLogisticRegression(max_iter=20, tol=0).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")


def test_pickle_round_trip(make_problem):
    X, y, _ = make_problem(k=3)
    clf = GDLogisticRegression(max_iter=50).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    assert restored.loss_curve_ == clf.loss_curve_
    assert restored.get_params() == clf.get_params()


def test_grid_search_in_a_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), GDLogisticRegression(max_iter=300))
    grid = {
        "gdlogisticregression__alpha": [0.0, 1.0, 30.0],
        "gdlogisticregression__learning_rate": ["auto", 0.5],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
        again = cross_val_score(
            clone(pipe).set_params(**search.best_params_), X, y, cv=3
        )
    assert search.best_score_ > 0.95
    assert search.best_score_ == pytest.approx(again.mean(), abs=1e-12)
    assert search.best_estimator_[-1].n_features_in_ == X.shape[1]


@pytest.mark.parametrize("k", [2, 3])
def test_decision_function_and_probabilities_follow_the_model(k, make_problem):
    X, y, _ = make_problem(k=k)
    clf = GDLogisticRegression(max_iter=50).fit(X, y)
    scores = clf.decision_function(X)
    linear = X @ clf.coef_.T + clf.intercept_
    if k == 2:
        assert scores.shape == (len(y),)
        np.testing.assert_allclose(scores, linear[:, 0], rtol=1e-12, atol=1e-14)
        proba = np.column_stack([expit(-scores), expit(scores)])
        np.testing.assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    else:
        assert scores.shape == (len(y), k)
        np.testing.assert_allclose(scores, linear, rtol=1e-12, atol=1e-14)
        proba = softmax(scores, axis=1)
        np.testing.assert_array_equal(clf.predict(X), scores.argmax(axis=1))
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("k", [2, 3])
def test_log_probabilities_stay_finite_for_extreme_inputs(k, make_problem):
    X, y, _ = make_problem(k=k)
    clf = GDLogisticRegression(max_iter=50).fit(X, y)
    far = X * 1e6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_proba = clf.predict_log_proba(far)
        proba = clf.predict_proba(far)
    assert np.isfinite(log_proba).all()
    z = clf.decision_function(far)
    if k == 2:
        expected = np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])
    else:
        expected = z - logsumexp(z, axis=1, keepdims=True)
    np.testing.assert_allclose(log_proba, expected, rtol=1e-12)
    assert np.abs(log_proba).max() > 1e4  # far beyond what exp() can represent
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # on ordinary inputs it is exactly the log of predict_proba
    np.testing.assert_allclose(
        clf.predict_log_proba(X), np.log(clf.predict_proba(X)), rtol=1e-12
    )


def test_string_labels_and_classes_order(make_problem):
    X, y, _ = make_problem(k=3)
    labels = np.array(["zebra", "ant", "moose"])[y]
    clf = GDLogisticRegression(max_iter=50).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["ant", "moose", "zebra"])
    assert set(clf.predict(X)) <= set(labels)
