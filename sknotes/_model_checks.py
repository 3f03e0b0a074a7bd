"""A model's parts checked against each other and against their classes.

The checks run twice on a skops file: before loading, on the sketch that
:mod:`sknotes._model_archive` makes of the file's schema (arrays known only
from their headers, values the schema does not show left ``UNKNOWN``), and
after loading, on the objects themselves. Every check raises
:class:`ModelFileError`, whose message names the file and what is wrong.
"""

from numbers import Integral

from . import _memory
from ._memory import format_bytes

__all__ = [
    "UNKNOWN",
    "Header",
    "ModelFileError",
    "check_loaded",
    "check_parts",
    "trusted_types",
]


class ModelFileError(ValueError):
    """A model file that cannot or must not be loaded; the message says why."""

    # Public as sknotes.ModelFileError: tracebacks and pickles name the
    # module users import it from.
    __module__ = "sknotes"


def trusted_types():
    """Names of the sknotes classes a model file may contain.

    Examples
    --------
    >>> "sknotes.neural_network.DeepNNClassifier" in trusted_types()
    True
    """
    from ._discovery import public_estimators

    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in public_estimators())


_FLOAT_DTYPES = ("float32", "float64")
# Weight attributes of the estimators, for naming the ones of another class.
_WEIGHT_NAMES = ("coef_", "intercept_", "coefs_", "intercepts_", "n_layers_")


class Header:
    """An array known only from its ``.npy`` header: shape and dtype."""

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self):
        return len(self.shape)


class _Unchecked(Exception):
    """A value the schema does not show; it is checked after loading."""


# What the sketch of a schema holds for a value that the schema does not show.
UNKNOWN = object()


def check_loaded(model, path):
    """Check what :func:`sknotes.load_model` loaded from ``path``."""
    check_parts(model, path, loaded=True)


def check_parts(model, path, loaded):
    """Check each estimator of ``model`` (a pipeline's steps one by one).

    Before loading (``loaded=False``), ``model`` is the schema's sketch and
    only the weights' shapes are checked, skipping what the schema does not
    show; after loading, parameters and images are checked too.
    """
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import Pipeline

    from ._base import BaseGradientDescentClassifier
    from .images import ImageFlattener

    try:
        parts = _steps(model, path) if isinstance(model, Pipeline) else []
        if not parts:
            parts = [(f"{path}: the {type(model).__name__}", model)]
        for where, part in parts:
            if loaded and isinstance(part, BaseEstimator):
                _check_params(part, where)
            if loaded and isinstance(part, ImageFlattener):
                _check_flattener(part, where)
            if isinstance(part, BaseGradientDescentClassifier):
                _check_weights(part, where, loaded)
        _check_links(parts, path)
    except _Unchecked:
        if loaded:  # a real model shows everything
            raise
    if loaded and isinstance(model, Pipeline):
        _check_params(model, f"{path}: the Pipeline")


def _known(value):
    # a numpy scalar in the schema is an array entry: known once loaded
    if value is UNKNOWN or (isinstance(value, Header) and value.ndim == 0):
        raise _Unchecked
    return value


def _steps(pipeline, path):
    """``(where, estimator)`` for each step of ``pipeline``."""
    steps = _known(pipeline.__dict__.get("steps"))
    if not isinstance(steps, list) or not all(
        isinstance(step, tuple) and len(step) == 2 and isinstance(step[0], str)
        for step in steps
    ):
        raise ModelFileError(
            f"{path}: the Pipeline's steps must be a list of (name, estimator) "
            f"pairs; they are {_describe(steps)}"
        )
    return [(f"{path}: the {type(step).__name__} step", step) for _, step in steps]


def _describe(value):
    text = repr(value)
    return text if len(text) <= 60 else f"a {type(value).__name__}"


def _check_params(estimator, where):
    """scikit-learn's parameter constraints, as ``fit`` would apply them."""
    if not hasattr(type(estimator), "_parameter_constraints"):
        return
    try:
        estimator._validate_params()
    except (ValueError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"{where}: {exc}") from None


