"""Image files as rows of pixels: :class:`ImageFlattener` and :func:`load_image_folder`.

The notes (§1.3) read a folder of JPEG photos, stack them into an array of
shape ``(m, height, width, 3)``, flatten every image into one long vector with
``reshape`` and divide by 255. :class:`ImageFlattener` does the same as a
scikit-learn transformer, so that a ``Pipeline`` can start from file paths,
and :func:`load_image_folder` finds the files and their labels in a folder
with one subfolder per class.

Pillow is imported lazily: importing :mod:`sknotes` stays cheap.
"""

from collections.abc import Iterable, Sized
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, Options, StrOptions

from . import _folders
from ._callbacks import CallbackSupportMixin
from ._dask import is_dask_collection
from ._decoding import (
    CHANNEL_NAMES,
    PIL_MODES,
    RESAMPLE_NAMES,
    as_sources,
    decode_into,
    decode_plan,
    first_of_dask,
    native_size,
    output_hw,
    part_count,
    transform_in_parts,
    validated_size,
)
from ._image_errors import ImageLoadError

# fit_transform decodes in this many steps when callbacks follow it
_CALLBACK_CHUNKS = 20

__all__ = ["IMAGE_EXTENSIONS", "ImageFlattener", "ImageLoadError", "load_image_folder"]

#: File extensions (lower case) that :func:`load_image_folder` treats as images.
IMAGE_EXTENSIONS = _folders.IMAGE_EXTENSIONS


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
        "color": [StrOptions(set(PIL_MODES))],
        "normalize": ["boolean"],
        "resample": [StrOptions(set(RESAMPLE_NAMES))],
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
            X = first_of_dask(X)
        sources = as_sources(X)
        width, height = plan.size or native_size(sources[0])
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
        sources = as_sources(X)
        height, width = output_hw(plan, sources, getattr(self, "image_shape_", None))
        out = np.empty(
            (len(sources), height * width * plan.channels), np.dtype(self.dtype)
        )
        n_jobs = min(effective_n_jobs(self.n_jobs), len(sources))
        decode_into(sources, plan, (width, height), out, self.normalize, n_jobs)
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
        sources = as_sources(X)
        n_parts = part_count(len(sources), _CALLBACK_CHUNKS)
        context = self._init_callback_context(max_subtasks=n_parts)
        context.call_on_fit_task_begin(estimator=self, X=X)
        tasks = []

        def before():
            tasks.append(context.subcontext(task_name="decode"))
            tasks[-1].call_on_fit_task_begin(estimator=self)

        def after(n_done):
            tasks[-1].call_on_fit_task_end(estimator=self)

        out = transform_in_parts(
            self.transform, sources, _CALLBACK_CHUNKS, before, after
        )
        context.call_on_fit_task_end(estimator=self, X=X)
        return out

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
        first = as_sources(first_of_dask(X))
        height, width = output_hw(plan, first, getattr(self, "image_shape_", None))
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
            channels = CHANNEL_NAMES["RGB" if n_channels == 3 else "L"]
        elif validated_size(self.size) is not None:
            width, height = validated_size(self.size)
            channels = CHANNEL_NAMES[PIL_MODES[self.color]]
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
        return decode_plan(self.size, self.color, self.resample, self.draft)


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
    data = _folders.class_folder_files(path, extensions)
    if return_X_y:
        return data.filenames, data.target
    return data
