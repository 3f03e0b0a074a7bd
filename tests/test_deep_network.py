"""DeepNNClassifier against finite differences, MLPClassifier and the course."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.utils._param_validation import InvalidParameterError

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes.datasets import make_flower, make_spirals
from sknotes.gradcheck import check_gradients

ACTIVATION_NAMES = ["tanh", "sigmoid", "relu", "leaky_relu"]
# hidden layers of the networks of depth 1 to 4 in the checks below
DEPTHS = {1: (5,), 2: (5, 4), 3: (5, 4, 3), 4: (5, 4, 3, 4)}


def _random_weights(sizes, seed=0, scale=0.5):
    """``(coefs, intercepts)`` in the notes' shapes, drawn from N(0, scale^2)."""
    rng = np.random.RandomState(seed)
    coefs = [rng.normal(scale=scale, size=(b, a)) for a, b in zip(sizes, sizes[1:])]
    intercepts = [rng.normal(scale=scale, size=b) for b in sizes[1:]]
    return coefs, intercepts


def _step_from(estimator, coefs, intercepts, X, y, sample_weight=None, steps=1):
    """``steps`` fixed steps of ``estimator`` starting from the given weights."""
    estimator.set_params(max_iter=steps, tol=0, solver="gd", warm_start=True)
    estimator.fit(X, y, sample_weight=sample_weight)  # builds the fitted state
    estimator.coefs_ = [W.copy() for W in coefs]
    estimator.intercepts_ = [b.copy() for b in intercepts]
    estimator.fit(X, y, sample_weight=sample_weight)
    return estimator


# --- gradients ---------------------------------------------------------------


@pytest.mark.parametrize("depth", sorted(DEPTHS))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_check_at_every_depth(
    depth, activation, k, weighted, weighted_problem
):
    X, y, sw = weighted_problem(30, 3, k, seed=depth)
    sw = sw if weighted else None
    clf = DeepNNClassifier(
        hidden_layer_sizes=DEPTHS[depth],
        activation=activation,
        negative_slope=0.1,
        alpha=0.7,
    )
    assert check_gradients(clf, X, y, sw, random_state=depth) < 1e-7
    clf.set_params(max_iter=10, tol=0, random_state=0).fit(X, y, sample_weight=sw)
    # A ReLU unit that never fired keeps its starting bias of exactly 0, so a
    # sample whose inputs to it are all 0 sits on the kink, where a finite
    # difference sees half a slope: move the biases off 0 by a hair.
    rng = np.random.RandomState(depth)
    clf.intercepts_ = [b + 1e-3 * rng.normal(size=b.shape) for b in clf.intercepts_]
    assert check_gradients(clf, X, y, sw) < 1e-7


@pytest.mark.parametrize("sizes", [(5, 4), (5, 4, 3), (6, 5, 4, 3)])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.4])
def test_one_full_batch_step_equals_mlp_classifier(
    sizes, activation, k, alpha, weighted_problem
):
    X, y, _ = weighted_problem(60, 4, k, seed=len(sizes))
    eta = 0.3
    n_out = 1 if k == 2 else k
    coefs, intercepts = _random_weights([4, *sizes, n_out], seed=len(sizes) + k)

    mlp = MLPClassifier(
        hidden_layer_sizes=sizes,
        activation=activation,
        solver="sgd",
        batch_size=len(y),
        learning_rate="constant",
        learning_rate_init=eta,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=alpha,
        shuffle=False,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
        # MLPClassifier stores W as (n_in, n_out): the transpose of ours.
        mlp.coefs_ = [W.T.copy() for W in coefs]
        mlp.intercepts_ = [b.copy() for b in intercepts]
        mlp.set_params(warm_start=True)
        mlp.fit(X, y)
    assert mlp.n_iter_ == 1

    ours = DeepNNClassifier(
        hidden_layer_sizes=sizes,
        activation="sigmoid" if activation == "logistic" else activation,
        learning_rate=eta,
        alpha=alpha,
        random_state=0,
    )
    _step_from(ours, coefs, intercepts, X, y)

    assert ours.n_layers_ == mlp.n_layers_ == len(sizes) + 2
    for W, W_mlp in zip(ours.coefs_, mlp.coefs_):
        np.testing.assert_allclose(W, W_mlp.T, rtol=0, atol=1e-12)
    for b, b_mlp in zip(ours.intercepts_, mlp.intercepts_):
        np.testing.assert_allclose(b, b_mlp, rtol=0, atol=1e-12)
    assert ours.loss_curve_[-1] == pytest.approx(mlp.loss_curve_[-1], rel=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), atol=1e-12)


# --- the course's deep network -----------------------------------------------


