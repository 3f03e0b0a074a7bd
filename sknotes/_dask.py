"""dask collections at the estimators' door: recognised, converted, checked.

A dask array, DataFrame or Series is recognised without importing dask
(:func:`is_dask_collection`), turned into checked dask arrays chunked by
rows, with the errors scikit-learn gives for arrays in memory
(:func:`dask_arrays`), and predicted on chunk by chunk, lazily
(:func:`predict_blocks`). Training keeps the chunks on the workers: see
``sknotes._dask_rows``.

dask is an optional dependency (the ``[dask]`` extra); this module imports it
only when a dask collection reaches an estimator.
"""

import numbers
import warnings

import numpy as np

from ._warnings import at_caller

__all__ = ["dask_arrays", "feature_names", "is_dask_collection", "predict_blocks"]


def is_dask_collection(obj):
    """True for a dask array, DataFrame or Series, without importing dask."""
    module = type(obj).__module__ or ""
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def _as_dask_array(obj, name, lengths=True):
    """A dask array from a dask array, DataFrame or Series.

    Training needs the length of every chunk (``lengths``); prediction works
    chunk by chunk and takes chunks of unknown length as they are.
    """
    if hasattr(obj, "to_dask_array"):
        obj = _numeric_columns(obj).to_dask_array(lengths=lengths or None)
    if lengths and any(np.isnan(c) for chunks in obj.chunks for c in chunks):
        raise ValueError(f"{name} has chunks of unknown size; compute their lengths.")
    if obj.dtype.kind == "c":
        # scikit-learn's words for complex input in memory
        raise ValueError("Complex data not supported")
    return obj


def _numeric_columns(frame):
    """A DataFrame whose number and bool columns share one dtype, as in pandas.

    A frame of float and bool columns becomes one float array, the common
    type numpy gives them, as scikit-learn converts a pandas frame; other
    frames are left for the checks that follow.
    """
    dtypes = getattr(frame, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "__iter__"):
        return frame  # a Series
    try:
        kinds = [np.dtype(getattr(d, "numpy_dtype", d)) for d in dtypes]
    except TypeError:
        return frame
    if not kinds or any(kind.kind not in "biuf" for kind in kinds):
        return frame
    common = np.result_type(*kinds)
    if all(kind == common for kind in kinds):
        return frame
    return frame.astype(common)


def feature_names(X):
    """Column names of a DataFrame, by scikit-learn's rule.

    The names when every column name is a string, None when none is (or
    ``X`` has no columns attribute), and a TypeError for a mix.
    """
    if not hasattr(X, "columns"):
        return None
    names = np.asarray(list(X.columns), dtype=object)
    strings = [isinstance(name, str) for name in names]
    if all(strings) and len(names):
        return names
    if any(strings):
        kinds = sorted({type(name).__name__ for name in names})
        raise TypeError(
            "Feature names are only supported if all input features have string "
            f"names, but the columns have names of the types {kinds}. Convert "
            "them all to strings, e.g. X.columns = X.columns.astype(str)."
        )
    return None


def dask_arrays(X, y, sample_weight, weighted_counts=False):
    """Checked dask arrays for ``X``, ``y`` and ``sample_weight``, and what they hold.

    Returns ``(X, y, sample_weight, classes, counts, names)``: ``X`` as a
    float32 or float64 dask array (float32 stays float32), ``y`` and the
    weights as dask arrays chunked like its rows (or None), the sorted class
    labels and their counts (computed: one pass over ``y``; with
    ``weighted_counts``, the sums of the sample weights per class), and the
    column names of a DataFrame (see :func:`feature_names`).
    """
    import dask.array as da
    from sklearn.utils.multiclass import type_of_target

    names = feature_names(X)
    X = _as_dask_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D array for X, got {X.ndim} dimension(s).")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X has shape {X.shape}: at least one row and one column.")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise ValueError(f"X must hold numbers, not {X.dtype}.")
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    X = X.astype(dtype).rechunk({1: -1})
    rows = (X.chunks[0],)
    y = _as_dask_array(y, "y") if is_dask_collection(y) else np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must be 1-d with one label per row of X ({X.shape[0]}); "
            f"got shape {y.shape}."
        )
    y = y.rechunk(rows) if is_dask_collection(y) else da.from_array(y, chunks=rows)
    if sample_weight is not None:
        if is_dask_collection(sample_weight):
            sample_weight = _as_dask_array(sample_weight, "sample_weight")
        elif isinstance(sample_weight, numbers.Number):
            sample_weight = da.full(X.shape[0], float(sample_weight), chunks=rows)
        else:
            sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != (X.shape[0],):
            raise ValueError(
                f"sample_weight must have shape ({X.shape[0]},), "
                f"not {sample_weight.shape}."
            )
        if is_dask_collection(sample_weight):
            sample_weight = sample_weight.rechunk(rows)
        else:
            sample_weight = da.from_array(sample_weight, chunks=rows)
    classes, counts = (
        np.asarray(a) for a in da.compute(*da.unique(y, return_counts=True))
    )
    kind = type_of_target(classes)
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"Unknown label type: {kind!r}; y must hold class labels.")
    if weighted_counts and sample_weight is not None:
        codes = y.map_blocks(lambda b: np.searchsorted(classes, b), dtype=np.intp)
        counts = da.bincount(
            codes, weights=sample_weight, minlength=len(classes)
        ).compute()
    return X, y, sample_weight, classes, counts, names


def predict_blocks(estimator, method, X, dtype):
    """``getattr(estimator, method)`` block by block, lazily, as a dask array.

    ``estimator`` is fitted; ``dtype`` is that of its scores (its weights').
    """
    names = getattr(estimator, "feature_names_in_", None)
    columns = feature_names(X)
    who = type(estimator).__name__
    if columns is not None and names is not None:
        if not np.array_equal(columns, names):
            raise ValueError(
                "The feature names should match those that were passed during fit."
            )
    elif names is not None:
        warnings.warn(
            f"X does not have valid feature names, but {who} was fitted with "
            "feature names",
            UserWarning,
            **at_caller(),
        )
    elif columns is not None:
        warnings.warn(
            f"X has feature names, but {who} was fitted without feature names",
            UserWarning,
            **at_caller(),
        )
    X = _as_dask_array(X, "X", lengths=False)
    if X.ndim != 2 or X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[-1]} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    X = X.rechunk({1: -1})
    n_classes = len(estimator.classes_)

    def apply(block):
        with warnings.catch_warnings():
            # the blocks are arrays; the names were checked above
            warnings.filterwarnings("ignore", message="X does not have valid feature")
            return getattr(estimator, method)(block)

    if method == "predict":
        return X.map_blocks(apply, drop_axis=1, dtype=estimator.classes_.dtype)
    if method == "decision_function" and n_classes == 2:
        return X.map_blocks(apply, drop_axis=1, dtype=dtype)
    return X.map_blocks(apply, chunks=(X.chunks[0], (n_classes,)), dtype=dtype)
