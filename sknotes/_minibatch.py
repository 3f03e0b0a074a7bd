r"""The epoch loop: mini-batch gradient descent on a :class:`DenseNetwork`.

An epoch visits every training row once: the rows are put in a new random
order (unless ``shuffle=False``), cut into batches of ``batch_size`` rows
(full batches first, then the remainder, as the course cuts them), and each
batch's cost and gradient move the parameters by the solver's rule
(:mod:`sknotes._optimizers`). Around that the loop keeps what the
full-batch loop (:mod:`sknotes._gradient_descent`) keeps, one entry per
epoch: the loss curve, the validation curve, the stopping rules, verbose
lines, divergence detection, the callbacks and Ctrl-C.

A batch's cost is the network's cost of its rows alone: their weights
divided by the batch's total weight, and the L2 term divided by that total
too (in the units of the caller's sample weights), as ``MLPClassifier``
divides it by the batch size:

.. math::

    J_B = \frac{\sum_{i \in B} s_i L_i + \frac{\alpha}{2} \sum_l
    \|W^{[l]}\|_F^2}{\sum_{i \in B} s_i}

The epoch's entry in the loss curve is the mean of its batches' costs
weighted by their total weight (with equal weights, by their sizes), each
taken before its batch's update: what ``MLPClassifier`` reports, and the
course's ``cost_total / m``.
"""

import numpy as np

from ._gradient_descent import (
    DescentResult,
    check_finite,
    finish_descent,
    print_iteration,
    record_costs,
)
from ._optimizers import minibatch_rule
from ._preconditioning import StandardisedRule
from ._stopping import Stopping

__all__ = ["decayed_rate", "epoch_order", "minibatch_descent"]


