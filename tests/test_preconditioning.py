"""The preconditioner (sknotes._preconditioning), against its explicit matrix,
numpy's weighted moments and the same fits on standardised data.

Columns that never change in the training data, as in photos on a white page:

A pixel that is white in every training image is a constant non-zero
column. Its weight cannot be learnt from the data (an intercept does its
job), so the 'auto' step gives it no step and starts it at 0: the model
must not depend on the value it takes, in either dtype, for any input type.
The references are the same fits without the column, and scikit-learn's
LogisticRegression on the same features.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._network import DenseNetwork
from sknotes._preconditioning import Preconditioner, column_moments

CLASSIFIERS = [
    GDLogisticRegression(),
    ShallowNNClassifier(random_state=0),
    DeepNNClassifier(random_state=0),
]
IDS = ["logistic", "shallow", "deep"]
CONSTANTS = [0.0, 1.0, 7.0, 1e6, -3.5]


def _white_digits(dtype):
    """The digits as dark ink on white: their border pixels are constant 1."""
    X, y = load_digits(return_X_y=True)
    white = (1 - X / 16).astype(dtype)
    return train_test_split(white, y, test_size=0.25, stratify=y, random_state=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=IDS)
def test_ink_on_white_trains_like_scikit_learn(estimator, dtype):
    X_train, X_test, y_train, y_test = _white_digits(dtype)
    assert (np.ptp(X_train, axis=0) == 0).sum() >= 3  # constant, non-zero
    reference = LogisticRegression(max_iter=5000).fit(X_train, y_train)
    clf = estimator.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= reference.score(X_test, y_test) - 0.02


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_columns_change_no_prediction_of_logistic_regression(dtype):
    X_train, X_test, y_train, _ = _white_digits(dtype)
    plain = GDLogisticRegression().fit(X_train, y_train)
    n, m = len(X_train), len(X_test)
    extra = np.array(CONSTANTS, dtype=dtype)
    wide = GDLogisticRegression().fit(np.c_[X_train, np.tile(extra, (n, 1))], y_train)
    assert np.all(wide.coef_[:, -len(CONSTANTS) :] == 0)
    # the same fit as without the columns, up to rounding in the products
    tol = 1e-4 if dtype == np.float64 else 0.2
    np.testing.assert_allclose(wide.coef_[:, : X_train.shape[1]], plain.coef_, atol=tol)
    expected = plain.predict(X_test)
    # whatever the columns hold at predict time
    for values in (extra, extra + 1e-6, -extra * 3):
        got = wide.predict(np.c_[X_test, np.tile(values.astype(dtype), (m, 1))])
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("value", CONSTANTS)
@pytest.mark.parametrize("estimator", CLASSIFIERS[1:], ids=IDS[1:])
def test_networks_ignore_a_constant_column(estimator, value):
    X_train, X_test, y_train, y_test = _white_digits(np.float32)
    column = np.full((len(X_train), 1), value, np.float32)
    clf = estimator.fit(np.c_[X_train, column], y_train)
    assert np.all(clf.coefs_[0][:, -1] == 0)
    at_train = clf.predict(np.c_[X_test, np.full((len(X_test), 1), value)])
    elsewhere = clf.predict(np.c_[X_test, np.full((len(X_test), 1), value + 1e-6)])
    np.testing.assert_array_equal(at_train, elsewhere)
    assert clf.score(np.c_[X_test, np.full((len(X_test), 1), value)], y_test) > 0.93


def test_constant_columns_in_csr_input():
    X_train, X_test, y_train, _ = _white_digits(np.float64)
    plain = GDLogisticRegression().fit(X_train, y_train)
    wide = GDLogisticRegression().fit(
        sp.csr_matrix(np.c_[X_train, np.full(len(X_train), 7.0)]), y_train
    )
    assert np.all(wide.coef_[:, -1] == 0)
    probe = sp.csr_matrix(np.c_[X_test, np.full(len(X_test), 7.000001)])
    np.testing.assert_array_equal(wide.predict(probe), plain.predict(X_test))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_constant_columns_on_dask():
    da = pytest.importorskip("dask.array", reason="dask is an optional dependency")
    X_train, _, y_train, _ = _white_digits(np.float64)
    X = np.c_[X_train, np.full(len(X_train), 7.0)]
    in_memory = GDLogisticRegression(max_iter=30).fit(X, y_train)
    on_dask = GDLogisticRegression(max_iter=30).fit(
        da.from_array(X, chunks=300), da.from_array(y_train, chunks=300)
    )
    assert np.all(on_dask.coef_[:, -1] == 0)
    np.testing.assert_allclose(on_dask.coef_, in_memory.coef_, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
def test_constant_columns_have_zero_spread_exactly(dtype, sparse):
    rng = np.random.RandomState(0)
    n = 1001
    X = np.c_[rng.normal(size=n), np.full(n, 0.7), np.full(n, -3.5e6), np.zeros(n)]
    X = X.astype(dtype)
    weight = np.full(n, 1 / n, dtype=dtype)  # its sum is not exactly 1
    mean, std = column_moments(sp.csr_matrix(X) if sparse else X, weight)
    assert std[0] > 0.9
    np.testing.assert_array_equal(std[1:], 0.0)
    np.testing.assert_array_equal(mean[1:], X[0, 1:].astype(np.float64))


def test_rows_of_zero_weight_do_not_make_a_column_vary():
    X = np.array([[5.0, 1.0], [3.0, 2.0], [3.0, 3.0], [3.0, 4.0]])
    mean, std = column_moments(X, np.array([0.0, 1 / 3, 1 / 3, 1 / 3]))
    assert std[0] == 0.0 and mean[0] == 3.0
    np.testing.assert_allclose(std[1], np.std([2.0, 3.0, 4.0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_nearly_constant_column_gets_a_bounded_step(dtype):
    # 7 and 7 plus one unit of rounding: the spread is read as sqrt(eps)
    # of the column's size, not as the 1e-8 it measures.
    n = 1000
    column = np.full(n, 7.0, dtype)
    column[0] = np.nextafter(column[0], dtype(8))
    X = np.c_[np.linspace(-1, 1, n), column].astype(dtype)
    scaling = Preconditioner(DenseNetwork([2, 1], dtype=dtype), X, np.full(n, 1 / n))
    assert not scaling.constant[1]
    assert scaling.inv_scale[1] <= 1.01 / (np.sqrt(np.finfo(dtype).eps) * 7)


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


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_initial_weights_are_standardised_only_for_large_features(
    fit_intercept, badly_scaled
):
    X, _ = badly_scaled(n=200, d=6)
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


def test_large_almost_constant_columns_are_centred():
    # Two columns of years, 2019 or 2020: divided by their size alone they
    # are nearly constant, and a ReLU network stayed at chance.
    rng = np.random.RandomState(0)
    built, sold = rng.randint(2019, 2021, (2, 2000))
    X = np.column_stack([built, sold]).astype(float)
    y = (built == sold).astype(int)
    clf = DeepNNClassifier(random_state=0).fit(X[:1400], y[:1400])
    assert clf.score(X[1400:], y[1400:]) == 1.0


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


def test_csr_judges_constant_columns_on_the_rows_of_positive_weight():
    # A column constant on the weighted rows, another value on rows of
    # weight 0: constant for the dense path (its reference row) and for CSR.
    X, y = load_digits(return_X_y=True)
    X = np.c_[X, np.full(len(X), 7.0)]
    X[:5, -1] = 3.0
    w = np.ones(len(y))
    w[:5] = 0.0
    for data in (X, sp.csr_matrix(X)):
        mean, std = column_moments(data, w / w.sum())
        assert std[-1] == 0.0 and mean[-1] == 7.0
