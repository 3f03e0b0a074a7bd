"""What the command line writes: lines for a reader, reports, files.

Results go to standard output and progress to standard error (:func:`say`);
names from the file system or the model are quoted so that they cannot
forge fields or lines (:func:`quote`). Model files and plots are written
whole or not at all (:func:`sknotes._atomic_files.write_atomically`).
"""

import sys
from pathlib import Path

from .._atomic_files import write_atomically
from .options import CommandError

__all__ = [
    "count",
    "explain_stop",
    "print_test_report",
    "quote",
    "save_loss_plot",
    "save_model",
    "say",
]


def say(message):
    """A progress line, on standard error so that results stay clean."""
    print(message, file=sys.stderr, flush=True)


def count(n, noun):
    """``'1 image'``, ``'2 images'``."""
    return f"{n} {noun}{'s' * (n != 1)}"


def quote(text):
    """``text`` as it is when it prints safely, else as a Python literal.

    A name with a tab, a newline or another character that does not print
    (or that starts with a quote) is quoted and escaped, so that it cannot
    pass for several fields or lines of the output.
    """
    text = str(text)
    if text.isprintable() and not text.startswith(("'", '"')):
        return text
    return repr(text)


def explain_stop(reason, estimator):
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


def print_test_report(labels, y_test, predicted):
    """Precision, recall and the confusion matrix on the test images.

    ``labels`` are the model's classes, in its order; ``predicted`` its
    predictions for the test images, whose true labels are ``y_test``.
    """
    from sklearn.metrics import classification_report, confusion_matrix

    names = [quote(label) for label in labels]
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


def save_model(pipeline, path):
    from .._model_files import ModelFileError, dumps

    try:
        data = dumps(pipeline)
    except ModelFileError as exc:
        raise CommandError(str(exc)) from None
    write_atomically(path, lambda file: file.write(data))


def _loss_figure(model, test):
    """The cost curves; with ``test``, the second curve is the test images'."""
    # A bare Figure, not pyplot: no GUI backend, nothing left open.
    from matplotlib.figure import Figure

    from ..plotting import LossCurveDisplay

    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    display = LossCurveDisplay.from_estimator(model, ax=figure.subplots())
    if test and len(display.lines_) == 2:
        display.lines_[1].set_label(f"{display.estimator_name} (test)")
        display.ax_.legend()
    return figure


def save_loss_plot(pipeline, path, test=False):
    figure = _loss_figure(pipeline, test)
    fmt = Path(path).suffix.lstrip(".").lower() or None
    write_atomically(path, lambda file: figure.savefig(file, format=fmt))
