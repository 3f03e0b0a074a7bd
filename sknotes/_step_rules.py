r"""Step rules: how the training loop moves the parameters, one interface.

Every rule has one method, ``step(theta, grad, loss)``: it moves ``theta``
in place against the gradient ``grad`` of the cost ``loss`` at ``theta``,
and returns the cost at the new point when it computed it (``grad`` then
holds the gradient there) or ``None`` when it did not (the loop computes it
at the top of the next iteration). A rule that finds no step that lowers
the cost leaves ``theta`` where it was and says why in ``stuck``.

A float ``learning_rate`` is the notes' fixed step :math:`\theta := \theta -
\alpha\, \partial J/\partial\theta` (:class:`FixedStep`, optionally from
a FISTA-extrapolated point with ``solver='nesterov'``). It is the notes'
formula with nothing added, so a fit configured like the course follows the
course's run; only the order in which matrix products add their terms
differs from the notes' numpy code, which moves a cost by about one unit in
the last place.

``learning_rate='auto'`` chooses its steps (:class:`AdaptiveStep`): a step
is kept only if the cost goes down, shrunk when it would not, and grown
after each success; gradients are preconditioned by the per-feature scaling
of :mod:`sknotes._preconditioning`; momentum is added unless
``solver='gd'``. Its loss curve never goes up.
"""

import numpy as np


def make_step_rule(
    learning_rate, solver, evaluate, theta, grad, preconditioner, n_outputs
):
    """The rule for ``learning_rate`` (a float or 'auto') and ``solver``.

    ``evaluate(grad_out)`` returns the cost at the current ``theta`` and
    writes its gradient into ``grad_out``; only the 'auto' rule calls it.
    """
    momentum = solver == "nesterov"
    if learning_rate == "auto":
        return AdaptiveStep(
            evaluate,
            theta,
            grad,
            preconditioner,
            momentum=momentum,
            first_step=4.0 if n_outputs == 1 else 2.0,
        )
    return FixedStep(learning_rate, theta, momentum=momentum)


class FixedStep:
    """The notes' update with a constant ``learning_rate`` (optionally FISTA).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, -2.0])
    >>> rule = FixedStep(0.5, theta)
    >>> rule.step(theta, np.array([2.0, -2.0]), loss=5.0) is None  # not evaluated
    True
    >>> theta.tolist()
    [0.0, -1.0]
    """

    # A fixed step can make the cost rise: the loop keeps the best point.
    adaptive = False
    stuck = None  # a fixed step always moves

    def __init__(self, learning_rate, theta, momentum=False):
        self.learning_rate = float(learning_rate)
        self.momentum = momentum
        if momentum:
            self.x_prev = theta.copy()
            self.t = 1.0

    @property
    def step_size(self):
        return self.learning_rate

    def step(self, theta, grad, loss):
        """Move ``theta`` in place; the loop evaluates the cost afterwards."""
        if not self.momentum:
            theta -= self.learning_rate * grad  # theta := theta - alpha dJ/dtheta
            return None
        x_new = theta - self.learning_rate * grad
        step = x_new - self.x_prev
        if np.dot(grad, step) > 0:
            self.t = 1.0  # restart: the momentum points uphill
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * self.t * self.t))
        np.add(x_new, ((self.t - 1.0) / t_next) * step, out=theta)
        self.x_prev, self.t = x_new, t_next
        return None

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

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([3.0])
    >>> def evaluate(out):  # J = theta^2, dJ/dtheta = 2 theta
    ...     out[:] = 2 * theta
    ...     return float(theta[0] ** 2)
    >>> grad = np.empty(1)
    >>> rule = AdaptiveStep(evaluate, theta, grad, momentum=False, first_step=0.25)
    >>> rule.step(theta, grad, evaluate(grad)), theta.tolist(), grad.tolist()
    (2.25, [1.5], [3.0])
    """

    # Its cost never rises: nothing to keep aside.
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
        self.stuck = None
        self.trying = False

    @property
    def step_size(self):
        return self.eta

    def step(self, theta, grad, loss):
        """Move ``theta`` to a point of lower cost; return that cost.

        ``grad`` is overwritten with the gradient there. Returns ``None``
        (``theta`` and ``grad`` unchanged) when no step can lower the cost,
        and sets ``stuck``: ``'minimum'`` at a cost or gradient of exactly 0,
        ``'stalled'`` after ``max_tries`` rejected trials (the limit of
        floating-point precision). Raises ``FloatingPointError`` when the
        gradient is not finite (the computation overflowed).
        """
        d = self.direction
        # An overflowed gradient is reported below, not warned about here.
        with np.errstate(over="ignore", invalid="ignore"):
            if self.preconditioner is None:
                np.copyto(d, grad)
            else:
                self.preconditioner.apply(grad, d)
            slope = float(np.dot(grad, d))  # -dJ/d(eta) along -d, >= 0
        if not np.isfinite(slope):  # an overflow, not a minimum
            raise FloatingPointError("the gradient of the cost is not finite")
        if slope <= 0 or loss == 0:
            self.stuck = "minimum"  # a zero gradient or cost
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
        self.stuck = "stalled"
        return None

    def model(self, theta):
        """The model's parameters now: the last accepted point."""
        return self.start if self.trying else theta

    def finish(self, theta, n_iter):
        if self.trying:  # interrupted between trials: back to the last kept point
            np.copyto(theta, self.start)
