"""What the two classifiers share: input checks, targets, weights, fitting, prediction.

The estimators differ only in the network they ask for (no hidden layer or
one) and in how they name the fitted weights; everything that translates
between scikit-learn's conventions and the network core lives here once.
"""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._blocks import row_blocks
from ._dask import is_dask_collection, predict_blocks
from ._gradient_descent import gradient_descent
from ._network import DenseNetwork
from ._preconditioning import Preconditioner
from ._threads import fit_threads
from ._warnings import at_caller

_FLOATS = [np.float64, np.float32]


_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")

try:  # scikit-learn 1.9's callbacks (sklearn.callback), when present
    from sklearn.callback import CallbackSupportMixin

    _CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # noqa: D101 - a stand-in without callbacks
        pass

    _CALLBACKS = False


class _Interrupted(KeyboardInterrupt):
    """Ctrl-C after the fitted state was published (see ``fit``)."""


class BaseGradientDescentClassifier(
    CallbackSupportMixin, ClassifierMixin, BaseEstimator
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
        "solver": [StrOptions({"auto", "gd", "nesterov"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "early_stopping": ["boolean"],
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
        prepare = (
            self._dask_training_data
            if is_dask_collection(X)
            else self._in_memory_training_data
        )
        # The input checks record n_features_in_ (and feature names) on a
        # copy: this estimator changes only when the fit publishes its result.
        X_in, y_in = X, y
        callbacks = self._callback_hooks(X_in, y_in, sample_weight)
        probe = copy.copy(self)
        (X, targets, s), validation, classes, total_weight = prepare(
            probe, X, y, sample_weight, X_val, y_val, sample_weight_val
        )
        inputs = {k: vars(probe).get(k) for k in _INPUT_ATTRIBUTES}
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
        dtype = X.dtype
        n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
        l2 = self.alpha / total_weight

        network = self._make_network(X.shape[1], n_outputs, dtype)
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
        auto = isinstance(self.learning_rate, str)  # 'auto'
        # The 'auto' step works in standardised coordinates of the first
        # layer (see sknotes._preconditioning); a fixed step is the notes'.
        scaling = Preconditioner(network, X, s, l2) if auto else None
        if warm:
            network.pack(*self._get_weights())
            if not network.fit_intercept:  # switched off since: no intercept
                for b in network.intercepts:
                    b[:] = 0
        else:
            network.initialize(
                self._init_scheme(), check_random_state(self.random_state)
            )
            if scaling is not None:
                scaling.scale_initial_weights()

        remote = hasattr(X, "network_loss_grad")  # rows on dask workers
        n_blocks = (
            1 if remote else len(row_blocks(X.shape[0], network.rows_per_block()))
        )
        with fit_threads(n_blocks) as network.n_threads:
            result = gradient_descent(
                network,
                X,
                targets,
                s,
                l2=l2,
                learning_rate="auto" if auto else float(self.learning_rate),
                max_iter=self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                solver=self._solver(),
                preconditioner=scaling,
                validation=validation,
                early_stopping=self.early_stopping,
                verbose=int(self.verbose),
                estimator_name=type(self).__name__,
                on_iteration_end=callbacks.iteration_end(network, classes, inputs),
                at_chance=_chance_check(network, X, targets, s),
            )

        # The fitted state is built aside and published in one step: a model
        # is never half one fit and half another (estimators are not
        # thread-safe, but at least no fit leaves a mixture).
        fitted = {
            "classes_": classes,
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
        if validation is not None:
            earlier = []
            if warm:
                # validation added since the previous fit: NaN where there was
                # none, so that both curves have one entry per iteration
                earlier = getattr(self, "validation_loss_curve_", None) or [
                    float("nan")
                ] * len(self.loss_curve_)
            fitted["validation_loss_curve_"] = earlier + result.validation_loss_curve
        stale = [key for key, value in inputs.items() if value is None]
        if validation is None:
            stale.append("validation_loss_curve_")
        fitted = {k: v for k, v in fitted.items() if k not in stale}
        for key in stale:
            vars(self).pop(key, None)
        vars(self).update(fitted)
        callbacks.fit_end(fitted)
        if result.stop_reason == "interrupted":
            raise _Interrupted(
                f"{type(self).__name__}: training interrupted after "
                f"{self.n_iter_} iterations; the estimator holds the parameters "
                "reached so far."
            )
        return self

    def _in_memory_training_data(
        self, probe, X, y, sample_weight, X_val, y_val, sample_weight_val
    ):
        """``((X, targets, s), validation, classes, total_weight)`` from arrays.

        ``probe`` is a copy of the estimator on which the input checks
        record what they learn (``n_features_in_``, feature names).
        """
        X, codes, sample_weight, classes = self._training_arrays(
            X, y, sample_weight, probe
        )
        dtype = X.dtype
        n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
        validation = None
        if X_val is not None or y_val is not None:
            validation = self._validation_arrays(
                probe, X_val, y_val, sample_weight_val, classes, dtype
            )
        elif self.early_stopping:
            rng = check_random_state(self.random_state)
            X, X_v, codes, c_v, sample_weight, sw_v = train_test_split(
                X,
                codes,
                sample_weight,
                test_size=self.validation_fraction,
                random_state=rng,
                stratify=_stratification(codes, self.validation_fraction),
            )
            validation = (X_v, c_v, sw_v)
            self._check_training_classes(codes, classes)
        train, total_weight = _normalised(X, codes, sample_weight, n_outputs)
        if validation is not None:
            validation, _ = _normalised(*validation, n_outputs, "validation sample")
        return train, validation, classes, total_weight

    def _validation_arrays(
        self, probe, X_val, y_val, sample_weight_val, classes, dtype
    ):
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        X_val = validate_data(
            probe,
            X_val,
            reset=False,
            accept_sparse="csr",
            dtype=dtype,
            order="C",
        )
        val_codes = _encode_validation(y_val, X_val.shape[0], classes)
        sw_val = _check_sample_weight(
            sample_weight_val, X_val, dtype=dtype, ensure_non_negative=True
        )
        return X_val, val_codes, sw_val

    def _dask_training_data(
        self, probe, X, y, sample_weight, X_val, y_val, sample_weight_val
    ):
        """The same as :meth:`_in_memory_training_data` for dask collections.

        The rows stay on the dask workers as :class:`sknotes._dask.RemoteRows`;
        the training loop sees the same cost and gradient (see that module).
        """
        from ._dask import RemoteRows, dask_arrays

        X, y, sample_weight, classes, counts, names = dask_arrays(
            X, y, sample_weight, weighted_counts=self.class_weight == "balanced"
        )
        probe.n_features_in_ = X.shape[1]
        if names is not None:
            probe.feature_names_in_ = names
        else:
            vars(probe).pop("feature_names_in_", None)
        if classes.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least two classes "
                "in the data, but the data contain only one class: "
                f"{_label(classes, 0)}."
            )
        dtype = X.dtype
        n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
        class_weight = None
        if self.class_weight is not None:
            class_weight = _class_weight_vector(self.class_weight, classes, counts)
        rows = RemoteRows.from_dask(
            X, y, sample_weight, classes, class_weight, n_outputs
        )
        validation = None
        if (X_val is not None or y_val is not None) and is_dask_collection(X_val):
            X_v, y_v, sw_v, _, _, _ = dask_arrays(X_val, y_val, sample_weight_val)
            if X_v.shape[1] != X.shape[1]:
                raise ValueError(
                    f"X_val has {X_v.shape[1]} features, but X has {X.shape[1]}."
                )
            validation = RemoteRows.from_dask(
                X_v.astype(dtype), y_v, sw_v, classes, None, n_outputs
            )
        elif X_val is not None or y_val is not None:
            validation = self._validation_arrays(
                probe, X_val, y_val, sample_weight_val, classes, dtype
            )
            validation, _ = _normalised(*validation, n_outputs, "validation sample")
        elif self.early_stopping:
            rows, validation = self._remote_split(rows, classes)
        if isinstance(validation, RemoteRows):
            total = _remote_total(validation, "validation sample")
            validation = (validation.normalised(total), None, None)
        total_weight = _remote_total(rows, "sample")
        train = (rows.normalised(total_weight), None, None)
        return train, validation, classes, total_weight

    def _remote_split(self, rows, classes):
        """``(training, validation)`` rows on dask, split as in memory."""
        from ._dask import held_out_counts

        n_classes = len(classes)
        counts = rows.class_counts(n_classes)
        n_rows = int(counts.sum())
        n_val = _validation_size(n_rows, self.validation_fraction)
        stratify = _can_stratify(counts.sum(axis=0), n_val)
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        held = held_out_counts(counts, n_val, stratify, seed)
        train, validation = rows.split(held, stratify, seed)
        left = (counts - held).sum(axis=0) if stratify else None
        if left is None:
            left = train.class_counts(n_classes).sum(axis=0)
        self._check_training_classes(np.flatnonzero(left), classes)
        return train, validation

    def _check_training_classes(self, codes, classes):
        """Early stopping must leave two classes to train on, as any fit needs."""
        present = np.unique(codes)
        if present.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least two classes "
                "to train on, but the split of validation_fraction="
                f"{self.validation_fraction} for early_stopping left only one "
                f"class in the training part: {_label(classes, present[0])}. Use more "
                "samples, or pass your own X_val and y_val."
            )

    def _callback_hooks(self, X, y, sample_weight):
        """scikit-learn's callbacks of this fit (a no-op without any)."""
        if not (_CALLBACKS and getattr(self, "_skl_callbacks", None)):
            if not hasattr(self, "_parent_callback_ctx"):
                return _NoCallbacks()
        return _FitCallbacks(self, X, y, sample_weight)

    def _solver(self):
        """'auto' is momentum with the 'auto' step, the notes' update otherwise."""
        if self.solver != "auto":
            return self.solver
        return "nesterov" if isinstance(self.learning_rate, str) else "gd"

    def _make_network(self, n_features, n_outputs, dtype):
        sizes = [n_features, *self._hidden_layer_sizes(), n_outputs]
        return DenseNetwork(sizes, dtype=dtype, **self._network_options())

    def _training_arrays(self, X, y, sample_weight, probe=None):
        """Validated ``X``, class codes, weights (class weights applied), classes.

        The checks record ``n_features_in_`` on ``probe`` (default: a copy).
        """
        probe = copy.copy(self) if probe is None else probe
        X, y = validate_data(probe, X, y, accept_sparse="csr", dtype=_FLOATS, order="C")
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        classes = encoder.classes_
        if classes.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least two classes "
                "in the data, but the data contain only one class: "
                f"{_label(classes, 0)}."
            )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        codes = encoder.transform(y)
        if self.class_weight is not None:
            counts = np.bincount(codes, weights=sample_weight, minlength=len(classes))
            class_weight = _class_weight_vector(self.class_weight, classes, counts)
            sample_weight = sample_weight * class_weight[codes].astype(X.dtype)
        return X, codes, sample_weight, classes

    def __sklearn_is_fitted__(self):
        # n_features_in_ is set before training starts; a fit that raised
        # must not look fitted.
        return hasattr(self, "n_iter_")

    # -- prediction -----------------------------------------------------------

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
            return predict_blocks(self, "decision_function", X)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=_FLOATS)
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
            return predict_blocks(self, "predict_proba", X)
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
            return predict_blocks(self, "predict_log_proba", X)
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
            return predict_blocks(self, "predict", X)
        Z = self.decision_function(X)
        # sigma(z) > 0.5 exactly when z > 0, the notes' threshold.
        index = (Z > 0).astype(int) if Z.ndim == 1 else Z.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _normalised(X, codes, weight, n_outputs, what="sample"):
    """The arrays the network core takes: targets in its form, weights summing to 1.

    Returns ``((X, targets, s), total_weight)``.
    """
    total = float(weight.sum(dtype=np.float64))
    if not total > 0:
        raise ValueError(f"The {what} weights sum to zero: there is nothing to fit.")
    targets = codes.astype(X.dtype) if n_outputs == 1 else codes
    return (X, targets, (weight / total).astype(X.dtype)), total


class _NoCallbacks:
    """What a fit without callbacks calls: nothing, at no cost."""

    def iteration_end(self, network, classes, inputs):
        return None

    def fit_end(self, fitted):
        pass


class _FitCallbacks:
    """The fit as scikit-learn's task tree: the fit, then one task per iteration.

    ``fitted_estimator`` is built only when a callback asks for it, from a
    copy of the parameters of that iteration, or of the fitted state at the
    end of the fit.
    """

    def __init__(self, estimator, X, y, sample_weight):
        self.estimator = estimator
        self.X, self.y = X, y
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.context = estimator._init_callback_context(max_subtasks=estimator.max_iter)
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self.metadata
        )

    def iteration_end(self, network, classes, inputs):
        estimator = self.estimator

        def hook(n_done, params):
            def attributes():
                coefs, intercepts = network.unpack(params.copy())
                return {
                    **{k: copy.copy(v) for k, v in inputs.items() if v is not None},
                    "classes_": classes.copy(),
                    "n_iter_": n_done,
                    **estimator._weight_attributes(coefs, intercepts),
                }

            task = self.context.subcontext(task_name="iteration")
            task.call_on_fit_task_begin(estimator=estimator)
            return task.call_on_fit_task_end(
                estimator=estimator,
                X=self.X,
                y=self.y,
                metadata=self.metadata,
                reconstruction_attributes=attributes,
            )

        return hook

    def fit_end(self, fitted):
        # a copy, as for the iterations: what a callback does with its
        # fitted_estimator must not reach the model just published
        self.context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: copy.deepcopy(fitted),
        )


