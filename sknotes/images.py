"""Image files as rows of pixels: :class:`ImageFlattener` and :func:`load_image_folder`.

The notes (§1.3) read a folder of JPEG photos, stack them into an array of
shape ``(m, height, width, 3)``, flatten every image into one long vector with
``reshape`` and divide by 255. :class:`ImageFlattener` does the same as a
scikit-learn transformer, so that a ``Pipeline`` can start from file paths,
and :func:`load_image_folder` finds the files and their labels in a folder
with one subfolder per class.

Pillow is imported lazily: importing :mod:`sknotes` stays cheap.
"""

import functools
import io
import math
import os
import stat
from collections.abc import Iterable, Sized
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, Options, StrOptions

from . import _folders
from ._dask import is_dask_collection
from ._folders import class_folder_files

try:  # scikit-learn 1.9's callbacks, when present
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # noqa: D101 - a stand-in without callbacks
        pass


# fit_transform decodes in this many steps when callbacks follow it
_CALLBACK_CHUNKS = 20

__all__ = ["IMAGE_EXTENSIONS", "ImageFlattener", "ImageLoadError", "load_image_folder"]

#: File extensions (lower case) that :func:`load_image_folder` treats as images.
IMAGE_EXTENSIONS = _folders.IMAGE_EXTENSIONS


_CHANNEL_NAMES = {"RGB": ("red", "green", "blue"), "L": ("gray",)}
_PIL_MODES = {"rgb": "RGB", "grayscale": "L"}
_RESAMPLE_NAMES = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")
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

    def __init__(self, filename, reason):
        # os.fspath turns np.str_ and Path into a plain str, whose repr is
        # what a user expects to read in the message.
        self.filename = str(os.fspath(filename))
        self.reason = reason
        super().__init__(f"Cannot load image {self.filename!r}: {reason}")

    def __reduce__(self):
        return type(self), (self.filename, self.reason)


@dataclass(frozen=True)
class _DecodePlan:
    """How every image of one ``transform`` call is turned into pixels."""

    size: tuple | None  # (width, height) to resize to; None keeps the size
    mode: str  # Pillow mode of the result: "RGB" or "L"
    resample: int  # Pillow resampling filter
    draft: bool  # let the JPEG decoder shrink the image while decoding

    @property
    def channels(self):
        return len(_CHANNEL_NAMES[self.mode])


