r"""The mini-batch update rules of the course: momentum, RMSprop and Adam.

Each rule keeps its state (velocity, squared average, step count) between
calls and has the interface of the full-batch rules of
:mod:`sknotes._step_rules`: ``step(theta, grad, loss)`` moves ``theta`` in
place against the gradient ``grad`` of one mini-batch's cost ``loss`` and
returns ``None`` (the epoch loop computes the next batch's cost). The
learning rate is the attribute ``learning_rate``, which the epoch loop sets
at the start of each epoch (learning-rate decay).

The formulas are the course's, written for the flat parameter vector
:math:`\theta` (every ``W[l]`` and ``b[l]`` at once) with gradient
:math:`g`:

* momentum: :math:`v := \beta v + (1 - \beta) g`, :math:`\theta := \theta
  - \alpha v`;
* RMSprop: :math:`s := \beta_2 s + (1 - \beta_2) g^2`, :math:`\theta :=
  \theta - \alpha g / (\sqrt{s} + \epsilon)`;
* Adam: both, with the bias corrections :math:`v / (1 - \beta_1^t)` and
  :math:`s / (1 - \beta_2^t)`, :math:`t` counting mini-batch steps.
"""

import numpy as np

from ._config import kernels_in_use

__all__ = ["AdamStep", "MomentumStep", "RMSpropStep", "minibatch_rule"]

MINIBATCH_SOLVERS = ("sgd", "rmsprop", "adam")

# learning_rate='auto' for each mini-batch solver. Adam and RMSprop divide
# the step by the gradient's root mean square, so their step is about
# alpha per parameter whatever the scale of the data: 0.001, as in the
# course and MLPClassifier. The course's momentum averages gradients
# (v = beta v + (1 - beta) g) and so steps alpha * g at steady state;
# MLPClassifier's momentum (v = mu v - alpha g, mu = 0.9, alpha = 0.001)
# steps alpha / (1 - mu) * g = 0.01 * g: 0.01 is the same step.
AUTO_LEARNING_RATES = {"sgd": 0.01, "rmsprop": 0.001, "adam": 0.001}

# batch_size='auto': rows per mini-batch (at most the number of rows).
AUTO_BATCH_SIZE = 200

# The networks' solver='auto' trains in mini-batches (Adam) from this many
# rows, and early_stopping='auto' holds out a validation set there.
AUTO_MINIBATCH_ROWS = 20_000


def minibatch_rule(solver, learning_rate, theta, momentum, beta_1, beta_2, epsilon):
    """The update rule of mini-batch ``solver`` ('sgd', 'rmsprop' or 'adam').

    Examples
    --------
    >>> import numpy as np
    >>> type(minibatch_rule("adam", 0.001, np.zeros(3), 0.9, 0.9, 0.999, 1e-8)).__name__
    'AdamStep'
    """
    if solver == "sgd":
        return MomentumStep(learning_rate, theta, beta=momentum)
    if solver == "rmsprop":
        return RMSpropStep(learning_rate, theta, beta_2=beta_2, epsilon=epsilon)
    if solver == "adam":
        return AdamStep(learning_rate, theta, beta_1, beta_2, epsilon)
    raise ValueError(f"Unknown mini-batch solver {solver!r}.")


def _fused_updates():
    """:mod:`sknotes._fused` when the settings choose numba, else None.

    The fused updates are the numpy updates operation for operation (same
    order, same dtype), so the choice changes the speed, not the result.
    """
    if kernels_in_use() != "numba":
        return None
    from . import _fused

    return _fused


class _StatefulStep:
    """What the rules share: a fixed rate per call, no search, no extrapolation."""

    # The cost of a mini-batch may rise from one batch to the next: nothing
    # here compares costs, and a step always moves.
    adaptive = False
    stuck = None

    @property
    def step_size(self):
        return self.learning_rate

    def model(self, theta):
        """The model's parameters now: ``theta`` itself."""
        return theta

    def finish(self, theta, n_iter):
        """Nothing to put back: every step is a model."""


class MomentumStep(_StatefulStep):
    r"""Mini-batch gradient descent with momentum, the course's form.

    .. math::

        v := \beta v + (1 - \beta)\, g, \qquad \theta := \theta - \alpha v

    from :math:`v = 0`. With :math:`\beta = 0` it is the plain update
    :math:`\theta := \theta - \alpha g`, to the bit.

    Parameters
    ----------
    learning_rate : float
        :math:`\alpha`.
    theta : ndarray
        The parameters (shape and dtype of the velocity).
    beta : float
        :math:`\beta`, the weight of the past velocity.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.array([1.0, 1.0])
    >>> rule = MomentumStep(0.1, theta, beta=0.9)
    >>> rule.step(theta, np.array([1.0, -2.0]), loss=0.5) is None
    True
    >>> rule.velocity.round(6).tolist(), theta.round(6).tolist()
    ([0.1, -0.2], [0.99, 1.02])
    """

    def __init__(self, learning_rate, theta, beta=0.9):
        self.learning_rate = float(learning_rate)
        self.beta = float(beta)
        self.velocity = np.zeros_like(theta)
        self._scratch = np.empty_like(theta)
        self._fused = _fused_updates()

    def step(self, theta, grad, loss):
        """Update the velocity, then move ``theta`` by ``-learning_rate * v``."""
        if self._fused is not None:
            c = theta.dtype.type
            self._fused.momentum_update(
                theta, grad, self.velocity, c(self.beta), c(1.0 - self.beta),
                c(self.learning_rate),
            )  # fmt: skip
            return None
        v, tmp = self.velocity, self._scratch
        v *= self.beta
        np.multiply(grad, 1.0 - self.beta, out=tmp)
        v += tmp
        np.multiply(v, self.learning_rate, out=tmp)
        theta -= tmp
        return None


