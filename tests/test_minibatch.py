"""The mini-batch solvers through the estimators: epochs, batches, stopping."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._minibatch import decayed_rate

ESTIMATORS = [
    GDLogisticRegression(),
    ShallowNNClassifier(n_hidden=6, random_state=0),
    DeepNNClassifier(hidden_layer_sizes=(6, 4), random_state=0),
]
IDS = ["logistic", "shallow", "deep"]


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[:200], y[:200]


def _params(est):
    if hasattr(est, "coef_"):
        return [est.coef_, est.intercept_]
    return [*est.coefs_, *est.intercepts_]


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_sgd_with_one_batch_is_the_full_batch_fixed_step(est, cancer):
    X, y = cancer
    common = dict(learning_rate=0.3, max_iter=25, tol=0, alpha=0.5)
    full = clone(est).set_params(solver="gd", **common).fit(X, y)
    mini = clone(est).set_params(
        solver="sgd", momentum=0.0, batch_size=X.shape[0], shuffle=False, **common
    )
    mini.fit(X, y)
    np.testing.assert_allclose(mini.loss_curve_, full.loss_curve_, rtol=1e-12)
    for a, b in zip(_params(mini), _params(full)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert mini.n_iter_ == 25 == full.n_iter_


def test_batches_weights_and_penalty_follow_the_stated_convention(cancer):
    # logistic regression by mini-batches, written out: batch costs with the
    # batch's weights normalised and alpha divided by the batch's weight
    X, y = cancer
    X = X[:103]
    y = y[:103]
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=y.shape)
    alpha, lr, size = 2.0, 0.2, 20
    est = GDLogisticRegression(
        solver="sgd",
        momentum=0.0,
        batch_size=size,
        shuffle=False,
        learning_rate=lr,
        alpha=alpha,
        max_iter=4,
        tol=0,
    ).fit(X, y, sample_weight=sw)
    w, b, curve = np.zeros(X.shape[1]), 0.0, []
    for _ in range(4):
        total = 0.0
        for start in range(0, len(y), size):
            rows = slice(start, start + size)
            Xb, yb, sb = X[rows], y[rows], sw[rows]
            a = expit(Xb @ w + b)
            losses = -(yb * np.log(a) + (1 - yb) * np.log(1 - a))
            cost = (sb @ losses + alpha / 2 * w @ w) / sb.sum()
            total += sb.sum() * cost
            dz = sb * (a - yb) / sb.sum()
            w, b = w - lr * (Xb.T @ dz + alpha * w / sb.sum()), b - lr * dz.sum()
        curve.append(total / sw.sum())
    np.testing.assert_allclose(est.loss_curve_, curve, rtol=1e-11)
    np.testing.assert_allclose(est.coef_[0], w, rtol=1e-10, atol=1e-13)


def test_epochs_are_counted_and_every_batch_updates(cancer, monkeypatch):
    from sknotes._network import DenseNetwork

    X, y = cancer
    calls = []
    original = DenseNetwork.loss_grad

    def counted(self, X_b, *args, **kwargs):
        calls.append(X_b.shape[0])
        return original(self, X_b, *args, **kwargs)

    monkeypatch.setattr(DenseNetwork, "loss_grad", counted)
    est = ShallowNNClassifier(
        n_hidden=4, solver="adam", batch_size=64, max_iter=7, tol=0, random_state=0
    ).fit(X, y)
    assert est.n_iter_ == 7 == len(est.loss_curve_)
    assert calls == [64, 64, 64, 8] * 7  # full batches first, then the rest
    assert est.stop_reason_ == "max_iter"


@pytest.mark.parametrize("solver", ["adam", "rmsprop", "sgd"])
def test_digits_accuracy_is_that_of_mlp_adam(solver):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    mlp = MLPClassifier(solver="adam", random_state=0).fit(X_train, y_train)
    ours = DeepNNClassifier(solver=solver, random_state=0).fit(X_train, y_train)
    assert ours.score(X_test, y_test) >= mlp.score(X_test, y_test) - 0.02
    assert ours.stop_reason_ == "converged"


def test_early_stopping_keeps_the_best_epoch(cancer):
    X, y = cancer
    X_val, y_val = (
        StandardScaler().fit_transform(load_breast_cancer().data)[300:400],
        load_breast_cancer().target[300:400],
    )
    est = ShallowNNClassifier(
        n_hidden=20,
        solver="adam",
        learning_rate=0.05,
        batch_size=16,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    assert est.stop_reason_ == "validation"
    assert len(est.validation_loss_curve_) == est.n_iter_ < 200
    assert est.best_loss_ == min(est.validation_loss_curve_)
    # the parameters of the best epoch are back: their validation cost
    assert log_loss(y_val, est.predict_proba(X_val)) == pytest.approx(
        est.best_loss_, rel=1e-10
    )
    assert est.validation_loss_curve_[-1] > est.best_loss_


class _StopAt:
    def __init__(self, k):
        self.k, self.seen = k, []

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "iteration":
            return False
        self.seen.append(fitted_estimator.n_iter_)
        return fitted_estimator.n_iter_ >= self.k

    def teardown(self, estimator, context):
        pass


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callbacks_run_once_per_epoch(cancer):
    pytest.importorskip("sklearn.callback")
    X, y = cancer
    est = DeepNNClassifier(
        hidden_layer_sizes=(5,), solver="adam", batch_size=32, random_state=0
    )
    stopper = _StopAt(3)
    stopped = clone(est).set_callbacks(stopper).fit(X, y)
    reference = clone(est).set_params(max_iter=3, tol=0).fit(X, y)
    assert stopper.seen == [1, 2, 3] and stopped.stop_reason_ == "callback"
    np.testing.assert_array_equal(stopped.loss_curve_, reference.loss_curve_)
    np.testing.assert_array_equal(stopped.coefs_[0], reference.coefs_[0])


def test_ctrl_c_in_an_epoch_leaves_a_usable_model(cancer, interrupt_on_call):
    X, y = cancer
    est = ShallowNNClassifier(n_hidden=4, solver="adam", batch_size=50, max_iter=20)
    interrupt_on_call(6)  # the second batch of the second epoch (4 per epoch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(KeyboardInterrupt, match="interrupted after 1 "):
            est.fit(X, y)
    assert est.stop_reason_ == "interrupted"
    assert est.n_iter_ == len(est.loss_curve_) == 1
    np.testing.assert_allclose(est.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_float32_stays_float32(cancer, solver):
    X, y = cancer
    est = DeepNNClassifier(
        hidden_layer_sizes=(5,), solver=solver, max_iter=5, tol=0, random_state=0
    ).fit(X.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in est.coefs_)
    assert np.isfinite(est.loss_curve_).all()


def test_sparse_input_gives_the_dense_fit(cancer):
    X, y = cancer
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    est = ShallowNNClassifier(
        n_hidden=5, solver="adam", batch_size=30, max_iter=6, tol=0, random_state=1
    )
    dense = clone(est).fit(X, y)
    sparse = clone(est).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-9)


def test_integer_weights_are_repeated_rows_with_one_batch(cancer):
    X, y = cancer
    counts = np.random.RandomState(0).randint(1, 4, size=y.shape)
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    est = ShallowNNClassifier(
        n_hidden=4, solver="adam", shuffle=False, max_iter=8, tol=0, random_state=0
    )
    weighted = clone(est).set_params(batch_size=len(y)).fit(X, y, counts)
    repeated = clone(est).set_params(batch_size=len(yr)).fit(Xr, yr)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(weighted.coefs_[1], repeated.coefs_[1], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_weight_is_the_sample_weight_of_its_class(cancer):
    X, y = cancer
    est = GDLogisticRegression(
        solver="adam", batch_size=40, max_iter=5, tol=0, random_state=0
    )
    by_class = clone(est).set_params(class_weight={0: 3.0, 1: 1.0}).fit(X, y)
    by_sample = clone(est).fit(X, y, sample_weight=np.where(y == 0, 3.0, 1.0))
    np.testing.assert_allclose(by_class.loss_curve_, by_sample.loss_curve_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_random_state_reproduces_the_shuffled_fit(cancer):
    X, y = cancer
    est = ShallowNNClassifier(
        n_hidden=4, solver="sgd", batch_size=16, max_iter=4, tol=0, random_state=3
    )
    a, b = clone(est).fit(X, y), clone(est).fit(X, y)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    unshuffled = clone(est).set_params(shuffle=False).fit(X, y)
    assert a.loss_curve_ != unshuffled.loss_curve_
    numpy_false = clone(est).set_params(shuffle=np.False_).fit(X, y)
    assert numpy_false.loss_curve_ == unshuffled.loss_curve_
    # the same initial weights: the orders are drawn after them
    again = clone(est).set_params(max_iter=1, learning_rate=1e-300).fit(X, y)
    np.testing.assert_allclose(
        again.coefs_[0],
        unshuffled.set_params(max_iter=1, learning_rate=1e-300).fit(X, y).coefs_[0],
    )


def test_a_shuffle_callable_gives_the_orders(cancer):
    X, y = cancer
    seen = []

    def reversed_order(epoch, m):
        seen.append(epoch)
        return np.arange(m)[::-1]

    est = GDLogisticRegression(
        solver="sgd", momentum=0.0, batch_size=50, learning_rate=0.1, max_iter=3, tol=0
    )
    mine = clone(est).set_params(shuffle=reversed_order).fit(X, y)
    flipped = clone(est).set_params(shuffle=False).fit(X[::-1], y[::-1])
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(mine.loss_curve_, flipped.loss_curve_, rtol=1e-12)
    bad = clone(est).set_params(shuffle=lambda epoch, m: np.arange(m - 1))
    with pytest.raises(ValueError, match=r"shuffle\(0, 200\) must .* shape \(199,\)"):
        bad.fit(X, y)
    bad.set_params(shuffle=lambda epoch, m: np.zeros(m, dtype=int))
    with pytest.raises(ValueError, match="returned values that repeat rows"):
        bad.fit(X, y)


def test_the_learning_rate_decays_per_epoch(cancer):
    X, y = cancer
    assert decayed_rate(0.1, 0, 0.5, None) == 0.1
    assert decayed_rate(0.1, 4, 0.5, None) == pytest.approx(0.1 / 3)
    assert decayed_rate(0.1, 5, 0.5, 2) == pytest.approx(0.1 / 2)
    est = GDLogisticRegression(
        solver="adam", learning_rate=0.01, decay_rate=1.0, max_iter=5, tol=0
    ).fit(X, y)
    assert est.learning_rate_ == pytest.approx(0.01 / 5)  # epoch 4's rate
    scheduled = clone(est).set_params(decay_interval=3).fit(X, y)
    assert scheduled.learning_rate_ == pytest.approx(0.01 / 2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    ("solver", "rate"), [("adam", 0.001), ("rmsprop", 0.001), ("sgd", 0.01)]
)
def test_auto_learning_rate_of_each_solver(cancer, solver, rate):
    X, y = cancer
    est = GDLogisticRegression(solver=solver, max_iter=2, tol=0).fit(X, y)
    assert est.learning_rate_ == rate


def test_a_too_large_rate_is_reported_as_divergence(cancer):
    X, y = cancer
    est = DeepNNClassifier(
        hidden_layer_sizes=(5,),
        solver="sgd",
        momentum=0.0,
        learning_rate=1e6,
        batch_size=20,
        random_state=0,
    )
    with pytest.raises(ValueError, match="Mini-batch descent diverged in epoch 2"):
        est.fit(X * 100, y)


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("solver", "lbfgs", r"'solver' parameter .* must be a str among"),
        ("batch_size", 0, r"'batch_size' parameter .* must be an int in the range"),
        ("momentum", 1.0, r"'momentum' parameter .* range \[0(\.0)?, 1(\.0)?\)"),
        ("beta_1", -0.1, r"'beta_1' parameter"),
        ("beta_2", 1.0, r"'beta_2' parameter"),
        ("epsilon", 0.0, r"'epsilon' parameter .* range \(0(\.0)?, inf\)"),
        ("decay_rate", -1.0, r"'decay_rate' parameter"),
        ("decay_interval", 0, r"'decay_interval' parameter"),
        ("shuffle", "yes", r"'shuffle' parameter .* must be an instance of 'bool'"),
    ],
)
def test_bad_optimizer_parameters_are_refused(cancer, param, value, message):
    X, y = cancer
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression(solver="adam").set_params(**{param: value}).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_full_batch_solvers_ignore_the_mini_batch_parameters(cancer):
    X, y = cancer
    plain = GDLogisticRegression(max_iter=20).fit(X, y)
    other = GDLogisticRegression(
        max_iter=20,
        batch_size=7,
        momentum=0.1,
        beta_1=0.2,
        shuffle=False,
        decay_rate=3.0,
    ).fit(X, y)
    np.testing.assert_array_equal(plain.loss_curve_, other.loss_curve_)


def test_a_model_saved_before_the_optimizer_parameters_loads_with_defaults(cancer):
    X, y = cancer
    est = GDLogisticRegression(max_iter=5).fit(X, y)
    state = est.__getstate__()
    for name in ("batch_size", "shuffle", "momentum", "decay_interval"):
        del state[name]
    old = GDLogisticRegression.__new__(GDLogisticRegression)
    old.__setstate__(state)
    assert old.get_params()["batch_size"] == "auto"
    assert old.get_params()["shuffle"] is True and old.momentum == 0.9
    np.testing.assert_array_equal(old.predict_proba(X), est.predict_proba(X))
