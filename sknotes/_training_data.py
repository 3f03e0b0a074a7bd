"""The training data of a fit, in the form the network core takes.

Before the loop starts, ``fit``'s arguments become :class:`TrainingData`:
``X`` checked (float32 stays float32), the labels encoded as class codes
(0/1 targets for two classes), sample weights and class weights multiplied
and divided by their total, and the validation data (the user's own, or the
split that early stopping holds out) prepared the same way. Arrays in
memory and dask collections take the same path with the same errors; on
dask the rows stay on the workers (``sknotes._dask_rows``).
"""

import copy
import math
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._dask import dask_arrays, is_dask_collection
from ._dask_rows import RemoteRows, held_out_counts
from ._network import output_units

__all__ = [
    "FLOAT_DTYPES",
    "TrainingData",
    "class_weight_vector",
    "normalised",
    "training_arrays",
    "training_data",
]

# The dtypes the network runs in: float32 input stays float32.
FLOAT_DTYPES = [np.float64, np.float32]


class TrainingData(NamedTuple):
    """What a fit trains on, as :func:`training_data` prepares it."""

    train: tuple
    """``(X, targets, s)``: rows, targets and weights summing to 1."""
    validation: tuple | None
    """The same for the validation rows, or None."""
    classes: np.ndarray
    """The sorted class labels."""
    total_weight: float
    """The sum of the training weights before they were divided by it."""


def training_data(
    estimator, probe, X, y, sample_weight, X_val, y_val, sw_val, early_stopping=None
):
    """:class:`TrainingData` from ``fit``'s arguments, in memory or on dask.

    ``probe`` is a copy of the estimator on which the input checks record
    what they learn (``n_features_in_``, feature names). ``early_stopping``
    (the estimator's own when None) says whether to hold out a validation
    split when no ``X_val`` is given.
    """
    if early_stopping is None:
        early_stopping = estimator.early_stopping
    prepare = _dask_training_data if is_dask_collection(X) else _in_memory_training_data
    return TrainingData(
        *prepare(
            estimator, probe, X, y, sample_weight, X_val, y_val, sw_val,
            bool(early_stopping),
        )
    )  # fmt: skip


def _in_memory_training_data(
    estimator, probe, X, y, sample_weight, X_val, y_val, sample_weight_val,
    early_stopping,
):  # fmt: skip
    """``((X, targets, s), validation, classes, total_weight)`` from arrays."""
    X, codes, sample_weight, classes = training_arrays(
        estimator, X, y, sample_weight, probe
    )
    dtype = X.dtype
    n_outputs = output_units(classes.shape[0])
    validation = None
    if X_val is not None or y_val is not None:
        validation = _validation_arrays(
            probe, X_val, y_val, sample_weight_val, classes, dtype
        )
    elif early_stopping:
        rng = check_random_state(estimator.random_state)
        X, X_v, codes, c_v, sample_weight, sw_v = train_test_split(
            X,
            codes,
            sample_weight,
            test_size=estimator.validation_fraction,
            random_state=rng,
            stratify=_stratification(codes, estimator.validation_fraction),
        )
        validation = (X_v, c_v, sw_v)
        _check_training_classes(estimator, codes, classes)
    train, total_weight = normalised(X, codes, sample_weight, n_outputs)
    if validation is not None:
        validation, _ = normalised(*validation, n_outputs, "validation sample")
    return train, validation, classes, total_weight