class ImageFlattener(CallbackSupportMixin, TransformerMixin, BaseEstimator):
    """Read images and flatten each one into a row of pixel values.

    This is the loader of the notes as a transformer: every image is decoded,
    made upright, converted to RGB (or grayscale), resized, flattened in
    (row, column, channel) order -- the order of ``np.asarray(img).reshape(-1)``
    -- and divided by 255. Images are decoded in parallel threads straight
    into the output array. The notes then transpose the result to one
    column per image; scikit-learn, and this transformer, keep one row per
    image.

    Parameters
    ----------
    size : (int, int), int or None, default=(64, 64)
        ``(width, height)`` to resize every image to (Pillow's order); an int
        means a square. ``None`` keeps the images as they are, which requires
        all of them to have the same size (the size seen in ``fit``, or else
        the size of the first image); an image of another size is an error
        that names it.
    color : {'rgb', 'grayscale'}, default='rgb'
        ``'rgb'`` gives three values per pixel, ``'grayscale'`` one (Pillow's
        ITU-R 601-2 luma, ``L = 0.299 R + 0.587 G + 0.114 B``).
    normalize : bool, default=True
        Divide the values by 255 so that they lie in [0, 1], as the notes do.
        If False the values stay in [0, 255].
    resample : {'bilinear', 'nearest', 'bicubic', 'lanczos', 'box', \
'hamming'}, default='bilinear'
        Pillow's filter for resizing. Pillow widens the filter when
        shrinking, so every filter but ``'nearest'`` averages over the
        source pixels instead of skipping them.
    draft : bool, default=True
        Let the JPEG decoder shrink the image by 1/2, 1/4 or 1/8 while
        decoding (the most that still leaves at least ``size`` pixels), and
        decode straight to grayscale when ``color='grayscale'``. With the
        smaller resize that follows, this loads photos about twice as fast
        (see ``benchmarks/image_loading.py``), at the price of slightly
        different values: on photos shrunk to 64x64, under 1/255 on average
        and 6/255 at the 99th percentile away from the exact path (more at
        sharp edges). ``False`` decodes every image at full resolution, so
        that the result is exactly that of ``Image.open``, the EXIF
        rotation, ``convert(mode)`` and ``resize(size, filter)``. Formats
        other than JPEG are always decoded exactly.
    dtype : {np.float32, np.float64}, default=np.float32
        Type of the output. float32 halves the memory and is what the
        estimators of this package train in when given float32 input.
    n_jobs : int, default=None
        Number of threads that decode images. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.
        Threads suffice because Pillow releases the GIL while decoding and
        resizing.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(height, width, channels)`` of the images after resizing, so that
        a row reshaped to it is the image again.
    n_features_out_ : int
        Length of an output row, ``height * width * channels``.

    See Also
    --------
    load_image_folder : Find image files and their labels in class folders.
    ImageLoadError : The error raised for a file that cannot be read.

    Notes
    -----
    **Input.** ``transform`` accepts a list, tuple, 1-d (or one-column)
    array, pandas Series or one-column DataFrame of paths (``str`` or
    ``os.PathLike``), or images already in memory as a ``uint8`` array of
    shape ``(n, height, width)`` (grayscale) or ``(n, height, width,
    channels)`` with 1, 3 or 4 channels, which go through the same
    conversion and resizing as decoded files.
    ``fit`` learns nothing from the images (with ``size=None`` it reads the
    size of the first one); ``transform`` also works on an unfitted instance.
    ``n_features_in_`` is not set, as the input is one path per image rather
    than a matrix of features.

    **Formats.** Whatever Pillow reads: JPEG (baseline and progressive),
    PNG, GIF (the first frame), BMP, TIFF, WebP, PNM and more; the format is
    recognised from the content, not the file name. The EXIF orientation
    tag is applied, so photos come out the way a viewer shows them. Palette
    and 1-bit images are expanded, CMYK is converted with Pillow's formula
    ``R = (255 - C)(255 - K) / 255``, and 16-bit images (Pillow modes
    ``I;16`` and ``I``, taken to span 0-65535) are scaled to 8 bits by
    ``round(v / 257)`` rather than clipped. Transparent pixels (an alpha
    channel or a transparent palette colour) are composited onto a white
    background, as an image viewer shows them on a white page. 32-bit
    floating-point images are refused, as they have no standard range.

    **Errors.** A file that cannot be read raises :class:`ImageLoadError`
    naming it and the reason: missing, a directory, empty, truncated,
    corrupt, not an image, or more than twice ``PIL.Image.MAX_IMAGE_PIXELS``
    pixels (Pillow's decompression-bomb guard, 179 megapixels by default;
    between one and two times the limit Pillow only warns, so that the
    largest phone photos load). A truncated file is an error unless you
    have set ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES``. Nothing is returned
    when any image fails.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn.datasets import load_sample_image
    >>> from sknotes.images import ImageFlattener
    >>> tmp = tempfile.TemporaryDirectory()
    >>> paths = [Path(tmp.name) / "china.jpg", Path(tmp.name) / "flower.jpg"]
    >>> for path in paths:
    ...     Image.fromarray(load_sample_image(path.name)).save(path)
    >>> flattener = ImageFlattener(size=(32, 24)).fit(paths)
    >>> X = flattener.transform(paths)
    >>> X.shape, X.dtype
    ((2, 2304), dtype('float32'))
    >>> flattener.image_shape_
    (24, 32, 3)
    >>> bool(X.min() >= 0 and X.max() <= 1)
    True
    >>> flattener.get_feature_names_out()[:4]
    array(['r0_c0_red', 'r0_c0_green', 'r0_c0_blue', 'r0_c1_red'], dtype=object)
    >>> tmp.cleanup()
    """

    _parameter_constraints: dict = {
        "size": [None, Interval(Integral, 1, None, closed="left"), tuple, list],
        "color": [StrOptions(set(_PIL_MODES))],
        "normalize": ["boolean"],
        "resample": [StrOptions(set(_RESAMPLE_NAMES))],
        "draft": ["boolean"],
        "dtype": [
            Options(type, {np.float32, np.float64}),
            StrOptions({"float32", "float64"}),
        ],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        size=(64, 64),
        *,
        color="rgb",
        normalize=True,
        resample="bilinear",
        draft=True,
        dtype=np.float32,
        n_jobs=None,
    ):
        self.size = size
        self.color = color
        self.normalize = normalize
        self.resample = resample
        self.draft = draft
        self.dtype = dtype
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and record the shape of the output.

        Nothing is learned from the images. With ``size=None`` the size of
        the first image is read (its header only) and every image passed to
        ``transform`` later must have that size.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or uint8 ndarray
            Image paths, or images as a ``(n, height, width[, channels])``
            array. See the class Notes.
        y : None
            Ignored.

        Returns
        -------
        self : ImageFlattener
            This transformer.
        """
        plan = self._plan()
        if is_dask_collection(X):
            # only the first image's header is read, and only without a size
            X = _first_of_dask(X)
        sources = _as_sources(X)
        width, height = plan.size or _native_size(sources[0])
        self.image_shape_ = (height, width, plan.channels)
        self.n_features_out_ = height * width * plan.channels
        return self

    def transform(self, X):
        """Read, resize, flatten and scale the images.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or uint8 ndarray
            Image paths, or images as a ``(n, height, width[, channels])``
            array. See the class Notes.

        Returns
        -------
        X_out : ndarray of shape (n_images, height * width * channels)
            One row per image, in (row, column, channel) order.

        Raises
        ------
        ImageLoadError
            If a file cannot be read; the message names the file.
        """
        if not hasattr(self, "image_shape_"):
            # Stateless: an unfitted instance still checks its parameters.
            self._validate_params()
        plan = self._plan()
        if is_dask_collection(X):
            return self._transform_dask(X, plan)
        sources = _as_sources(X)
        height, width = self._output_hw(plan, sources)
        out = np.empty(
            (len(sources), height * width * plan.channels), np.dtype(self.dtype)
        )
        n_jobs = min(effective_n_jobs(self.n_jobs), len(sources))
        fill = (
            _fill_from_arrays if isinstance(sources, np.ndarray) else _fill_from_files
        )
        fill(sources, plan, (width, height), out, self.normalize, n_jobs)
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then decode the images: one row per image.

        The same as ``fit(X).transform(X)``. With scikit-learn callbacks set
        (``set_callbacks``, scikit-learn 1.9), the decoding is a task with
        one subtask per chunk of images, so that a ``ProgressBar`` follows
        it. A callback cannot stop the decoding: every image is one row of
        the result.

        Parameters
        ----------
        X : sequence of str or os.PathLike, or uint8 ndarray
            Image paths, or images as an array. See the class Notes.
        y : None
            Ignored.

        Returns
        -------
        X_out : ndarray of shape (n_images, height * width * channels)
        """
        if isinstance(X, Iterable) and not isinstance(X, Sized):
            # read once: a generator of paths is used up after one pass
            X = list(X)
        self.fit(X)
        if is_dask_collection(X) or not getattr(self, "_skl_callbacks", None):
            return self.transform(X)
        return self._transform_with_callbacks(X)

    def _transform_with_callbacks(self, X):
        sources = _as_sources(X)
        n_parts = _n_parts(len(sources), _CALLBACK_CHUNKS)
        context = self._init_callback_context(max_subtasks=n_parts)
        context.call_on_fit_task_begin(estimator=self, X=X)
        tasks = []

        def before():
            tasks.append(context.subcontext(task_name="decode"))
            tasks[-1].call_on_fit_task_begin(estimator=self)

        def after(n_done):
            tasks[-1].call_on_fit_task_end(estimator=self)

        out = self._transform_by_parts(sources, _CALLBACK_CHUNKS, before, after)
        context.call_on_fit_task_end(estimator=self, X=X)
        return out

    def _transform_by_parts(self, sources, n_parts, before=None, after=None):
        """``transform(sources)`` decoded in about ``n_parts`` consecutive parts.

        ``before()`` runs before each part and ``after(n_done)`` after it,
        with the number of images decoded so far: progress bars and
        callbacks follow the decoding through them.
        """
        step = -(-len(sources) // _n_parts(len(sources), n_parts))
        parts = []
        for start in range(0, len(sources), step):
            if before is not None:
                before()
            parts.append(self.transform(sources[start : start + step]))
            if after is not None:
                after(start + len(parts[-1]))
        return np.concatenate(parts)

    def _transform_dask(self, X, plan):
        """A dask array of paths -> a dask array of rows, decoded on the workers."""
        if hasattr(X, "to_dask_array"):  # a dask Series or one-column DataFrame
            X = X.to_dask_array(lengths=True)
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise ValueError(
                f"Expected a 1-d dask array of image paths, got {X.ndim} dimensions."
            )
        height, width = self._output_hw(plan, _as_sources(_first_of_dask(X)))
        n_out = height * width * plan.channels
        return X.map_blocks(
            self.transform,
            new_axis=1,
            chunks=(X.chunks[0], (n_out,)),
            dtype=np.dtype(self.dtype),
        )

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, like ``'r0_c1_red'``.

        ``r`` is the pixel row from the top, ``c`` the column from the left,
        and the suffix the channel (``red``, ``green``, ``blue`` or
        ``gray``).

        Parameters
        ----------
        input_features : None
            Ignored; the input is one path per image, not features.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``n_features_out_`` names in the order of the output columns.
        """
        if hasattr(self, "image_shape_"):
            height, width, n_channels = self.image_shape_
            channels = _CHANNEL_NAMES["RGB" if n_channels == 3 else "L"]
        elif self._validate_size() is not None:
            width, height = self._validate_size()
            channels = _CHANNEL_NAMES[_PIL_MODES[self.color]]
        else:
            raise NotFittedError(
                "With size=None the output shape depends on the images; "
                "call fit before get_feature_names_out."
            )
        return np.asarray(
            [
                f"r{row}_c{col}_{channel}"
                for row in range(height)
                for col in range(width)
                for channel in channels
            ],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = []
        return tags

    def _plan(self):
        from PIL import Image

        resample = getattr(Image.Resampling, self.resample.upper())
        return _DecodePlan(
            self._validate_size(), _PIL_MODES[self.color], resample, self.draft
        )

    def _validate_size(self):
        """``size`` as a (width, height) tuple of ints, or None."""
        size = self.size
        if size is None:
            return None
        if isinstance(size, Integral) and not isinstance(size, bool):
            return (int(size), int(size))
        if (
            not isinstance(size, tuple | list)
            or len(size) != 2
            or not all(
                isinstance(v, Integral) and not isinstance(v, bool) and v >= 1
                for v in size
            )
        ):
            raise ValueError(
                f"size must be None, a positive int or a (width, height) pair "
                f"of positive ints; got {size!r}."
            )
        return (int(size[0]), int(size[1]))

    def _output_hw(self, plan, sources):
        """(height, width) of every output image; checks fit's channels."""
        if hasattr(self, "image_shape_"):
            height, width, channels = self.image_shape_
            if plan.size is not None and plan.size != (width, height):
                raise ValueError(
                    f"size was changed to {plan.size} after fit; fit again."
                )
            if channels != plan.channels:
                raise ValueError("color was changed after fit; fit again.")
            return height, width
        width, height = plan.size or _native_size(sources[0])
        return height, width


def _n_parts(n, wanted):
    """How many parts of at least one item ``n`` items make, ``wanted`` at most."""
    return -(-n // max(1, -(-n // wanted))) if n else 0


def _first_of_dask(X):
    """The first element of a dask collection of paths, as a one-item list."""
    if hasattr(X, "to_dask_array"):
        X = X.to_dask_array(lengths=True)
    if X.shape[0] == 0:
        raise ValueError("Expected at least one image path, got an empty sequence.")
    return list(np.asarray(X[:1].compute()).ravel())


def _as_sources(X):
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


def _native_size(source):
    """(width, height) of an image as it will be shown (after EXIF rotation)."""
    if isinstance(source, np.ndarray):
        return source.shape[1], source.shape[0]
    with _open_image(source) as img:
        width, height = img.size
        if _orientation(img) >= 5:  # rotated by 90 degrees
            width, height = height, width
    return width, height


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


def _store(pixels, row, normalize):
    """Write one image's uint8 pixels into its row of the output."""
    flat = pixels.reshape(-1)
    if not normalize:
        row[:] = flat
    else:
        # Computed in the output dtype, so float32 output equals
        # ``pixels.astype(np.float32) / 255`` exactly.
        np.divide(flat, row.dtype.type(255), out=row, dtype=row.dtype)


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
            "The image array does not fit: " + _size_mismatch(images.shape[1:3], size)
        )
    if images.shape[1:3] == size[::-1] and channels == plan.channels:
        # Already the right size and colour: no Pillow round trip.
        flat = images.reshape(n, -1)
        if not normalize:
            out[:] = flat
        else:
            np.divide(flat, out.dtype.type(255), out=out, dtype=out.dtype)
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
        raise ImageLoadError(path, _bomb_reason(exc)) from exc
    except Exception as exc:
        raise ImageLoadError(path, _describe_failure(path, exc)) from exc
    if (pixels.shape[1], pixels.shape[0]) != size:  # only when size=None
        raise ImageLoadError(path, _size_mismatch(pixels.shape, size))
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


def _size_mismatch(shape, expected):
    return (
        f"its size is {shape[1]}x{shape[0]} (width x height) but "
        f"{expected[0]}x{expected[1]} was expected: with size=None every "
        "image must have the size of the first one (or the one seen in "
        "fit); set size=(width, height) to resize them all"
    )


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
        raise ImageLoadError(path, _bomb_reason(exc)) from exc
    except Exception as exc:
        raise ImageLoadError(path, _describe_failure(path, exc)) from exc
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


def _bomb_reason(exc):
    return (
        f"{exc} PIL.Image.MAX_IMAGE_PIXELS is the guard against "
        "decompression bombs; raise it if you trust the file "
        "(--max-image-pixels on the command line)"
    )


def _describe_failure(path, exc):
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
    if text.startswith((b"<!doctype html", b"<html")):
        kind = "it is an HTML page, perhaps an error page saved by a download"
    elif all(32 <= byte < 127 or byte in b"\t\r\n" for byte in head):
        kind = "it looks like a text file"
    else:
        kind = "unknown or damaged format"
    return f"not an image file Pillow can read: {kind} (starts with {head[:16]!r})"


def load_image_folder(path, *, extensions=None, return_X_y=False):
    """Find the image files in a folder with one subfolder per class.

    The layout is the one of :func:`sklearn.datasets.load_files`::

        path/
            cat/
                001.jpg
                002.jpg
            dog/
                001.jpg

    Parameters
    ----------
    path : str or os.PathLike
        The folder. Each subfolder is a class, named after the subfolder;
        files directly in ``path`` are ignored, and subfolders of class
        folders are not searched.
    extensions : str or collection of str, default=None
        File extensions that mark image files, with or without the dot, in
        any case (``"jpg"``, ``[".JPG", "png"]``).
        ``None`` uses :data:`IMAGE_EXTENSIONS` (JPEG, PNG, GIF, BMP, TIFF,
        WebP, AVIF, JPEG 2000, PNM, ...), plus HEIC and HEIF when a Pillow
        plugin for them is installed, and also keeps any file whose first
        bytes are the signature of a JPEG, PNG, GIF, BMP, TIFF or WebP file,
        whatever its name (a JPEG saved as ``photo.heic``). With explicit
        extensions, only files without an extension are recognised that way.
    return_X_y : bool, default=False
        Return ``(filenames, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames``: ndarray of str, the paths, sorted by class then name;
        ``target``: ndarray of int, the index of each file's class in
        ``target_names``; ``target_names``: ndarray of str, the class names
        in sorted order; ``skipped``: ndarray of str, the files in the
        class folders that were left out as not images (hidden files
        aside).
    (filenames, target) : tuple of ndarray
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    NotADirectoryError
        If ``path`` is not a folder.
    ValueError
        If ``path`` has no class subfolders, or a class folder has no
        images.

    Notes
    -----
    Names starting with a dot (hidden files and folders, like ``.DS_Store``
    or ``.ipynb_checkpoints``) are skipped, and so are files with other
    extensions (``labels.csv``, ``notes.txt``). An entry with an image
    extension is kept even if its content is broken, or if it is a broken
    symbolic link, a link loop or a named pipe, so that
    :class:`ImageFlattener` reports it, naming the file and the reason,
    rather than it silently vanishing.
    Order is deterministic: classes and files sorted by name.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sknotes.images import load_image_folder
    >>> tmp = tempfile.TemporaryDirectory()
    >>> for name in ["cat/1.png", "cat/2.png", "dog/1.png"]:
    ...     file = Path(tmp.name) / name
    ...     file.parent.mkdir(exist_ok=True)
    ...     Image.new("RGB", (8, 8)).save(file)
    >>> data = load_image_folder(tmp.name)
    >>> data.target_names.tolist(), data.target.tolist()
    (['cat', 'dog'], [0, 0, 1])
    >>> [Path(f).relative_to(tmp.name).as_posix() for f in data.filenames]
    ['cat/1.png', 'cat/2.png', 'dog/1.png']
    >>> tmp.cleanup()
    """
    data = class_folder_files(path, extensions)
    if return_X_y:
        return data.filenames, data.target
    return data
