"""Model files that cannot run code: skops for saving, trusted types for loading.

A pickle (what ``joblib.dump`` writes) is a program: loading it runs
whatever functions it names, so a crafted model file can do anything. The
command line therefore saves models in the ``skops.io`` format, which stores
the objects' state and rebuilds them without running stored code, and loads
a file only when every type it contains is trusted: numpy's and
scikit-learn's (which skops trusts itself) and sknotes' own estimators.
Pickles are loaded only on explicit request.

skops is an optional dependency (the ``[skops]`` extra).
"""

import contextlib
import io
import json
import math
import os
import secrets
import stat
import zipfile
from numbers import Integral
from pathlib import Path

from . import _memory
from ._memory import format_bytes

__all__ = [
    "ModelFileError",
    "dumps",
    "load_model",
    "nonempty_file_name",
    "output_target",
    "trusted_types",
    "write_atomically",
]

_INSTALL = 'install it with: pip install "sknotes[skops]"'
# First bytes of the image formats a user might pass as MODEL by mistake.
_IMAGE_SIGNATURES = {
    b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"BM": "a BMP image",
}


class ModelFileError(ValueError):
    """A model file that cannot or must not be loaded; the message says why."""


def trusted_types():
    """Names of the sknotes classes a model file may contain.

    Examples
    --------
    >>> "sknotes.neural_network.DeepNNClassifier" in trusted_types()
    True
    """
    from ._discovery import public_estimators

    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in public_estimators())


def dumps(model):
    """The skops bytes of ``model``.

    Examples
    --------
    >>> from sknotes import GDLogisticRegression
    >>> dumps(GDLogisticRegression())[:2]
    b'PK'
    """
    try:
        import skops.io as sio
    except ImportError:
        raise ModelFileError(f"saving a model needs skops; {_INSTALL}") from None
    return sio.dumps(model)


def load_model(path, *, allow_pickle=False):
    """Load a model saved by ``sknotes fit --out``, checking it first.

    A skops file is loaded only when every type in it is numpy's,
    scikit-learn's or one of sknotes' estimators, and only after its arrays
    have been measured: each array's declared shape and dtype must be what
    the model's own parameters imply (``n_features_in_``, ``classes_``, the
    hidden layer sizes), and the whole archive must fit in memory. Once
    loaded, every estimator's parameters are validated, its fitted
    attributes must agree with each other and with its class, and a
    pipeline's steps must agree on the number of features. Predicting one
    image must also fit in memory at the ImageFlattener's size.

    Parameters
    ----------
    path : str or os.PathLike
        The model file: a skops file, or (only with ``allow_pickle``) a
        pickle written by ``joblib.dump``.
    allow_pickle : bool, default=False
        Also load pickle files. A pickle runs any code it names while it is
        loaded: allow it only for files you made or otherwise trust.

    Returns
    -------
    model : object
        What the file holds; for ``sknotes fit --out``, a fitted
        :class:`~sklearn.pipeline.Pipeline` of an
        :class:`~sknotes.images.ImageFlattener` and a classifier, which
        takes image paths.

    Raises
    ------
    ModelFileError
        A ``ValueError`` whose one-line message names the file and what is
        wrong with it.

    See Also
    --------
    skops.io.load : The skops loader, which needs the trusted types listed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> import skops.io as sio
    >>> from sknotes import GDLogisticRegression, load_model
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skops"
    >>> sio.dump(GDLogisticRegression().fit(X, y), path)
    >>> load_model(path).predict([[0.2], [2.8]])
    array([0, 1])
    """
    path = Path(path)
    model = _load_file(path, allow_pickle)
    _check_loaded(model, path)
    return model


def _load_file(path, allow_pickle):
    """The object in ``path``, with no checks of its content yet."""
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    if not path.exists():
        raise ModelFileError(f"model file {path} not found")
    if not path.is_file():
        raise ModelFileError(f"{path} is not a regular file, so not a model file")
    data = path.read_bytes()
    if not data:
        raise ModelFileError(f"{path} is empty: not a model file")
    if zipfile.is_zipfile(path):
        return _load_skops(path, data)
    for signature, kind in _IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            raise ModelFileError(
                f"{path} is {kind}, not a model file; the model comes first: "
                "sknotes predict MODEL IMAGE..."
            )
    if not _looks_like_pickle(data):
        raise ModelFileError(
            f"{path} is not a model file (neither skops nor pickle); make one "
            "with 'sknotes fit ... --out MODEL'"
        )
    if not allow_pickle:
        raise ModelFileError(
            f"{path} is a pickle, which runs any code it contains when loaded. "
            "Load it only if you made it or trust who did, with --allow-pickle; "
            "'sknotes fit --out' saves safe skops files."
        )
    import joblib

    try:
        return joblib.load(path)
    except Exception as exc:
        raise ModelFileError(f"cannot load the pickle {path}: {exc}") from exc


