"""The command line's options: shared definitions, their types, their checks.

Every option is checked here. An option's text is checked by its argparse
type as the command line is read (a usage error, exit status 2, naming the
option); what needs more than the text (the estimator's own parameter
rules, folders, output files, optional dependencies, memory) is checked by
:func:`check_fit_options` and :func:`check_memory` before the first image
is decoded, as a :class:`CommandError` (exit status 1) that names the
option.
"""

import argparse
import importlib
import importlib.util
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from .. import _memory
from .._memory import format_bytes

__all__ = [
    "MODELS",
    "MODEL_FILES",
    "PROG",
    "CommandError",
    "CommandParser",
    "add_image_options",
    "add_n_jobs_option",
    "add_pixel_limit_option",
    "apply_pixel_limit",
    "check_fit_options",
    "check_memory",
    "learning_rate",
    "non_negative_float",
    "nonempty_file_name",
    "positive_int",
    "positive_ints",
    "seed",
    "size",
]

PROG = "sknotes"
MODEL_FILES = (
    "Model files are skops files: they hold the fitted state and no code, and "
    "only numpy, scikit-learn and sknotes types are loaded from them. A "
    "pickle (joblib) file can run any code when loaded; predict opens one "
    "only with --allow-pickle."
)

# --model -> (module of sknotes, estimator class)
MODELS = {
    "logistic": ("linear_model", "GDLogisticRegression"),
    "shallow": ("neural_network", "ShallowNNClassifier"),
    "deep": ("neural_network", "DeepNNClassifier"),
}


class CommandError(Exception):
    """A problem with the user's input, reported without a traceback."""


# -- options shared by the commands -------------------------------------------


def add_pixel_limit_option(parser):
    parser.add_argument(
        "--max-image-pixels",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="Pillow's decompression-bomb limit: images of more than twice N "
        "pixels are refused (default: Pillow's, 89478485, so up to 179 "
        "megapixels); 0 for no limit",
    )


def apply_pixel_limit(args):
    if args.max_image_pixels is not None:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = args.max_image_pixels or None


def add_image_options(parser):
    parser.add_argument(
        "--size",
        type=size,
        number_list=True,
        default=(64, 64),
        metavar="N",
        help="resize images to W x H pixels, given as two numbers W H, or as "
        "one number N for N x N (default: 64 64). The numbers after --size "
        "are all read as the size, so put TRAIN_DIR first or write "
        "--size=W,H when a folder's name is a number",
    )
    parser.add_argument(
        "--grayscale", action="store_true", help="one value per pixel instead of RGB"
    )
    add_n_jobs_option(parser)


def add_n_jobs_option(parser, default=-1):
    """``--n-jobs``; predict's default (None) keeps the model's own."""
    parser.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=default,
        metavar="N",
        help="decoding threads (default: -1, all processors)"
        if default == -1
        else "decoding threads (-1: all processors)",
    )


# -- types: an option's text checked as the command line is read -------------


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose number-list options take one joined value.

    An option with ``nargs="+"`` would swallow a positional argument after
    it (``--size 8 8 train`` read ``train`` as a third number). An option
    added with ``number_list=True`` takes one value instead: the integers
    that follow it on the command line are joined into it
    (``--size 8 8`` is read as ``--size=8,8``), and its ``type`` splits
    them at the commas. The integers right after such an option are all
    its own: a positional argument that is a number goes first, or the
    option is written ``--size=8,8``.

    Examples
    --------
    >>> parser = CommandParser(prog="example")
    >>> _ = parser.add_argument("folder")
    >>> _ = parser.add_argument("--size", type=size, number_list=True)
    >>> parser.parse_args(["--size", "8", "6", "train"])
    Namespace(folder='train', size=(8, 6))
    """

    def __init__(self, *args, **kwargs):
        # before argparse's own __init__, which adds --help
        self._number_lists = set()
        self._long_options = set()
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, number_list=False, **kwargs):
        action = super().add_argument(*args, **kwargs)
        long_options = [name for name in action.option_strings if name[:2] == "--"]
        self._long_options.update(long_options)
        if number_list:
            self._number_lists.update(long_options)
        return action

    def parse_known_args(self, args=None, namespace=None):
        if args is not None and self._number_lists:
            args = _join_number_lists(args, self._number_list_of)
        return super().parse_known_args(args, namespace)

    def _number_list_of(self, token):
        """The number-list option that ``token`` names in full or abbreviated."""
        if token in self._long_options:
            return token if token in self._number_lists else None
        if not token.startswith("--") or not self.allow_abbrev:
            return None
        matches = [name for name in self._long_options if name.startswith(token)]
        if len(matches) == 1 and matches[0] in self._number_lists:
            return matches[0]
        return None


_INTEGER = re.compile(r"[+-]?\d+")


def _join_number_lists(args, number_list_of):
    """``args`` with each number-list option and its integers as one token."""
    args = list(args)
    joined = []
    start = 0
    while start < len(args):
        token = args[start]
        if token == "--":  # what follows is positional, whatever it looks like
            return joined + args[start:]
        option = number_list_of(token)
        end = start + 1
        while option and end < len(args) and _INTEGER.fullmatch(args[end]):
            end += 1
        numbers = args[start + 1 : end]
        joined.append(f"{option}={','.join(numbers)}" if numbers else token)
        start = end
    return joined


def size(text):
    """``--size``'s value, ``"W,H"`` or ``"N"``: a (width, height) pair."""
    numbers = text.split(",")
    if len(numbers) > 2:
        raise argparse.ArgumentTypeError(
            f"takes one number (N x N pixels) or two (W H), got {len(numbers)}; "
            "a folder named with a number right after --size is read as part "
            "of the size: put TRAIN_DIR first or write --size=W,H"
        )
    width, height = (positive_int(number) for number in (numbers[0], numbers[-1]))
    return width, height


