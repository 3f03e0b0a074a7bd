"""Numerical gradient checking: backpropagation against finite differences."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import BaseGradientDescentClassifier, fitted_weights, new_network
from ._network import output_units
from ._training_data import normalised, training_arrays

__all__ = ["check_gradients"]


def check_gradients(
    estimator, X, y, sample_weight=None, *, epsilon=1e-6, random_state=0
):
    r"""Compare an estimator's backpropagated gradient with finite differences.

    For every parameter :math:`\theta_i` the centred difference

    .. math::

        \tilde g_i = \frac{J(\theta + \varepsilon e_i) - J(\theta -
        \varepsilon e_i)}{2\varepsilon}

    is compared with the analytic gradient :math:`g` of the same cost
    (cross-entropy plus the L2 penalty, sample and class weights included),
    and the result is the course's relative difference

    .. math:: \frac{\|g - \tilde g\|_2}{\|g\|_2 + \|\tilde g\|_2}.

    Correct backpropagation gives values below about ``1e-7``; a wrong
    derivative gives values near ``1``. The check runs in float64. At a
    converged fit the gradient is nearly zero, as small as the rounding noise
    of the finite differences, so the relative difference grows there (to
    ``1e-5`` or so) without anything being wrong: check at the start of
    training, or a few iterations in.

    Parameters
    ----------
    estimator : GDLogisticRegression or ShallowNNClassifier
        A fitted estimator is checked at its fitted parameters. An unfitted
        one is checked at parameters drawn from :math:`N(0, 0.5^2)`, a point
        where no activation is saturated and no gradient vanishes (unlike
        the zero start of logistic regression). The estimator is not
        modified.
    X : array-like of shape (n_samples, n_features)
        Data on which the cost is evaluated; keep it small, the check costs
        two forward passes per parameter.
    y : array-like of shape (n_samples,)
        Labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    epsilon : float, default=1e-6
        Finite-difference step.
    random_state : int, RandomState instance or None, default=0
        Seeds the parameters of an unfitted estimator.

    Returns
    -------
    difference : float
        The relative difference above.

    Examples
    --------
    >>> from sknotes import ShallowNNClassifier
    >>> from sknotes.datasets import make_flower
    >>> from sknotes.gradcheck import check_gradients
    >>> X, y = make_flower()
    >>> check_gradients(ShallowNNClassifier(n_hidden=4), X[::10], y[::10]) < 1e-7
    True
    """
    if not (
        isinstance(epsilon, numbers.Real)
        and not isinstance(epsilon, bool)
        and np.isfinite(epsilon)
        and epsilon > 0
    ):
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}.")
    if not isinstance(estimator, BaseGradientDescentClassifier):
        raise TypeError(
            "check_gradients takes a sknotes gradient-descent estimator, got "
            f"{type(estimator).__name__}."
        )
    if np.any(np.asarray(getattr(estimator, "dropout", 0.0)) != 0):
        raise ValueError(
            f"check_gradients: {type(estimator).__name__} has dropout="
            f"{estimator.dropout!r}, whose random masks make the cost differ "
            "between evaluations; check the gradient with dropout=0 "
            "(estimator.set_params(dropout=0.0))."
        )
    fitted = estimator.__sklearn_is_fitted__()
    est = clone(estimator)
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "tocsr") else X
    X, codes, weight, classes = training_arrays(est, X, y, sample_weight)
    X = X.astype(np.float64)
    n_outputs = output_units(classes.shape[0])
    (X, targets, s), total = normalised(X, codes, weight.astype(np.float64), n_outputs)
    l2 = est.alpha / total

    network = new_network(est, X.shape[1], n_outputs, np.float64)
    if fitted:
        if not np.array_equal(classes, estimator.classes_):
            raise ValueError("y must have the classes the estimator was fitted on.")
        network.pack(*fitted_weights(estimator))
    else:
        rng = check_random_state(random_state)
        network.params[:] = rng.normal(scale=0.5, size=network.n_params)
        if not getattr(est, "fit_intercept", True):
            for b in network.intercepts:
                b[:] = 0

    analytic = np.empty_like(network.params)
    network.loss_grad(X, targets, s, l2, analytic)
    numeric = np.empty_like(analytic)
    theta = network.params
    for i in range(theta.shape[0]):
        saved = theta[i]
        theta[i] = saved + epsilon
        plus = network.loss_grad(X, targets, s, l2)
        theta[i] = saved - epsilon
        minus = network.loss_grad(X, targets, s, l2)
        theta[i] = saved
        numeric[i] = (plus - minus) / (2 * epsilon)
    if not getattr(est, "fit_intercept", True):
        # Frozen intercepts have no analytic gradient by design.
        for b_num in network.unpack(numeric)[1]:
            b_num[:] = 0
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)