def minibatch_descent(
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
    solver,
    batch_size,
    shuffle=True,
    random_state=None,
    momentum=0.9,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    decay_rate=0.0,
    decay_interval=None,
    validation=None,
    early_stopping=False,
    verbose=0,
    estimator_name="estimator",
    on_iteration_end=None,
    at_chance=None,
    rule=None,
    first_epoch=0,
    preconditioner=None,
    auto_rate=False,
):
    """Run ``max_iter`` epochs of mini-batch descent on ``network.params`` at most.

    The arguments shared with
    :func:`~sknotes._gradient_descent.gradient_descent` mean the same, per
    epoch instead of per iteration (``learning_rate`` is a float here). The
    others:

    Parameters
    ----------
    solver : {'sgd', 'rmsprop', 'adam'}
        The update rule (:func:`~sknotes._optimizers.minibatch_rule`).
    batch_size : int
        Rows per batch (the last batch of an epoch holds the remainder).
    shuffle : bool or callable
        Draw a new order of the rows each epoch from ``random_state``; or
        ``shuffle(epoch, n_rows)`` returns the order of epoch ``epoch``
        (from 0), a permutation of ``range(n_rows)``.
    random_state : RandomState
        Draws the orders when ``shuffle`` is True.
    momentum, beta_1, beta_2, epsilon : float
        The rule's constants.
    decay_rate, decay_interval : float, int or None
        The learning rate of epoch ``e`` (from 0) is
        :func:`decayed_rate`\\ ``(learning_rate, e, ...)``.
    rule : update rule, default=None
        A rule of :func:`~sknotes._optimizers.minibatch_rule` whose state
        (velocity, squared averages, step count) to continue; a new one by
        default.
    first_epoch : int, default=0
        The number of the first epoch (decay and ``shuffle(epoch, ...)``
        count from it), for training that continues over several calls.
    preconditioner : Preconditioner, default=None
        With one, a new rule steps in its standardised coordinates
        (:class:`~sknotes._preconditioning.StandardisedRule`).
    auto_rate : bool, default=False
        ``learning_rate`` is the solver's default for ``'auto'``: the
        messages must not advise ``learning_rate='auto'``.

    Returns
    -------
    DescentResult
        ``n_iter`` counts epochs; ``step_size`` is the last epoch's rate.

    Examples
    --------
    >>> import numpy as np
    >>> from sknotes._network import DenseNetwork
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1.0])
    >>> network = DenseNetwork([1, 1])
    >>> result = minibatch_descent(
    ...     network, X, y, np.full(4, 0.25), l2=0.0, learning_rate=0.5,
    ...     max_iter=50, tol=0, n_iter_no_change=10, solver="sgd",
    ...     batch_size=2, shuffle=False, momentum=0.0,
    ... )
    >>> result.n_iter, len(result.loss_curve)  # one entry per epoch
    (50, 50)
    >>> bool(result.loss_curve[-1] < 0.3 < result.loss_curve[0])
    True
    """
    theta = network.params
    grad = np.empty_like(theta)
    shown_rate = "auto" if auto_rate else learning_rate  # for the messages
    result = DescentResult(unit="epoch")
    if validation is not None:
        result.validation_loss_curve = []
    if rule is None:
        rule = minibatch_rule(
            solver, learning_rate, theta, momentum, beta_1, beta_2, epsilon
        )
        if preconditioner is not None:
            rule = StandardisedRule(rule, preconditioner.coordinates())
    # The parameters at the end of the best epoch are put back after early
    # stopping, or when the epochs' cost keeps rising.
    stopping = Stopping(
        tol, n_iter_no_change, early_stopping,
        keep_best=early_stopping or bool(tol),
        at_chance=at_chance, theta=theta,
    )  # fmt: skip
    n_rows = X.shape[0]
    remote = hasattr(X, "network_loss_grad")  # rows on dask workers
    buffers = None if remote else _BatchBuffers(X, y, sample_weight, batch_size)
    try:
        for epoch in range(max_iter):
            rule.learning_rate = decayed_rate(
                learning_rate, first_epoch + epoch, decay_rate, decay_interval
            )
            if remote:
                loss, rule = chunk_epoch(
                    X, network, rule, shuffle, random_state, batch_size, l2
                )
            else:
                order = epoch_order(shuffle, first_epoch + epoch, n_rows, random_state)
                batches = _batches(X, y, sample_weight, l2, order, batch_size, buffers)
                loss = epoch_loss(*run_batches(network, batches, rule, theta, grad))
            check_finite(loss, result.loss_curve, shown_rate, epoch, "epoch")
            monitored = record_costs(result, loss, network, validation, early_stopping)
            if verbose and (epoch + 1) % verbose == 0:
                print_iteration(result)
            stop = stopping.observe(loss, monitored, theta)
            if stop:
                result.stop_reason = stop
                break
            if on_iteration_end is not None and on_iteration_end(result.n_iter, theta):
                result.stop_reason = "callback"
                break
    except KeyboardInterrupt:
        # The epochs completed are reported; the parameters are those of the
        # last batch update, a usable model.
        result.stop_reason = "interrupted"
        if validation is not None:
            del result.loss_curve[len(result.validation_loss_curve) :]
    result.step_size = rule.learning_rate
    return finish_descent(
        result, network, stopping, shown_rate, max_iter, l2, estimator_name
    )


def decayed_rate(learning_rate, epoch, decay_rate, decay_interval):
    r"""The course's inverse-time decay of the learning rate at ``epoch``.

    :math:`\alpha_0 / (1 + r\,e)` for epoch :math:`e` (from 0), or with
    ``decay_interval`` :math:`k` the scheduled form :math:`\alpha_0 / (1 +
    r \lfloor e / k \rfloor)`; ``decay_rate`` :math:`r = 0` is a constant
    rate.

    Examples
    --------
    >>> decayed_rate(0.1, 3, 1.0, None), decayed_rate(0.1, 3, 1.0, 2)
    (0.025, 0.05)
    """
    if not decay_rate:
        return learning_rate
    steps = epoch if decay_interval is None else epoch // decay_interval
    return learning_rate / (1.0 + decay_rate * steps)


