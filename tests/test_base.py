"""The estimators' fit as a whole (sknotes._base): warm starts, what a refit
keeps and drops, and a model published in one piece, even by two threads or
after an interrupt."""

import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier


def test_an_interrupt_before_training_keeps_the_previous_model(
    monkeypatch, noisy_problem
):
    X, y, _ = noisy_problem()
    clf = GDLogisticRegression(max_iter=5).fit(X, y)
    before = clf.coef_.copy()

    def refuse(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("sknotes._base.Preconditioner", refuse)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X[:, :2], y)
    assert clf.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(clf.coef_, before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_with_new_layer_sizes_starts_fresh_with_a_warning(weighted_problem):
    # Before: a numpy broadcast error from deep inside the fit.
    X, y, _ = weighted_problem(60, 4, 3)
    clf = ShallowNNClassifier(n_hidden=5, warm_start=True, max_iter=5, random_state=0)
    clf.fit(X, y)
    clf.set_params(n_hidden=7)
    with pytest.warns(UserWarning, match="layer sizes changed"):
        clf.fit(X, y)
    assert clf.coefs_[0].shape == (7, 4)
    fresh = ShallowNNClassifier(n_hidden=7, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.coefs_[0], fresh.coefs_[0])
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5

    deep = DeepNNClassifier(hidden_layer_sizes=(4, 3), warm_start=True, max_iter=3)
    deep.fit(X, y)
    deep.set_params(hidden_layer_sizes=(4, 3, 2))
    with pytest.warns(UserWarning, match="layer sizes changed"):
        deep.fit(X, y)
    assert deep.n_layers_ == 5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_after_switching_the_intercept_off_gives_no_intercept(
    weighted_problem,
):
    # Before: the previous fit's intercept stayed in the model, frozen.
    X, y, _ = weighted_problem(60, 3, 2)
    clf = GDLogisticRegression(warm_start=True, max_iter=20).fit(X + 3, y)
    assert clf.intercept_[0] != 0
    clf.set_params(fit_intercept=False).fit(X + 3, y)
    np.testing.assert_array_equal(clf.intercept_, 0.0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_curves_stay_aligned_when_early_stopping_is_switched_on(weighted_problem):
    # Before: the validation curve started at the second fit, shorter than
    # the training curve it is drawn against.
    X, y, _ = weighted_problem(200, 3, 2)
    clf = ShallowNNClassifier(n_hidden=3, warm_start=True, max_iter=8, random_state=0)
    clf.fit(X, y)
    clf.set_params(early_stopping=True, max_iter=6).fit(X, y)
    assert len(clf.validation_loss_curve_) == len(clf.loss_curve_) == clf.n_iter_
    assert np.isnan(clf.validation_loss_curve_[:8]).all()
    assert np.isfinite(clf.validation_loss_curve_[8:]).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_two_threads_fitting_one_estimator_leave_one_consistent_model(weighted_problem):
    X3, y3, _ = weighted_problem(300, 3, 2, seed=1)
    X5, y5, _ = weighted_problem(300, 5, 3, seed=2)
    clf = ShallowNNClassifier(n_hidden=4, max_iter=30, random_state=0)
    errors = []

    def fit(X, y):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, y)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=fit, args=a) for a in [(X3, y3), (X5, y5)]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        # whichever fit published last, its parts belong together
        width = clf.coefs_[0].shape[1]
        assert clf.n_features_in_ == width
        assert len(clf.classes_) == (2 if width == 3 else 3)
        assert clf.predict(X3 if width == 3 else X5).shape == (300,)