def _validation_arrays(probe, X_val, y_val, sample_weight_val, classes, dtype):
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
    estimator, probe, X, y, sample_weight, X_val, y_val, sample_weight_val,
    early_stopping,
):  # fmt: skip
    """The same as :func:`_in_memory_training_data` for dask collections.

    The rows stay on the dask workers as :class:`sknotes._dask_rows.RemoteRows`;
    the training loop sees the same cost and gradient (see that module).
    """
    X, y, sample_weight, classes, counts, names = dask_arrays(
        X, y, sample_weight, weighted_counts=estimator.class_weight == "balanced"
    )
    probe.n_features_in_ = X.shape[1]
    if names is not None:
        probe.feature_names_in_ = names
    else:
        vars(probe).pop("feature_names_in_", None)
    _check_two_classes(estimator, classes)
    dtype = X.dtype
    n_outputs = output_units(classes.shape[0])
    class_weight = None
    if estimator.class_weight is not None:
        class_weight = class_weight_vector(estimator.class_weight, classes, counts)
    rows = RemoteRows.from_dask(X, y, sample_weight, classes, class_weight, n_outputs)
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
        validation = _validation_arrays(
            probe, X_val, y_val, sample_weight_val, classes, dtype
        )
        validation, _ = normalised(*validation, n_outputs, "validation sample")
    elif early_stopping:
        rows, validation = _remote_split(estimator, rows, classes)
    if isinstance(validation, RemoteRows):
        total = _remote_total(validation, "validation sample")
        validation = (validation.normalised(total), None, None)
    total_weight = _remote_total(rows, "sample")
    train = (rows.normalised(total_weight), None, None)
    return train, validation, classes, total_weight


def _remote_split(estimator, rows, classes):
    """``(training, validation)`` rows on dask, split as in memory."""
    n_classes = len(classes)
    counts = rows.class_counts(n_classes)
    n_rows = int(counts.sum())
    n_val = _validation_size(n_rows, estimator.validation_fraction)
    stratify = _can_stratify(counts.sum(axis=0), n_val)
    seed = check_random_state(estimator.random_state).randint(2**31 - 1)
    held = held_out_counts(counts, n_val, stratify, seed)
    train, validation = rows.split(held, stratify, seed)
    left = (counts - held).sum(axis=0) if stratify else None
    if left is None:
        left = train.class_counts(n_classes).sum(axis=0)
    _check_training_classes(estimator, np.flatnonzero(left), classes)
    return train, validation


def _check_training_classes(estimator, codes, classes):
    """Early stopping must leave two classes to train on, as any fit needs."""
    present = np.unique(codes)
    if present.shape[0] < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least two classes "
            "to train on, but the split of validation_fraction="
            f"{estimator.validation_fraction} for early_stopping left only one "
            f"class in the training part: {_label(classes, present[0])}. Use more "
            "samples, or pass your own X_val and y_val."
        )


def _check_two_classes(estimator, classes):
    """Any fit needs samples of two classes at least."""
    if classes.shape[0] < 2:
        raise ValueError(
            f"{type(estimator).__name__} needs samples of at least two classes "
            "in the data, but the data contain only one class: "
            f"{_label(classes, 0)}."
        )


def training_arrays(estimator, X, y, sample_weight, probe=None):
    """Validated ``X``, class codes, weights (class weights applied), classes.

    The checks record ``n_features_in_`` on ``probe`` (default: a copy of
    ``estimator``).
    """
    probe = copy.copy(estimator) if probe is None else probe
    X, y = validate_data(
        probe, X, y, accept_sparse="csr", dtype=FLOAT_DTYPES, order="C"
    )
    check_classification_targets(y)
    encoder = LabelEncoder().fit(y)
    classes = encoder.classes_
    _check_two_classes(estimator, classes)
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=X.dtype, ensure_non_negative=True
    )
    codes = encoder.transform(y)
    if estimator.class_weight is not None:
        counts = np.bincount(codes, weights=sample_weight, minlength=len(classes))
        class_weight = class_weight_vector(estimator.class_weight, classes, counts)
        sample_weight = sample_weight * class_weight[codes].astype(X.dtype)
    return X, codes, sample_weight, classes


def normalised(X, codes, weight, n_outputs, what="sample"):
    """The arrays the network core takes: targets in its form, weights summing to 1.

    Returns ``((X, targets, s), total_weight)``.
    """
    total = _checked_total(float(weight.sum(dtype=np.float64)), what)
    targets = codes.astype(X.dtype) if n_outputs == 1 else codes
    return (X, targets, (weight / total).astype(X.dtype)), total


def _remote_total(rows, what):
    """Total weight of remote rows, with the same error as :func:`normalised`."""
    total = 0.0
    for chunk_total, _ in rows.sums():
        total += chunk_total
    return _checked_total(total, what)


def _checked_total(total, what):
    """``total``, the sum of the ``what`` weights, if there is anything to fit."""
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


def class_weight_vector(class_weight, classes, weighted_counts):
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
