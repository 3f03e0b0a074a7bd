"""The command line's options: shared definitions and their types.

An option's text is checked by its argparse type here, as the command line
is read (a usage error, exit status 2, naming the option); what needs more
than the text is checked in :mod:`sknotes._cli.checks`, before the first
image is decoded.
"""

import argparse
import re

import numpy as np

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
