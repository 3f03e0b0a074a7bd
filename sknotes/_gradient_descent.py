"""The one training loop: batch gradient descent on a :class:`DenseNetwork`.

Every iteration is the notes' loop body (§1.3): a forward pass gives the cost
``J`` (appended to the loss curve *before* the update, exactly like the notes'
``costs`` list), a backward pass gives the gradient, and the parameters move
against it. Around that body the loop owns what a production fit needs:
the step rule, stopping on a cost that stopped changing, a validation curve
with early stopping, verbose lines, divergence detection, a
ConvergenceWarning, and Ctrl-C leaving a usable model.

Two step rules
--------------
A float ``learning_rate`` is the notes' fixed step ``theta := theta - alpha
dJ/dtheta`` (or, with ``solver='nesterov'``, the same step taken from a
FISTA-extrapolated point). It is the notes' formula with nothing added,
so a fit configured like the course follows the course's run; only the
order in which matrix products add their terms differs from the notes'
numpy code, which moves a cost by about one unit in the last place.

``learning_rate='auto'`` chooses its steps (:class:`AdaptiveStep`): a step
is kept only if the cost goes down, shrunk when it would not, and grown
after each success; gradients are preconditioned by the per-feature scaling
of :mod:`sknotes._preconditioning`; momentum is added unless
``solver='gd'``. Its loss curve never goes up.

Stopping
--------
"Converged" means the recorded cost changed by less than ``tol`` for
``n_iter_no_change`` consecutive iterations, and nothing else: the 'auto'
step stops at an exact minimum (a cost or gradient of exactly 0, as on
separable data) as ``'minimum'``, and where rounding leaves no step that
lowers the cost as ``'stalled'``, whatever ``tol`` is. A cost that *rises* above its
best by more than ``tol`` is never counted as convergence: with a fixed
step, ``n_iter_no_change`` such iterations stop the fit with a
ConvergenceWarning that names the step as too large, and the parameters
with the lowest cost are kept.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._warnings import at_caller

# The stricter tolerance on a plateau where the model is still at chance.
_PLATEAU_TOL_FACTOR = 100.0

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

    @property
    def n_iter(self):
        return len(self.loss_curve)


class FixedStep:
    """The notes' update with a constant ``learning_rate`` (optionally FISTA)."""

    adaptive = False

    def __init__(self, learning_rate, theta, momentum=False):
        self.learning_rate = float(learning_rate)
        self.momentum = momentum
        if momentum:
            self.x_prev = theta.copy()
            self.t = 1.0

    def update(self, theta, grad):
        """Move ``theta`` in place; the loop evaluates the cost afterwards."""
        if not self.momentum:
            theta -= self.learning_rate * grad  # theta := theta - alpha dJ/dtheta
            return
        x_new = theta - self.learning_rate * grad
        step = x_new - self.x_prev
        if np.dot(grad, step) > 0:
            self.t = 1.0  # restart: the momentum points uphill
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * self.t * self.t))
        np.add(x_new, ((self.t - 1.0) / t_next) * step, out=theta)
        self.x_prev, self.t = x_new, t_next

    def model(self, theta):
        """The model's parameters now (with momentum, not the extrapolation)."""
        return self.x_prev if self.momentum else theta

    def finish(self, theta, n_iter):
        if self.momentum and n_iter:
            theta[:] = self.x_prev  # the last gradient step, not the extrapolation


