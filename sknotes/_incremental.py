"""Learning in chunks: ``partial_fit``, one epoch over the rows of each call.

Each call runs one epoch of the mini-batch loop (:mod:`sknotes._minibatch`)
on the rows it is given, from where the previous call left the parameters
and the optimizer: the velocity, the squared averages and Adam's step count
are kept between calls in the private fitted attribute
``_optimizer_state_``, with the random stream that shuffles the batches.
Two calls on the halves of the data therefore make the same updates as one
epoch over all of it (without shuffling, and with batches that do not
straddle the halves).

The full-batch solvers have no state to carry from one chunk to the next:
``solver='auto'`` learns in chunks with Adam, and ``'gd'`` and
``'nesterov'`` do not offer ``partial_fit``.
"""

import copy
import functools

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._choices import batch_rows
from ._dask import is_dask_collection
from ._minibatch import minibatch_descent
from ._network import output_units
from ._optimizers import AUTO_LEARNING_RATES, minibatch_rule
from ._preconditioning import Preconditioner, StandardCoordinates, StandardisedRule
from ._training_data import FLOAT_DTYPES, class_weight_vector, normalised

__all__ = ["IncrementalMixin", "OPTIMIZER_STATE"]

# The private fitted attributes of chunked learning; fit removes them.
OPTIMIZER_STATE = ("_optimizer_state_", "t_")

_RULE_STATE = ("velocity", "squares", "t")


def _offers_partial_fit(estimator):
    if estimator.solver in ("gd", "nesterov"):
        raise AttributeError(
            f"{type(estimator).__name__}: partial_fit is not available with "
            f"solver={estimator.solver!r} (full batches); use solver='auto' "
            "(Adam on each chunk), 'sgd', 'rmsprop' or 'adam'."
        )
    return True


class _AvailableIf:
    """``available_if`` whose check gives its own message."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        _offers_partial_fit(obj)
        return self.fn.__get__(obj, owner)


class IncrementalMixin:
    """``partial_fit`` for the gradient-descent classifiers."""

    @_AvailableIf
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on a chunk of rows, continuing the previous calls.

        Each call makes one pass over ``X`` in mini-batches of
        ``batch_size`` rows (shuffled unless ``shuffle=False``), with the
        solver's state (velocity, squared averages, step count) kept from
        the previous call, so that a loop over the chunks of data too large
        for memory trains as epochs over all of it would. The first call
        initialises the network as ``fit`` does (``random_state``); a call
        on a model fitted by ``fit`` continues from its weights with a fresh
        optimizer state. ``fit`` starts over (with ``warm_start=True``, from
        the weights reached).

        The solver is ``solver`` when it is 'sgd', 'rmsprop' or 'adam', and
        Adam when it is 'auto' (at ``learning_rate``, or Adam's 0.001 for
        'auto', which also steps in the standardised coordinates of the
        first call's rows, as ``fit`` does in those of all its rows, so
        that raw features need no scaling); the full-batch solvers 'gd'
        and 'nesterov' have no ``partial_fit``. Each call counts as an
        epoch: ``n_iter_`` counts the calls, ``loss_curve_`` gains the
        call's mean mini-batch cost, ``t_`` counts the mini-batch steps, and
        learning-rate decay (``decay_rate``) lowers the rate from call to
        call. ``tol``,
        ``n_iter_no_change`` and ``early_stopping`` are for ``fit``; here
        you decide when to stop. ``class_weight='balanced'`` needs all the
        data at once and is refused.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows of this chunk, in memory (a dask collection is refused:
            pass each chunk computed). Later calls are cast to the dtype of
            the first.
        y : array-like of shape (n_samples,)
            Their labels; a chunk may hold only some of the classes.
        classes : array-like of shape (n_classes,), default=None
            All the labels that will ever occur. Required on the first
            call; later calls may leave it out or must repeat it.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of this chunk's rows, normalised within
            each mini-batch as in ``fit``'s epochs.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_moons
        >>> from sknotes import ShallowNNClassifier
        >>> X, y = make_moons(1000, noise=0.2, random_state=0)
        >>> net = ShallowNNClassifier(n_hidden=8, learning_rate=0.03, random_state=0)
        >>> for epoch in range(20):
        ...     for chunk in np.array_split(np.arange(1000), 5):
        ...         net = net.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        >>> net.n_iter_, len(net.loss_curve_)  # one epoch per call
        (100, 100)
        >>> bool(net.score(X, y) > 0.85)
        True
        """
        return _partial_fit(self, X, y, classes, sample_weight)


