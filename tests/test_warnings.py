"""Warnings from a fit name the line of the caller, not a line of sknotes."""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier

X, Y = make_classification(120, 4, random_state=0)


def _assert_at(caught, category, filename, line):
    found = [w for w in caught if issubclass(w.category, category)]
    assert found, [str(w.message) for w in caught]
    for w in found:
        assert (w.filename, w.lineno) == (filename, line), str(w.message)


@pytest.mark.parametrize(
    "estimator",
    [
        GDLogisticRegression(max_iter=3),
        ShallowNNClassifier(max_iter=3, random_state=0),
        DeepNNClassifier(max_iter=3, random_state=0),
        GDLogisticRegression(max_iter=3, early_stopping=True, random_state=0),
    ],
    ids=["logistic", "shallow", "deep", "early-stopping"],
)
def test_convergence_warning_points_at_the_fit_call(estimator):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, Y)
        line = inspect.currentframe().f_lineno - 1
    _assert_at(caught, ConvergenceWarning, __file__, line)


def test_at_chance_warning_points_at_the_fit_call():
    xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10, dtype=float)
    labels = np.array([0, 1, 1, 0] * 10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GDLogisticRegression(max_iter=200).fit(xor, labels)
        line = inspect.currentframe().f_lineno - 1
    assert any("no better" in str(w.message) for w in caught)
    _assert_at(caught, ConvergenceWarning, __file__, line)


def test_warm_start_warning_points_at_the_fit_call():
    model = ShallowNNClassifier(n_hidden=3, max_iter=50, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    model.set_params(n_hidden=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, Y)
        line = inspect.currentframe().f_lineno - 1
    assert any("warm_start" in str(w.message) for w in caught)
    _assert_at(caught, UserWarning, __file__, line)


def test_warning_from_a_pipeline_points_at_the_pipelines_fit_call():
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression(max_iter=3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.fit(X, Y)
        line = inspect.currentframe().f_lineno - 1
    _assert_at(caught, ConvergenceWarning, __file__, line)


def test_warnings_on_dask_point_at_the_call():
    da = pytest.importorskip("dask.array")
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GDLogisticRegression(max_iter=3).fit(da.from_array(X, chunks=(50, 4)), Y)
        line = inspect.currentframe().f_lineno - 1
    _assert_at(caught, ConvergenceWarning, __file__, line)
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), npartitions=2)
    model = GDLogisticRegression(max_iter=30).fit(X, Y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict(frame)
        line = inspect.currentframe().f_lineno - 1
    _assert_at(caught, UserWarning, __file__, line)
