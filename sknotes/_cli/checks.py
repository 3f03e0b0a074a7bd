"""Checks of ``fit``'s options that need more than their text.

The estimator's own parameter rules, folders, output files, optional
dependencies and memory are checked by :func:`check_fit_options` and
:func:`check_memory` before the first image is decoded, each failure a
:class:`~sknotes._cli.options.CommandError` (exit status 1) that names the
option; an option's text was already checked by its argparse type
(:mod:`sknotes._cli.options`).
"""

import importlib
import importlib.util
import os
import tempfile
from pathlib import Path

from .. import _memory
from .._memory import format_bytes
from .options import MODELS, CommandError

__all__ = ["check_fit_options", "check_memory"]


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
