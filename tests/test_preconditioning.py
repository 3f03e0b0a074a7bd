"""Columns that never change in the training data, as in photos on a white page.

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
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

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
