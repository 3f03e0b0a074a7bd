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

import sys
import warnings

from . import demo, fit, predict
from .options import MODEL_FILES, PROG, CommandError, CommandParser
from .output import say

__all__ = ["main"]


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
        say("interrupted")
        return 130
    except MemoryError:
        # The estimate of check_memory is a rough one: what it lets through
        # can still not fit beside the other programs running.
        print(
            f"{PROG} {args.command}: error: not enough memory; try a smaller "
            "--size, --grayscale or fewer --hidden units (fit), or fewer "
            "images at a time (predict)",
            file=sys.stderr,
        )
        return 1
    except (CommandError, ValueError, OSError, ImportError) as exc:
        # ImageLoadError (a ValueError) and folder errors name the file.
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _build_parser():
    # The commands' parsers are of the same class as this one.
    parser = CommandParser(
        prog=PROG,
        description="Image classifiers from the deep-learning course notes, "
        "as scikit-learn pipelines.",
        epilog=MODEL_FILES,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (fit, predict, demo):
        command.add_parser(commands)
    return parser
