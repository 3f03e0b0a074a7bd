"""The one training loop: batch gradient descent on a :class:`DenseNetwork`.

Every iteration is the notes' loop body (§1.3): a forward pass gives the cost
``J`` (appended to the loss curve *before* the update, exactly like the notes'
``costs`` list), a backward pass gives the gradient, and the parameters move
against it. The update is the step rule's (:mod:`sknotes._step_rules`: the
notes' fixed step, or the 'auto' step), and when to stop is the stopping
rules' (:mod:`sknotes._stopping`). Around that body the loop owns what a
production fit needs: a validation curve, verbose lines, divergence
detection, scikit-learn's callbacks, and Ctrl-C leaving a usable model.
"""

from dataclasses import dataclass, field

import numpy as np

from ._step_rules import make_step_rule
from ._stopping import Stopping, warn_at_chance, warn_if_unconverged

# A cost this many times the first one means the steps overshoot: the
# cross-entropy of a sane model never grows that much during descent.
_DIVERGENCE_FACTOR = 100.0


@dataclass
class DescentResult:
    """What one call of :func:`gradient_descent` observed."""

    loss_curve: list = field(default_factory=list)
    validation_loss_curve: list | None = None
    best_loss: float = np.inf
    stop_reason: str = "max_iter"  # the estimators' stop_reason_
    step_size: float = np.nan
    # what n_iter counts, in messages: gradient steps, or the mini-batch
    # loop's epochs
    unit: str = "iteration"

    @property
    def n_iter(self):
        return len(self.loss_curve)


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
    preconditioner=None,
    validation=None,
    early_stopping=False,
    verbose=0,
    estimator_name="estimator",
    on_iteration_end=None,
    at_chance=None,
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
    learning_rate : float or 'auto'
        The notes' ``alpha``, or ``'auto'`` for
        :class:`~sknotes._step_rules.AdaptiveStep`.
    max_iter : int
        Number of updates at most.
    tol : float or None
        Change of the cost below which an iteration counts as "no change";
        ``None`` or ``0`` switches the stopping rule off for the training
        cost.
    n_iter_no_change : int
        Consecutive "no change" iterations that stop the loop (and, with a
        fixed step, consecutive iterations above the best cost that stop it
        with a warning).
    solver : {'gd', 'nesterov'}
        ``'gd'``: no momentum. ``'nesterov'``: with a fixed step, the
        gradient at a FISTA-extrapolated point, momentum restarted when the
        step points uphill; with 'auto', the momentum of
        :class:`~sknotes._step_rules.AdaptiveStep`.
    preconditioner : Preconditioner or None
        Used by the 'auto' step only.
    validation : tuple (X_val, y_val, sample_weight_val) or None
        Data whose (unpenalised) cost is recorded every iteration.
    early_stopping : bool
        Stop on the validation cost instead of the training cost and keep
        the parameters that gave the lowest validation cost.
    verbose : int
        Print a line every ``verbose`` iterations (0: silent).
    estimator_name : str
        Used in messages.
    on_iteration_end : callable or None
        ``on_iteration_end(n_done, params)`` after each update, where
        ``params`` (read-only) are the model's parameters after ``n_done``
        iterations; returning True
        stops the fit there (``stop_reason == 'callback'``). The estimators
        run scikit-learn's callbacks through it.
    at_chance : callable or None
        ``at_chance(cost)`` tells whether the model at ``network.params``,
        whose training cost is ``cost``, does no better than always
        answering the class shares. A cost that stops changing while that
        is so is usually a
        plateau (a saddle, or a narrow valley while momentum builds), not
        the minimum: the fit goes on with ``tol / 100``, and if the model is
        still at chance when it stops, a ConvergenceWarning says so.

    Returns
    -------
    DescentResult

    Examples
    --------
    Logistic regression (a network without hidden layer) by the notes'
    update, from the zero start:

    >>> import numpy as np
    >>> from sknotes._network import DenseNetwork
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1.0])
    >>> network = DenseNetwork([1, 1])
    >>> result = gradient_descent(
    ...     network, X, y, np.full(4, 0.25), l2=0.0, learning_rate=1.0,
    ...     max_iter=100, tol=0, n_iter_no_change=10,
    ... )
    >>> result.n_iter, result.stop_reason
    (100, 'max_iter')
    >>> round(result.loss_curve[0], 4), round(result.loss_curve[-1], 4)  # ln 2 first
    (0.6931, 0.0912)
    """
    theta = network.params
    grad = np.empty_like(theta)
    result = DescentResult()
    if validation is not None:
        result.validation_loss_curve = []

    def evaluate(out):  # forward, cost J, backward: out = dJ/dtheta
        return network.loss_grad(X, y, sample_weight, l2, out)

    rule = make_step_rule(
        learning_rate, solver, evaluate, theta, grad, preconditioner,
        n_outputs=network.layer_sizes[-1],
    )  # fmt: skip
    # The best parameters are put back after early stopping, or when a fixed
    # step stops on a rising cost; only then are they kept, in one buffer.
    stopping = Stopping(
        tol, n_iter_no_change, early_stopping,
        keep_best=early_stopping or (bool(tol) and not rule.adaptive),
        at_chance=at_chance, theta=theta,
    )  # fmt: skip
    loss = None  # the cost at theta, when the step rule computed it
    try:
        for it in range(max_iter):
            if loss is None:
                loss = evaluate(grad)
            check_finite(loss, result.loss_curve, learning_rate, it)
            monitored = record_costs(result, loss, network, validation, early_stopping)
            if verbose and (it + 1) % verbose == 0:
                print_iteration(result)
            stop = stopping.observe(loss, monitored, theta)
            try:
                loss = rule.step(theta, grad, loss)  # theta := theta - step
            except FloatingPointError:
                raise _overflow_error(it, network.dtype, l2) from None
            if stop or rule.stuck:
                result.stop_reason = stop or rule.stuck
                break
            if on_iteration_end is not None and on_iteration_end(
                result.n_iter, rule.model(theta)
            ):
                result.stop_reason = "callback"
                break
    except KeyboardInterrupt:
        # The caller publishes the parameters reached so far, then lets the
        # interrupt go on (a loop of fits or a grid search must stop too).
        result.stop_reason = "interrupted"
        if validation is not None:
            # an interrupt inside the validation pass: keep the curves aligned
            del result.loss_curve[len(result.validation_loss_curve) :]

    rule.finish(theta, result.n_iter)
    result.step_size = rule.step_size
    return finish_descent(
        result, network, stopping, learning_rate, max_iter, l2, estimator_name
    )


def finish_descent(result, network, stopping, learning_rate, max_iter, l2, name):
    """End a fit of either loop: check, put back the best point, warn.

    The parameters must be finite; after early stopping or a rising cost the
    best parameters are put back; a model left at chance and a fit that did
    not converge get their ConvergenceWarning. Returns ``result``.
    """
    theta = network.params
    result.best_loss = stopping.best_loss
    if not np.isfinite(theta).all():
        check_finite(
            np.nan, result.loss_curve, learning_rate, result.n_iter, result.unit
        )
    stopping.restore_best(theta, result.stop_reason)
    if result.loss_curve and stopping.ends_at_chance(
        result.stop_reason, result.loss_curve[-1]
    ):
        warn_at_chance(name, result.n_iter, l2, result.unit)
    noisy = getattr(network, "keep_probs", None) is not None  # dropout
    warn_if_unconverged(result, learning_rate, max_iter, stopping, name, noisy)
    return result


def record_costs(result, loss, network, validation, early_stopping):
    """Append the costs of this iteration; return the one stopping watches."""
    result.loss_curve.append(loss)
    if validation is None:
        return loss
    val_loss = network.loss_grad(*validation)
    result.validation_loss_curve.append(val_loss)
    return val_loss if early_stopping else loss


def print_iteration(result):
    line = f"Iteration {result.n_iter}, loss = {result.loss_curve[-1]:.8f}"
    if result.validation_loss_curve is not None:
        line += f", validation loss = {result.validation_loss_curve[-1]:.8f}"
    print(line)


def _overflow_error(it, dtype, l2):
    penalty = (
        f"the L2 penalty (alpha is {l2:.3g} per unit of sample weight) or "
        if l2
        else ""
    )
    return ValueError(
        f"Gradient descent stopped at iteration {it + 1}: the gradient of the "
        f"cost overflowed {np.dtype(dtype).name}. {penalty.capitalize()}the "
        "feature values are too large for it: use a smaller alpha, scale the "
        "features (e.g. StandardScaler), or pass float64 data."
    )


def check_finite(loss, curve, learning_rate, it, unit="iteration"):
    # A non-finite gradient shows up as a non-finite cost one step later;
    # after the last step the parameters themselves are checked.
    diverged = not np.isfinite(loss)
    if curve and not diverged:
        diverged = loss > _DIVERGENCE_FACTOR * max(curve[0], 1.0)
    if diverged:
        step = (
            f"The learning rate {learning_rate:.4g} is too large for these data: "
            "use a smaller learning_rate or learning_rate='auto' (the default)"
            if learning_rate != "auto"
            else "The data hold values that overflow the computation"
        )
        loop = "Gradient descent" if unit == "iteration" else "Mini-batch descent"
        raise ValueError(
            f"{loop} diverged in {unit} {it + 1}: the cost became "
            f"{loss!r} (it started at {curve[0] if curve else loss!r}). {step}, "
            "or scale the features (e.g. StandardScaler)."
        )