def _partial_fit(estimator, X, y, classes, sample_weight):
    name = type(estimator).__name__
    if is_dask_collection(X):
        raise ValueError(
            f"{name}.partial_fit takes chunks in memory, not dask collections: "
            "pass each chunk computed (chunk.compute()), or call fit."
        )
    if estimator.class_weight == "balanced":
        raise ValueError(
            f"{name}.partial_fit: class_weight='balanced' needs the class counts "
            "of all the data; pass class_weight as a dict of weights instead."
        )
    first = not estimator.__sklearn_is_fitted__()
    classes = _checked_classes(estimator, classes, first)
    probe = copy.copy(estimator)
    X, y = validate_data(
        probe, X, y, reset=first, accept_sparse="csr", dtype=FLOAT_DTYPES, order="C"
    )
    check_classification_targets(y)
    codes = _codes(name, y, classes)
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    if estimator.class_weight is not None:
        weights = class_weight_vector(estimator.class_weight, classes, None)
        sample_weight = sample_weight * weights[codes].astype(X.dtype)
    network, state = _network_and_state(estimator, X, classes, first)
    X = X.astype(network.params.dtype, copy=False)
    n_outputs = output_units(classes.shape[0])
    (X, targets, s), total_weight = normalised(X, codes, sample_weight, n_outputs)
    solver = "adam" if estimator.solver == "auto" else estimator.solver
    rate = estimator.learning_rate
    auto = isinstance(rate, str)
    rate = AUTO_LEARNING_RATES[solver] if auto else float(rate)
    rule = _rule(estimator, solver, rate, network.params, state)
    stepper = rule
    if auto:  # in the standardised coordinates of the first call's rows
        coordinates = _coordinates(network, X, s, total_weight, estimator, state)
        stepper = StandardisedRule(rule, coordinates)
        if first:
            state["scaling"].scale_initial_weights(network)
    rows = batch_rows(estimator, X.shape[0])
    n_done = 0 if first else estimator.n_iter_
    network.dropout_rng = state["random_state"]  # masks follow the same stream
    with network.block_threads(X, rows=rows):
        result = minibatch_descent(
            network, X, targets, s, l2=estimator.alpha / total_weight,
            learning_rate=rate, max_iter=1, tol=0.0, n_iter_no_change=1,
            solver=solver,
            batch_size=rows,
            shuffle=estimator.shuffle, random_state=state["random_state"],
            momentum=estimator.momentum, beta_1=estimator.beta_1,
            beta_2=estimator.beta_2, epsilon=estimator.epsilon,
            decay_rate=estimator.decay_rate,
            decay_interval=estimator.decay_interval,
            verbose=int(estimator.verbose), estimator_name=name, rule=stepper,
            first_epoch=n_done,
        )  # fmt: skip
    _publish(estimator, probe, network, result, classes, rule, state, first)
    if result.stop_reason == "interrupted":
        raise KeyboardInterrupt(
            f"{name}.partial_fit interrupted; the estimator holds the "
            "parameters reached so far."
        )
    return estimator


def _checked_classes(estimator, classes, first):
    """The sorted classes of every call: given on the first, the same after."""
    name = type(estimator).__name__
    if first and classes is None:
        raise ValueError(
            f"{name}.partial_fit: classes must be passed on the first call "
            "(all the labels that will ever occur, e.g. classes=np.unique(y))."
        )
    if classes is None:
        return estimator.classes_
    classes = np.unique(np.asarray(classes))
    if not first and not np.array_equal(classes, estimator.classes_):
        raise ValueError(
            f"{name}.partial_fit: classes={classes.tolist()!r} is not the same "
            f"as in the earlier calls or fit: {estimator.classes_.tolist()!r}."
        )
    if classes.shape[0] < 2:
        raise ValueError(
            f"{name}.partial_fit: classes must name at least two classes; got "
            f"{classes.tolist()!r}."
        )
    return classes


def _codes(name, y, classes):
    """Each label's index in ``classes``; an error for labels not in it."""
    unknown = np.setdiff1d(y, classes)
    if unknown.size:
        raise ValueError(
            f"{name}.partial_fit: y holds labels that are not in classes="
            f"{classes.tolist()!r}: {unknown.tolist()!r}."
        )
    return np.searchsorted(classes, y)