def _remote_total(rows, what):
    """Total weight of remote rows, with the same error as :func:`_normalised`."""
    total = 0.0
    for chunk_total, _ in rows.sums():
        total += chunk_total
    if not total > 0:
        raise ValueError(f"The {what} weights sum to zero: there is nothing to fit.")
    return total


def _check_class_weight(class_weight):
    """Negative or non-finite class weights get sample_weight's kind of error."""
    if not isinstance(class_weight, dict):
        return
    bad = {}
    for label, weight in class_weight.items():
        try:
            value = float(weight)
        except (TypeError, ValueError):
            bad[label] = weight
            continue
        if not (np.isfinite(value) and value >= 0):
            bad[label] = weight
    if bad:
        raise ValueError(
            "class_weight values must be finite and non-negative, like "
            f"sample_weight; got {bad!r}."
        )


def _class_weight_vector(class_weight, classes, weighted_counts):
    """Weight of each class, as ``compute_class_weight`` gives it.

    ``weighted_counts[k]`` is the sum of the sample weights of class ``k``
    (its count without sample weights), so that 'balanced' treats an
    integer sample weight like that many copies of the row, as
    ``LogisticRegression`` does. A dict naming a label that is not in the
    data gets ``compute_class_weight``'s error.
    """
    _check_class_weight(class_weight)
    if class_weight == "balanced":
        counts = np.asarray(weighted_counts, dtype=np.float64)
        # a class whose rows all weigh 0 takes no part: any weight will do
        present = np.where(counts > 0, counts, np.inf)
        return counts.sum() / (len(classes) * present)
    return compute_class_weight(class_weight, classes=classes, y=classes)


