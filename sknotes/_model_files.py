"""Model files that cannot run code: skops for saving, trusted types for loading.

A pickle (what ``joblib.dump`` writes) is a program: loading it runs
whatever functions it names, so a crafted model file can do anything. The
command line therefore saves models in the ``skops.io`` format, which stores
the objects' state and rebuilds them without running stored code, and loads
a file only when every type it contains is trusted: numpy's and
scikit-learn's (which skops trusts itself) and sknotes' own estimators.
Pickles are loaded only on explicit request.

What a file holds is checked before it is loaded (its archive, in
:mod:`sknotes._model_archive`) and after (its parts, in
:mod:`sknotes._model_checks`); :func:`load_model` runs both.

skops is an optional dependency (the ``[skops]`` extra).
"""

import io
import zipfile
from pathlib import Path

from ._file_kinds import HEAD_SIZE, file_kind
from ._model_archive import check_archive
from ._model_checks import ModelFileError, check_loaded, trusted_types

__all__ = ["ModelFileError", "dumps", "load_model", "trusted_types"]

_INSTALL = 'install it with: pip install "sknotes[skops]"'


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
    check_loaded(model, path)
    return model


def _load_file(path, allow_pickle):
    """The object in ``path``, with no checks of its content yet.

    What the file is comes from its first bytes alone: a file that is not
    a model is refused without being read whole, however large it is.
    """
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    if not path.exists():
        raise ModelFileError(f"model file {path} not found")
    if not path.is_file():
        raise ModelFileError(f"{path} is not a regular file, so not a model file")
    with open(path, "rb") as file:
        head = file.read(HEAD_SIZE)
    if not head:
        raise ModelFileError(f"{path} is empty: not a model file")
    kind = file_kind(head)
    family = None if kind is None else kind.family
    if family == "zip":
        return _load_skops(path, path.read_bytes())
    if family == "image":
        raise ModelFileError(
            f"{path} is {kind.name}, not a model file; the model comes first: "
            "sknotes predict MODEL IMAGE..."
        )
    if family not in ("pickle", "compressed"):
        raise ModelFileError(
            f"{path} is not a model file (neither skops nor pickle); make one "
            "with 'sknotes fit ... --out MODEL'"
        )
    return _load_pickle(path, allow_pickle)


def _load_pickle(path, allow_pickle):
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
    if not zipfile.is_zipfile(io.BytesIO(data)):
        # a zip's start without its directory at the end: cut short, or damaged
        raise ModelFileError(
            f"{path} is a damaged skops file: it starts as a zip archive but "
            "cannot be read as one (cut short?); save the model again"
        )
    # skops reads every array while listing the types, so the sizes are
    # checked first, from the zip directory and the arrays' headers.
    check_archive(path, data)
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
