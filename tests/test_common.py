"""scikit-learn's estimator checks on every public estimator of the package."""

import inspect

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

import sknotes


def _public_estimators():
    found = []
    for name in sknotes.__all__:
        obj = getattr(sknotes, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found.append(obj)
    return found


def _numeric_estimators():
    """Instances whose input is a numeric array (the full check suite applies)."""
    return [
        cls()
        for cls in _public_estimators()
        if cls().__sklearn_tags__().input_tags.two_d_array
    ]


def test_estimators_are_found():
    names = {cls.__name__ for cls in _public_estimators()}
    assert {"GDLogisticRegression", "ShallowNNClassifier"} <= names


@parametrize_with_checks(_numeric_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator", _numeric_estimators(), ids=lambda e: type(e).__name__
)
@pytest.mark.parametrize(
    "check", [check_dataframe_column_names_consistency, check_param_validation]
)
def test_checks_not_in_check_estimator(estimator, check):
    check(type(estimator).__name__, estimator)