def _course_deep_loop(X, y, layer_dims, learning_rate, n_iter, seed):
    """The course's L-layer loop, written independently in its column layout."""
    rng = np.random.RandomState(seed)
    W = [None] + [
        rng.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        for l in range(1, len(layer_dims))
    ]
    b = [None] + [np.zeros((n, 1)) for n in layer_dims[1:]]
    L = len(layer_dims) - 1
    A0, Y, m = X.T, y.reshape(1, -1), X.shape[0]
    costs = []
    for _ in range(n_iter):
        A, Z = [A0], [None]
        for l in range(1, L + 1):
            Z.append(W[l] @ A[-1] + b[l])
            A.append(np.maximum(0, Z[l]) if l < L else 1 / (1 + np.exp(-Z[l])))
        AL = A[L]
        costs.append(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))
        dZ = AL - Y
        for l in range(L, 0, -1):
            dW = dZ @ A[l - 1].T / m
            db = dZ.sum(axis=1, keepdims=True) / m
            if l > 1:
                dZ = (W[l].T @ dZ) * (Z[l - 1] > 0)
            W[l] = W[l] - learning_rate * dW
            b[l] = b[l] - learning_rate * db
    return W[1:], [v.ravel() for v in b[1:]], costs


@pytest.mark.usefixtures("both_kernels")
def test_course_configuration_runs_the_course_loop():
    X, y = make_flower()
    X = X[::4]
    y = y[::4]
    hidden = (20, 7, 5)
    W, b, costs = _course_deep_loop(X, y, [2, *hidden, 1], 0.0075, 300, seed=1)
    clf = DeepNNClassifier(
        hidden_layer_sizes=hidden,
        activation="relu",
        init="lecun",
        learning_rate=0.0075,
        max_iter=300,
        tol=0,
        random_state=1,
    ).fit(X, y)
    assert clf.n_iter_ == 300
    np.testing.assert_allclose(clf.loss_curve_, costs, rtol=1e-12)
    for ours, theirs in zip(clf.coefs_ + clf.intercepts_, W + b):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    "init, draw",
    [
        ("lecun", lambda rng, n_out, n_in: rng.randn(n_out, n_in) / np.sqrt(n_in)),
        ("course", lambda rng, n_out, n_in: rng.randn(n_out, n_in) * 0.01),
        ("he", lambda rng, n_out, n_in: rng.randn(n_out, n_in) * np.sqrt(2.0 / n_in)),
        (
            "glorot",
            lambda rng, n_out, n_in: rng.uniform(
                -np.sqrt(6 / (n_in + n_out)), np.sqrt(6 / (n_in + n_out)), (n_out, n_in)
            ),
        ),
    ],
)
def test_initialisations_draw_layer_after_layer_from_random_state(
    init, draw, weighted_problem
):
    X, y, _ = weighted_problem(30, 6, 3)
    hidden = (5, 4, 7)
    # a step of 1e-300 leaves every weight as drawn
    clf = DeepNNClassifier(
        hidden_layer_sizes=hidden,
        init=init,
        learning_rate=1e-300,
        max_iter=1,
        tol=0,
        random_state=7,
    ).fit(X, y)
    rng = np.random.RandomState(7)
    sizes = [6, *hidden, 3]
    for W, n_in, n_out in zip(clf.coefs_, sizes, sizes[1:]):
        np.testing.assert_array_equal(W, draw(rng, n_out, n_in))
    for b_l in clf.intercepts_:
        np.testing.assert_allclose(b_l, 0.0, atol=1e-250)


def test_auto_init_follows_the_activation(weighted_problem):
    X, y, _ = weighted_problem(30, 6, 2)
    params = dict(learning_rate=1e-300, max_iter=1, tol=0, random_state=3)
    for activation, scheme in [
        ("relu", "he"),
        ("leaky_relu", "he"),
        ("tanh", "glorot"),
    ]:
        auto = DeepNNClassifier(activation=activation, **params).fit(X, y)
        explicit = DeepNNClassifier(activation=activation, init=scheme, **params)
        explicit.fit(X, y)
        for a, b in zip(auto.coefs_, explicit.coefs_):
            np.testing.assert_array_equal(a, b)


