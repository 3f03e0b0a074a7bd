"""The training data of a fit (sknotes._training_data): class weights and the
validation split that early stopping holds out."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "weights",
    [{0: -1.0, 1: 1.0}, {0: np.nan, 1: 1.0}, {0: np.inf, 1: 1.0}, {0: "x", 1: 1.0}],
)
@pytest.mark.parametrize("cls", [GDLogisticRegression, ShallowNNClassifier])
def test_bad_class_weight_values_get_a_clear_error(cls, weights, weighted_problem):
    # Before: negative class weights trained on a negative cost, silently.
    X, y, _ = weighted_problem(40, 3, 2)
    with pytest.raises(ValueError, match="class_weight values must be finite"):
        cls(class_weight=weights, max_iter=5).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator",
    [
        GDLogisticRegression(learning_rate=0.5, max_iter=50, tol=0),
        DeepNNClassifier(
            hidden_layer_sizes=(3,), learning_rate=0.1, max_iter=50, random_state=0
        ),
    ],
    ids=["logistic", "deep"],
)
def test_balanced_class_weight_counts_integer_sample_weights_as_copies(estimator):
    # 'balanced' must see the weighted class frequencies, as LogisticRegression
    # does: an integer weight stands for that many copies of the row.
    X, y = make_classification(60, 4, random_state=0)
    weight = np.where(y == 1, 3, 1)
    estimator = estimator.set_params(class_weight="balanced", tol=0)
    weighted = clone(estimator).fit(X, y, sample_weight=weight)
    copies = clone(estimator).fit(np.repeat(X, weight, axis=0), np.repeat(y, weight))
    np.testing.assert_allclose(
        weighted.predict_proba(X), copies.predict_proba(X), rtol=1e-8, atol=1e-12
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [GDLogisticRegression, DeepNNClassifier])
def test_early_stopping_copes_with_a_class_of_one_sample(Estimator):
    # A stratified split is impossible here; MLPClassifier fits such data, so
    # the fit falls back to a plain shuffled split instead of raising.
    X, y = make_classification(101, 5, n_informative=3, n_classes=3, random_state=0)
    y[y == 2] = 1
    y[0] = 2  # class 2 has a single sample
    model = Estimator(early_stopping=True, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert list(model.classes_) == [0, 1, 2]
    assert model.validation_loss_curve_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "Estimator", [GDLogisticRegression, ShallowNNClassifier, DeepNNClassifier]
)
def test_early_stopping_on_two_samples_is_refused_like_one_class(Estimator):
    # Before: one row went to validation and the model trained on one class.
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="only one class in the training part: '[ab]'"):
        Estimator(early_stopping=True, random_state=0).fit(X, ["a", "b"])
    with pytest.raises(ValueError, match="contain only one class: 'a'"):
        Estimator().fit(X, ["a", "a"])