def _chance_check(network, X, targets, sample_weight):
    """``at_chance`` for :func:`gradient_descent` (None for rows held on dask).

    ``at_chance(cost)`` is True when the model does no better than always
    answering the class shares: its cost is above ``1 - _CHANCE_COST``
    times the cross-entropy of the shares themselves, or its weighted
    training accuracy is within ``_CHANCE_ACCURACY`` of the most frequent
    class's share.
    """
    if hasattr(X, "network_loss_grad"):
        return None
    codes = np.asarray(targets).astype(np.intp)
    weight = np.asarray(sample_weight, dtype=np.float64)
    total = weight.sum()
    if not total > 0:
        return None
    shares = np.bincount(codes, weights=weight) / total
    baseline = shares.max()
    shares = shares[shares > 0]
    prior_cost = float(-(shares * np.log(shares)).sum())

    def at_chance(cost):
        if cost >= (1.0 - _CHANCE_COST) * prior_cost:
            return True
        correct = 0.0
        for rows in row_blocks(X.shape[0], network.rows_per_block()):
            Z = network.decision_function(X[rows])
            guess = (Z[:, 0] > 0) if Z.shape[1] == 1 else Z.argmax(axis=1)
            correct += weight[rows][guess == codes[rows]].sum()
        return correct / total <= baseline + _CHANCE_ACCURACY

    return at_chance


