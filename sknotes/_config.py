"""Process-wide settings: which implementation runs the elementwise kernels.

``kernels`` chooses how the network core computes everything between its
matrix products (activations, their derivatives, the output layer's cost):

* ``'numba'``: fused loops compiled by numba (``pip install
  "sknotes[fast]"``), one pass over a block per step, with activations
  vectorised on every CPU (:mod:`sknotes._fused`);
* ``'numpy'``: numpy's functions, several passes per step; the course's
  own arithmetic, operation for operation;
* ``'auto'`` (the default): ``'numba'`` when numba is installed, else
  ``'numpy'``.

The environment variable ``SKNOTES_KERNELS`` sets the starting value, so
that it also reaches processes started by joblib.
"""

import contextlib
import os

__all__ = ["config_context", "get_config", "set_config"]

KERNELS = ("auto", "numba", "numpy")

_config = {"kernels": os.environ.get("SKNOTES_KERNELS", "auto") or "auto"}


def numba_available():
    """Whether numba imports (tried once; a broken install counts as absent)."""
    global _numba_imports
    if _numba_imports is None:
        try:
            import numba  # noqa: F401
        except ImportError:
            _numba_imports = False
        else:
            _numba_imports = True
    return _numba_imports


_numba_imports = None


def _check_kernels(value):
    if value not in KERNELS:
        raise ValueError(f"kernels must be one of {KERNELS}; got {value!r}.")
    if value == "numba" and not numba_available():
        raise ImportError(
            "kernels='numba' needs numba: pip install \"sknotes[fast]\" (or "
            "use kernels='auto', which falls back to numpy)."
        )
    return value


def get_config():
    """The current settings, as a new dict.

    Examples
    --------
    >>> import sknotes
    >>> sorted(sknotes.get_config())
    ['kernels']
    """
    return dict(_config)


def set_config(kernels=None):
    """Change the settings for the rest of the process.

    Parameters
    ----------
    kernels : {'auto', 'numba', 'numpy'}, default=None
        The implementation of the elementwise work between matrix products
        (see :mod:`sknotes._config`); None leaves it as it is. A fit reads
        it when it starts.

    Examples
    --------
    >>> import sknotes
    >>> before = sknotes.get_config()["kernels"]
    >>> sknotes.set_config(kernels="numpy")
    >>> sknotes.get_config()["kernels"]
    'numpy'
    >>> sknotes.set_config(kernels=before)
    """
    if kernels is not None:
        _config["kernels"] = _check_kernels(kernels)


@contextlib.contextmanager
def config_context(*, kernels=None):
    """Change the settings inside a ``with`` block, restoring them after.

    Parameters
    ----------
    kernels : {'auto', 'numba', 'numpy'}, default=None
        As in :func:`set_config`.

    Examples
    --------
    >>> import sknotes
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> with sknotes.config_context(kernels="numpy"):
    ...     clf = sknotes.ShallowNNClassifier(max_iter=50).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """
    before = get_config()
    set_config(kernels=kernels)
    try:
        yield
    finally:
        _config.update(before)


def kernels_in_use():
    """``'numba'`` or ``'numpy'``: what ``kernels`` resolves to now."""
    choice = _check_kernels(_config["kernels"])
    if choice == "auto":
        return "numba" if numba_available() else "numpy"
    return choice
