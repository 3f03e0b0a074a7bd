"""Output files written whole or not at all.

A file is written beside its target and renamed over it once complete, so
that a failed write (a full disk, a file size limit, Ctrl-C) leaves the
previous file as it was. The command line writes its model files and plots
this way.
"""

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["output_target", "write_atomically"]


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
        try:
            mode = stat.S_IMODE(os.fstat(handle).st_mode)
            os.chmod(temporary, 0o600)
        except BaseException:
            os.close(handle)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return handle, temporary, mode
    raise FileExistsError(f"cannot create a temporary file beside {target}")