class RMSpropStep(_StatefulStep):
    r"""RMSprop: each parameter's step divided by its gradient's running RMS.

    .. math::

        s := \beta_2 s + (1 - \beta_2)\, g^2, \qquad
        \theta := \theta - \alpha \frac{g}{\sqrt{s} + \epsilon}

    from :math:`s = 0`, squares and roots taken element by element, no bias
    correction (the course's RMSprop).

    Parameters
    ----------
    learning_rate : float
        :math:`\alpha`.
    theta : ndarray
        The parameters (shape and dtype of the squared average).
    beta_2 : float
        :math:`\beta_2`, the weight of the past squared average.
    epsilon : float
        :math:`\epsilon`, keeps the division finite.

    Examples
    --------
    >>> import numpy as np
    >>> theta = np.zeros(2)
    >>> rule = RMSpropStep(0.01, theta, beta_2=0.75, epsilon=0.0)
    >>> _ = rule.step(theta, np.array([2.0, -4.0]), loss=1.0)
    >>> rule.squares.tolist(), theta.round(6).tolist()  # s = g^2 / 4: steps of 2 alpha
    ([1.0, 4.0], [-0.02, 0.02])
    """

    def __init__(self, learning_rate, theta, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = float(learning_rate)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.squares = np.zeros_like(theta)
        self._scratch = np.empty_like(theta)
        self._fused = _fused_updates()

    def step(self, theta, grad, loss):
        """Update the squared average, then move ``theta``."""
        if self._fused is not None:
            c = theta.dtype.type
            self._fused.rmsprop_update(
                theta, grad, self.squares, c(self.beta_2), c(1.0 - self.beta_2),
                c(self.epsilon), c(self.learning_rate),
            )  # fmt: skip
            return None
        s, tmp = self.squares, self._scratch
        s *= self.beta_2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.beta_2
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(grad, tmp, out=tmp)
        tmp *= self.learning_rate
        theta -= tmp
        return None


class AdamStep(_StatefulStep):
    r"""Adam: momentum and RMSprop together, with bias correction.

    At mini-batch step :math:`t = 1, 2, \dots`:

    .. math::

        v := \beta_1 v + (1 - \beta_1)\, g, \qquad
        s := \beta_2 s + (1 - \beta_2)\, g^2,

        \hat v = \frac{v}{1 - \beta_1^t}, \qquad
        \hat s = \frac{s}{1 - \beta_2^t}, \qquad
        \theta := \theta - \alpha \frac{\hat v}{\sqrt{\hat s} + \epsilon}

    from :math:`v = s = 0`, element by element.

    Parameters
    ----------
    learning_rate : float
        :math:`\alpha`.
    theta : ndarray
        The parameters (shape and dtype of the averages).
    beta_1, beta_2 : float
        Weights of the past average of the gradient and of its square.
    epsilon : float
        :math:`\epsilon`, keeps the division finite.

    Examples
    --------
    The first step moves every parameter by about ``learning_rate``
    against the sign of its gradient:

    >>> import numpy as np
    >>> theta = np.zeros(2)
    >>> rule = AdamStep(0.001, theta)
    >>> _ = rule.step(theta, np.array([5.0, -0.01]), loss=1.0)
    >>> rule.t, theta.round(6).tolist()
    (1, [-0.001, 0.001])
    """

    def __init__(self, learning_rate, theta, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = float(learning_rate)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.velocity = np.zeros_like(theta)
        self.squares = np.zeros_like(theta)
        self._scratch = np.empty_like(theta)
        self._scratch2 = np.empty_like(theta)
        self._fused = _fused_updates()

    def step(self, theta, grad, loss):
        """One Adam update of ``theta``; ``t`` counts the calls."""
        self.t += 1
        if self._fused is not None:
            c = theta.dtype.type
            constants = (
                c(self.beta_1), c(1.0 - self.beta_1), c(self.beta_2),
                c(1.0 - self.beta_2), c(1.0 - self.beta_1**self.t),
                c(1.0 - self.beta_2**self.t), c(self.epsilon), c(self.learning_rate),
            )  # fmt: skip
            self._fused.adam_update(theta, grad, self.velocity, self.squares, constants)
            return None
        v, s = self.velocity, self.squares
        tmp, denom = self._scratch, self._scratch2
        v *= self.beta_1
        np.multiply(grad, 1.0 - self.beta_1, out=tmp)
        v += tmp
        s *= self.beta_2
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.beta_2
        s += tmp
        # sqrt(s_hat) + eps, then v_hat / that, as the course writes it
        np.divide(s, 1.0 - self.beta_2**self.t, out=denom)
        np.sqrt(denom, out=denom)
        denom += self.epsilon
        np.divide(v, 1.0 - self.beta_1**self.t, out=tmp)
        tmp /= denom
        tmp *= self.learning_rate
        theta -= tmp
        return None
