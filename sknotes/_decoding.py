"""The Pillow decoding behind :class:`~sknotes.images.ImageFlattener`.

One :class:`DecodePlan` per ``transform`` call says how every image becomes
pixels: open it (only regular files), let the JPEG decoder shrink it
(draft), make it upright by its EXIF orientation, convert its mode (16-bit
scaled, transparency composited on white), resize it, and write it into its
row of the output, divided by 255 as the notes do (``normalize``). Images are
decoded in chunks on threads, as Pillow releases the GIL while it decodes
and resizes. A file that cannot be read raises :class:`~sknotes.images.ImageLoadError`.
"""

import functools
import io
import math
import os
import stat
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ._image_errors import ImageLoadError, bomb_reason, describe_failure, size_mismatch

__all__ = [
    "CHANNEL_NAMES",
    "PIL_MODES",
    "RESAMPLE_NAMES",
    "DecodePlan",
    "as_sources",
    "decode_into",
    "decode_plan",
    "first_of_dask",
    "native_size",
    "output_hw",
    "part_count",
    "transform_in_parts",
    "validated_size",
]

CHANNEL_NAMES = {"RGB": ("red", "green", "blue"), "L": ("gray",)}
PIL_MODES = {"rgb": "RGB", "grayscale": "L"}
RESAMPLE_NAMES = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})
# Orientation tag value -> the transpose that puts the image upright
# (EXIF 2.3, tag 0x0112).
_ORIENTATION_TRANSPOSE = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}
_EXIF_ORIENTATION = 0x0112
# Images handed to one worker thread at a time: large enough that the
# per-task overhead is negligible, small enough to balance the load.
_MAX_CHUNK = 32


@dataclass(frozen=True)
class DecodePlan:
    """How every image of one ``transform`` call is turned into pixels."""

    size: tuple | None  # (width, height) to resize to; None keeps the size
    mode: str  # Pillow mode of the result: "RGB" or "L"
    resample: int  # Pillow resampling filter
    draft: bool  # let the JPEG decoder shrink the image while decoding

    @property
    def channels(self):
        return len(CHANNEL_NAMES[self.mode])


def decode_plan(size, color, resample, draft):
    """The :class:`DecodePlan` of an ImageFlattener's parameters."""
    from PIL import Image

    resample = getattr(Image.Resampling, resample.upper())
    return DecodePlan(validated_size(size), PIL_MODES[color], resample, draft)


def validated_size(size):
    """``size`` as a (width, height) tuple of ints, or None."""
    if size is None:
        return None
    if isinstance(size, Integral) and not isinstance(size, bool):
        return (int(size), int(size))
    if (
        not isinstance(size, tuple | list)
        or len(size) != 2
        or not all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in size
        )
    ):
        raise ValueError(
            f"size must be None, a positive int or a (width, height) pair "
            f"of positive ints; got {size!r}."
        )
    return (int(size[0]), int(size[1]))


def output_hw(plan, sources, image_shape=None):
    """(height, width) of every output image; checks fit's ``image_shape_``."""
    if image_shape is not None:
        height, width, channels = image_shape
        if plan.size is not None and plan.size != (width, height):
            raise ValueError(f"size was changed to {plan.size} after fit; fit again.")
        if channels != plan.channels:
            raise ValueError("color was changed after fit; fit again.")
        return height, width
    width, height = plan.size or native_size(sources[0])
    return height, width


def first_of_dask(X):
    """The first element of a dask collection of paths, as a one-item list."""
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True)
    if X.shape[0] == 0:
        raise ValueError("Expected at least one image path, got an empty sequence.")
    return list(np.asarray(X[:1].compute()).ravel())


def as_sources(X):
    """Turn the input into a list of str paths or a uint8 image array."""
    if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
        return _check_image_array(X)
    if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:  # DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                "A DataFrame of image paths must have exactly one column; "
                f"got {X.shape[1]} columns."
            )
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if isinstance(X, str | bytes | os.PathLike):
        raise TypeError(
            "Expected a sequence of image paths, got a single path; wrap it in a list."
        )
    try:
        items = list(X)
    except TypeError:
        raise TypeError(
            f"Expected a sequence of image paths, got {type(X).__name__}."
        ) from None
    if not items:
        raise ValueError("Expected at least one image path, got an empty sequence.")
    paths = []
    for index, item in enumerate(items):
        if isinstance(item, np.ndarray):
            raise TypeError(
                f"Item {index} is an array of shape {item.shape}: images in "
                "memory must come as one uint8 array of shape (n, height, "
                "width) or (n, height, width, channels), all of one size, e.g. "
                "np.stack(images); images of different sizes can be saved as "
                "files and given by path."
            )
        if not isinstance(item, str | bytes | os.PathLike):
            raise TypeError(
                f"Image paths must be str or os.PathLike; item {index} is "
                f"{item!r} of type {type(item).__name__}."
            )
        paths.append(os.fsdecode(item))
    return paths


