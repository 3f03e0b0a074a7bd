"""scikit-learn's estimator checks on every public estimator of the package."""

import pytest
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
    parametrize_with_checks,
)

import sknotes
from sknotes._discovery import public_estimators

ESTIMATORS = [cls() for cls in public_estimators()]
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
