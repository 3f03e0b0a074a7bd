"""The one training loop: batch gradient descent on a :class:`DenseNetwork`.

Every iteration is the notes' loop body (§1.3): a forward pass gives the cost
``J`` (appended to the loss curve *before* the update, exactly like the notes'
``costs`` list), a backward pass gives the gradient, and the parameters move
``theta := theta - alpha * dJ/dtheta``. Around that body the loop owns what a
production fit needs: stopping on a stalled cost, a validation curve with
early stopping, verbose lines, divergence detection, a ConvergenceWarning,
and Ctrl-C leaving a usable model.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

# A cost this many times the first one means the steps overshoot: the
# cross-entropy of a sane model never grows that much during descent.
_DIVERGENCE_FACTOR = 100.0


@dataclass
class DescentResult:
    """What one call of :func:`gradient_descent` observed."""

    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list | None = None
    best_loss: float = np.inf
    converged: bool = False
    interrupted: bool = False

    @property
    def n_iter(self):
        return len(self.loss_curve)


def curvature_bound(
    X, sample_weight, fit_intercept=True, n_outputs=1, max_iter=10, rtol=3e-3
):
    r"""Upper bound of the Hessian's largest eigenvalue for the logistic cost.

    For the cross-entropy cost of a sigmoid output the Hessian is
    :math:`\tilde X^T D \tilde X \,\mathrm{diag}(a(1-a))` with
    :math:`a(1 - a) \le 1/4`, so its norm is at most
    :math:`\|\tilde X^T D \tilde X\|_2 / 4` (:math:`\|X\|_2^2 / (4m)` without
    weights), where :math:`\tilde X` is ``X`` with a column of ones when the
    intercept is fitted and ``D`` the normalised sample weights. For a
    softmax output the factor is ``1/2`` (the norm of
    :math:`\mathrm{diag}(p) - pp^T`).

    The spectral norm is estimated by power iteration, each step costing
    two matrix-vector products (as much as one gradient step), until the
    estimate changes by less than ``rtol`` or after ``max_iter`` steps. The
    estimate :math:`\|Av\|` never exceeds the true norm; components along
    small eigenvalues, which could make it much smaller, die out first.
    """
    d = X.shape[1]
    size = d + int(fit_intercept)
    # A fixed, non-symmetric start avoids starting orthogonal to the top
    # eigenvector while keeping the estimate (and so the fit) deterministic.
    v = 1.0 + 0.5 * np.sin(np.arange(1, size + 1, dtype=np.float64))
    v /= np.linalg.norm(v)
    estimate = 0.0
    for step in range(max_iter):
        u = X @ v[:d].astype(X.dtype, copy=False)
        u = np.asarray(u, dtype=np.float64).ravel()
        if fit_intercept:
            u += v[d]
        u *= sample_weight
        w = np.asarray(X.T @ u.astype(X.dtype, copy=False), dtype=np.float64).ravel()
        if fit_intercept:
            w = np.append(w, u.sum())
        norm = np.linalg.norm(w)  # ||A v|| with A = X~^T D X~ and ||v|| = 1
        if norm == 0:
            return 0.0
        settled = step >= 2 and abs(norm - estimate) <= rtol * norm
        estimate = norm
        if settled:
            break
        v = w / norm
    factor = 0.25 if n_outputs == 1 else 0.5
    return factor * estimate


def gradient_descent(
    network,
    X,
    y,
    sample_weight,
    *,
    l2,
    learning_rate,
    max_iter,
    tol,
    n_iter_no_change,
    solver="gd",
    validation=None,
    early_stopping=False,
    verbose=0,
    estimator_name="estimator",
):
    """Run batch gradient descent on ``network.params`` in place.

    Parameters
    ----------
    network : DenseNetwork
        Holds the starting parameters; holds the result on return.
    X, y, sample_weight : arrays
        Training data as :meth:`DenseNetwork.loss_grad` takes it (weights
        already divided by their sum).
    l2 : float
        ``alpha / sum(sample_weight)``.
    learning_rate : float
        The notes' ``alpha``.
    max_iter : int
        Number of updates at most.
    tol : float or None
        Improvement below which an iteration counts as "no change"; ``None``
        or ``0`` switches the stopping rule off for the training cost.
    n_iter_no_change : int
        Consecutive "no change" iterations that stop the loop.
    solver : {'gd', 'nesterov'}
        ``'gd'`` is the notes' update. ``'nesterov'`` evaluates the gradient
        at an extrapolated point with the FISTA momentum schedule and
        restarts the momentum whenever the step points uphill.
    validation : tuple (X_val, y_val, sample_weight_val) or None
        Data whose (unpenalised) cost is recorded every iteration.
    early_stopping : bool
        Stop on the validation cost instead of the training cost and keep
        the parameters that gave the lowest validation cost.
    verbose : int
        Print a line every ``verbose`` iterations (0: silent).
    estimator_name : str
        Used in messages.

    Returns
    -------
    DescentResult
    """
    theta = network.params
    grad = np.empty_like(theta)
    result = DescentResult()
    if validation is not None:
        result.validation_loss_curve = []
    stopping_on = bool(tol) or early_stopping
    tol = float(tol or 0.0)
    no_improvement = 0
    best_params = None
    momentum = solver == "nesterov"
    if momentum:
        x_prev = theta.copy()
        t = 1.0

    try:
        for it in range(max_iter):
            loss = network.loss_grad(X, y, sample_weight, l2, grad)
            _check_finite(loss, result.loss_curve, learning_rate, it)
            result.loss_curve.append(loss)
            monitored = loss
            if validation is not None:
                val_loss = network.loss_grad(*validation)
                result.validation_loss_curve.append(val_loss)
                if early_stopping:
                    monitored = val_loss
            if verbose and (it + 1) % verbose == 0:
                line = f"Iteration {it + 1}, loss = {loss:.8f}"
                if validation is not None:
                    line += (
                        f", validation loss = {result.validation_loss_curve[-1]:.8f}"
                    )
                print(line)

            if monitored > result.best_loss - tol:
                no_improvement += 1
            else:
                no_improvement = 0
            if monitored < result.best_loss:
                result.best_loss = monitored
                if early_stopping:
                    best_params = theta.copy()

            # theta := theta - alpha * dJ/dtheta
            if not momentum:
                theta -= learning_rate * grad
            else:
                x_new = theta - learning_rate * grad
                step = x_new - x_prev
                if np.dot(grad, step) > 0:
                    t = 1.0  # restart: the momentum points uphill
                t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
                np.add(x_new, ((t - 1.0) / t_next) * step, out=theta)
                x_prev, t = x_new, t_next

            if stopping_on and no_improvement >= n_iter_no_change:
                result.converged = True
                break
    except KeyboardInterrupt:
        result.interrupted = True
        warnings.warn(
            f"{estimator_name}: training interrupted by the user after "
            f"{result.n_iter} iterations; the model holds the parameters "
            "reached so far.",
            UserWarning,
            stacklevel=4,
        )

    if momentum and result.n_iter:
        theta[:] = x_prev  # the last gradient step, not the extrapolation
    if not np.isfinite(theta).all():
        _check_finite(np.nan, result.loss_curve, learning_rate, result.n_iter)
    if early_stopping and best_params is not None:
        theta[:] = best_params
    if stopping_on and not result.converged and not result.interrupted:
        what = "validation cost" if early_stopping else "cost"
        warnings.warn(
            f"{estimator_name}: gradient descent reached max_iter={max_iter} "
            f"while the {what} was still improving by more than tol={tol}. "
            "Increase max_iter, scale the features (e.g. StandardScaler) or "
            "use a larger learning_rate.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return result


def _check_finite(loss, curve, learning_rate, it):
    # A non-finite gradient shows up as a non-finite cost one step later;
    # after the last step the parameters themselves are checked.
    diverged = not np.isfinite(loss)
    if curve and not diverged:
        diverged = loss > _DIVERGENCE_FACTOR * max(curve[0], 1.0)
    if diverged:
        raise ValueError(
            f"Gradient descent diverged at iteration {it + 1}: the cost became "
            f"{loss!r} (it started at {curve[0] if curve else loss!r}). The "
            f"learning rate {learning_rate:.4g} is too large for these data: "
            "use a smaller learning_rate, learning_rate='auto' where "
            "available, or scale the features (e.g. StandardScaler)."
        )
