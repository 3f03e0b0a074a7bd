"""Tests of LossCurveDisplay."""

import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes.linear_model import GDLogisticRegression
from sknotes.plotting import LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    return X[:80], y[:80], X[80:], y[80:]


def test_from_estimator_draws_the_loss_curve(data):
    X, y, _, _ = data
    model = GDLogisticRegression(max_iter=30, tol=None).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    assert len(display.lines_) == 1
    line = display.lines_[0]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(30))
    np.testing.assert_allclose(line.get_ydata(), model.loss_curve_)
    assert display.ax_.get_xlabel() == "Iteration"
    assert display.ax_.get_ylabel() == "Cost"
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_legend().get_texts()[0].get_text() == "GDLogisticRegression"


def test_validation_curve_is_drawn_dashed_in_the_same_colour(data):
    X, y, X_val, y_val = data
    model = GDLogisticRegression(max_iter=20, tol=None)
    model.fit(X, y, X_val=X_val, y_val=y_val)
    display = LossCurveDisplay.from_estimator(model, name="logistic")
    training, validation = display.lines_
    np.testing.assert_allclose(validation.get_ydata(), model.validation_loss_curve_)
    assert validation.get_linestyle() == "--"
    assert validation.get_color() == training.get_color()
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["logistic (training)", "logistic (validation)"]


def test_pipeline_uses_its_last_step(data):
    X, y, _, _ = data
    pipeline = make_pipeline(
        StandardScaler(), GDLogisticRegression(max_iter=10, tol=None)
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipeline)
    np.testing.assert_allclose(display.lines_[0].get_ydata(), pipeline[-1].loss_curve_)
    assert display.estimator_name == "GDLogisticRegression"


def test_draws_on_a_given_axes_with_options():
    _, ax = plt.subplots()
    display = LossCurveDisplay([1.0, 0.5, 0.25], estimator_name="run")
    returned = display.plot(ax=ax, log_scale=True, color="red", name="other")
    assert returned is display
    assert display.ax_ is ax
    assert ax.get_yscale() == "log"
    assert display.lines_[0].get_color() == "red"
    assert display.ax_.get_legend().get_texts()[0].get_text() == "other"


def test_without_a_name():
    display = LossCurveDisplay([3, 2, 1], validation_loss_curve=[3, 2.5, 2]).plot()
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["training", "validation"]


def test_unfitted_estimator_is_an_error():
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(GDLogisticRegression())


def test_clear_error_without_matplotlib(monkeypatch):
    display = LossCurveDisplay([1.0, 0.5])
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "sknotes\[plot\]"'):
        display.plot()
