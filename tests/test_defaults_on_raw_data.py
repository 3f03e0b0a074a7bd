"""Training that works with no tuning: the defaults (the 'auto' step with the
preconditioner) on the data a new user meets.

Raw data (digit pixels 0-16, wine's proline near 1,000 beside features below
1), badly scaled features, features near the limits of their dtype, real
photos. Each check has an independent reference: scikit-learn's own
estimators, or the cost recomputed from the returned model.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sknotes import GDLogisticRegression, ShallowNNClassifier

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
ESTIMATORS = [GDLogisticRegression, ShallowNNClassifier]


def _split(X, y):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def raw_data(badly_scaled):
    return {
        "digits": load_digits(return_X_y=True),
        "wine": load_wine(return_X_y=True),
        "badly scaled": badly_scaled(),
    }


# --- the 'auto' step ----------------------------------------------------------


@pytest.mark.parametrize("name", ["digits", "wine", "badly scaled"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_auto_loss_curve_never_rises_on_raw_data(Estimator, name, raw_data):
    X, y = raw_data[name]
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
def test_defaults_reach_an_accuracy_floor_on_raw_data(Estimator, name, floor, raw_data):
    # Before 'auto' was the default: digits 0.45, wine 0.40 (ShallowNN),
    # wine 0.64 (GDLogisticRegression) on these splits.
    X_train, X_test, y_train, y_test = _split(*raw_data[name])
    clf = Estimator(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= floor


def test_auto_reaches_the_optimum_of_logistic_regression_on_raw_wine():
    X, y = load_wine(return_X_y=True)
    ours = GDLogisticRegression(alpha=1.0, tol=1e-8, max_iter=2000).fit(X, y)
    ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=20000).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=2e-3)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_auto_trains_float32_and_sparse_input(Estimator, badly_scaled):
    X, y = badly_scaled(n=300, d=6)
    dense = Estimator(random_state=0, max_iter=30, tol=0).fit(X, y)
    single = Estimator(random_state=0, max_iter=30, tol=0).fit(X.astype(np.float32), y)
    sparse = Estimator(random_state=0, max_iter=30, tol=0).fit(sp.csr_matrix(X), y)
    weights = single.coefs_[0] if hasattr(single, "coefs_") else single.coef_
    assert weights.dtype == np.float32
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(single.loss_curve_, dense.loss_curve_, rtol=1e-3)


# --- a fixed step that is too large -------------------------------------------


# --- the preconditioner, against its explicit matrix --------------------------


# --- real photos ---------------------------------------------------------------


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
