"""A skops file's archive, measured before anything in it is loaded.

skops reads every array of a file while it lists the file's types, so the
sizes come first: the zip directory's declared sizes against the memory,
each array's ``.npy`` header against its data, and the schema sketched into
bare estimators whose weights' shapes the checks of
:mod:`sknotes._model_checks` can measure without loading them.
"""

import functools
import io
import json
import math
import zipfile

from . import _memory
from ._memory import format_bytes
from ._model_checks import UNKNOWN, Header, ModelFileError, check_parts, trusted_types

__all__ = ["check_archive"]

# More entries than any sknotes model has (two arrays per layer), far fewer
# than would slow the checks down.
_MAX_ENTRIES = 100_000


def check_archive(path, data):
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
    check_parts(model, path, loaded=False)


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
    return Header(shape, dtype)


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

    Arrays become their ``Header``; sknotes estimators and pipelines are
    built bare (``__new__`` and their state, as skops builds them); what is
    not needed for the checks stays ``UNKNOWN``. ``memo`` follows skops:
    a node whose ``__id__`` was seen before stands for that first node.
    """
    if not isinstance(node, dict):
        return UNKNOWN
    ident = node.get("__id__")
    if not isinstance(ident, int | str):
        ident = None  # skops itself refuses what cannot be a key
    if ident in memo:
        return memo[ident]
    if ident is not None:
        memo[ident] = UNKNOWN  # a node inside itself stays unknown
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
            return UNKNOWN
    if loader in ("ListNode", "TupleNode") and isinstance(content, list):
        items = [_sketch(item, headers, memo) for item in content]
        return items if loader == "ListNode" else tuple(items)
    if loader == "DictNode" and isinstance(content, dict):
        return {key: _sketch(item, headers, memo) for key, item in content.items()}
    if loader == "NdArrayNode" and node.get("type") == "numpy":
        file = node.get("file")
        return headers.get(file, UNKNOWN) if isinstance(file, str) else UNKNOWN
    if loader == "ObjectNode":
        return _bare_instance(node, _sketch(content, headers, memo))
    return UNKNOWN


@functools.cache
def _rebuildable():
    # Finding the estimators walks the package: once, not once per node of a
    # schema (a crafted file of 20,000 nodes took 9 s to refuse).
    return frozenset({"sklearn.pipeline.Pipeline", *trusted_types()})


def _bare_instance(node, state):
    """A sknotes estimator or Pipeline holding ``state``, as skops makes it."""
    import importlib

    name = f"{node.get('__module__')}.{node.get('__class__')}"
    if not isinstance(state, dict) or name not in _rebuildable():
        return UNKNOWN
    module, _, qualname = name.rpartition(".")
    cls = getattr(importlib.import_module(module), qualname)
    instance = cls.__new__(cls)
    instance.__dict__.update(state)
    return instance
