"""What a file holds, from its first bytes: the one table of file signatures.

Folder discovery recognises image files by it whatever their name (a JPEG
saved as ``photo`` or ``photo.heic``), and a model file can be told from an
image or a pickle passed in its place.
"""

import zlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FILE_KINDS", "HEAD_SIZE", "FileKind", "file_kind", "read_head"]

#: Bytes read from the start of a file: enough for every signature below.
HEAD_SIZE = 16


@dataclass(frozen=True)
class FileKind:
    """A kind of file and the bytes that mark it.

    Parameters
    ----------
    name : str
        What a message calls it, with its article: ``"a JPEG image"``.
    family : {'image', 'pickle', 'compressed', 'zip'}
        What it is for the package: an image Pillow reads, a pickle, a
        compressed stream (joblib compresses pickles with zlib, gzip, bz2,
        xz or lzma), or a zip archive (a skops model file is one).
    marks : tuple of (int, bytes)
        ``(offset, bytes)`` pairs that a file of this kind all holds.
    check : callable, default=None
        A further test of the head, ``check(head) -> bool``, for marks too
        short to trust alone (one byte that plain text may start with).

    Examples
    --------
    >>> FileKind("a GIF image", "image", ((0, b"GIF89a"),)).matches(b"GIF89a...")
    True
    """

    name: str
    family: str
    marks: tuple
    check: Callable | None = None

    def matches(self, head):
        """Whether ``head``, a file's first bytes, holds every mark (and passes
        the check)."""
        if not all(head[at : at + len(mark)] == mark for at, mark in self.marks):
            return False
        return self.check is None or self.check(head)


def _pickle_protocol(head):
    # PROTO is followed by the protocol number: 2 to 5 so far.
    return len(head) > 1 and 2 <= head[1] <= 5


def _zlib_stream(head):
    """A zlib header (RFC 1950) whose first bytes of data decompress."""
    if len(head) < 2:
        return False
    cmf, flg = head[0], head[1]
    # deflate, a checksum that holds, and no preset dictionary (which the
    # stream could not be read without, so no compressor of files uses it)
    if cmf & 0x0F != 8 or (cmf * 256 + flg) % 31 or flg & 0x20:
        return False
    try:  # text with a valid header fails here, within a few bytes
        zlib.decompressobj().decompress(head)
    except zlib.error:
        return False
    return True


def _bz2_block_size(head):
    return head[3:4].isdigit() and head[3:4] != b"0"


FILE_KINDS = (
    FileKind("a JPEG image", "image", ((0, b"\xff\xd8\xff"),)),
    FileKind("a PNG image", "image", ((0, b"\x89PNG\r\n\x1a\n"),)),
    FileKind("a GIF image", "image", ((0, b"GIF87a"),)),
    FileKind("a GIF image", "image", ((0, b"GIF89a"),)),
    FileKind("a TIFF image", "image", ((0, b"II*\x00"),)),  # little endian
    FileKind("a TIFF image", "image", ((0, b"MM\x00*"),)),  # big endian
    FileKind("a WebP image", "image", ((0, b"RIFF"), (8, b"WEBP"))),
    # "BM" alone is too common a start; BMP's reserved bytes are zero.
    FileKind("a BMP image", "image", ((0, b"BM"), (6, bytes(4)))),
    FileKind("a zip archive", "zip", ((0, b"PK\x03\x04"),)),
    # pickle protocol 2+ starts with PROTO (0x80); joblib may compress it
    FileKind("a pickle", "pickle", ((0, b"\x80"),), _pickle_protocol),
    FileKind("a zlib stream", "compressed", ((0, b"x"),), _zlib_stream),  # 0x78
    FileKind("a gzip stream", "compressed", ((0, b"\x1f\x8b\x08"),)),  # deflate
    FileKind("a bz2 stream", "compressed", ((0, b"BZh"),), _bz2_block_size),
    FileKind("an xz stream", "compressed", ((0, b"\xfd7zXZ"),)),
    FileKind("an lzma stream", "compressed", ((0, b"\x5d\x00"),)),
)


def file_kind(head):
    """The :class:`FileKind` that ``head`` (a file's first bytes) starts, or None.

    Examples
    --------
    >>> file_kind(b"\\xff\\xd8\\xff\\xe0\\x00\\x10JFIF").name
    'a JPEG image'
    >>> file_kind(b"hello") is None
    True
    """
    return next((kind for kind in FILE_KINDS if kind.matches(head)), None)


def read_head(path):
    """The first :data:`HEAD_SIZE` bytes of ``path``, or None if it cannot be read.

    Call it on regular files only: opening a named pipe would block.

    Examples
    --------
    >>> read_head("no/such/file") is None
    True
    """
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_SIZE)
    except OSError:
        return None