def _check_image_array(X):
    if (
        X.dtype != np.uint8
        or X.ndim not in (3, 4)
        or (X.ndim == 4 and X.shape[3] not in (1, 3, 4))
    ):
        raise ValueError(
            "X must hold image paths, or images as a uint8 array of shape "
            "(n, height, width) or (n, height, width, channels) with 1, 3 or 4 "
            f"channels; got a {X.dtype} array of shape {X.shape}."
        )
    if X.ndim == 3 and X.shape[2] in (3, 4) and min(X.shape[:2]) > 4:
        raise ValueError(
            f"X has shape {X.shape}, which looks like one colour image of "
            f"{X.shape[1]}x{X.shape[0]} pixels, not {X.shape[0]} grayscale images "
            f"{X.shape[2]} pixels wide. Pass a batch: X[np.newaxis] for one image; "
            "grayscale images need shape (n, height, width) or (n, height, width, 1)."
        )
    if X.shape[0] == 0:
        raise ValueError("Expected at least one image, got an empty array.")
    if min(X.shape[1:3]) == 0:
        raise ValueError(
            f"X has shape {X.shape}: images of {X.shape[2]}x{X.shape[1]} pixels "
            "have no pixels; every image needs a height and a width of at "
            "least 1."
        )
    return X


def native_size(source):
    """(width, height) of an image as it will be shown (after EXIF rotation)."""
    if isinstance(source, np.ndarray):
        return source.shape[1], source.shape[0]
    with _open_image(source) as img:
        width, height = img.size
        if _orientation(img) >= 5:  # rotated by 90 degrees
            width, height = height, width
    return width, height


