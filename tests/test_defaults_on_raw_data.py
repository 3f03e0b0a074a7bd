"""Training that works with no tuning and never calls a rising cost converged.

The cases are the ones a new user meets: raw data (digit pixels 0-16, wine's
proline near 1,000 beside features below 1), badly scaled features, a fixed
learning rate that is too large, real photos. Each check has an independent
reference: scikit-learn's own estimators, the cost recomputed from the
returned model, or the explicit matrix of the preconditioner.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._network import DenseNetwork
from sknotes._preconditioning import Preconditioner, column_moments

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
ESTIMATORS = [GDLogisticRegression, ShallowNNClassifier]


def _badly_scaled(n=600, d=12, seed=0):
    """Features on scales 1e-3 ... 1e3, with a linear rule between them."""
    rng = np.random.RandomState(seed)
    Z = rng.randn(n, d)
    y = (Z @ rng.randn(d) + 0.3 * rng.randn(n) > 0).astype(int)
    return Z * np.logspace(-3, 3, d), y


def _split(X, y):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def _raw_data():
    return {
        "digits": load_digits(return_X_y=True),
        "wine": load_wine(return_X_y=True),
        "badly scaled": _badly_scaled(),
    }


# --- the 'auto' step ----------------------------------------------------------


@pytest.mark.parametrize("name", ["digits", "wine", "badly scaled"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_auto_loss_curve_never_rises_on_raw_data(Estimator, name):
    X, y = _raw_data()[name]
    clf = Estimator(random_state=0).fit(X, y)
    curve = np.asarray(clf.loss_curve_)
    assert (np.diff(curve) <= 0).all()
    assert clf.stop_reason_ == "converged"
    # The recorded cost is the true cost of the model: the last entry is the
    # cost before the last update, so the model's own cost is lower still.
    assert log_loss(y, clf.predict_proba(X)) <= curve[-1] + 1e-12


@pytest.mark.parametrize(
    "Estimator, name, floor",
    [
        (GDLogisticRegression, "digits", 0.95),
        (GDLogisticRegression, "wine", 0.95),
        (ShallowNNClassifier, "digits", 0.96),
        (ShallowNNClassifier, "wine", 0.95),
        (ShallowNNClassifier, "badly scaled", 0.85),
    ],
)
def test_defaults_reach_an_accuracy_floor_on_raw_data(Estimator, name, floor):
    # Before 'auto' was the default: digits 0.45, wine 0.40 (ShallowNN),
    # wine 0.64 (GDLogisticRegression) on these splits.
    X_train, X_test, y_train, y_test = _split(*_raw_data()[name])
    clf = Estimator(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= floor


def test_raw_and_standardised_data_give_the_same_model():
    # Preconditioned descent on raw data is plain descent in standardised
    # coordinates: the same costs, step for step, and the same predictions.
    # (Logistic regression starts from zero in both; a network's random
    # start is drawn for the data it is given.)
    X, y = load_wine(return_X_y=True)
    Estimator = GDLogisticRegression
    raw = Estimator(random_state=0, max_iter=25, tol=0).fit(X, y)
    scaled = make_pipeline(
        StandardScaler(), Estimator(random_state=0, max_iter=25, tol=0)
    ).fit(X, y)
    np.testing.assert_allclose(raw.loss_curve_, scaled[-1].loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        raw.predict_proba(X), scaled.predict_proba(X), rtol=1e-5, atol=1e-8
    )


def test_auto_reaches_the_optimum_of_logistic_regression_on_raw_wine():
    X, y = load_wine(return_X_y=True)
    ours = GDLogisticRegression(alpha=1.0, tol=1e-8, max_iter=2000).fit(X, y)
    ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=20000).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=2e-3)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_auto_trains_float32_and_sparse_input(Estimator):
    X, y = _badly_scaled(n=300, d=6)
    dense = Estimator(random_state=0, max_iter=30, tol=0).fit(X, y)
    single = Estimator(random_state=0, max_iter=30, tol=0).fit(X.astype(np.float32), y)
    sparse = Estimator(random_state=0, max_iter=30, tol=0).fit(sp.csr_matrix(X), y)
    weights = single.coefs_[0] if hasattr(single, "coefs_") else single.coef_
    assert weights.dtype == np.float32
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(single.loss_curve_, dense.loss_curve_, rtol=1e-3)


# --- a fixed step that is too large -------------------------------------------


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


def test_divergence_names_the_step_and_the_default():
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(ValueError, match="learning_rate='auto' \\(the default\\)"):
        GDLogisticRegression(learning_rate=1.0).fit(X, y)


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


# --- the preconditioner, against its explicit matrix --------------------------


def test_column_moments_match_numpy_weighted_statistics():
    rng = np.random.RandomState(0)
    X = rng.randn(20_000, 3) * [1e-3, 1.0, 1e4] + [5.0, -2.0, 1e6]
    w = rng.uniform(0.1, 2.0, size=len(X))
    w /= w.sum()
    mean, std = column_moments(X, w)
    np.testing.assert_allclose(mean, np.average(X, axis=0, weights=w), rtol=1e-12)
    expected = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    np.testing.assert_allclose(std, expected, rtol=1e-9)
    sparse = column_moments(sp.csr_matrix(X), w)
    np.testing.assert_allclose(sparse[0], mean, rtol=1e-12)
    np.testing.assert_allclose(sparse[1], std, rtol=1e-6)
    # near the overflow and underflow thresholds: finite, exact scale
    for scale, dtype in [(1e30, np.float32), (1e-30, np.float32), (1e160, np.float64),
                         (1e-200, np.float64), (1e300, np.float64)]:  # fmt: skip
        Xs = (X[:100, :2] * scale).astype(dtype)
        m, d = column_moments(Xs, np.full(100, 0.01))
        assert np.isfinite(m).all() and np.isfinite(d).all() and (d > 0).all()
        reference = np.std(X[:100, :2], axis=0) * scale
        np.testing.assert_allclose(d, reference, rtol=1e-5)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_preconditioner_is_T_times_T_transpose(fit_intercept):
    rng = np.random.RandomState(1)
    X = rng.randn(50, 3) * [0.1, 10.0, 1000.0] + [1.0, 0.0, 50.0]
    s = np.full(50, 1 / 50)
    network = DenseNetwork([3, 4, 2], fit_intercept=fit_intercept)
    P = Preconditioner(network, X, s, l2=0.01)
    # T maps (V, c) to (W, b) for the first layer and divides nothing after:
    # build it column by column from its definition, independently of apply.
    mu = X.mean(axis=0) if fit_intercept else np.zeros(3)
    sd = np.sqrt(((X - mu) ** 2).mean(axis=0) + 4 * 0.01)
    n = network.n_params
    T = np.zeros((n, n))
    for j in range(n):
        phi = np.zeros(n)
        phi[j] = 1.0
        (V, W2), (c, b2) = network.unpack(phi)
        W1 = V / sd
        b1 = c - W1 @ mu if fit_intercept else c
        # layer 2: T T^T divides the bias by its fan-in, 4, and the weights
        # by the fan-in plus the penalty's curvature, 4 * l2
        w_scale, b_scale = 1 / np.sqrt(4 + 4 * 0.01), 1 / np.sqrt(4)
        T[:, j] = np.concatenate([W1.ravel(), b1, (W2 * w_scale).ravel(), b2 * b_scale])
    g = rng.randn(n)
    if not fit_intercept:
        _, (gb, _) = network.unpack(g)
        gb[:] = 0  # without an intercept its gradient is zero
    out = np.empty(n)
    P.apply(g, out)
    np.testing.assert_allclose(out, T @ T.T @ g, rtol=1e-10, atol=1e-14)


# --- real photos ---------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_initial_weights_are_standardised_only_for_large_features(fit_intercept):
    X, _ = _badly_scaled(n=200, d=6)
    # large mean, spread below float64's resolution: only divided by its size
    X[:, 0] = 1e3 + 1e-8 * X[:, 0]
    X[:, 1] = 5.8 + 0.8 * X[:, 1] / X[:, 1].std()  # a length in cm: standardised
    network = DenseNetwork([6, 3, 1], fit_intercept=fit_intercept)
    network.initialize("glorot", np.random.RandomState(0))
    V = network.coefs[0].copy()
    Preconditioner(network, X, np.full(200, 1 / 200)).scale_initial_weights()

    rms = np.sqrt((X**2).mean(axis=0))
    mu = X.mean(axis=0) if fit_intercept else np.zeros(6)
    sd = np.sqrt(((X - mu) ** 2).mean(axis=0))
    large, small = rms > 1, rms <= 1
    assert small.any() and large[:2].all()
    expected = V / np.maximum(rms, 1.0)
    expected[:, 1:][:, large[1:]] = V[:, 1:][:, large[1:]] / sd[1:][large[1:]]
    np.testing.assert_allclose(network.coefs[0], expected, rtol=1e-12)
    assert (network.coefs[0][:, small] == V[:, small]).all()
    # the bias centres the standardised large features, not the nearly constant one
    centred = large & (np.arange(6) > 0)
    expected_b = -expected[:, centred] @ mu[centred]
    np.testing.assert_allclose(network.intercepts[0], expected_b, rtol=1e-12, atol=0)


def test_large_features_start_where_standard_scaler_would():
    # Every iris feature is above unit scale (centimetres), so with the 'auto'
    # step the raw data and its standardised copy give the same fit.
    X, y = load_iris(return_X_y=True)
    X_std = StandardScaler().fit_transform(X)
    for cls in (ShallowNNClassifier, DeepNNClassifier):
        model = cls(random_state=1)
        raw = clone(model).fit(X, y)
        scaled = clone(model).fit(X_std, y)
        assert raw.n_iter_ == scaled.n_iter_
        np.testing.assert_allclose(raw.loss_curve_, scaled.loss_curve_, rtol=1e-9)
        np.testing.assert_allclose(
            raw.predict_proba(X), scaled.predict_proba(X_std), atol=1e-8
        )


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="shared photos are not available")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_defaults_learn_real_photos(Estimator):
    from sknotes.images import ImageFlattener, load_image_folder

    train = load_image_folder(PHOTOS / "train")
    test = load_image_folder(PHOTOS / "test")
    model = make_pipeline(ImageFlattener(), Estimator(random_state=0))
    model.fit(train.filenames, train.target)
    # three classes: chance is 1/3; scikit-learn's defaults score 0.64-0.70
    assert model.score(test.filenames, test.target) >= 0.6
    assert (np.diff(model[-1].loss_curve_) <= 0).all()


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


@pytest.mark.parametrize(
    "scale, dtype",
    [
        (1e78, np.float64),
        (1e160, np.float64),
        (1e-200, np.float64),
        (1e20, np.float32),
        (1e30, np.float32),
        (1e-30, np.float32),
    ],
)
@pytest.mark.parametrize(
    "estimator",
    [GDLogisticRegression(), ShallowNNClassifier(n_hidden=5, random_state=0)],
    ids=["logistic", "shallow"],
)
def test_auto_trains_features_near_the_limits_of_their_dtype(scale, dtype, estimator):
    # Before: 1e160 overflowed in the moments, float32 1e30 took no step
    # (1/sigma^2 underflowed) and stopped at chance reporting convergence,
    # 1e-200 and float32 1e-30 under- or overflowed the other way.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    Xs = (X * scale).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = clone(estimator).fit(Xs, y)
    assert model.score(Xs, y) > 0.95
    assert np.all(np.diff(model.loss_curve_) <= 0)


# --- plateaus at chance ----------------------------------------------------------


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


def test_large_almost_constant_columns_are_centred():
    # Two columns of years, 2019 or 2020: divided by their size alone they
    # are nearly constant, and a ReLU network stayed at chance.
    rng = np.random.RandomState(0)
    built, sold = rng.randint(2019, 2021, (2, 2000))
    X = np.column_stack([built, sold]).astype(float)
    y = (built == sold).astype(int)
    clf = DeepNNClassifier(random_state=0).fit(X[:1400], y[:1400])
    assert clf.score(X[1400:], y[1400:]) == 1.0
