"""Folder discovery: which files in a folder of class subfolders are images.

A file is an image by its extension, or, without one (or with another one
when asked), by its first bytes. :func:`~sknotes.images.load_image_folder`
reads class folders through it, and the command line finds the images of
the folders given to ``predict`` with :func:`image_files`.
"""

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._file_kinds import file_kind, read_head

__all__ = [
    "IMAGE_EXTENSIONS",
    "class_folder_files",
    "image_files",
    "normalised_extensions",
]

IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".gif", ".bmp",
        ".dib", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm",
        ".avif", ".avifs", ".jp2", ".j2k", ".jpx", ".jpf", ".qoi", ".tga",
        ".ico", ".psd",
    }
)  # fmt: skip
# Photo formats that only a Pillow plugin reads (pillow-heif): treated as
# images when one is installed, reported as skipped otherwise.
_PLUGIN_EXTENSIONS = (".heic", ".heif")


def class_folder_files(path, extensions):
    """The image files of the class folders in ``path``, with their labels.

    What :func:`~sknotes.images.load_image_folder` returns, as a Bunch:
    ``filenames``, ``target``, ``target_names`` and ``skipped``.
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"Image folder {str(root)!r} does not exist.")
    if not root.is_dir():
        raise NotADirectoryError(f"{str(root)!r} is not a folder.")
    wanted = normalised_extensions(extensions)
    class_dirs = sorted(
        entry for entry in root.iterdir() if entry.is_dir() and not _hidden(entry)
    )
    if not class_dirs:
        raise ValueError(
            f"Image folder {str(root)!r} has no class subfolders; put the "
            "images of each class in a subfolder named after the class."
        )
    filenames, target, skipped = [], [], []
    for label, class_dir in enumerate(class_dirs):
        files, others = image_files(class_dir, wanted, sniff_all=extensions is None)
        skipped.extend(str(entry) for entry in others)
        if not files:
            raise ValueError(
                f"Class folder {str(class_dir)!r} contains no image files "
                f"(searched for {', '.join(sorted(wanted))}, and for image "
                "files without an extension)."
            )
        filenames.extend(str(file) for file in files)
        target.extend([label] * len(files))
    return Bunch(
        filenames=np.asarray(filenames, dtype=str),
        target=np.asarray(target, dtype=np.intp),
        target_names=np.asarray([d.name for d in class_dirs], dtype=str),
        skipped=np.asarray(skipped, dtype=str),
    )


def _hidden(entry):
    return entry.name.startswith(".")


def image_files(folder, extensions, sniff_all, recursive=False):
    """``(images, skipped)`` in ``folder``, sorted; hidden entries are left out.

    ``skipped`` holds the other files (not folders). With ``recursive``,
    subfolders are searched too, except hidden ones.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = (Path(tmp.name) / "notes.txt").write_text("not an image")
    >>> images, skipped = image_files(Path(tmp.name), {".png"}, sniff_all=True)
    >>> images, [file.name for file in skipped]
    ([], ['notes.txt'])
    >>> tmp.cleanup()
    """
    entries = sorted(folder.rglob("*") if recursive else folder.iterdir())
    images, skipped = [], []
    for entry in entries:
        if any(_hidden(Path(part)) for part in entry.relative_to(folder).parts):
            continue
        if _is_image(entry, extensions, sniff_all):
            images.append(entry)
        elif not entry.is_dir():
            skipped.append(entry)
    return images, skipped


def normalised_extensions(extensions):
    """``extensions`` as a set of lower-case names with their dot.

    ``None`` means :data:`IMAGE_EXTENSIONS`, with HEIC and HEIF when a
    Pillow plugin for them is installed.

    Examples
    --------
    >>> sorted(normalised_extensions(["JPG", ".png"]))
    ['.jpg', '.png']
    """
    if extensions is None:
        return IMAGE_EXTENSIONS | _plugin_extensions()
    if isinstance(extensions, str | os.PathLike):
        extensions = [extensions]
    names = set()
    for ext in extensions:
        if not isinstance(ext, str) or not ext.strip(". "):
            raise ValueError(
                f"extensions must be names like '.jpg' or 'jpg'; got {ext!r}."
            )
        ext = ext.strip().lower()
        names.add(ext if ext.startswith(".") else "." + ext)
    return frozenset(names)


def _plugin_extensions():
    """The extensions of :data:`_PLUGIN_EXTENSIONS` that Pillow can open now."""
    from PIL import Image

    registered = Image.registered_extensions()
    return frozenset(
        ext for ext in _PLUGIN_EXTENSIONS if registered.get(ext) in Image.OPEN
    )


def _is_image(file, extensions, sniff_all=False):
    """An entry named like an image (any kind but a folder), or an image file.

    Broken links, link loops and pipes named like images are kept, so that
    loading names them with the reason, instead of their vanishing here.
    Files with another extension are recognised by their content when
    ``sniff_all``; files without one always are.
    """
    if file.suffix and file.suffix.lower() in extensions:
        return not file.is_dir()
    if file.suffix and not sniff_all:
        return False
    if not file.is_file():  # never open a pipe or device to sniff it
        return False
    kind = file_kind(read_head(file) or b"")
    return kind is not None and kind.family == "image"
