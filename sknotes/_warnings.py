"""Warnings that point at the caller's line, not at the library's.

A warning raised deep inside a fit (the training loop, the input checks)
is about the call the user wrote: ``model.fit(X, y)`` or
``pipeline.fit(X, y)``. :func:`at_caller` gives ``warnings.warn`` the
keyword arguments that skip every frame of sknotes and of the libraries it
is called through (scikit-learn's fit wrappers and meta-estimators, joblib).
"""

import os
import sys

import joblib
import sklearn

# Frames in these folders are skipped: the warning lands on the first frame
# outside all of them.
_SKIPPED = tuple(
    os.path.dirname(path) + os.sep
    for path in (__file__, sklearn.__file__, joblib.__file__)
)


def at_caller():
    """``warnings.warn`` keyword arguments that name the caller's line.

    Python 3.12 skips the frames itself (``skip_file_prefixes``); before,
    the number of frames to skip is counted here.

    Examples
    --------
    >>> import warnings
    >>> from sknotes._warnings import at_caller
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("about your call", UserWarning, **at_caller())
    >>> caught[0].filename.endswith("_warnings.py")
    False
    """
    if sys.version_info >= (3, 12):
        return {"skip_file_prefixes": _SKIPPED}
    # frame 1 is the function that calls warnings.warn; stacklevel=1 names it
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_SKIPPED):
        frame = frame.f_back
        level += 1
    return {"stacklevel": level}
