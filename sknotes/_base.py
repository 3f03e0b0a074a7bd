"""The classifiers' common front-end: fit, publish the fitted state, predict.

The estimators differ only in the network they ask for (its hidden layers,
activation, initialisation) and in how they name the fitted weights;
everything that translates between scikit-learn's conventions and the
network core lives here once. A fit reads as its steps: prepare the
training data (``sknotes._training_data``), check a warm start, build and
initialise the network, run the loop (``sknotes._gradient_descent``, told
when the model is at chance by ``sknotes._verdicts``), then publish the
fitted state in one step.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, fit_callbacks
from ._choices import batch_rows, fit_plan
from ._dask import is_dask_collection, predict_blocks
from ._gradient_descent import gradient_descent
from ._incremental import OPTIMIZER_STATE, IncrementalMixin
from ._minibatch import minibatch_descent
from ._network import DenseNetwork, output_units
from ._optimizers import AUTO_LEARNING_RATES, MINIBATCH_SOLVERS
from ._preconditioning import Preconditioner
from ._training_data import FLOAT_DTYPES, training_data
from ._verdicts import chance_check
from ._warnings import at_caller

__all__ = ["BaseGradientDescentClassifier", "fitted_weights", "new_network"]

_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")


class _Interrupted(KeyboardInterrupt):
    """Ctrl-C after the fitted state was published (see ``fit``)."""


class BaseGradientDescentClassifier(
    IncrementalMixin, CallbackSupportMixin, ClassifierMixin, BaseEstimator
):
    """Base class of the gradient-descent classifiers; not for direct use."""

    _parameter_constraints: dict = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "solver": [StrOptions({"auto", "gd", "nesterov", *MINIBATCH_SOLVERS})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "shuffle": ["boolean", callable],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "decay_rate": [Interval(Real, 0, None, closed="left")],
        "decay_interval": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    # -- hooks for the subclasses -------------------------------------------

    def _hidden_layer_sizes(self):
        raise NotImplementedError

    def _network_options(self):
        """Keyword arguments for :class:`DenseNetwork` besides the sizes."""
        return {}

    def _init_scheme(self):
        raise NotImplementedError

    def _weight_attributes(self, coefs, intercepts):
        """The fitted attributes that hold ``coefs`` and ``intercepts``."""
        raise NotImplementedError

    def _get_weights(self):
        raise NotImplementedError

    # -- fitting --------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model by batch gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 input is trained in float32.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight counts like that many
            copies of the row.
        X_val, y_val : array-like, default=None
            Your own validation set. Its cost is recorded in
            ``validation_loss_curve_`` and, with ``early_stopping=True``, it
            replaces the split of ``validation_fraction`` of the training
            data.
        sample_weight_val : array-like of shape (n_val_samples,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        # Nothing on the estimator changes before the fit publishes its
        # result (see _fit), so a fit that raises leaves the previous model.
        try:
            return self._fit(X, y, sample_weight, X_val, y_val, sample_weight_val)
        except _Interrupted as exc:
            # Ctrl-C during training: the model of the iterations reached is
            # published (usable, finite), and the interrupt goes on.
            raise KeyboardInterrupt(str(exc)) from None

    def _fit(self, X, y, sample_weight, X_val, y_val, sample_weight_val):
        # The input checks record n_features_in_ (and feature names) on a
        # copy: this estimator changes only when the fit publishes its result.
        callbacks = fit_callbacks(self, X, y, sample_weight)
        probe = copy.copy(self)
        solver, early_stopping = fit_plan(self, X)
        try:
            data = training_data(
                self, probe, X, y, sample_weight, X_val, y_val, sample_weight_val,
                early_stopping=early_stopping,
            )  # fmt: skip
        except ValueError:
            if not (early_stopping and self.early_stopping == "auto"):
                raise
            # The split that early_stopping='auto' chose is impossible here
            # (say, the held-out rows all have weight 0): the user asked for
            # none, so the fit goes on without it. Any other problem of the
            # data raises again below.
            early_stopping = False
            data = training_data(
                self, probe, X, y, sample_weight, X_val, y_val, sample_weight_val,
                early_stopping=False,
            )  # fmt: skip
        inputs = {k: vars(probe).get(k) for k in _INPUT_ATTRIBUTES}
        X, targets, s = data.train
        warm = self._warm_start_checked(data.classes, X)
        l2 = self.alpha / data.total_weight
        if l2 > float(np.finfo(X.dtype).max):
            raise ValueError(
                f"alpha={self.alpha!r} is too large for {X.dtype.name} data: the "
                f"penalty per unit of sample weight, {l2:.3g}, overflows "
                f"{X.dtype.name}. Use a smaller alpha, or float64 data."
            )
        # One stream draws the initial weights, then the mini-batch orders.
        rng = check_random_state(self.random_state)
        network, scaling, warm = self._starting_network(
            X, s, data.classes, l2, warm, rng
        )
        network.dropout_rng = rng  # dropout's masks follow the same stream
        on_iteration_end = callbacks.iteration_end(
            self._attributes_at(network, data.classes, inputs)
        )
        if solver in MINIBATCH_SOLVERS:
            result = self._epochs(
                network, scaling, data, l2, on_iteration_end, rng, solver,
                early_stopping,
            )  # fmt: skip
        else:
            result = self._descend(
                network, scaling, data, l2, on_iteration_end, solver,
                early_stopping,
            )  # fmt: skip
        fitted, stale = self._fitted_state(network, result, data, inputs, warm)
        fitted["solver_"] = solver
        self._publish(fitted, stale)
        callbacks.fit_end(fitted)
        if result.stop_reason == "interrupted":
            raise _Interrupted(
                f"{type(self).__name__}: training interrupted after "
                f"{self.n_iter_} {result.unit}s; the estimator holds the parameters "
                "reached so far."
            )
        return self

    def _warm_start_checked(self, classes, X):
        """Whether this fit continues the previous one; an error where it cannot."""
        warm = self.warm_start and self.__sklearn_is_fitted__()
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                "warm_start=True needs y to have the same classes as in the "
                f"previous fit: {self.classes_!r}, not {classes!r}."
            )
        previous_width = self._get_weights()[0][0].shape[1] if warm else None
        if warm and previous_width != X.shape[1]:
            raise ValueError(
                "warm_start=True needs X to have the same number of features "
                f"as in the previous fit ({previous_width}), not {X.shape[1]}."
            )
        return warm

    def _starting_network(self, X, s, classes, l2, warm, rng):
        """``(network, preconditioner or None, warm)``: where the loop starts.

        A warm start whose layer sizes changed since the previous fit starts
        from a new initialisation instead, with a warning.
        """
        n_outputs = output_units(classes.shape[0])
        network = new_network(self, X.shape[1], n_outputs, X.dtype)
        if warm:
            previous = [W.shape[0] for W in self._get_weights()[0]]
            if previous != network.layer_sizes[1:]:
                warnings.warn(
                    f"{type(self).__name__}: warm_start=True, but the layer sizes "
                    f"changed from {previous[:-1]} to {network.layer_sizes[1:-1]} "
                    "since the previous fit; starting from a new initialisation.",
                    UserWarning,
                    **at_caller(),
                )
                warm = False
        # The 'auto' rate works in standardised coordinates of the first
        # layer (see sknotes._preconditioning), with full batches and with
        # mini-batches; a fixed step is the notes'.
        auto = isinstance(self.learning_rate, str)
        scaling = Preconditioner(network, X, s, l2) if auto else None
        if warm:
            network.pack(*self._get_weights())
            if not network.fit_intercept:  # switched off since: no intercept
                for b in network.intercepts:
                    b[:] = 0
        else:
            network.initialize(self._init_scheme(), rng)
            if scaling is not None:
                scaling.scale_initial_weights()
        return network, scaling, warm

    def _descend(
        self, network, scaling, data, l2, on_iteration_end, solver, early_stopping
    ):
        """Run the full-batch loop on ``data`` from the network's parameters."""
        X, targets, s = data.train
        auto = isinstance(self.learning_rate, str)  # 'auto'
        with network.block_threads(X):
            return gradient_descent(
                network,
                X,
                targets,
                s,
                l2=l2,
                learning_rate="auto" if auto else float(self.learning_rate),
                max_iter=self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                solver=solver,
                preconditioner=scaling,
                validation=data.validation,
                early_stopping=early_stopping,
                verbose=int(self.verbose),
                estimator_name=type(self).__name__,
                on_iteration_end=on_iteration_end,
                at_chance=chance_check(network, X, targets, s),
            )

    def _epochs(
        self, network, scaling, data, l2, on_iteration_end, rng, solver,
        early_stopping,
    ):  # fmt: skip
        """Run the epoch loop of a mini-batch solver on ``data``."""
        X, targets, s = data.train
        rate = self.learning_rate
        batch_size = batch_rows(self, X.shape[0])
        with network.block_threads(X, rows=batch_size):
            return minibatch_descent(
                network, X, targets, s, l2=l2,
                learning_rate=AUTO_LEARNING_RATES[solver]
                if isinstance(rate, str) else float(rate),
                max_iter=self.max_iter, tol=self.tol,
                n_iter_no_change=self.n_iter_no_change, solver=solver,
                batch_size=batch_size, preconditioner=scaling,
                auto_rate=isinstance(rate, str),
                shuffle=self.shuffle, random_state=rng, momentum=self.momentum,
                beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                decay_rate=self.decay_rate, decay_interval=self.decay_interval,
                validation=data.validation, early_stopping=early_stopping,
                verbose=int(self.verbose), estimator_name=type(self).__name__,
                on_iteration_end=on_iteration_end,
                at_chance=chance_check(network, X, targets, s),
            )  # fmt: skip

    def _attributes_at(self, network, classes, inputs):
        """``attributes_at(n_done, params)``: an iteration's model, for callbacks.

        The fitted attributes of the model after ``n_done`` iterations, from
        a copy of the parameter vector ``params``.
        """

        def attributes_at(n_done, params):
            coefs, intercepts = network.unpack(params.copy())
            return {
                **{k: copy.copy(v) for k, v in inputs.items() if v is not None},
                "classes_": classes.copy(),
                "n_iter_": n_done,
                **self._weight_attributes(coefs, intercepts),
            }

        return attributes_at

    def _fitted_state(self, network, result, data, inputs, warm):
        """``(fitted, stale)``: the attributes to set and those to remove.

        With ``warm``, the curves and ``n_iter_`` continue the previous
        fit's.
        """
        fitted = {
            "classes_": data.classes,
            **self._weight_attributes(
                [W.copy() for W in network.coefs],
                [b.copy() for b in network.intercepts],
            ),
            "learning_rate_": result.step_size,
            "stop_reason_": result.stop_reason,
            "best_loss_": result.best_loss,
            **inputs,
        }
        if warm:
            fitted["loss_curve_"] = self.loss_curve_ + result.loss_curve
            fitted["n_iter_"] = self.n_iter_ + result.n_iter
        else:
            fitted["loss_curve_"] = result.loss_curve
            fitted["n_iter_"] = result.n_iter
        if data.validation is not None:
            earlier = []
            if warm:
                # validation added since the previous fit: NaN where there was
                # none, so that both curves have one entry per iteration
                earlier = getattr(self, "validation_loss_curve_", None) or [
                    float("nan")
                ] * len(self.loss_curve_)
            fitted["validation_loss_curve_"] = earlier + result.validation_loss_curve
        stale = [key for key, value in inputs.items() if value is None]
        stale += OPTIMIZER_STATE  # fit starts the optimizer over
        if data.validation is None:
            stale.append("validation_loss_curve_")
        fitted = {k: v for k, v in fitted.items() if k not in stale}
        return fitted, stale

    def _publish(self, fitted, stale):
        # The fitted state is built aside and published in one step: a model
        # is never half one fit and half another (estimators are not
        # thread-safe, but at least no fit leaves a mixture).
        for key in stale:
            vars(self).pop(key, None)
        vars(self).update(fitted)

    # Rows from which solver='auto' (with the 'auto' rate) trains in
    # mini-batches; None: always full batches (see sknotes._choices).
    _minibatch_rows = None

    def _uses_dropout(self):
        return False

    def __setstate__(self, state):
        # A model saved before a parameter existed (pickle or skops) gets
        # that parameter's default, the behaviour it was fitted with.
        defaults = type(self)().get_params(deep=False)
        super().__setstate__({**defaults, **state})

    def __sklearn_is_fitted__(self):
        # n_features_in_ is set before training starts; a fit that raised
        # must not look fitted.
        return hasattr(self, "n_iter_")

    # -- prediction -----------------------------------------------------------

    def _predict_on_dask(self, method, X):
        """``method`` chunk by chunk of a dask collection, lazily."""
        check_is_fitted(self)
        dtype = fitted_weights(self)[0][0].dtype
        return predict_blocks(self, method, X, dtype)

    def _fitted_network(self, X):
        coefs, intercepts = self._get_weights()
        dtype = coefs[0].dtype
        sizes = [coefs[0].shape[1]] + [W.shape[0] for W in coefs]
        network = DenseNetwork(sizes, dtype=dtype, **self._network_options())
        network.pack(coefs, intercepts)
        return network, X.astype(dtype, copy=False)

    def decision_function(self, X):
        """Output-layer pre-activations ``Z[L]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the log-odds of ``classes_[1]``; otherwise one
            column per class.
        """
        if is_dask_collection(X):
            return self._predict_on_dask("decision_function", X)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=FLOAT_DTYPES)
        network, X = self._fitted_network(X)
        Z = network.decision_function(X)
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def predict_proba(self, X):
        """Class probabilities ``A[L]`` (sigmoid or softmax output).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        if is_dask_collection(X):
            return self._predict_on_dask("predict_proba", X)
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed without underflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        if is_dask_collection(X):
            return self._predict_on_dask("predict_log_proba", X)
        Z = self.decision_function(X)
        if Z.ndim == 1:
            # log sigma(-z) and log sigma(z): the two classes' log-probabilities
            return np.column_stack([log_expit(-Z), log_expit(Z)])
        return log_softmax(Z, axis=1)

    def predict(self, X):
        """Predict class labels: the class of highest probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        if is_dask_collection(X):
            return self._predict_on_dask("predict", X)
        Z = self.decision_function(X)
        # sigma(z) > 0.5 exactly when z > 0, the notes' threshold.
        index = (Z > 0).astype(int) if Z.ndim == 1 else Z.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def new_network(estimator, n_features, n_outputs, dtype):
    """The untrained :class:`DenseNetwork` that ``estimator`` fits."""
    sizes = [n_features, *estimator._hidden_layer_sizes(), n_outputs]
    return DenseNetwork(sizes, dtype=dtype, **estimator._network_options())


def fitted_weights(estimator):
    """``(coefs, intercepts)`` of a fitted estimator: lists of ``W[l]``, ``b[l]``."""
    return estimator._get_weights()


def hidden_sizes(estimator):
    """The hidden layers' sizes its parameters ask for (logistic regression: none)."""
    return tuple(estimator._hidden_layer_sizes())


def weight_attributes(estimator, coefs, intercepts):
    """The fitted attributes (name -> value) that hold ``coefs`` and ``intercepts``."""
    return estimator._weight_attributes(coefs, intercepts)