def _is_count(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= 1


def _is_array(value):
    import numpy as np

    return isinstance(value, np.ndarray | Header)


def _check_weights(estimator, where, loaded):
    """The fitted attributes agree with the class and with each other."""
    from ._base import hidden_sizes, weight_attributes
    from ._network import output_units

    names = list(weight_attributes(estimator, [None], [None]))
    fitted = ("classes_", "n_features_in_", "n_iter_", *names)
    if not any(hasattr(estimator, name) for name in fitted):
        return  # not fitted
    _check_present(estimator, ["classes_", "n_features_in_", "n_iter_", *names], where)
    classes = _known(estimator.classes_)
    if not _is_array(classes) or classes.ndim != 1 or classes.shape[0] < 2:
        raise ModelFileError(
            f"{where}: classes_ must be a 1-D array of two classes or more; "
            f"it is {_describe(classes)}"
        )
    n_features = _known(estimator.n_features_in_)
    if not _is_count(n_features):
        raise ModelFileError(
            f"{where}: n_features_in_ must be a positive int; it is {n_features!r}"
        )
    try:
        hidden = [_known(units) for units in hidden_sizes(estimator)]
    except (ValueError, TypeError, AttributeError) as exc:
        if not loaded:  # the schema may show the sizes in another form
            raise _Unchecked from None
        raise ModelFileError(f"{where}: {exc}") from None
    n_outputs = output_units(classes.shape[0])
    layers = f", hidden layers {tuple(hidden)}" if hidden else ""
    basis = f"n_features_in_={n_features}{layers} and {classes.shape[0]} classes"
    _check_layers(estimator, names, [n_features, *hidden, n_outputs], basis, where)


def _check_present(estimator, required, where):
    missing = [name for name in required if not hasattr(estimator, name)]
    if not missing:
        return
    others = [n for n in _WEIGHT_NAMES if n not in required and hasattr(estimator, n)]
    also = f" and holds {', '.join(others)} instead" if others else ""
    raise ModelFileError(
        f"{where} lacks the fitted attribute{'s' * (len(missing) > 1)} "
        f"{', '.join(missing)}{also}: it is "
        f"not a fitted {type(estimator).__name__}"
    )


def _check_layers(estimator, names, sizes, basis, where):
    """Weight ``l`` is (sizes[l + 1], sizes[l]), its intercept (sizes[l + 1],)."""
    from ._base import fitted_weights, weight_attributes

    coefs, intercepts = (_known(value) for value in fitted_weights(estimator))
    listed = isinstance(getattr(estimator, names[0]), list | tuple)
    for name, value in zip(names, (coefs, intercepts), strict=False):
        if not isinstance(value, list | tuple) or len(value) != len(sizes) - 1:
            raise ModelFileError(
                f"{where}: {name} must be a list of {len(sizes) - 1} arrays, as "
                f"{basis} imply; it is {_describe(value)}"
            )
    dtypes = set()
    for layer in range(len(sizes) - 1):
        rows, columns = sizes[layer + 1], sizes[layer]
        for name, value, shape in (
            (names[0], coefs[layer], (rows, columns)),
            (names[1], intercepts[layer], (rows,)),
        ):
            label = f"{name}[{layer}]" if listed else name
            _check_array(_known(value), label, shape, basis, where)
            dtypes.add(str(value.dtype))
    if len(dtypes) > 1:
        raise ModelFileError(
            f"{where}: the weights mix the dtypes {' and '.join(sorted(dtypes))}"
        )
    for name, value in weight_attributes(estimator, coefs, intercepts).items():
        actual = _known(getattr(estimator, name))
        if isinstance(value, int) and actual != value:
            raise ModelFileError(
                f"{where}: {name} is {actual!r}, but {names[0]} holds "
                f"{len(coefs)} layers of weights, which make it {value}"
            )


def _check_array(value, label, shape, basis, where):
    if not _is_array(value):
        raise ModelFileError(
            f"{where}: {label} must be an array; it is {_describe(value)}"
        )
    if str(value.dtype) not in _FLOAT_DTYPES:
        raise ModelFileError(
            f"{where}: {label} has dtype {value.dtype}; float32 or float64 expected"
        )
    if tuple(value.shape) != shape:
        raise ModelFileError(
            f"{where}: {label} has shape {tuple(value.shape)}, but {basis} "
            f"imply {shape}"
        )


def _check_links(parts, path):
    """Each step takes as many features as the step before it gives."""
    for (_, before), (_, after) in zip(parts, parts[1:], strict=False):
        given = (
            before.__dict__.get("n_features_out_")
            if hasattr(before, "__dict__")
            else None
        )
        taken = (
            after.__dict__.get("n_features_in_") if hasattr(after, "__dict__") else None
        )
        if _is_count(given) and _is_count(taken) and given != taken:
            raise ModelFileError(
                f"{path}: the {type(before).__name__} step gives {given} "
                f"features per image, but the {type(after).__name__} step "
                f"expects {taken}"
            )


def _check_flattener(flattener, where):
    """``image_shape_`` agrees with the parameters; one image fits in memory."""
    import numpy as np

    from ._decoding import decode_plan

    try:
        plan = decode_plan(
            flattener.size, flattener.color, flattener.resample, flattener.draft
        )
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ModelFileError(f"{where}: {exc}") from None
    if hasattr(flattener, "image_shape_") or hasattr(flattener, "n_features_out_"):
        height, width = _check_image_shape(flattener, plan, where)
    elif plan.size is not None:
        width, height = plan.size
    else:
        return  # each image keeps its own size: nothing to estimate here
    # one decoded image (a byte per value) and its row of the output
    need = height * width * plan.channels * (1 + np.dtype(flattener.dtype).itemsize)
    memory = _memory.physical_memory()
    if need > memory:
        raise ModelFileError(
            f"{where}: predicting one {width} x {height} image needs "
            f"{format_bytes(need)}, more than this machine's "
            f"{format_bytes(memory)} of memory"
        )


def _check_image_shape(flattener, plan, where):
    shape = getattr(flattener, "image_shape_", None)
    if not (
        isinstance(shape, tuple) and len(shape) == 3 and all(map(_is_count, shape))
    ):
        raise ModelFileError(
            f"{where}: image_shape_ must be (height, width, channels) of "
            f"positive ints; it is {_describe(shape)}"
        )
    height, width, channels = shape
    if channels != plan.channels:
        raise ModelFileError(
            f"{where}: image_shape_ {shape} has {channels} channels, but "
            f"color={flattener.color!r} gives {plan.channels}"
        )
    if plan.size is not None and plan.size != (width, height):
        raise ModelFileError(
            f"{where}: size={flattener.size!r} (width, height) does not match "
            f"image_shape_ {shape} (height, width, channels)"
        )
    n_features = getattr(flattener, "n_features_out_", None)
    if n_features != height * width * channels:
        raise ModelFileError(
            f"{where}: n_features_out_ is {n_features!r}, but image_shape_ "
            f"{shape} makes {height * width * channels}"
        )
    return height, width