def part_count(n, wanted):
    """How many parts of at least one item ``n`` items make, ``wanted`` at most."""
    return -(-n // max(1, -(-n // wanted))) if n else 0


def transform_in_parts(transform, sources, n_parts, before=None, after=None):
    """``transform(sources)`` decoded in about ``n_parts`` consecutive parts.

    ``before()`` runs before each part and ``after(n_done)`` after it,
    with the number of images decoded so far: progress bars and
    callbacks follow the decoding through them.
    """
    step = -(-len(sources) // part_count(len(sources), n_parts))
    parts = []
    for start in range(0, len(sources), step):
        if before is not None:
            before()
        parts.append(transform(sources[start : start + step]))
        if after is not None:
            after(start + len(parts[-1]))
    return np.concatenate(parts)


def _chunks(n, n_jobs):
    """Split 0..n-1 into about four chunks per thread, to balance the load."""
    size = max(1, min(_MAX_CHUNK, math.ceil(n / (4 * n_jobs))))
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def _run_chunked(work, n, n_jobs):
    """Call ``work(indices)`` over 0..n-1, in ``n_jobs`` threads if > 1.

    On the first error the chunks not yet started are skipped, as the output
    is discarded anyway; the error of the earliest failed chunk propagates.
    """
    if n_jobs <= 1:
        work(range(n))
        return
    with ThreadPoolExecutor(n_jobs, thread_name_prefix="sknotes-images") as pool:
        futures = [pool.submit(work, chunk) for chunk in _chunks(n, n_jobs)]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        finally:  # also on Ctrl-C
            for future in futures:
                future.cancel()
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()


def decode_into(sources, plan, size, out, normalize, n_jobs):
    """Decode ``sources``, paths or a uint8 image array, into the rows of ``out``."""
    fill = _fill_from_arrays if isinstance(sources, np.ndarray) else _fill_from_files
    fill(sources, plan, size, out, normalize, n_jobs)


def _store(pixels, row, normalize):
    """Write one image's uint8 pixels into its row of the output."""
    _write_scaled(pixels.reshape(-1), row, normalize)


def _write_scaled(values, out, normalize):
    """``out[:] = values``, divided by 255 when ``normalize``."""
    if not normalize:
        out[:] = values
    else:
        # Computed in the output dtype, so float32 output equals
        # ``pixels.astype(np.float32) / 255`` exactly.
        np.divide(values, out.dtype.type(255), out=out, dtype=out.dtype)


def _fill_from_files(paths, plan, size, out, normalize, n_jobs):
    def work(indices):
        for i in indices:
            _store(_decode_file(paths[i], plan, size), out[i], normalize)

    _run_chunked(work, len(paths), n_jobs)


def _fill_from_arrays(images, plan, size, out, normalize, n_jobs):
    n = images.shape[0]
    channels = 1 if images.ndim == 3 else images.shape[3]
    if plan.size is None and images.shape[1:3] != size[::-1]:  # size=None
        raise ValueError(
            "The image array does not fit: " + size_mismatch(images.shape[1:3], size)
        )
    if images.shape[1:3] == size[::-1] and channels == plan.channels:
        # Already the right size and colour: no Pillow round trip.
        _write_scaled(images.reshape(n, -1), out, normalize)
        return

    from PIL import Image

    def work(indices):
        for i in indices:
            pixels = images[i]
            if pixels.ndim == 3 and channels == 1:
                pixels = pixels[..., 0]  # Pillow wants (height, width) for "L"
            img = _resize(
                _convert(Image.fromarray(pixels), plan.mode), size, plan.resample
            )
            _store(np.asarray(img), out[i], normalize)

    _run_chunked(work, n, n_jobs)


def _decode_file(path, plan, size):
    """Decode one file into a uint8 array of shape (height, width[, 3])."""
    from PIL import Image

    try:
        with _open_image(path) as img:
            pixels = _upright_pixels(img, plan, size)
    except ImageLoadError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(path, bomb_reason(exc)) from exc
    except Exception as exc:
        raise ImageLoadError(path, describe_failure(path, exc)) from exc
    if (pixels.shape[1], pixels.shape[0]) != size:  # only when size=None
        raise ImageLoadError(path, size_mismatch(pixels.shape, size))
    return pixels


def _upright_pixels(img, plan, size):
    """Load an opened image, make it upright, convert and resize it."""
    orientation = _orientation(img)
    box = _apply_draft(img, plan, orientation) if plan.draft else None
    img.load()
    if box is None:  # decoded at full size: Pillow's plain path
        img = _convert(_transpose(img, orientation), plan.mode)
        if plan.size is not None:
            img = _resize(img, size, plan.resample)
    else:
        # Resize before rotating: the draft box is in the stored
        # orientation, and rotating the small image is cheaper.
        img = _convert(img, plan.mode)
        if plan.size is not None:
            stored = size[::-1] if orientation >= 5 else size
            img = _resize(img, stored, plan.resample, box)
        img = _transpose(img, orientation)
    return np.asarray(img)


def _open_image(path):
    """``Image.open`` with errors that name the file and the reason."""
    from PIL import Image

    # Opening a named pipe or a device would block or read without end, so
    # only regular files are handed to Pillow (a missing path or a directory
    # gets its message from the failure below).
    try:
        mode = os.stat(path).st_mode
    except (OSError, TypeError, ValueError):
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ImageLoadError(path, "not a regular file (a pipe, socket or device)")
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(path, bomb_reason(exc)) from exc
    except Exception as exc:
        raise ImageLoadError(path, describe_failure(path, exc)) from exc
    # Pillow's own policy: a warning between one and two times its limit
    # (a 108-megapixel phone photo is there), an error above.
    return img


def _orientation(img):
    """The EXIF orientation still to apply to ``img`` (1: none)."""
    if img.format == "TIFF" and _pillow_turns_tiff_upright():
        return 1  # reported upright already, and turned so when loaded
    try:
        value = img.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block should not hide the pixels
        return 1
    return value if value in _ORIENTATION_TRANSPOSE else 1


@functools.cache
def _pillow_turns_tiff_upright():
    """Whether this Pillow applies a TIFF's orientation tag by itself.

    Recent versions report the upright size and rotate on load; older ones
    leave it to the caller, like for JPEG. A 2x1 TIFF tagged "rotate 90"
    tells which kind is installed.
    """
    from PIL import Image, TiffImagePlugin

    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[_EXIF_ORIENTATION] = 6
    buffer = io.BytesIO()
    Image.new("L", (2, 1)).save(buffer, format="TIFF", tiffinfo=tags)
    buffer.seek(0)
    with Image.open(buffer) as img:
        return img.size == (1, 2)


def _transpose(img, orientation):
    if orientation == 1:
        return img
    from PIL import Image

    return img.transpose(getattr(Image.Transpose, _ORIENTATION_TRANSPOSE[orientation]))


def _apply_draft(img, plan, orientation):
    """Ask the JPEG decoder for a smaller image; returns the box to resize."""
    request = plan.size
    if request is not None and orientation >= 5:
        request = request[::-1]
    result = img.draft(plan.mode, request)
    return None if result is None else result[1]


def _resize(img, size, resample, box=None):
    if img.size == tuple(size) and box is None:
        return img
    return img.resize(size, resample, box=box)


def _convert(img, mode):
    """Convert to "RGB" or "L", handling what ``Image.convert`` gets wrong."""
    if img.mode == mode and "transparency" not in img.info:
        return img
    if img.mode in _SIXTEEN_BIT_MODES:
        img = _sixteen_to_eight_bit(img)
    elif img.mode == "F":
        raise ValueError(
            "32-bit floating-point images have no standard range of values; "
            "convert the file to 8 or 16 bits"
        )
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        img = _composite_on_white(img)
    return img.convert(mode)


def _sixteen_to_eight_bit(img):
    """Scale 0-65535 to 0-255 (``Image.convert`` would clip at 255 instead)."""
    from PIL import Image

    values = np.clip(np.asarray(img), 0, 65535).astype(np.uint32)
    # round(v / 257) in integers; v / 257 is never exactly halfway.
    eight_bit = ((2 * values + 257) // 514).astype(np.uint8)
    return Image.fromarray(eight_bit)  # 2-d uint8: mode "L"


def _composite_on_white(img):
    from PIL import Image

    rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")