def positive_ints(text):
    """``--hidden``'s value, ``"N,N,..."``: a tuple of positive integers."""
    return tuple(positive_int(number) for number in text.split(","))


def seed(text):
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


def positive_int(text):
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


def learning_rate(text):
    if text == "auto":
        return text
    requirement = "a positive number or 'auto'"
    value = _finite_float(text, requirement)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
    return value


def non_negative_float(text):
    requirement = "a number of at least 0"
    value = _finite_float(text, requirement)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
    return value


# -- checks before the first image is read ------------------------------------


def check_fit_options(args):
    """The estimator that ``fit``'s options ask for, once they are all checked.

    Every option is checked before the first image is read: a typo should
    not cost the minutes that decoding a large folder takes.
    """
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
    _check_outputs_apart(args)
    return estimator


def _check_outputs_apart(args):
    """Refuse output files that would overwrite each other or an image."""
    outputs = {
        option: _resolved_output(path)
        for option, path in (("--out", args.out), ("--plot", args.plot))
        if path
    }
    if len(outputs) == 2 and outputs["--out"] == outputs["--plot"]:
        raise CommandError(
            f"--out and --plot name the same file, {outputs['--out']}: the plot "
            "would replace the model; give them different names"
        )
    folders = [("training", args.train_dir), ("test", args.test)]
    for option, target in outputs.items():
        for what, folder in folders:
            if folder and target.is_relative_to(Path(folder).resolve()):
                raise CommandError(
                    f"{option} {target} is inside the {what} folder {folder}, "
                    "where it could replace an image or be read as one; write "
                    "it elsewhere"
                )


def _resolved_output(path):
    """The absolute file that writing ``path`` replaces, links followed."""
    from .._atomic_files import output_target

    target = output_target(path)
    return target.parent.resolve() / target.name


# The estimator parameter that each command line option sets.
_OPTION_OF_PARAMETER = {
    "max_iter": "--max-iter",
    "learning_rate": "--learning-rate",
    "n_hidden": "--hidden",
    "hidden_layer_sizes": "--hidden",
    "tol": "--tol",
    "random_state": "--seed",
    "alpha": "--alpha",
    "early_stopping": "--early-stopping",
}


def _make_estimator(args):
    """The estimator the options ask for, its parameters already validated."""
    module, name = MODELS[args.model]
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
        # and about ten of them are printed otherwise (see progress.py).
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


def _check_folder_exists(path, what):
    if not Path(path).exists():
        raise CommandError(f"the {what} folder {path} does not exist")
    if not Path(path).is_dir():
        raise CommandError(f"the {what} folder {path} is not a folder")


def _check_writable(path, option):
    """Fail before any image is read when ``path`` cannot take the output."""
    from .._atomic_files import output_target

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


# Rough copies held in training: of the weights (parameters, gradient, best
# parameters, a trial step) and of each layer's activations (its input sum,
# its output, the gradient flowing back).
_WEIGHT_COPIES = 4
_ACTIVATION_COPIES = 3


def check_memory(args, estimator, n_images, n_classes):
    """Refuse, before decoding, a run whose arrays cannot fit in memory."""
    from .._base import hidden_sizes
    from .._network import output_units

    available = _memory.available_memory()
    if available is None:
        return
    width, height = args.size
    n_features = width * height * (1 if args.grayscale else 3)
    images = _BYTES_PER_VALUE * n_images * n_features
    outputs = output_units(n_classes)
    hidden = list(hidden_sizes(estimator))
    sizes = [n_features, *hidden, outputs]
    needed = images + _training_bytes(sizes, n_images)
    if needed <= available:
        return
    without_hidden = images + _training_bytes([n_features, outputs], n_images)
    if hidden and without_hidden <= available:
        raise CommandError(
            f"--hidden {' '.join(map(str, hidden))} needs about "
            f"{format_bytes(needed)} of memory to train "
            f"({_weight_count(sizes):,} weights), "
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


def _weight_count(sizes):
    """The weights and biases of a network whose layers have ``sizes`` units."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def _training_bytes(sizes, n_samples):
    activations = n_samples * sum(sizes[1:])
    return _BYTES_PER_VALUE * (
        _WEIGHT_COPIES * _weight_count(sizes) + _ACTIVATION_COPIES * activations
    )