class AdaptiveStep:
    r"""The 'auto' step: preconditioned descent that only accepts lower costs.

    From :math:`\theta_k` with cost :math:`J_k` and gradient :math:`g_k`,
    the direction is :math:`d_k = P g_k` (:math:`P` the preconditioner, or
    the identity) and the candidate

    .. math::

        \theta' = \theta_k - \eta\, d_k + \beta_k (\theta_k - \theta_{k-1})

    with the momentum coefficient :math:`\beta_k = (t_k - 1)/t_{k+1}`,
    :math:`t_{k+1} = (1 + \sqrt{1 + 4t_k^2})/2` (zero without momentum).
    One forward and backward pass gives :math:`J(\theta')` and its
    gradient. If :math:`J(\theta') \le J_k` the candidate is the next
    iterate and :math:`\eta` grows by the factor ``grow`` (1.1) after a
    plain step, ``grow_momentum`` (1.05) after a step with momentum, so that
    it follows the largest step the cost tolerates as the curvature changes
    (on separable data the curvature keeps falling as the weights grow).
    Otherwise the candidate is
    rejected: with momentum on, momentum restarts (:math:`t = 1`) and
    :math:`\eta` shrinks by ``restart_shrink`` (0.8); without, :math:`\eta`
    shrinks to the minimiser of the quadratic through :math:`J_k`, the
    slope :math:`-g_k^T d_k` and :math:`J(\theta')`, kept within
    ``[0.1, 0.5]`` times the old step. Momentum also restarts when the
    last move went up the new gradient (:math:`g_k^T(\theta_k -
    \theta_{k-1}) > 0`), the adaptive restart of O'Donoghue and Candès.
    The growth under momentum is a compromise measured on raw breast cancer
    with ``alpha=1`` (iterations to 1e-4 of the lbfgs optimum) and on the
    ``defaults`` benchmark's standardised digits and breast cancer (test
    accuracy of the unpenalised default): 1.05 gives 1,026 iterations and
    0.960 / 0.951; 1.1 gives 1,587 and the same accuracies; no growth gives
    263 but stops unpenalised fits on separable data at a higher cost,
    0.958 / 0.944, 1.1 and 1.4 points below ``LogisticRegression``.
    The first step is ``4`` (``2`` for a
    softmax output): the inverse of the largest diagonal curvature of the
    cost in standardised coordinates, where a sigmoid's slope is at most
    1/4 and a softmax's at most 1/2.
    """

    adaptive = True
    grow = 1.1
    grow_momentum = 1.05
    restart_shrink = 0.8
    max_tries = 60

    def __init__(
        self, evaluate, theta, grad, preconditioner=None, momentum=True, first_step=4.0
    ):
        self.evaluate = evaluate  # evaluate(grad_out) -> J at the current params
        self.preconditioner = preconditioner
        self.momentum = momentum
        self.eta = float(first_step)
        self.t = 1.0
        self.prev = theta.copy()
        self.start = np.empty_like(theta)
        self.direction = np.empty_like(theta)
        self.trial_grad = np.empty_like(grad)
        self.exhausted = False
        self.trying = False

    def step(self, theta, grad, loss):
        """Move ``theta`` to a point of lower cost; return that cost.

        ``grad`` is overwritten with the gradient there. Returns ``None``
        (``theta`` and ``grad`` unchanged) when no step can lower the cost:
        at an exact minimum (``exhausted`` False) or, after ``max_tries``
        rejected trials, at the limit of floating-point precision
        (``exhausted`` True).
        """
        d = self.direction
        if self.preconditioner is None:
            np.copyto(d, grad)
        else:
            self.preconditioner.apply(grad, d)
        slope = float(np.dot(grad, d))  # -dJ/d(eta) along -d, >= 0
        if not slope > 0 or loss == 0:
            self.exhausted = False  # a zero gradient or cost: the minimum
            return None
        np.copyto(self.start, theta)
        self.trying = True  # theta holds trial points until one is kept
        if self.momentum and np.dot(grad, self.start - self.prev) > 0:
            self.t = 1.0  # the last move went uphill along the gradient
        for _ in range(self.max_tries):
            if self.momentum:
                t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * self.t * self.t))
                beta = (self.t - 1.0) / t_next
            else:
                t_next, beta = 1.0, 0.0
            np.multiply(d, -self.eta, out=theta)
            theta += self.start
            if beta:
                theta += beta * (self.start - self.prev)
            trial = self.evaluate(self.trial_grad)
            if trial <= loss:  # NaN compares False: a rejected step
                np.copyto(self.prev, self.start)
                np.copyto(grad, self.trial_grad)
                self.t = t_next
                self.eta *= self.grow_momentum if beta else self.grow
                self.trying = False
                return trial
            if beta:
                self.t = 1.0  # momentum carried us uphill: restart it
                self.eta *= self.restart_shrink
                continue
            rise = trial - loss + self.eta * slope
            if np.isfinite(trial) and rise > 0:
                shrink = slope * self.eta / (2.0 * rise)
                self.eta *= min(max(shrink, 0.1), 0.5)
            else:
                self.eta *= 0.1
        np.copyto(theta, self.start)
        self.trying = False
        self.exhausted = True
        return None

    def model(self, theta):
        """The model's parameters now: the last accepted point."""
        return self.start if self.trying else theta

    def finish(self, theta, n_iter):
        if self.trying:  # interrupted between trials: back to the last kept point
            np.copyto(theta, self.start)


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
        The notes' ``alpha``, or ``'auto'`` for :class:`AdaptiveStep`.
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
        :class:`AdaptiveStep`.
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
    """
    theta = network.params
    grad = np.empty_like(theta)
    result = DescentResult()
    if validation is not None:
        result.validation_loss_curve = []
    stopping_on = bool(tol) or early_stopping
    tol = float(tol or 0.0)
    momentum = solver == "nesterov"

    def evaluate(out):
        return network.loss_grad(X, y, sample_weight, l2, out)

    if learning_rate == "auto":
        rule = AdaptiveStep(
            evaluate,
            theta,
            grad,
            preconditioner,
            momentum=momentum,
            first_step=4.0 if network.layer_sizes[-1] == 1 else 2.0,
        )
    else:
        rule = FixedStep(learning_rate, theta, momentum=momentum)

    no_change = rising = 0
    # at_chance is asked once at the first stop; a model found above chance
    # there is not asked again at the end (one pass over the data less)
    plateau_checked = chance_seen = False
    # The best parameters are put back after early stopping, or when a fixed
    # step stops on a rising cost; only then are they kept, in one buffer.
    keep_best = early_stopping or (stopping_on and not rule.adaptive)
    best_params = np.empty_like(theta) if keep_best else None
    best_kept = False
    loss = None
    try:
        for it in range(max_iter):
            if loss is None:
                loss = evaluate(grad)
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
                    line += f", validation loss = {val_loss:.8f}"
                print(line)

            # The cost "stopped changing" when it stays within tol of the
            # best; staying above the best by more than tol is rising.
            if monitored < result.best_loss - tol:
                no_change = rising = 0
            elif early_stopping or monitored <= result.best_loss + tol:
                no_change += 1
                rising = 0
            else:
                rising += 1
                no_change = 0
            if monitored < result.best_loss:
                result.best_loss = monitored
                if keep_best:
                    np.copyto(best_params, theta)
                    best_kept = True

            if stopping_on and no_change >= n_iter_no_change and not plateau_checked:
                plateau_checked = at_chance is not None
                chance_seen = plateau_checked and at_chance(loss)
                if chance_seen:
                    # not a minimum worth stopping at: a stricter tolerance
                    tol /= _PLATEAU_TOL_FACTOR
                    no_change = 0
            if stopping_on and no_change >= n_iter_no_change:
                result.stop_reason = "validation" if early_stopping else "converged"
            elif stopping_on and rising >= n_iter_no_change:
                result.stop_reason = "rising"

            if rule.adaptive:
                loss = rule.step(theta, grad, loss)
                if loss is None:
                    if result.stop_reason == "max_iter":
                        # no step lowers the cost: rounding ('stalled'), or an
                        # exact minimum, a zero cost or gradient ('minimum'),
                        # which no tol, not even 0, could make the fit pass
                        exhausted = rule.exhausted
                        result.stop_reason = "stalled" if exhausted else "minimum"
                    break
            else:
                rule.update(theta, grad)
                loss = None
            if result.stop_reason != "max_iter":
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
    result.step_size = rule.eta if rule.adaptive else rule.learning_rate
    if not np.isfinite(theta).all():
        _check_finite(np.nan, result.loss_curve, learning_rate, result.n_iter)
    if best_kept and (early_stopping or result.stop_reason == "rising"):
        theta[:] = best_params
    if (
        at_chance is not None
        and result.stop_reason not in ("interrupted", "callback")
        and result.loss_curve
        and (chance_seen or not plateau_checked)
        and at_chance(result.loss_curve[-1])
    ):
        # A penalty whose curvature exceeds the data's (about 1/4 per unit
        # of a standardised feature) holds every weight near 0 by itself.
        why = (
            "The L2 penalty outweighs the data (alpha is "
            f"{l2:.3g} per unit of sample weight): use a smaller alpha."
            if 4.0 * l2 >= 1.0
            else "The classes may not be separable by this model, or the cost "
            "is on a long plateau: try more iterations (max_iter), other "
            "features, or a model with hidden layers."
        )
        warnings.warn(
            f"{estimator_name}: after {result.n_iter} iteration"
            f"{'s' * (result.n_iter != 1)} the model does "
            "no better on its training data than always answering the class "
            f"shares. {why}",
            ConvergenceWarning,
            **at_caller(),
        )
    _warn_if_unconverged(
        result,
        learning_rate,
        max_iter,
        tol,
        stopping_on,
        early_stopping,
        estimator_name,
    )
    return result


def _warn_if_unconverged(
    result, learning_rate, max_iter, tol, stopping_on, early_stopping, name
):
    """A ConvergenceWarning whose advice points the right way, or nothing."""
    curve = result.loss_curve
    if not curve or result.stop_reason in (
        "converged",
        "minimum",
        "validation",
        "stalled",
        "callback",
    ):
        return
    if result.stop_reason == "interrupted":
        return
    fixed = learning_rate != "auto"
    best = float(np.min(curve))
    at = int(np.argmin(curve)) + 1
    # Without a stopping rule (tol=0) a fixed step runs to max_iter; a last
    # cost 5 % above the best is a step too large, while the course's own
    # run (learning rate 1.2 on the flower) ends 0.9 % above its lowest.
    rose = fixed and curve[-1] > best + max(tol, 0.05 * abs(best))
    if result.stop_reason == "rising" or rose:
        kept = (
            "The parameters with the lowest cost were kept. "
            if result.stop_reason == "rising"
            else ""
        )
        message = (
            f"{name}: the cost rose above its lowest value {best:.6g} "
            f"(iteration {at}) and was {curve[-1]:.6g} at iteration "
            f"{len(curve)}: the learning rate {float(learning_rate):.4g} is too "
            f"large for these data. {kept}Use a smaller learning_rate, or "
            "learning_rate='auto', which only takes steps that lower the cost."
        )
    elif stopping_on:
        what = "validation cost" if early_stopping else "cost"
        advice = (
            "Increase max_iter, or use learning_rate='auto' (preconditioned steps)."
            if fixed
            else "Increase max_iter, or raise tol to stop earlier."
        )
        message = (
            f"{name}: gradient descent reached max_iter={max_iter} while the "
            f"{what} was still changing by more than tol={tol} (last cost "
            f"{curve[-1]:.6g}). {advice}"
        )
    else:
        return
    warnings.warn(message, ConvergenceWarning, **at_caller())


def _check_finite(loss, curve, learning_rate, it):
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
        raise ValueError(
            f"Gradient descent diverged at iteration {it + 1}: the cost became "
            f"{loss!r} (it started at {curve[0] if curve else loss!r}). {step}, "
            "or scale the features (e.g. StandardScaler)."
        )
