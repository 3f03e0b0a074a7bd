"""``sknotes predict``: label images with a model that ``sknotes fit`` saved.

One line per readable image on standard output: the path, the predicted
label and its probability, separated by tabs. Folders are searched for
images; the images that cannot be read are named together at the end.
"""

import contextlib
from pathlib import Path

import numpy as np

from .options import (
    MODEL_FILES,
    CommandError,
    add_n_jobs_option,
    add_pixel_limit_option,
    apply_pixel_limit,
)
from .output import count, quote
from .progress import Progress

__all__ = ["add_parser", "run"]


def add_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="label images with a saved model",
        description="Print one line per image: the path, the predicted label "
        "and its probability, separated by tabs.",
        epilog="Security: " + MODEL_FILES,
    )
    parser.add_argument("model", metavar="MODEL", help="model file from 'sknotes fit'")
    parser.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a pickle (joblib) model file; a pickle runs any code "
        "it contains, so only use this for files you made or trust",
    )
    parser.add_argument(
        "images",
        metavar="IMAGE",
        nargs="+",
        help="image files, or folders to search for image files at any depth",
    )
    add_pixel_limit_option(parser)
    add_n_jobs_option(parser, default=None)
    parser.set_defaults(run=run)


def run(args):
    apply_pixel_limit(args)
    model = _load_model(args.model, allow_pickle=args.allow_pickle)
    if args.n_jobs is not None and hasattr(model, "set_params"):
        with contextlib.suppress(ValueError):
            model.set_params(imageflattener__n_jobs=args.n_jobs)
    images = _expand_folders(args.images)
    failures = []
    X = Progress(plain=True).load(model[0], images, "", failures=failures)
    bad = {index for index, _ in failures}
    readable = [path for index, path in enumerate(images) if index not in bad]
    if readable:
        proba = model[1:].predict_proba(X)
        best = proba.argmax(axis=1)
        for path, label, probability in zip(
            readable,
            model.classes_[best],
            proba[np.arange(len(best)), best],
            strict=True,
        ):
            print(f"{quote(path)}\t{quote(label)}\t{probability:.4f}")
    if failures:
        listed = "; ".join(
            f"{quote(exc.filename)} ({exc.reason})" for _, exc in failures
        )
        raise CommandError(
            f"{len(failures)} of {count(len(images), 'image')} cannot be read, "
            f"so they have no result line: {listed}"
        )


def _expand_folders(paths):
    """``paths`` with every folder replaced by the image files under it.

    Folders are searched at any depth, in sorted order, for what
    :func:`~sknotes.images.load_image_folder` counts as images; other files
    in them are skipped, as in ``fit``.
    """
    from .._folders import image_files, normalised_extensions

    wanted = normalised_extensions(None)
    expanded = []
    for path in paths:
        if not Path(path).is_dir():
            expanded.append(path)
            continue
        images, _ = image_files(Path(path), wanted, sniff_all=True, recursive=True)
        found = [str(file) for file in images]
        if not found:
            raise CommandError(f"the folder {path} holds no image files")
        expanded.extend(found)
    return expanded


def _load_model(path, allow_pickle=False):
    from sklearn.pipeline import Pipeline

    from .._model_files import ModelFileError, load_model

    try:
        model = load_model(path, allow_pickle=allow_pickle)
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    from ..images import ImageFlattener

    if isinstance(model, Pipeline) and isinstance(model[0], ImageFlattener):
        if hasattr(model[-1], "predict_proba") and hasattr(model, "classes_"):
            return model
    what = type(model).__name__
    if hasattr(model, "predict_proba") and not isinstance(model, Pipeline):
        raise CommandError(
            f"{path} holds a bare {what}, without the ImageFlattener that turns "
            "images into its input; sknotes predict needs the pipeline that "
            "'sknotes fit --out' saves"
        )
    raise CommandError(
        f"{path} holds a {what}, not a fitted image classifier; make one with "
        "'sknotes fit ... --out MODEL'"
    )