# A model is at chance when its cost is within this fraction of the cost of
# answering the class shares (ln 2 for two balanced classes), or its
# training accuracy within this much of the most frequent class's share:
# a plateau at 0.681 on a balanced checkerboard is both.
_CHANCE_COST = 0.02
_CHANCE_ACCURACY = 0.01


def _stratification(codes, fraction):
    """``codes`` when a stratified split of ``fraction`` is possible, else None."""
    n_val = _validation_size(codes.shape[0], fraction)
    return codes if _can_stratify(np.bincount(codes), n_val) else None


def _label(classes, k):
    """``classes[k]`` as the user wrote it: ``'a'``, not ``np.str_('a')``."""
    return repr(classes[k : k + 1].tolist()[0])


def _can_stratify(class_counts, n_val):
    """Whether ``n_val`` of the rows can be held out class by class.

    Stratifying needs two samples of every class and room for one of each on
    both sides; a data set with a rarer class gets a plain shuffled split
    rather than an error (``MLPClassifier`` does not stratify at all).
    """
    n = int(np.sum(class_counts))
    n_classes = len(class_counts)
    return np.min(class_counts) >= 2 and min(n_val, n - n_val) >= n_classes


def _validation_size(n_rows, fraction):
    """Rows held out by early stopping, as ``train_test_split`` counts them."""
    n_val = math.ceil(fraction * n_rows)
    if not 0 < n_val < n_rows:
        raise ValueError(
            f"early_stopping with validation_fraction={fraction} on {n_rows} "
            f"rows leaves {n_rows - n_val} for training and {n_val} for "
            "validation; both need at least one: change validation_fraction, "
            "or pass your own X_val and y_val."
        )
    return n_val


def _encode_validation(y_val, n_rows, classes):
    y_val = np.asarray(y_val)
    if y_val.ndim != 1 or y_val.shape[0] != n_rows:
        raise ValueError(
            f"y_val must be 1-d with one label per row of X_val ({n_rows}); "
            f"got shape {y_val.shape}."
        )
    unknown = np.setdiff1d(y_val, classes)
    if unknown.size:
        raise ValueError(f"y_val contains labels not seen in y: {unknown.tolist()!r}.")
    return np.searchsorted(classes, y_val)
