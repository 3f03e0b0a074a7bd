"""scikit-learn's estimator checks on every public estimator of the package."""

import importlib
import inspect
import pkgutil

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

import sknotes


def _public_estimator_classes():
    """Every public estimator class defined in a public sknotes module."""
    found = {}
    for info in pkgutil.walk_packages(sknotes.__path__, "sknotes."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and obj.__module__ == module.__name__
                and not name.startswith(("_", "Base"))
            ):
                found[name] = obj
    return [found[name] for name in sorted(found)]


ESTIMATORS = [cls() for cls in _public_estimator_classes()]
NUMERIC = [e for e in ESTIMATORS if e.__sklearn_tags__().input_tags.two_d_array]


def test_estimators_are_found_and_exported():
    names = {type(e).__name__ for e in ESTIMATORS}
    assert {"GDLogisticRegression", "ShallowNNClassifier"} <= names
    assert names <= set(sknotes.__all__)


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", NUMERIC, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "check", [check_dataframe_column_names_consistency, check_param_validation]
)
def test_checks_not_in_check_estimator(estimator, check):
    check(type(estimator).__name__, estimator)
