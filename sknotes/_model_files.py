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

import zipfile
from pathlib import Path

__all__ = ["ModelFileError", "dumps", "load", "trusted_types"]

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


def load(path, allow_pickle=False):
    """Load a model file: skops with trusted types, or a pickle if allowed.

    Parameters
    ----------
    path : str or Path
        The file.
    allow_pickle : bool, default=False
        Also load pickle (joblib) files, which run the code they contain.

    Returns
    -------
    model : object

    Raises
    ------
    ModelFileError
        With a message that says what the file is and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sknotes import GDLogisticRegression
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skops"
    >>> _ = path.write_bytes(dumps(GDLogisticRegression(max_iter=7)))
    >>> load(path).max_iter
    7
    """
    path = Path(path)
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