# --- one front-end -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"learning_rate": 0.5, "solver": "gd", "max_iter": 50},
        {"activation": "relu", "init": "he", "alpha": 0.3, "early_stopping": True},
        {"init": "course", "learning_rate": 1.2, "tol": 0, "max_iter": 200},
    ],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_hidden_layer_is_the_shallow_network(params):
    X, y = make_flower()
    shallow_defaults = {"activation": "tanh", "init": "glorot"}
    settings = {**shallow_defaults, **params, "random_state": 0}
    shallow = ShallowNNClassifier(n_hidden=6, **settings).fit(X, y)
    deep = DeepNNClassifier(hidden_layer_sizes=(6,), **settings).fit(X, y)
    assert deep.n_iter_ == shallow.n_iter_
    assert deep.loss_curve_ == shallow.loss_curve_
    for a, b in zip(
        deep.coefs_ + deep.intercepts_, shallow.coefs_ + shallow.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(deep.predict_proba(X), shallow.predict_proba(X))


def test_no_hidden_layer_is_logistic_regression():
    X, y = make_flower()
    logistic = GDLogisticRegression(learning_rate=0.5, max_iter=100, tol=0)
    logistic.fit(X, y)
    # the logistic regression starts at zero; from there both take the same steps
    deep = DeepNNClassifier(hidden_layer_sizes=(), learning_rate=0.5)
    _step_from(deep, [np.zeros((1, 2))], [np.zeros(1)], X, y, steps=100)
    np.testing.assert_allclose(deep.coefs_[0], logistic.coef_, rtol=1e-12)
    np.testing.assert_allclose(deep.intercepts_[0], logistic.intercept_, rtol=1e-12)
    assert deep.n_layers_ == 2


def test_hidden_layer_sizes_accepts_an_int_and_any_sequence(weighted_problem):
    X, y, _ = weighted_problem(30, 3, 2)
    for sizes, expected in [(7, [7]), ([4, 3], [4, 3]), (np.array([2, 2]), [2, 2])]:
        clf = DeepNNClassifier(hidden_layer_sizes=sizes, max_iter=2).fit(X, y)
        assert [W.shape[0] for W in clf.coefs_[:-1]] == expected


@pytest.mark.parametrize("sizes", [(0,), (3, -1), (2.5,), ("7",), [[3, 2]], (True,)])
def test_bad_hidden_layer_sizes_are_refused(sizes, weighted_problem):
    X, y, _ = weighted_problem(20, 3, 2)
    with pytest.raises((ValueError, InvalidParameterError), match="hidden_layer_sizes"):
        DeepNNClassifier(hidden_layer_sizes=sizes).fit(X, y)


def test_unknown_init_is_refused(weighted_problem):
    X, y, _ = weighted_problem(20, 3, 2)
    with pytest.raises(InvalidParameterError, match="init"):
        DeepNNClassifier(init="zeros").fit(X, y)


# --- the rest of the estimator -----------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_is_kept_and_sparse_equals_dense(weighted_problem):
    X, y, sw = weighted_problem(60, 5, 3, seed=4)
    X[np.abs(X) < 0.6] = 0
    params = dict(hidden_layer_sizes=(8, 6), max_iter=30, random_state=0)
    dense = DeepNNClassifier(**params).fit(X, y, sample_weight=sw)
    sparse = DeepNNClassifier(**params).fit(sp.csr_matrix(X), y, sample_weight=sw)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    single = DeepNNClassifier(**params).fit(X.astype(np.float32), y, sample_weight=sw)
    assert all(W.dtype == np.float32 for W in single.coefs_ + single.intercepts_)
    assert single.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_warm_start_continues_the_same_run():
    X, y = make_flower()
    params = dict(hidden_layer_sizes=(6, 4), learning_rate=0.1, tol=0, random_state=0)
    once = DeepNNClassifier(max_iter=40, **params).fit(X, y)
    twice = DeepNNClassifier(max_iter=20, warm_start=True, **params).fit(X, y).fit(X, y)
    assert twice.n_iter_ == 40
    np.testing.assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)


def test_defaults_learn_raw_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    clf = DeepNNClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.95
    assert np.all(np.diff(clf.loss_curve_) <= 0)
    assert clf.stop_reason_ == "converged"


def test_grid_search_over_depth():
    X, y = make_flower()
    grid = GridSearchCV(
        DeepNNClassifier(random_state=0),
        {"hidden_layer_sizes": [(4,), (8, 8)]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),  # the flower is sorted
    ).fit(X, y)
    assert grid.best_params_["hidden_layer_sizes"] in [(4,), (8, 8)]
    assert grid.best_score_ > 0.7


def test_depth_learns_spirals_that_one_layer_of_the_same_size_cannot():
    # Two spiral arms of 2.5 turns; both networks have 609 weights and biases
    # and the same 1,000-iteration budget at their defaults otherwise.
    X, y = make_spirals(2000, n_turns=2.5, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scores = {}
    for sizes in [(152,), (16, 16, 16)]:
        net = DeepNNClassifier(hidden_layer_sizes=sizes, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(X_train, y_train)
        assert sum(W.size + b.size for W, b in zip(net.coefs_, net.intercepts_)) == 609
        scores[sizes] = net.score(X_test, y_test)
    assert scores[(16, 16, 16)] > 0.9
    assert scores[(152,)] < 0.75