def _load_skops(path, data):
    try:
        import skops.io as sio
    except ImportError:
        raise ModelFileError(f"{path} is a skops model file; {_INSTALL}") from None
    # skops reads every array while listing the types, so the sizes are
    # checked first, from the zip directory and the arrays' headers.
    _check_archive(path, data)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:
        raise ModelFileError(f"{path} is not a readable skops file: {exc}") from exc
    allowed = set(trusted_types())
    refused = sorted(set(untrusted) - allowed)
    if refused:
        raise ModelFileError(
            f"{path} contains types that sknotes does not trust, so it was not "
            f"loaded: {', '.join(refused)}"
        )
    try:
        return sio.loads(data, trusted=sorted(set(untrusted)))
    except Exception as exc:
        raise ModelFileError(f"cannot load the skops file {path}: {exc}") from exc


def _looks_like_pickle(data):
    # pickle protocol 2+ starts with PROTO (0x80); joblib may compress it
    # (zlib 0x78, gzip 0x1f8b, bz2 "BZh", xz 0xfd377a, lzma 0x5d00)
    return data[:1] in (b"\x80", b"x") or data.startswith(
        (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"\x5d\x00")
    )


# -- the archive, measured before anything is loaded -------------------------

# More entries than any sknotes model has (two arrays per layer), far fewer
# than would slow the checks down.
_MAX_ENTRIES = 100_000
_FLOAT_DTYPES = ("float32", "float64")
# Weight attributes of the estimators, for naming the ones of another class.
_WEIGHT_NAMES = ("coef_", "intercept_", "coefs_", "intercepts_", "n_layers_")


class _Header:
    """An array known only from its ``.npy`` header: shape and dtype."""

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self):
        return len(self.shape)


class _Unchecked(Exception):
    """A value the schema does not show; it is checked after loading."""


_UNKNOWN = object()


