"""Why an image file cannot be read: :class:`ImageLoadError` and its reasons.

The decoding turns every failure into one error that names the file and
says, in a few words, what is wrong with it: missing, a folder, empty,
truncated, not an image (an HTML page saved by a download, a text file),
or above Pillow's decompression-bomb limit.
"""

import os

from ._file_kinds import HEAD_SIZE, file_kind

__all__ = ["ImageLoadError", "bomb_reason", "describe_failure", "size_mismatch"]


class ImageLoadError(ValueError):
    """An image file could not be read.

    Raised by :class:`ImageFlattener` for a missing file, a directory, an
    empty, truncated or corrupt file, a file that is not an image, or an
    image above twice Pillow's decompression-bomb limit. It is a ``ValueError``
    (the input is bad), and the original exception, when there is one, is
    its ``__cause__``.

    Parameters
    ----------
    filename : str
        The offending path.
    reason : str
        What is wrong with it.

    Attributes
    ----------
    filename : str
        The offending path.
    reason : str
        What is wrong with it.

    Examples
    --------
    >>> from sknotes.images import ImageFlattener, ImageLoadError
    >>> try:
    ...     ImageFlattener().transform(["no/such/file.jpg"])
    ... except ImageLoadError as exc:
    ...     print(exc.reason)
    no such file
    """

    # Public as sknotes.images.ImageLoadError: tracebacks and pickles name
    # the module users import it from.
    __module__ = "sknotes.images"

    def __init__(self, filename, reason):
        # os.fspath turns np.str_ and Path into a plain str, whose repr is
        # what a user expects to read in the message.
        self.filename = str(os.fspath(filename))
        self.reason = reason
        super().__init__(f"Cannot load image {self.filename!r}: {reason}")

    def __reduce__(self):
        return type(self), (self.filename, self.reason)


def size_mismatch(shape, expected):
    """Why an image of ``shape`` (height, width) is not of size ``expected``."""
    return (
        f"its size is {shape[1]}x{shape[0]} (width x height) but "
        f"{expected[0]}x{expected[1]} was expected: with size=None every "
        "image must have the size of the first one (or the one seen in "
        "fit); set size=(width, height) to resize them all"
    )


def bomb_reason(exc):
    """Pillow's decompression-bomb error, and how to load the file anyway."""
    return (
        f"{exc} PIL.Image.MAX_IMAGE_PIXELS is the guard against "
        "decompression bombs; raise it if you trust the file "
        "(--max-image-pixels on the command line)"
    )


def describe_failure(path, exc):
    """A short human reason for why ``path`` could not be decoded."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return "broken symbolic link (its target does not exist)"
        return "no such file"
    if os.path.isdir(path):
        return "is a directory, not an image file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, UnidentifiedImageError):
        return _describe_unidentified(path)
    if "truncated" in str(exc).lower():
        return f"the file is truncated or damaged ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _describe_unidentified(path):
    try:
        with open(path, "rb") as file:
            head = file.read(64)
    except OSError as exc:
        return f"cannot be read ({exc})"
    if not head:
        return "the file is empty (0 bytes)"
    text = head.lstrip().lower()
    known = file_kind(head[:HEAD_SIZE])
    if known is not None and known.family == "image":
        kind = f"it starts like {known.name} but is damaged"
    elif known is not None and known.family in ("zip", "pickle"):
        kind = f"it is {known.name}"
    elif text.startswith((b"<!doctype html", b"<html")):
        kind = "it is an HTML page, perhaps an error page saved by a download"
    elif all(32 <= byte < 127 or byte in b"\t\r\n" for byte in head):
        kind = "it looks like a text file"
    else:
        kind = "unknown or damaged format"
    return f"not an image file Pillow can read: {kind} (starts with {head[:16]!r})"
