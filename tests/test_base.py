"""TODO docstring."""

import numpy as np
import pytest

from sknotes import GDLogisticRegression


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