def _network_and_state(estimator, X, classes, first):
    """The network to continue and the optimizer state (a new one if none)."""
    from ._base import fitted_weights, hidden_sizes, new_network  # _base uses us

    n_outputs = output_units(len(classes))
    sizes = [X.shape[1], *hidden_sizes(estimator), n_outputs]
    if first:
        rng = check_random_state(estimator.random_state)
        network = new_network(estimator, X.shape[1], n_outputs, X.dtype)
        network.initialize(estimator._init_scheme(), rng)
        return network, {"random_state": rng}
    coefs, intercepts = fitted_weights(estimator)
    previous = [coefs[0].shape[1]] + [W.shape[0] for W in coefs]
    if previous != sizes:
        raise ValueError(
            f"{type(estimator).__name__}.partial_fit: the layer sizes changed "
            f"from {previous[1:-1]} to {sizes[1:-1]} since the model was "
            "trained; call fit to start over with the new sizes."
        )
    network = new_network(estimator, X.shape[1], n_outputs, coefs[0].dtype)
    network.pack(coefs, intercepts)
    if not network.fit_intercept:
        for b in network.intercepts:
            b[:] = 0
    state = getattr(estimator, "_optimizer_state_", None)
    if state is None:  # fitted by fit: a fresh optimizer state
        state = {"random_state": check_random_state(estimator.random_state)}
    return network, dict(state)


def _coordinates(network, X, s, total_weight, estimator, state):
    """The standardised coordinates of the 'auto' rate, kept from call to call.

    They come from the moments of the rows of the first call that uses them
    (the first chunk, or the first after ``fit``), as ``fit`` takes them from
    all its rows; later calls keep them, so that every call steps in the
    same coordinates.
    """
    kept = state.get("standard")
    if kept is None:
        scaling = Preconditioner(network, X, s, estimator.alpha / total_weight)
        # A column constant on these rows may vary in later chunks (a word
        # absent from the first batch of texts): unlike fit's, it keeps
        # the raw coordinates and its initial weights, so it can still learn.
        mean, inv_scale = scaling.mean.copy(), scaling.inv_scale.copy()
        mean[scaling.constant] = 0
        inv_scale[scaling.constant] = 1
        scaling.constant = np.zeros_like(scaling.constant)
        state["scaling"] = scaling  # this call only: the start's scaling
        kept = (mean, inv_scale)
        state["standard"] = kept
    return StandardCoordinates(network, *kept)


def _rule(estimator, solver, rate, theta, state):
    """The update rule of ``solver``, with the state of the previous call."""
    rule = minibatch_rule(
        solver, rate, theta, estimator.momentum, estimator.beta_1,
        estimator.beta_2, estimator.epsilon,
    )  # fmt: skip
    # a solver changed since the previous call starts from a fresh state
    if state.get("solver") == solver:
        for key in _RULE_STATE:
            if key in state:
                setattr(rule, key, copy.copy(state[key]))
    state["solver"] = solver
    return _counting(rule)


def _counting(rule):
    """Count the steps in ``rule.n_steps`` (only Adam keeps its own t)."""
    rule.n_steps = 0
    step = rule.step

    def counted(theta, grad, loss):
        rule.n_steps += 1
        return step(theta, grad, loss)

    rule.step = counted
    return rule


def _publish(estimator, probe, network, result, classes, rule, state, first):
    """Set the fitted attributes after one call, in one step."""
    curve = ([] if first else list(estimator.loss_curve_)) + result.loss_curve
    new_state = {
        "solver": state["solver"],
        "random_state": state["random_state"],
        **({"standard": state["standard"]} if "standard" in state else {}),
        **{k: copy.copy(getattr(rule, k)) for k in _RULE_STATE if hasattr(rule, k)},
    }
    fitted = {
        "classes_": classes,
        **estimator._weight_attributes(
            [W.copy() for W in network.coefs],
            [b.copy() for b in network.intercepts],
        ),
        "learning_rate_": result.step_size,
        "solver_": state["solver"],
        "stop_reason_": "max_iter",
        "best_loss_": float(np.min(curve)) if curve else float("nan"),
        "loss_curve_": curve,
        "n_iter_": (0 if first else estimator.n_iter_) + result.n_iter,
        "t_": (0 if first else getattr(estimator, "t_", 0)) + rule.n_steps,
        "_optimizer_state_": new_state,
    }
    for key in ("n_features_in_", "feature_names_in_"):
        if key in vars(probe):
            fitted[key] = vars(probe)[key]
        else:
            vars(estimator).pop(key, None)
    vars(estimator).pop("validation_loss_curve_", None)
    vars(estimator).update(fitted)