def _check_archive(path, data):
    """Refuse a skops file whose arrays do not fit the model or the memory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ModelFileError(f"{path} is not a readable skops file: {exc}") from None
    with archive:
        entries = archive.infolist()
        _check_unpacked_size(path, entries)
        headers = {
            info.filename: _array_header(path, archive, info)
            for info in entries
            if info.filename.endswith(".npy")
        }
        schema = _read_schema(path, archive)
    try:
        model = _sketch(schema, headers, {})
    except RecursionError:
        raise ModelFileError(f"{path}: its schema.json is nested too deeply") from None
    _check_parts(model, path, loaded=False)


def _check_unpacked_size(path, entries):
    if len(entries) > _MAX_ENTRIES:
        raise ModelFileError(
            f"{path} holds {len(entries)} files, more than a model file "
            f"ever needs ({_MAX_ENTRIES}); it was not loaded"
        )
    # zipfile stops every entry at its declared size, so the declared sizes
    # bound what loading unpacks; skops holds each array twice while loading.
    total = sum(info.file_size for info in entries)
    memory = _memory.physical_memory()
    if 2 * total > memory:
        raise ModelFileError(
            f"{path} unpacks to {format_bytes(total)}, and loading holds two "
            f"copies: more than this machine's {format_bytes(memory)} of memory; "
            "it was not loaded"
        )


def _array_header(path, archive, info):
    """The shape and dtype that the array entry ``info`` declares."""
    import numpy as np

    where = f"{path}: the array {info.filename}"
    try:
        with archive.open(info) as file:
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(file)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(file)
            else:
                raise ValueError(f".npy format {version} is not one numpy writes")
            start = file.tell()
    except (ValueError, EOFError, OSError, RuntimeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{where} is not a readable array: {exc}") from None
    if dtype.hasobject:
        raise ModelFileError(
            f"{where} holds Python objects (dtype {dtype}), which loading "
            "would have to unpickle; a model file never needs them"
        )
    n_bytes = math.prod(shape) * dtype.itemsize
    if start + n_bytes != info.file_size:
        raise ModelFileError(
            f"{where} declares a {shape} {dtype} array ({format_bytes(n_bytes)}) "
            f"but holds {format_bytes(max(info.file_size - start, 0))} of data"
        )
    return _Header(shape, dtype)


def _read_schema(path, archive):
    try:
        text = archive.read("schema.json")
    except KeyError:
        raise ModelFileError(f"{path} has no schema.json: not a skops file") from None
    except (OSError, RuntimeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: cannot read its schema.json: {exc}") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"{path}: its schema.json is not valid JSON: {exc}"
        ) from None


def _sketch(node, headers, memo):
    """The object that ``node`` of a skops schema describes, without loading.

    Arrays become their ``_Header``; sknotes estimators and pipelines are
    built bare (``__new__`` and their state, as skops builds them); what is
    not needed for the checks stays ``_UNKNOWN``. ``memo`` follows skops:
    a node whose ``__id__`` was seen before stands for that first node.
    """
    if not isinstance(node, dict):
        return _UNKNOWN
    ident = node.get("__id__")
    if not isinstance(ident, int | str):
        ident = None  # skops itself refuses what cannot be a key
    if ident in memo:
        return memo[ident]
    if ident is not None:
        memo[ident] = _UNKNOWN  # a node inside itself stays unknown
    value = _sketch_node(node, headers, memo)
    if ident is not None:
        memo[ident] = value
    return value


def _sketch_node(node, headers, memo):
    loader, content = node.get("__loader__"), node.get("content")
    if loader == "JsonNode" and isinstance(content, str):
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            return _UNKNOWN
    if loader in ("ListNode", "TupleNode") and isinstance(content, list):
        items = [_sketch(item, headers, memo) for item in content]
        return items if loader == "ListNode" else tuple(items)
    if loader == "DictNode" and isinstance(content, dict):
        return {key: _sketch(item, headers, memo) for key, item in content.items()}
    if loader == "NdArrayNode" and node.get("type") == "numpy":
        file = node.get("file")
        return headers.get(file, _UNKNOWN) if isinstance(file, str) else _UNKNOWN
    if loader == "ObjectNode":
        return _bare_instance(node, _sketch(content, headers, memo))
    return _UNKNOWN


def _bare_instance(node, state):
    """A sknotes estimator or Pipeline holding ``state``, as skops makes it."""
    import importlib

    name = f"{node.get('__module__')}.{node.get('__class__')}"
    if not isinstance(state, dict) or name not in {
        "sklearn.pipeline.Pipeline",
        *trusted_types(),
    }:
        return _UNKNOWN
    module, _, qualname = name.rpartition(".")
    cls = getattr(importlib.import_module(module), qualname)
    instance = cls.__new__(cls)
    instance.__dict__.update(state)
    return instance


# -- the model's parts, checked before and after loading ---------------------


def _check_loaded(model, path):
    _check_parts(model, path, loaded=True)


def _check_parts(model, path, loaded):
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
    if value is _UNKNOWN or (isinstance(value, _Header) and value.ndim == 0):
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

    return isinstance(value, np.ndarray | _Header)


def _check_weights(estimator, where, loaded):
    """The fitted attributes agree with the class and with each other."""
    names = list(estimator._weight_attributes([None], [None]))
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
        hidden = [_known(units) for units in estimator._hidden_layer_sizes()]
    except (ValueError, TypeError, AttributeError) as exc:
        if not loaded:  # the schema may show the sizes in another form
            raise _Unchecked from None
        raise ModelFileError(f"{where}: {exc}") from None
    n_outputs = 1 if classes.shape[0] == 2 else classes.shape[0]
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
    coefs, intercepts = (_known(value) for value in estimator._get_weights())
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
    for name, value in estimator._weight_attributes(coefs, intercepts).items():
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

    try:
        plan = flattener._plan()
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


# -- writing output files ----------------------------------------------------


def nonempty_file_name(text):
    """``text`` as the name of a file to write; refused when blank.

    The type of the command line's output options: an empty name would
    otherwise read as "no file", and the output would be silently dropped.

    Examples
    --------
    >>> nonempty_file_name("model.skops")
    'model.skops'
    >>> nonempty_file_name("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: the file name is empty; give a file to write
    """
    import argparse

    if not text.strip():
        raise argparse.ArgumentTypeError("the file name is empty; give a file to write")
    return text


def output_target(path):
    """The file that writing ``path`` creates or replaces.

    A symbolic link is followed to the file it names (to the end of a chain
    of links), so that writing through it keeps the link; a dangling link's
    target is created.

    Raises
    ------
    OSError
        For a loop of links.

    Examples
    --------
    >>> import os, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> os.symlink("real.skops", folder / "link.skops")
    >>> output_target(folder / "link.skops").name
    'real.skops'
    """
    path = Path(path)
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return Path(os.path.realpath(path))


def write_atomically(path, write):
    """Call ``write(file)`` on a file beside ``path``, then rename it over ``path``.

    The rename replaces the file in one step, so a failed write (a full
    disk, a file size limit, Ctrl-C) leaves the previous file as it was. A
    file that is replaced keeps its permissions; a new file gets those of
    any new file (the umask applies). A symbolic link is written through:
    the file it names is replaced and the link stays.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    write : callable
        Called with the temporary file, open for writing bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.bin"
    >>> write_atomically(path, lambda file: file.write(b"new"))
    >>> path.read_bytes()
    b'new'
    """
    target = output_target(path)
    handle, temporary, new_file_mode = _create_beside(target)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        mode = stat.S_IMODE(os.stat(target).st_mode) if target.exists() else None
        os.chmod(temporary, new_file_mode if mode is None else mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _create_beside(target):
    """A new private file next to ``target``: (descriptor, path, mode).

    The mode is what a new file gets here (0o666 less the umask, or what a
    default ACL gives), read from the file itself: asking for the umask
    would set it for every thread for a moment. Until it is complete, the
    file is readable by its owner only.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        mode = stat.S_IMODE(os.fstat(handle).st_mode)
        os.chmod(temporary, 0o600)
        return handle, temporary, mode
    raise FileExistsError(f"cannot create a temporary file beside {target}")
