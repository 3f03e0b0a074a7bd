"""The ``sknotes`` command line: train and apply image classifiers.

Run ``sknotes COMMAND --help`` (or ``python -m sknotes COMMAND --help``) for
the options of each command:

``sknotes fit TRAIN_DIR``
    Train ``ImageFlattener`` followed by logistic regression (or the shallow
    or deep network) on a folder with one subfolder of images per class;
    print the accuracy, save the model and a plot of the cost.
``sknotes predict MODEL IMAGE...``
    Print the predicted label and its probability for each image.
``sknotes demo``
    The whole pipeline on scikit-learn's handwritten digits, written out as
    JPEG files first, next to scikit-learn's own classifiers. Needs no data.

Results go to standard output, progress to standard error. Errors print a
message and exit with status 1.

Model files are written with ``skops.io`` (the ``[skops]`` extra), which
stores the fitted state without any code: ``sknotes predict`` loads a file
only when every type in it is numpy's, scikit-learn's or sknotes' own, and
names the other types when it refuses one. Pickle files (joblib) can run
arbitrary code when loaded; ``predict`` opens them only with
``--allow-pickle``.
"""

import argparse
import contextlib
import importlib
import importlib.util
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from . import _memory
from ._memory import format_bytes

__all__ = ["main"]

_PROG = "sknotes"
_MODEL_FILES = (
    "Model files are skops files: they hold the fitted state and no code, and "
    "only numpy, scikit-learn and sknotes types are loaded from them. A "
    "pickle (joblib) file can run any code when loaded; predict opens one "
    "only with --allow-pickle."
)


# --model -> (module of sknotes, estimator class)
_MODELS = {
    "logistic": ("linear_model", "GDLogisticRegression"),
    "shallow": ("neural_network", "ShallowNNClassifier"),
    "deep": ("neural_network", "DeepNNClassifier"),
}


class CommandError(Exception):
    """A problem with the user's input, reported without a traceback."""


