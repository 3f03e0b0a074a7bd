"""partial_fit: one epoch per call, the optimizer's state kept between calls."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits, make_classification
from sklearn.neural_network import MLPClassifier
from sklearn.utils.estimator_checks import (
    check_estimators_partial_fit_n_features,
    check_fit_score_takes_y,
)

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._base import fitted_weights

CLASSIFIERS = [GDLogisticRegression, ShallowNNClassifier, DeepNNClassifier]


def _data(n=40, n_classes=3, seed=0):
    X, y = make_classification(
        n, 5, n_informative=3, n_classes=n_classes, random_state=seed
    )
    return X, y


def _params(estimator):
    coefs, intercepts = fitted_weights(estimator)
    return np.concatenate([a.ravel() for a in coefs + intercepts])


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_two_halves_make_one_epoch_over_both(cls, solver):
    X, y = _data()
    w = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    options = dict(
        solver=solver, batch_size=10, shuffle=False, alpha=0.01, random_state=3,
        learning_rate=0.05,
    )  # fmt: skip
    whole = cls(max_iter=1, tol=0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole.fit(X, y, sample_weight=w)
    chunked = cls(**options)
    chunked.partial_fit(X[:20], y[:20], classes=[0, 1, 2], sample_weight=w[:20])
    chunked.partial_fit(X[20:], y[20:], sample_weight=w[20:])
    np.testing.assert_allclose(_params(chunked), _params(whole), rtol=0, atol=1e-12)
    assert chunked.n_iter_ == 2 and len(chunked.loss_curve_) == 2
    assert chunked.t_ == 4
    if solver == "adam":
        assert chunked._optimizer_state_["t"] == 4


def test_first_call_needs_classes_and_later_calls_the_same():
    X, y = _data()
    net = ShallowNNClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        net.partial_fit(X, y)
    assert not hasattr(net, "n_iter_")
    net.partial_fit(X, y, classes=[2, 0, 1])
    net.partial_fit(X, y)  # classes left out later
    with pytest.raises(ValueError, match=r"classes=\[0, 1\] is not the same"):
        net.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"not in classes=\[0, 1, 2\]: \[7\]"):
        net.partial_fit(X[:2], [0, 7])
    with pytest.raises(ValueError, match="at least two classes"):
        ShallowNNClassifier().partial_fit(X[:2], [0, 0], classes=[0])


def test_a_chunk_may_hold_one_class():
    X, y = _data(n_classes=2)
    net = GDLogisticRegression(solver="sgd", learning_rate=0.1, batch_size=100)
    net.partial_fit(X[y == 0], y[y == 0], classes=[0, 1])
    # from w = b = 0, one step on class 0 alone: db = mean(0.5 - 0) > 0
    assert net.intercept_[0] == pytest.approx(-0.1 * (1 - 0.9) * 0.5)
    net.partial_fit(X[y == 1], y[y == 1])
    assert net.n_iter_ == 2 and net.classes_.tolist() == [0, 1]


def test_number_of_features_must_match():
    X, y = _data()
    net = DeepNNClassifier().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="X has 4 features.*expecting 5 features"):
        net.partial_fit(X[:, :4], y)


def test_full_batch_solvers_offer_no_partial_fit():
    X, y = _data()
    for solver in ("gd", "nesterov"):
        net = ShallowNNClassifier(solver=solver)
        assert not hasattr(net, "partial_fit")
        with pytest.raises(AttributeError, match=f"solver='{solver}' \\(full batches"):
            net.partial_fit(X, y, classes=[0, 1, 2])
    assert hasattr(ShallowNNClassifier(), "partial_fit")


def test_auto_solver_learns_in_chunks_with_adam():
    X, y = _data()
    auto = ShallowNNClassifier(solver="auto", random_state=0, shuffle=False)
    adam = ShallowNNClassifier(solver="adam", random_state=0, shuffle=False)
    auto.partial_fit(X, y, classes=[0, 1, 2])
    adam.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(_params(auto), _params(adam))
    assert auto.learning_rate_ == 0.001


def test_learning_rate_decay_counts_calls_as_epochs():
    X, y = _data()
    net = GDLogisticRegression(solver="sgd", learning_rate=0.3, decay_rate=1.0)
    for _ in range(3):
        net.partial_fit(X, y, classes=[0, 1, 2])
    assert net.learning_rate_ == pytest.approx(0.3 / 3)


def test_pickling_between_calls_keeps_the_state():
    X, y = _data()
    net = DeepNNClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(net))
    net.partial_fit(X, y)
    copy.partial_fit(X, y)  # the shuffle's stream and Adam's averages travelled
    np.testing.assert_array_equal(_params(net), _params(copy))
    fresh_state = DeepNNClassifier(random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    fresh_state._optimizer_state_ = None
    fresh_state.partial_fit(X, y)
    assert not np.array_equal(_params(net), _params(fresh_state))


def test_fit_starts_over_and_partial_fit_continues_a_fit():
    X, y = _data()
    net = ShallowNNClassifier(solver="adam", random_state=0, max_iter=5)
    net.partial_fit(X, y, classes=[0, 1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y)
        fresh = ShallowNNClassifier(solver="adam", random_state=0, max_iter=5).fit(X, y)
    np.testing.assert_array_equal(_params(net), _params(fresh))
    assert not hasattr(net, "_optimizer_state_") and not hasattr(net, "t_")
    before = _params(net)
    net.partial_fit(X, y)
    assert net.n_iter_ == 6 and len(net.loss_curve_) == 6
    assert not np.array_equal(before, _params(net))


def test_refusals():
    X, y = _data()
    with pytest.raises(ValueError, match="class_weight='balanced' needs the class"):
        ShallowNNClassifier(class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2]
        )
    da = pytest.importorskip("dask.array")
    with pytest.raises(ValueError, match="not dask collections"):
        ShallowNNClassifier().partial_fit(da.from_array(X), y, classes=[0, 1, 2])


def test_class_weight_dict_weighs_the_rows_of_each_call():
    X, y = _data()
    w = np.array([1.0, 3.0, 0.5])[y]
    options = dict(solver="sgd", shuffle=False, random_state=0, learning_rate=0.1)
    weighted = GDLogisticRegression(class_weight={0: 1.0, 1: 3.0, 2: 0.5}, **options)
    explicit = GDLogisticRegression(**options)
    weighted.partial_fit(X, y, classes=[0, 1, 2])
    explicit.partial_fit(X, y, classes=[0, 1, 2], sample_weight=w)
    np.testing.assert_allclose(_params(weighted), _params(explicit), atol=1e-12)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_a_loop_over_chunks_learns_digits_as_mlp_does(cls):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    chunks = np.array_split(np.arange(1500), 10)
    classes = np.arange(10)
    net = cls(random_state=0)
    mlp = MLPClassifier(solver="adam", random_state=0)
    for _ in range(10):
        for rows in chunks:
            net.partial_fit(X[rows], y[rows], classes=classes)
            mlp.partial_fit(X[rows], y[rows], classes=classes)
    assert net.n_iter_ == 100 and net.t_ == 100
    assert net.score(X[1500:], y[1500:]) >= mlp.score(X[1500:], y[1500:]) - 0.03


def test_ctrl_c_keeps_the_calls_completed():
    X, y = _data()

    def order(epoch, m):
        if epoch == 1:
            raise KeyboardInterrupt
        return np.arange(m)

    net = ShallowNNClassifier(solver="sgd", shuffle=order, random_state=0)
    net.partial_fit(X, y, classes=[0, 1, 2])
    before = _params(net)
    with pytest.raises(KeyboardInterrupt, match="partial_fit interrupted"):
        net.partial_fit(X, y)
    assert net.n_iter_ == 1 and len(net.loss_curve_) == 1 and net.t_ == 1
    np.testing.assert_array_equal(_params(net), before)


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("solver", ["auto", "adam"])
def test_scikit_learn_partial_fit_checks(cls, solver):
    estimator = cls(solver=solver)
    assert hasattr(estimator, "partial_fit")
    check_estimators_partial_fit_n_features(cls.__name__, estimator)
    # fit, then partial_fit without classes: it continues the fitted model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_fit_score_takes_y(cls.__name__, estimator)


def test_partial_fit_draws_dropout_masks_from_the_fit_stream():
    # The masks come from the estimator's random_state, as in fit: the same
    # seed gives the same model, another seed another one.
    from sklearn.datasets import load_digits

    from sknotes import DeepNNClassifier

    X, y = load_digits(return_X_y=True)
    chunks = np.array_split(np.arange(len(y)), 3)

    def trained(seed):
        model = DeepNNClassifier(
            hidden_layer_sizes=(16,), dropout=0.2, solver="adam", random_state=seed
        )
        for rows in chunks:
            model.partial_fit(X[rows], y[rows], classes=np.unique(y))
        return model

    a, b, c = trained(0), trained(0), trained(1)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])
    assert a.n_iter_ == 3


def test_the_auto_rate_learns_raw_features_in_chunks():
    # features on scales 1e-3 ... 1e3: Adam on the raw weights would step
    # each by about 0.001 whatever its feature's scale
    rng = np.random.RandomState(0)
    Z = rng.randn(2000, 6)
    y = (Z @ rng.randn(6) > 0).astype(int)
    X = Z * np.logspace(-3, 3, 6) + 50.0
    scores = {}
    for rate in ("auto", 0.001):  # the same Adam rate, on raw weights
        net = ShallowNNClassifier(n_hidden=8, random_state=0, learning_rate=rate)
        for _ in range(30):
            for chunk in np.array_split(np.arange(2000), 4):
                net.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        scores[rate] = net.score(X, y)
    # measured: 0.959 against 0.756
    assert scores["auto"] > 0.93 and scores[0.001] < 0.85
    net = ShallowNNClassifier(n_hidden=8, random_state=0)
    for chunk in np.array_split(np.arange(2000), 4):
        net.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert net.solver_ == "adam"
    mean, inv_scale = net._optimizer_state_["standard"]
    np.testing.assert_allclose(
        1 / inv_scale, Z[:500].std(axis=0) * np.logspace(-3, 3, 6), rtol=0.2
    )
    # the coordinates of the first call are kept: a copy continues the same
    copy = pickle.loads(pickle.dumps(net))
    net.partial_fit(X[:500], y[:500])
    copy.partial_fit(X[:500], y[:500])
    np.testing.assert_array_equal(net.coefs_[0], copy.coefs_[0])


def test_a_feature_absent_from_the_first_chunk_still_learns():
    # streamed sparse text: word 0 decides the label but is absent from the
    # first chunk, where the 'auto' coordinates are measured
    X = sp.random(4000, 50, density=0.05, format="csr", random_state=0)
    y = np.asarray(X[:, 0].toarray().ravel() > 0, int)
    X = X.tolil()
    X[:200, 0] = 0
    X = X.tocsr()
    clf = ShallowNNClassifier(n_hidden=8, random_state=0)
    for _ in range(5):
        for start in range(0, 4000, 200):
            clf.partial_fit(X[start : start + 200], y[start : start + 200], [0, 1])
    # it moves as it does at a fixed rate (measured: 0.196 after 5 passes,
    # where the first chunk's coordinates used to hold it at exactly 0)
    assert np.abs(clf.coefs_[0][:, 0]).max() > 0.1


def test_a_first_call_of_one_row_leaves_every_feature_free():
    X, y = make_classification(2000, 6, random_state=0)
    clf = ShallowNNClassifier(n_hidden=8, random_state=0)
    clf.partial_fit(X[:1], y[:1], classes=[0, 1])
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.score(X, y) > 0.95  # measured 0.9745 (at chance before)