def epoch_order(shuffle, epoch, n_rows, random_state):
    """The order of the rows in ``epoch``: None (as stored) or a permutation.

    Examples
    --------
    >>> import numpy as np
    >>> epoch_order(False, 0, 3, None) is None
    True
    >>> epoch_order(lambda e, m: np.arange(m)[::-1], 0, 3, None).tolist()
    [2, 1, 0]
    """
    if callable(shuffle):
        order = np.asarray(shuffle(epoch, n_rows))
        if order.shape != (n_rows,):
            got = f"an array of shape {order.shape}"
        elif not np.array_equal(np.sort(order), np.arange(n_rows)):
            got = "values that repeat rows or leave rows out"
        else:
            return order
        raise ValueError(
            f"shuffle({epoch}, {n_rows}) must return a permutation of "
            f"range({n_rows}) (the order of the rows in that epoch); it "
            f"returned {got}."
        )
    return random_state.permutation(n_rows) if shuffle else None


def _batches(X, y, sample_weight, l2, order, batch_size, buffers, whole=True):
    """``(X_B, y_B, weights summing to 1, l2_B, share)`` of each batch in order.

    ``share`` is the batch's part of the total weight. A batch of weight 0
    carries no information about the cost and is skipped. The rows of a
    shuffled dense batch are gathered into ``buffers`` (a
    :class:`_BatchBuffers`), overwritten by the next batch. ``whole``: the
    rows are all the data, their weights summing to 1 (not a chunk's).
    """
    n_rows = X.shape[0]
    if whole and order is None and batch_size >= n_rows:
        yield X, y, sample_weight, l2, 1.0  # the whole data, as the full batch
        return
    for start in range(0, n_rows, batch_size):
        if order is None:
            rows = slice(start, start + batch_size)
            X_b, y_b, s = X[rows], y[rows], sample_weight[rows]
        else:
            X_b, y_b, s = buffers.gather(order[start : start + batch_size])
        share = float(s.sum(dtype=np.float64))
        if share > 0:
            yield X_b, y_b, buffers.normalised(s, share), l2 / share, share


class _BatchBuffers:
    """Arrays of one batch, allocated once per fit and refilled for each batch.

    Gathering a batch's rows with ``np.take(..., out=)`` into the same
    memory every time avoids allocating (and, above the allocator's
    threshold, mapping and faulting in) a new ``batch_size x n_x`` array
    per batch.
    """

    def __init__(self, X, y, sample_weight, batch_size):
        rows = min(batch_size, X.shape[0])
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.sparse = not isinstance(X, np.ndarray)
        if not self.sparse:
            self.X_b = np.empty((rows, X.shape[1]), dtype=X.dtype)
        self.y_b = np.empty(rows, dtype=y.dtype)
        self.s_b = np.empty(rows, dtype=sample_weight.dtype)
        self.weights = np.empty(rows, dtype=sample_weight.dtype)

    def gather(self, index):
        """``(X[index], y[index], sample_weight[index])``, in the buffers."""
        k = index.shape[0]
        if self.sparse:
            X_b = self.X[index]
        else:
            X_b = np.take(self.X, index, axis=0, out=self.X_b[:k])
        y_b = np.take(self.y, index, out=self.y_b[:k])
        s_b = np.take(self.sample_weight, index, out=self.s_b[:k])
        return X_b, y_b, s_b

    def normalised(self, s, share):
        """``s / share`` (weights summing to one), in a buffer."""
        return np.divide(s, share, out=self.weights[: s.shape[0]])


def run_batches(network, batches, rule, theta, grad):
    """One pass of updates: ``(sum of share * batch cost, sum of shares)``."""
    total = weight = 0.0
    for X_b, y_b, s_b, l2_b, share in batches:
        loss = network.loss_grad(X_b, y_b, s_b, l2_b, grad)
        total += share * loss
        weight += share
        rule.step(theta, grad, loss)
    return total, weight


def epoch_loss(total, weight):
    """The epoch's entry in the loss curve: the weighted mean batch cost."""
    return total / weight


def chunk_epoch(*args):
    """:func:`sknotes._dask_minibatch.chunk_epoch`, imported when dask rows come."""
    from ._dask_minibatch import chunk_epoch as run

    return run(*args)