def main(argv=None):
    """Run the command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``sys.argv[1:]`` if None.

    Returns
    -------
    status : int
        0 on success, 1 on an error in the input, 2 on a usage error.

    Examples
    --------
    >>> from sknotes.__main__ import main
    >>> main(["predict", "no-such-model.joblib", "cat.jpg"])
    1
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse printed
        return exc.code if isinstance(exc.code, int) else 2
    try:
        with warnings.catch_warnings():
            # Pillow's warning for images between one and two times its
            # limit: --max-image-pixels is where a user decides about that.
            warnings.filterwarnings("ignore", message=r"Image size \(\d+ pixels\)")
            args.run(args)
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except MemoryError:
        # The estimate of _check_memory is a rough one: what it lets through
        # can still not fit beside the other programs running.
        print(
            f"{_PROG} {args.command}: error: not enough memory; try a smaller "
            "--size, --grayscale or fewer --hidden units (fit), or fewer "
            "images at a time (predict)",
            file=sys.stderr,
        )
        return 1
    except (CommandError, ValueError, OSError, ImportError) as exc:
        # ImageLoadError (a ValueError) and folder errors name the file.
        print(f"{_PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _build_parser():
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Image classifiers from the deep-learning course notes, "
        "as scikit-learn pipelines.",
        epilog=_MODEL_FILES,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_fit_parser(commands)
    _add_predict_parser(commands)
    _add_demo_parser(commands)
    return parser


def _add_fit_parser(commands):
    parser = commands.add_parser(
        "fit",
        help="train a classifier on a folder of class subfolders",
        description="Train ImageFlattener followed by a classifier on TRAIN_DIR, "
        "which holds one subfolder of images per class (the subfolder names "
        "are the labels). Prints the accuracy and the fit time.",
        epilog="Example: sknotes fit data/train --test data/test "
        "--out model.skops --plot cost.png",
    )
    parser.add_argument("train_dir", metavar="TRAIN_DIR", help="training folder")
    parser.add_argument(
        "--test",
        metavar="TEST_DIR",
        help="folder with the same class subfolders, to measure test accuracy "
        "(its cost is also drawn in the plot)",
    )
    parser.add_argument(
        "--model",
        choices=list(_MODELS),
        default="logistic",
        help="GDLogisticRegression, ShallowNNClassifier or DeepNNClassifier "
        "(default: logistic)",
    )
    _add_image_options(parser)
    _add_pixel_limit_option(parser)
    parser.add_argument(
        "--skip-bad-images",
        action="store_true",
        help="leave out the images that cannot be read (each is listed, with "
        "the reason); by default the command names them all and stops",
    )
    parser.add_argument(
        "--max-iter",
        type=_positive_int,
        metavar="N",
        help="gradient steps (default: the estimator's)",
    )
    parser.add_argument(
        "--learning-rate",
        type=_learning_rate,
        metavar="X",
        help="gradient step size, or 'auto' (default: the estimator's)",
    )
    parser.add_argument(
        "--tol",
        type=_non_negative_float,
        metavar="X",
        help="stop once the cost has changed by less than X for several "
        "iterations in a row (the estimator's n_iter_no_change); 0 turns this "
        "rule off, so that all --max-iter iterations run (default: the "
        "estimator's)",
    )
    parser.add_argument(
        "--alpha",
        type=_non_negative_float,
        metavar="X",
        help="L2 penalty on the weights; a larger one (0.001, 0.01, ...) "
        "counters overfitting (default: the estimator's, 0)",
    )
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out a tenth of the training images and stop when their "
        "cost stops falling, keeping the best weights (the --test images are "
        "never used for this)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the networks' random starting weights, so that a run can "
        "be repeated (default: 0)",
    )
    parser.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        metavar="N",
        help="hidden units: one number for the shallow network, one per hidden "
        "layer for the deep network, first to last (e.g. --hidden 20 7 5)",
    )
    parser.add_argument(
        "--out",
        type=nonempty_file_name,
        metavar="MODEL",
        help="save the fitted pipeline here, as a skops file (needs the [skops] "
        "extra); a file replaced keeps its permissions, a symbolic link is "
        "written through",
    )
    parser.add_argument(
        "--save-interrupted",
        action="store_true",
        help="on Ctrl-C during training, still save the model reached so far "
        "to --out (by default an interrupted run saves nothing and exits 130)",
    )
    parser.add_argument(
        "--plot",
        type=nonempty_file_name,
        metavar="IMAGE",
        help="save the cost curve here (needs matplotlib)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines on standard error"
    )
    parser.set_defaults(run=_run_fit)


def _add_predict_parser(commands):
    parser = commands.add_parser(
        "predict",
        help="label images with a saved model",
        description="Print one line per image: the path, the predicted label "
        "and its probability, separated by tabs.",
        epilog="Security: " + _MODEL_FILES,
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
    _add_pixel_limit_option(parser)
    parser.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=None,
        metavar="N",
        help="decoding threads (-1: all processors)",
    )
    parser.set_defaults(run=_run_predict)


def _add_demo_parser(commands):
    parser = commands.add_parser(
        "demo",
        help="the whole pipeline on handwritten digits, no data needed",
        description="Write scikit-learn's 1,797 handwritten digits as "
        "grayscale JPEG files into class folders in a temporary folder, load "
        "them with ImageFlattener, train GDLogisticRegression, and compare "
        "it with scikit-learn's LogisticRegression and MLPClassifier on the "
        "same features.",
    )
    parser.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="decoding threads (default: -1, all processors)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer images and iterations"
    )
    parser.set_defaults(run=_run_demo)


def _add_pixel_limit_option(parser):
    parser.add_argument(
        "--max-image-pixels",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="Pillow's decompression-bomb limit: images of more than twice N "
        "pixels are refused (default: Pillow's, 89478485, so up to 179 "
        "megapixels); 0 for no limit",
    )


def _apply_pixel_limit(args):
    if args.max_image_pixels is not None:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = args.max_image_pixels or None


def _add_image_options(parser):
    parser.add_argument(
        "--size",
        nargs="+",
        type=_positive_int,
        action=_SizeAction,
        default=(64, 64),
        metavar="N",
        help="resize images to W x H pixels, given as two numbers W H, or as "
        "one number N for N x N (default: 64 64)",
    )
    parser.add_argument(
        "--grayscale", action="store_true", help="one value per pixel instead of RGB"
    )
    parser.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="decoding threads (default: -1, all processors)",
    )


class _SizeAction(argparse.Action):
    """``--size W H``, or ``--size N`` for ``N x N``: a (width, height) pair."""

    def __call__(self, parser, namespace, values, option_string=None):
        if len(values) > 2:
            raise argparse.ArgumentError(
                self,
                f"takes one number (N x N pixels) or two (W H), got {len(values)}",
            )
        setattr(namespace, self.dest, (values[0], values[-1]))


def _seed(text):
    # the range numpy's random generators take as a seed
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {2**32 - 1}, got {text!r}"
        )
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must be a number of threads, or -1 for one per processor (-2 for "
            f"all processors but one, and so on), got {text!r}"
        )
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"must be an integer of at least 0, got {text!r}"
        )
    return value


def nonempty_file_name(text):
    """``text`` as the name of a file to write; refused when blank.

    The type of the command line's output options: an empty name would
    otherwise read as "no file", and the output would be silently dropped.

    Examples
    --------
    >>> nonempty_file_name("model.skops")
    'model.skops'
    >>> nonempty_file_name("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: the file name is empty; give a file to write
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("the file name is empty; give a file to write")
    return text


def _finite_float(text, requirement):
    """``float(text)``, or an argparse error that says what was expected."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
    return value


def _learning_rate(text):
    if text == "auto":
        return text
    requirement = "a positive number or 'auto'"
    value = _finite_float(text, requirement)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
    return value


def _non_negative_float(text):
    requirement = "a number of at least 0"
    value = _finite_float(text, requirement)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
    return value


def _say(message):
    """A progress line, on standard error so that results stay clean."""
    print(message, file=sys.stderr, flush=True)


# -- fit ---------------------------------------------------------------------


def _run_fit(args):
    from sklearn.pipeline import make_pipeline

    from ._progress import Progress
    from .images import ImageFlattener, load_image_folder

    say = (lambda message: None) if args.quiet else _say
    _apply_pixel_limit(args)
    # Every option is checked before the first image is read: a typo should
    # not cost the minutes that decoding a large folder takes.
    estimator = _make_estimator(args)
    if args.test:
        _check_folder_exists(args.test, "test")
    if args.plot:
        _check_plotting_available()
        _check_plot_format(args.plot)
        _check_writable(args.plot, "--plot")
    if args.out:
        _check_writable(args.out, "--out")
        if importlib.util.find_spec("skops") is None:
            raise CommandError(
                '--out needs skops; install it with: pip install "sknotes[skops]"'
            )
    train = load_image_folder(args.train_dir)
    test = load_image_folder(args.test) if args.test else None
    for data in (train, test):
        if data is not None and len(data.skipped):
            _say_skipped(say, data.skipped)
    if len(train.target_names) < 2:
        raise CommandError(
            f"{args.train_dir} has only one class folder "
            f"({_quote(train.target_names[0])}); a classifier needs at least two"
        )
    if test is not None:
        _check_test_classes(train.target_names, test.target_names, args.test)
    n_images = len(train.filenames) + (0 if test is None else len(test.filenames))
    _check_memory(args, estimator, n_images, len(train.target_names))

    flattener = ImageFlattener(
        size=tuple(args.size),
        color="grayscale" if args.grayscale else "rgb",
        n_jobs=args.n_jobs,
    )
    say(
        f"Loading {len(train.filenames)} training images in "
        f"{len(train.target_names)} classes from {args.train_dir}"
    )
    progress = Progress(plain=True if args.quiet else None)
    start = time.perf_counter()
    failures = {}
    X_train, y_train = _load_images(progress, flattener, train, "training", failures)
    X_test = y_test = None
    if test is not None:
        say(f"Loading {len(test.filenames)} test images from {args.test}")
        X_test, y_test = _load_images(progress, flattener, test, "test", failures)
    _handle_unreadable(failures, args.skip_bad_images)
    if failures:
        _check_readable_classes(y_train, train, args.train_dir)
    seconds = time.perf_counter() - start
    n_images = len(X_train) + (0 if X_test is None else len(X_test))
    say(f"Loaded in {seconds:.2f} s ({n_images / seconds:.0f} images/s)")

    say(f"Training {estimator}")
    start = time.perf_counter()
    try:
        _fit_reporting_progress(
            estimator, X_train, y_train, X_test, y_test, args.quiet, progress
        )
    except KeyboardInterrupt:
        # Ctrl-C stops the program (exit 130). The estimator holds the
        # iterations reached; it is saved only when asked for.
        if args.out and args.save_interrupted and hasattr(estimator, "n_iter_"):
            _save_model(make_pipeline(flattener, estimator), args.out)
            _say(
                f"interrupted after {estimator.n_iter_} iterations; that model "
                f"was saved to {args.out} (--save-interrupted)"
            )
        elif args.out:
            _say(f"interrupted; no model was saved to {args.out}")
        raise
    fit_time = time.perf_counter() - start
    pipeline = make_pipeline(flattener, estimator)

    print(f"train accuracy: {estimator.score(X_train, y_train):.4f}")
    test_accuracy = None
    if test is not None:
        test_accuracy = estimator.score(X_test, y_test)
        print(f"test accuracy:  {test_accuracy:.4f}")
    print(f"fit time:       {fit_time:.2f} s ({estimator.n_iter_} iterations)")
    reason = estimator.stop_reason_
    print(f"stopped:        {reason} ({_explain_stop(reason, estimator)})")
    if test is not None:
        _print_test_report(estimator, X_test, y_test)
        overfitting = _draws_test_cost(estimator) and _overfitting(estimator)
        if overfitting:
            say(f"warning: {overfitting}")
    # A model that got worse while training, or that does no better than
    # chance on the test images, is a failed run: say why, exit 1, save
    # nothing (the accuracies above still show what was reached).
    failure = _training_failure(estimator, args)
    if failure is None and test_accuracy is not None:
        failure = _chance_failure(test_accuracy, y_test)
        if len(np.unique(y_test)) == 1:
            say(
                f"note: {args.test} holds images of one class, so the test "
                "accuracy cannot show whether the model does better than "
                "chance; add images of the other classes"
            )
    if failure is not None:
        raise CommandError(failure + (" No model was saved." if args.out else ""))
    if args.out:
        _save_model(pipeline, args.out)
        print(f"model saved to {args.out}")
    if args.plot:
        _save_loss_plot(pipeline, args.plot, test=_draws_test_cost(estimator))
        print(f"cost curve saved to {args.plot}")


def _load_images(progress, flattener, data, what, failures):
    """``(X, y)`` for the readable images of a folder.

    The files that cannot be read are left out of both and recorded in
    ``failures[what]``, as ``(index, ImageLoadError)`` pairs.
    """
    fit = what == "training"
    bad = []
    X = progress.load(
        flattener, data.filenames, f"Loading {what} images", fit=fit, failures=bad
    )
    target = data.target
    if bad:
        bad.sort(key=lambda pair: pair[0])
        failures[what] = bad
        target = np.delete(target, [index for index, _ in bad])
    return X, data.target_names[target]


def _handle_unreadable(failures, skip):
    """Refuse unreadable images, naming all of them, or list them as skipped."""
    if not failures:
        return
    if not skip:
        counts = " and ".join(
            _count(len(bad), f"{what} image") for what, bad in failures.items()
        )
        listed = "; ".join(
            f"{exc.filename!r} ({exc.reason})"
            for bad in failures.values()
            for _, exc in bad
        )
        raise CommandError(
            f"{counts} cannot be read: {listed}. Replace or remove them, or "
            "pass --skip-bad-images to train without them."
        )
    for what, bad in failures.items():
        _say(f"Skipped {_count(len(bad), f'{what} image')} that cannot be read:")
        for _, exc in bad:
            _say(f"  {exc.filename!r}: {exc.reason}")


def _check_readable_classes(y_train, train, train_dir):
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise CommandError(
            f"{train_dir} has readable images of only one class "
            f"({', '.join(map(_quote, classes))}), after leaving out the images "
            "that cannot be read; a classifier needs at least two"
        )


def _count(n, noun):
    """``'1 image'``, ``'2 images'``."""
    return f"{n} {noun}{'s' * (n != 1)}"


def _quote(text):
    """``text`` as it is when it prints safely, else as a Python literal.

    A name with a tab, a newline or another character that does not print
    (or that starts with a quote) is quoted and escaped, so that it cannot
    pass for several fields or lines of the output.
    """
    text = str(text)
    if text.isprintable() and not text.startswith(("'", '"')):
        return text
    return repr(text)


# Rough copies held in training: of the weights (parameters, gradient, best
# parameters, a trial step) and of each layer's activations (its input sum,
# its output, the gradient flowing back).
_WEIGHT_COPIES = 4
_ACTIVATION_COPIES = 3


def _check_memory(args, estimator, n_images, n_classes):
    """Refuse, before decoding, a run whose arrays cannot fit in memory."""
    available = _memory.available_memory()
    if available is None:
        return
    width, height = args.size
    n_features = width * height * (1 if args.grayscale else 3)
    images = _BYTES_PER_VALUE * n_images * n_features
    outputs = n_classes if n_classes > 2 else 1
    hidden = list(estimator._hidden_layer_sizes())
    sizes = [n_features, *hidden, outputs]
    weights = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    needed = images + _training_bytes(sizes, n_images)
    if needed <= available:
        return
    without_hidden = images + _training_bytes([n_features, outputs], n_images)
    if hidden and without_hidden <= available:
        raise CommandError(
            f"--hidden {' '.join(map(str, hidden))} needs about "
            f"{format_bytes(needed)} of memory to train ({weights:,} weights), "
            f"more than the {format_bytes(available)} available; use fewer "
            "hidden units"
        )
    raise CommandError(
        f"--size {width} {height} needs about {format_bytes(needed)} of memory "
        f"({format_bytes(images)} for the {n_images} decoded images), more than "
        f"the {format_bytes(available)} available; use a smaller --size"
        + ("" if args.grayscale else " or --grayscale")
    )


# float32, the ImageFlattener's output and the dtype training keeps
_BYTES_PER_VALUE = 4


def _training_bytes(sizes, n_samples):
    weights = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    activations = n_samples * sum(sizes[1:])
    return _BYTES_PER_VALUE * (
        _WEIGHT_COPIES * weights + _ACTIVATION_COPIES * activations
    )


def _say_skipped(say, skipped, shown=3):
    names = ", ".join(_quote(Path(path).name) for path in skipped[:shown])
    more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
    what = "that is not an image" if len(skipped) == 1 else "that are not images"
    say(f"Skipped {_count(len(skipped), 'file')} {what}: {names}{more}")


def _check_test_classes(train_names, test_names, test_dir):
    unknown = sorted(set(test_names) - set(train_names))
    if unknown:
        raise CommandError(
            f"the test folder {test_dir} has classes that the training folder "
            f"lacks: {', '.join(map(_quote, unknown))}"
        )


def _training_failure(estimator, args):
    """The message for a fit that stopped on a rising cost, or None."""
    if estimator.stop_reason_ != "rising":
        return None
    return (
        f"the cost rose during training: --learning-rate "
        f"{estimator.learning_rate} is too large for these images. Use a "
        "smaller one, or leave it out for 'auto', which only takes steps that "
        "lower the cost."
    )


def _chance_failure(accuracy, y_test):
    """The message for a test accuracy no better than chance, or None.

    Chance is what always answering the most frequent class of the test
    images scores on them: the largest class share of the test folder. A
    model passes when a guess right that often, image by image, would reach
    its number of correct answers with probability under 5 % (a one-sided
    binomial test): on 90 images of three balanced classes that takes 38
    right answers, where 33 is what guessing often reaches. A test folder
    of one class cannot tell a model from chance, and fails no model.
    """
    from scipy.stats import binom

    _, counts = np.unique(y_test, return_counts=True)
    if len(counts) < 2:
        return None
    n = len(y_test)
    chance = counts.max() / n
    correct = round(accuracy * n)
    p_value = float(binom.sf(correct - 1, n, chance))
    if correct > chance * n and p_value < _CHANCE_LEVEL:
        return None
    return (
        f"the test accuracy {accuracy:.4f} ({correct} of {n} images) is no "
        f"better than chance: always answering the most frequent test class "
        f"scores {chance:.4f}, and guessing right that often gets "
        f"{correct} or more right with probability {p_value:.2f}. The images may "
        "not tell the classes apart at this --size or in --grayscale, the test "
        "folder may be too small to tell, or it may hold other kinds of images "
        "than the training folder."
    )


# Largest probability of doing as well by guessing that still counts as chance.
_CHANCE_LEVEL = 0.05


def _check_folder_exists(path, what):
    if not Path(path).exists():
        raise CommandError(f"the {what} folder {path} does not exist")
    if not Path(path).is_dir():
        raise CommandError(f"the {what} folder {path} is not a folder")


# The estimator parameter that each command line option sets.
_OPTION_OF_PARAMETER = {
    "max_iter": "--max-iter",
    "learning_rate": "--learning-rate",
    "n_hidden": "--hidden",
    "hidden_layer_sizes": "--hidden",
    "tol": "--tol",
    "random_state": "--seed",
    "alpha": "--alpha",
}


def _make_estimator(args):
    """The estimator the options ask for, its parameters already validated."""
    module, name = _MODELS[args.model]
    estimator = getattr(importlib.import_module(f"sknotes.{module}"), name)()
    hidden = {}
    if args.hidden is not None:
        if args.model == "logistic":
            raise CommandError("--hidden applies to --model shallow and deep only")
        if args.model == "shallow":
            if len(args.hidden) != 1:
                raise CommandError(
                    "--hidden takes one number with --model shallow (one hidden "
                    "layer); use --model deep for several layers"
                )
            hidden = {"n_hidden": args.hidden[0]}
        else:
            hidden = {"hidden_layer_sizes": tuple(args.hidden)}
    options = {
        "max_iter": args.max_iter,
        "learning_rate": args.learning_rate,
        "tol": args.tol,
        "alpha": args.alpha,
        "early_stopping": args.early_stopping or None,
        **hidden,
    }
    if "random_state" in estimator.get_params():
        options["random_state"] = args.seed
    estimator.set_params(**{k: v for k, v in options.items() if v is not None})
    if not args.quiet and "verbose" in estimator.get_params():
        # A line every iteration: it moves the progress bar on a terminal,
        # and about ten of them are printed otherwise (see _progress).
        estimator.set_params(verbose=1)
    _validate_estimator_params(estimator)
    return estimator


def _validate_estimator_params(estimator):
    """Run the estimator's own parameter checks, which ``fit`` would run late."""
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        estimator._validate_params()
    except InvalidParameterError as exc:
        message = str(exc)
        for name, option in _OPTION_OF_PARAMETER.items():
            if f"'{name}' parameter" in message:
                raise CommandError(f"invalid {option}: {message}") from None
        raise CommandError(f"invalid option: {message}") from None


def _explain_stop(reason, estimator):
    """One short phrase, in the command line's terms, for a stop reason."""
    params = estimator.get_params()
    if reason == "converged":
        tol = params.get("tol") or 0
        return (
            f"the cost changed by less than --tol {tol:g} for "
            f"{params.get('n_iter_no_change')} iterations in a row"
        )
    if reason == "max_iter":
        if params.get("tol") or params.get("early_stopping"):
            return "all --max-iter iterations ran before the cost settled"
        return "all --max-iter iterations ran; with --tol 0 nothing stops a fit sooner"
    phrases = {
        "validation": "early stopping: the validation cost stopped improving",
        "rising": "the cost rose at the fixed learning rate; the parameters "
        "with the lowest cost were kept",
        "minimum": "the cost or its gradient reached exactly 0, a minimum that "
        "no step can lower (the classes are separated)",
        "stalled": "no step could lower the cost any further: the limit of "
        "floating-point precision",
        "interrupted": "Ctrl-C; the model holds the parameters reached so far",
        "callback": "a callback asked the fit to stop",
    }
    return phrases.get(reason, "reported by the estimator")


def _fit_reporting_progress(estimator, X, y, X_test, y_test, quiet, progress=None):
    """Fit, with the estimator's progress and warnings on standard error."""
    from ._progress import Progress

    progress = progress or Progress(plain=True)
    kwargs = {}
    # To draw the test cost. Not with early stopping, which would then stop
    # on the test images: they would no longer measure an unseen model.
    if X_test is not None and _draws_test_cost(estimator):
        kwargs = {"X_val": X_test, "y_val": y_test}
    max_iter = estimator.get_params().get("max_iter", 0)
    validation = "test" if kwargs else "validation"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        training = progress.training(max_iter, validation)
        with training as sink, contextlib.redirect_stdout(sink):
            estimator.fit(X, y, **kwargs)
    for warning in caught:
        if not quiet:
            _say(f"warning: {warning.message}")


def _draws_test_cost(estimator):
    import inspect

    if estimator.get_params().get("early_stopping"):
        return False
    return "X_val" in inspect.signature(estimator.fit).parameters


def _overfitting(estimator):
    """The advice for a test cost that rose while the training cost fell, or None.

    The rise must reach 5 % of the lowest test cost, so that noise does
    not count.
    """
    test = getattr(estimator, "validation_loss_curve_", None)
    if test is None or len(test) < 2:
        return None
    training = estimator.loss_curve_
    best = int(np.argmin(test))
    if test[-1] <= test[best] * (1 + _OVERFIT_RISE) or training[-1] >= training[best]:
        return None
    return (
        f"the model overfits: the test cost was lowest at iteration {best + 1} "
        f"({test[best]:.4f}) and rose to {test[-1]:.4f} by iteration "
        f"{len(test)}, while the training cost fell from {training[best]:.4f} "
        f"to {training[-1]:.4f}. Try a larger --alpha (now "
        f"{estimator.alpha:g}; 10 times larger at a time), --early-stopping, "
        "a smaller --max-iter, fewer --hidden units or more training images."
    )


# A rise of the test cost above its lowest that counts as overfitting.
_OVERFIT_RISE = 0.05


def _print_test_report(estimator, X_test, y_test):
    """Precision, recall and the confusion matrix on the test images."""
    from sklearn.metrics import classification_report, confusion_matrix

    predicted = estimator.predict(X_test)
    labels = estimator.classes_
    names = [_quote(label) for label in labels]
    print("per-class results on the test images:")
    report = classification_report(
        y_test,
        predicted,
        labels=labels,
        target_names=names,
        digits=4,
        zero_division=0,
    )
    print(report.rstrip("\n"))
    print("confusion matrix (rows: true class, columns: predicted class):")
    matrix = confusion_matrix(y_test, predicted, labels=labels)
    first = max(map(len, names))
    width = max(max(map(len, names)), len(str(matrix.max())))
    print(" " * first + "".join(f"  {name:>{width}}" for name in names))
    for name, row in zip(names, matrix, strict=True):
        print(f"{name:<{first}}" + "".join(f"  {count:>{width}}" for count in row))


def _check_writable(path, option):
    """Fail before any image is read when ``path`` cannot take the output."""
    from ._atomic_files import output_target

    try:
        target = output_target(path)
    except OSError as exc:  # a loop of symbolic links
        raise CommandError(f"{option} {path}: {exc.strerror}") from None
    if target != Path(path):
        option = f"{option} {path} ->"  # the messages name the link's target
    path = target
    if path.is_dir():
        raise CommandError(f"{option} {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise CommandError(f"{option} {path} is not a regular file")
    folder = path.parent
    if not folder.is_dir():
        raise CommandError(f"{option} {path}: the folder {folder} does not exist")
    try:  # the one reliable test of permission: create a file there
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sknotes-check-"):
            pass
    except OSError as exc:
        raise CommandError(
            f"{option} {path}: cannot write in {folder} ({exc.strerror})"
        ) from None
    if path.exists() and not os.access(path, os.W_OK):
        raise CommandError(f"{option} {path}: the file is not writable")


def _write_atomically(path, write):
    """``write(file)`` into a file beside ``path``, then rename it over ``path``.

    A failed save leaves the previous file as it was; a replaced file keeps
    its permissions, and a symbolic link is written through.
    """
    from ._atomic_files import write_atomically

    write_atomically(path, write)


def _save_model(pipeline, path):
    from ._model_files import ModelFileError, dumps

    try:
        data = dumps(pipeline)
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    _write_atomically(path, lambda file: file.write(data))


def _check_plotting_available():
    """Fail before training, not after, when the plot cannot be drawn."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError(
            '--plot needs matplotlib; install it with: pip install "sknotes[plot]"'
        ) from None


def _check_plot_format(path):
    from matplotlib.backend_bases import FigureCanvasBase

    fmt = Path(path).suffix.lstrip(".").lower()
    supported = FigureCanvasBase.get_supported_filetypes()
    if fmt and fmt not in supported:
        raise CommandError(
            f"--plot {path}: matplotlib cannot write .{fmt} files; use one of "
            + ", ".join(f".{name}" for name in sorted(supported))
        )


def _loss_figure(model, test):
    """The cost curves; with ``test``, the second curve is the test images'."""
    # A bare Figure, not pyplot: no GUI backend, nothing left open.
    from matplotlib.figure import Figure

    from .plotting import LossCurveDisplay

    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    display = LossCurveDisplay.from_estimator(model, ax=figure.subplots())
    if test and len(display.lines_) == 2:
        display.lines_[1].set_label(f"{display.estimator_name} (test)")
        display.ax_.legend()
    return figure


def _save_loss_plot(pipeline, path, test=False):
    figure = _loss_figure(pipeline, test)
    fmt = Path(path).suffix.lstrip(".").lower() or None
    _write_atomically(path, lambda file: figure.savefig(file, format=fmt))


# -- predict -----------------------------------------------------------------


def _run_predict(args):
    from ._progress import Progress

    _apply_pixel_limit(args)
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
            print(f"{_quote(path)}\t{_quote(label)}\t{probability:.4f}")
    if failures:
        listed = "; ".join(f"{exc.filename!r} ({exc.reason})" for _, exc in failures)
        raise CommandError(
            f"{len(failures)} of {_count(len(images), 'image')} cannot be read, "
            f"so they have no result line: {listed}"
        )


def _expand_folders(paths):
    """``paths`` with every folder replaced by the image files under it.

    Folders are searched at any depth, in sorted order, for what
    :func:`~sknotes.images.load_image_folder` counts as images; other files
    in them are skipped, as in ``fit``.
    """
    from .images import _image_files, _normalised_extensions

    wanted = _normalised_extensions(None)
    expanded = []
    for path in paths:
        if not Path(path).is_dir():
            expanded.append(path)
            continue
        images, _ = _image_files(Path(path), wanted, sniff_all=True, recursive=True)
        found = [str(file) for file in images]
        if not found:
            raise CommandError(f"the folder {path} holds no image files")
        expanded.extend(found)
    return expanded


def _load_model(path, allow_pickle=False):
    from sklearn.pipeline import Pipeline

    from ._model_files import ModelFileError, load_model

    try:
        model = load_model(path, allow_pickle=allow_pickle)
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    from .images import ImageFlattener

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


# -- demo --------------------------------------------------------------------

_DEMO_SIZE = (32, 32)  # the 8x8 digits, upscaled as a scanner might have


def _run_demo(args):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline

    from .images import ImageFlattener, load_image_folder
    from .linear_model import GDLogisticRegression

    digits = load_digits()
    n_images = 500 if args.quick else len(digits.images)
    max_iter = 100 if args.quick else 300
    with tempfile.TemporaryDirectory(prefix="sknotes-demo-") as folder:
        start = time.perf_counter()
        _write_digit_images(digits.images[:n_images], digits.target[:n_images], folder)
        _say(
            f"Wrote {n_images} handwritten digits as {_DEMO_SIZE[0]}x{_DEMO_SIZE[1]} "
            f"grayscale JPEG files in {time.perf_counter() - start:.2f} s"
        )
        data = load_image_folder(folder)
        files_train, files_test, y_train, y_test = train_test_split(
            data.filenames,
            data.target_names[data.target],
            test_size=0.25,
            stratify=data.target,
            random_state=0,
        )
        flattener = ImageFlattener(_DEMO_SIZE, color="grayscale", n_jobs=args.n_jobs)
        start = time.perf_counter()
        X_train = flattener.fit_transform(files_train)
        X_test = flattener.transform(files_test)
        load_time = time.perf_counter() - start
        model = GDLogisticRegression(max_iter=max_iter)
        rows = [
            _time_fit("sknotes GDLogisticRegression", model, X_train, y_train),
            _time_fit(
                "sklearn LogisticRegression",
                LogisticRegression(max_iter=max_iter),
                X_train,
                y_train,
            ),
            _time_fit(
                "sklearn MLPClassifier",
                MLPClassifier(max_iter=max_iter, random_state=0),
                X_train,
                y_train,
            ),
        ]
        # The sknotes model as one pipeline from file paths to labels.
        pipeline = make_pipeline(flattener, model)
        accuracies = [pipeline.score(files_test, y_test)]
        accuracies += [row[1].score(X_test, y_test) for row in rows[1:]]
    print(
        f"ImageFlattener read {len(data.filenames)} JPEG files in {load_time:.2f} s "
        f"({len(data.filenames) / load_time:.0f} images/s)"
    )
    _print_demo_table(rows, accuracies, len(files_train), len(files_test))


def _write_digit_images(images, target, folder):
    from PIL import Image

    for index, (pixels, digit) in enumerate(zip(images, target, strict=True)):
        # Dark ink on white paper; the 0-16 values scaled to 0-255.
        ink = np.rint(255 - pixels * (255 / 16)).astype(np.uint8)
        class_dir = Path(folder) / str(digit)
        class_dir.mkdir(exist_ok=True)
        Image.fromarray(ink).resize(_DEMO_SIZE, Image.Resampling.BICUBIC).save(
            class_dir / f"{index:04d}.jpg", quality=90
        )


def _time_fit(name, model, X, y):
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    # One BLAS thread for every model: the times then compare algorithms,
    # and a busy machine does not make BLAS threads fight for the cores.
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        # Short demo runs stop before convergence; the accuracy tells.
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return name, model, time.perf_counter() - start


def _print_demo_table(rows, accuracies, n_train, n_test):
    print(f"{n_train} training and {n_test} test images")
    print(f"{'model':<32}{'test accuracy':>15}{'fit time':>12}")
    for (name, _, seconds), accuracy in zip(rows, accuracies, strict=True):
        print(f"{name:<32}{accuracy:>15.4f}{seconds:>10.2f} s")


if __name__ == "__main__":
    sys.exit(main())
