"""When the training loop stops, and what it says about how it ended.

"Converged" means the recorded cost changed by less than ``tol`` for
``n_iter_no_change`` consecutive iterations, and nothing else: the 'auto'
step stops at an exact minimum (a cost or gradient of exactly 0, as on
separable data) as ``'minimum'``, and where rounding leaves no step that
lowers the cost as ``'stalled'`` (see :mod:`sknotes._step_rules`),
whatever ``tol`` is. A cost that *rises* above its best by more than
``tol`` is never counted as convergence: with a fixed step,
``n_iter_no_change`` such iterations stop the fit with a ConvergenceWarning
that names the step as too large, and the parameters with the lowest cost
are kept. A cost that stops changing while the model still does no better
than the class shares is a plateau, not a minimum: the fit goes on with a
stricter tolerance, and says so if it ends there.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._warnings import at_caller

# The stricter tolerance on a plateau where the model is still at chance.
_PLATEAU_TOL_FACTOR = 100.0


class Stopping:
    """The stopping rules of one fit, fed one recorded cost per iteration.

    Parameters
    ----------
    tol : float or None
        Change of the cost below which an iteration counts as "no change";
        ``None`` or ``0`` switches the rule off (unless ``early_stopping``).
    n_iter_no_change : int
        Consecutive "no change" iterations that stop the fit; as many
        consecutive iterations above the best cost stop it as ``'rising'``.
    early_stopping : bool
        Watch the validation cost, with no tolerance for a rise, and keep
        the parameters of the lowest one.
    keep_best : bool
        Keep a copy of the parameters of the lowest cost (to put back after
        early stopping or a rising cost).
    at_chance : callable or None
        ``at_chance(cost)``: whether the model at the current parameters
        does no better than answering the class shares.
    theta : ndarray
        The parameters (their shape and dtype for the copy).

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.zeros(2)
    >>> stopping = Stopping(0.1, 2, False, False, None, theta)
    >>> [stopping.observe(cost, cost, theta) for cost in (1.0, 0.5, 0.45, 0.44)]
    [None, None, None, 'converged']
    """

    def __init__(
        self, tol, n_iter_no_change, early_stopping, keep_best, at_chance, theta
    ):
        self.on = bool(tol) or early_stopping
        self.tol = float(tol or 0.0)
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.at_chance = at_chance
        self.best_loss = np.inf
        self.no_change = self.rising = 0
        # at_chance is asked once at the first stop; a model found above
        # chance there is not asked again at the end (one pass over the data
        # less)
        self.plateau_checked = self.chance_seen = False
        self.best_params = np.empty_like(theta) if keep_best else None
        self.best_kept = False

    def observe(self, loss, monitored, theta):
        """Count one iteration; return why the fit stops here, or None.

        ``loss`` is the training cost at ``theta``; ``monitored`` is the cost
        the rule watches (the validation cost with early stopping).
        """
        # The cost "stopped changing" when it stays within tol of the best;
        # staying above the best by more than tol is rising.
        if monitored < self.best_loss - self.tol:
            self.no_change = self.rising = 0
        elif self.early_stopping or monitored <= self.best_loss + self.tol:
            self.no_change += 1
            self.rising = 0
        else:
            self.rising += 1
            self.no_change = 0
        if monitored < self.best_loss:
            self.best_loss = monitored
            if self.best_params is not None:
                np.copyto(self.best_params, theta)
                self.best_kept = True
        if not self.on:
            return None
        if self.no_change >= self.n_iter_no_change and not self.plateau_checked:
            self.plateau_checked = self.at_chance is not None
            self.chance_seen = self.plateau_checked and self.at_chance(loss)
            if self.chance_seen:
                # not a minimum worth stopping at: a stricter tolerance
                self.tol /= _PLATEAU_TOL_FACTOR
                self.no_change = 0
        if self.no_change >= self.n_iter_no_change:
            return "validation" if self.early_stopping else "converged"
        if self.rising >= self.n_iter_no_change:
            return "rising"
        return None

    def restore_best(self, theta, stop_reason):
        """Put back the best parameters after early stopping or a rising cost."""
        if self.best_kept and (self.early_stopping or stop_reason == "rising"):
            theta[:] = self.best_params

    def ends_at_chance(self, stop_reason, last_loss):
        """Whether the fit ends with the model still at chance."""
        return (
            self.at_chance is not None
            and stop_reason not in ("interrupted", "callback")
            and (self.chance_seen or not self.plateau_checked)
            and self.at_chance(last_loss)
        )


def warn_at_chance(name, n_iter, l2, unit="iteration"):
    """The ConvergenceWarning of a fit that ends at chance, with its likely cause."""
    # A penalty whose curvature exceeds the data's (about 1/4 per unit of a
    # standardised feature) holds every weight near 0 by itself.
    why = (
        "The L2 penalty outweighs the data (alpha is "
        f"{l2:.3g} per unit of sample weight): use a smaller alpha."
        if 4.0 * l2 >= 1.0
        else "The classes may not be separable by this model, or the cost "
        "is on a long plateau: try more iterations (max_iter), other "
        "features, or a model with hidden layers."
    )
    warnings.warn(
        f"{name}: after {n_iter} {unit}{'s' * (n_iter != 1)} the model does "
        "no better on its training data than always answering the class "
        f"shares. {why}",
        ConvergenceWarning,
        **at_caller(),
    )


def warn_if_unconverged(result, learning_rate, max_iter, stopping, name, noisy=False):
    """A ConvergenceWarning whose advice points the right way, or nothing.

    ``noisy``: the cost is the cost of a randomly masked network (dropout),
    whose last value above the best says nothing about the step size.
    """
    tol = stopping.tol
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
    rose = fixed and not noisy and curve[-1] > best + max(tol, 0.05 * abs(best))
    if result.stop_reason == "rising" or rose:
        kept = (
            "The parameters with the lowest cost were kept. "
            if result.stop_reason == "rising"
            else ""
        )
        if fixed:
            advice = (
                f"the learning rate {float(learning_rate):.4g} is too large for "
                f"these data. {kept}Use a smaller learning_rate, or "
                "learning_rate='auto', which only takes steps that lower the cost."
            )
        else:  # the fixed default rate of a mini-batch solver's 'auto'
            advice = (
                f"the default rate of the mini-batch solver is too large for "
                f"these data. {kept}Pass a smaller float learning_rate."
            )
        message = (
            f"{name}: the cost rose above its lowest value {best:.6g} "
            f"({result.unit} {at}) and was {curve[-1]:.6g} at {result.unit} "
            f"{len(curve)}: {advice}"
        )
    elif stopping.on:
        what = "validation cost" if stopping.early_stopping else "cost"
        advice = (
            "Increase max_iter, or use learning_rate='auto' (preconditioned steps)."
            if fixed
            else "Increase max_iter, or raise tol to stop earlier."
        )
        loop = "gradient" if result.unit == "iteration" else "mini-batch"
        message = (
            f"{name}: {loop} descent reached max_iter={max_iter} {result.unit}s "
            "while the "
            f"{what} was still changing by more than tol={tol} (last cost "
            f"{curve[-1]:.6g}). {advice}"
        )
    else:
        return
    warnings.warn(message, ConvergenceWarning, **at_caller())
