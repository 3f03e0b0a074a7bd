"""Accuracy and time of sknotes and scikit-learn side by side.

Every data set gets a fixed, stratified train/test split (``random_state=0``)
and, except for the flower and the images, a ``StandardScaler`` fitted on the
training part. The logistic regressions are compared with their defaults:
``GDLogisticRegression()`` (also with ``solver='nesterov'``) against
``LogisticRegression()`` (lbfgs, with its default ``C=1``) and
``SGDClassifier(loss='log_loss')``. The networks have the same hidden layer
(64 units, 4 for the flower) and the same budget of 200 iterations, which is
``MLPClassifier``'s default ``max_iter`` (``ShallowNNClassifier``'s own
default is 1000): ``ShallowNNClassifier`` against ``MLPClassifier`` with its
default adam solver and with full-batch gradient descent, the notes'
algorithm (``solver='sgd', batch_size=n_samples, momentum=0`` and a fixed
learning rate of 0.5; ours chooses its steps with ``learning_rate='auto'``).
Two hidden layers of that size compare ``DeepNNClassifier`` (ReLU, its
default) with ``MLPClassifier``'s adam (ReLU too), same budget. An iteration
of adam is an epoch of mini-batches.

Fit and predict times are medians of interleaved rounds over the models of
one data set. Peak memory is what tracemalloc sees (numpy's buffers
included, the training data excluded) during a separate fit limited to 10
iterations: every solver here allocates its buffers in the first
iterations, so the peak does not grow with more, and tracemalloc's overhead
stays out of the timed fits. The image row starts from JPEG file paths: its
fit and predict times include decoding the images with ``ImageFlattener``,
and its peak memory the decoded pixels.
"""

import tempfile
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes.datasets import make_flower

from ._common import StepProgress, interleaved_times, peak_memory
from ._report import n_iter_of, new_figure, quiet_fit, section_main

NN_MAX_ITER = 200  # MLPClassifier's default, given to all three networks
MEMORY_ITER = 10  # iterations of the fit whose peak memory is measured
TABLE_COLUMNS = [
    "dataset",
    "model",
    "accuracy",
    "fit_s",
    "predict_ms",
    "n_iter",
    "peak_mb",
    "note",
]
JPEG_PIXELS = 32  # side of the JPEG files written from the 8x8 digits
FLATTEN_PIXELS = 16  # side of the images after ImageFlattener


class Dataset:
    """A named train/test split and the hidden size used on it."""

    def __init__(self, name, X_train, X_test, y_train, y_test, n_hidden, note=""):
        self.name = name
        self.X_train, self.X_test = X_train, X_test
        self.y_train, self.y_test = y_train, y_test
        self.n_hidden = n_hidden
        self.note = note
        self.pipeline_head = None  # a transformer put in front of every model


def _split(X, y):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def _scaled(name, X, y, n_hidden=64):
    X_train, X_test, y_train, y_test = _split(X, y)
    scaler = StandardScaler().fit(X_train)
    return Dataset(
        name,
        scaler.transform(X_train),
        scaler.transform(X_test),
        y_train,
        y_test,
        n_hidden,
    )


def tabular_datasets(quick=False, tiny=False):
    """The array data sets, split and (except the flower) scaled."""
    if tiny:
        X, y = make_classification(300, 10, random_state=0)
        flower = make_flower(100)
        return [
            _scaled("iris", *load_iris(return_X_y=True), n_hidden=4),
            Dataset("make_flower (unscaled)", *_split(*flower), n_hidden=4),
            _scaled("make_classification(300, 10)", X, y, n_hidden=4),
        ]
    # --quick is a smoke run of every model (about 25 s on 2 cores): 5,000 rows
    n = 5_000 if quick else 100_000
    X, y = make_classification(n, 100, random_state=0)
    return [
        _scaled("breast_cancer", *load_breast_cancer(return_X_y=True)),
        _scaled("digits", *load_digits(return_X_y=True)),
        _scaled("iris", *load_iris(return_X_y=True)),
        _scaled("wine", *load_wine(return_X_y=True)),
        Dataset("make_flower (unscaled)", *_split(*make_flower()), n_hidden=4),
        _scaled(f"make_classification({n:_}, 100)", X, y),
    ]


def write_digit_jpegs(folder, n_images=None, size=JPEG_PIXELS):
    """Write the 8x8 digits as ``size`` x ``size`` grayscale JPEG files."""
    from PIL import Image

    digits = load_digits()
    images, target = digits.images, digits.target
    if n_images is not None:
        images, target = images[:n_images], target[:n_images]
    paths = []
    for i, image in enumerate(images):
        pixels = np.round(image * (255 / 16)).astype(np.uint8)
        path = Path(folder) / f"digit_{i:04d}.jpg"
        Image.fromarray(pixels).resize((size, size), Image.Resampling.BILINEAR).save(
            path, quality=95
        )
        paths.append(str(path))
    return np.array(paths), target


def image_dataset(folder, tiny=False, quick=False):
    """The digits as JPEG files, or None when ``sknotes.images`` is missing."""
    name = f"digits as {JPEG_PIXELS}x{JPEG_PIXELS} JPEG -> ImageFlattener"
    try:
        from sknotes.images import ImageFlattener
    except ImportError as exc:
        return name, f"skipped: sknotes.images is not importable ({exc})"
    n_images = 120 if tiny else 500 if quick else None
    paths, y = write_digit_jpegs(folder, n_images=n_images)
    dataset = Dataset(name, *_split(paths, y), n_hidden=4 if tiny else 64)
    dataset.pipeline_head = ImageFlattener(
        size=FLATTEN_PIXELS, color="grayscale", n_jobs=1
    )
    dataset.note = f"{FLATTEN_PIXELS}x{FLATTEN_PIXELS} gray, /255, decoding timed"
    return dataset, ""


def models(n_hidden, n_train, tiny=False):
    """The competing estimators, unfitted, by display name."""
    # The full-batch MLP needs a fixed step; 0.5 is a stable one for these
    # standardised data sets (ShallowNNClassifier chooses its own, 'auto').
    learning_rate = 0.5
    nn_iter = 5 if tiny else NN_MAX_ITER
    gd_iter = {"max_iter": 20} if tiny else {}
    return {
        "GDLogisticRegression()": GDLogisticRegression(**gd_iter),
        "GDLogisticRegression(solver='nesterov')": GDLogisticRegression(
            solver="nesterov", **gd_iter
        ),
        "LogisticRegression()": LogisticRegression(),
        "SGDClassifier(loss='log_loss')": SGDClassifier(
            loss="log_loss", random_state=0
        ),
        f"ShallowNNClassifier(n_hidden={n_hidden})": ShallowNNClassifier(
            n_hidden=n_hidden, max_iter=nn_iter, random_state=0
        ),
        f"MLPClassifier(({n_hidden},)) adam": MLPClassifier(
            (n_hidden,), max_iter=nn_iter, random_state=0
        ),
        f"MLPClassifier(({n_hidden},)) full-batch sgd": MLPClassifier(
            (n_hidden,),
            solver="sgd",
            batch_size=n_train,
            momentum=0,
            learning_rate_init=learning_rate,
            max_iter=nn_iter,
            random_state=0,
        ),
        f"DeepNNClassifier(({n_hidden}, {n_hidden}))": DeepNNClassifier(
            (n_hidden, n_hidden), max_iter=nn_iter, random_state=0
        ),
        f"MLPClassifier(({n_hidden}, {n_hidden})) adam": MLPClassifier(
            (n_hidden, n_hidden), max_iter=nn_iter, random_state=0
        ),
    }


def _shortened(model, max_iter=MEMORY_ITER):
    """A clone of ``model`` (or of a pipeline's last step) with fewer iterations."""
    model = clone(model)
    last = model[-1] if hasattr(model, "steps") else model
    last.set_params(max_iter=min(max_iter, last.max_iter))
    return model


def measure_dataset(dataset, repeat, tiny=False):
    """One row per model: accuracy, fit and predict time, iterations, memory."""
    n_train = len(dataset.y_train)
    estimators = {}
    for name, model in models(dataset.n_hidden, n_train, tiny).items():
        if dataset.pipeline_head is not None:
            model = make_pipeline(clone(dataset.pipeline_head), model)
        estimators[name] = model
    Xtr, ytr, Xte = dataset.X_train, dataset.y_train, dataset.X_test

    # The memory run comes first and doubles as the warm-up of every model.
    memory = {
        name: peak_memory(lambda m=m: quiet_fit(_shortened(m), Xtr, ytr))
        for name, m in estimators.items()
    }
    fit_times = interleaved_times(
        {name: (lambda m=m: quiet_fit(m, Xtr, ytr)) for name, m in estimators.items()},
        repeat=repeat,
        warmup=0,
    )
    predict_times = interleaved_times(
        {name: (lambda m=m: m.predict(Xte)) for name, m in estimators.items()},
        repeat=repeat,
        warmup=1,
    )
    rows = []
    for name, model in estimators.items():
        rows.append(
            {
                "dataset": dataset.name,
                "model": name,
                "n_train": n_train,
                "accuracy": float(model.score(Xte, dataset.y_test)),
                "fit_s": fit_times[name],
                "predict_ms": 1e3 * predict_times[name],
                "n_iter": n_iter_of(model),
                "peak_mb": memory[name] / 2**20,
                "repeat": repeat,
                "note": dataset.note,
            }
        )
    return rows


def run(quick=False, tiny=False):
    """Measure every model on every data set.

    Parameters
    ----------
    quick : bool, default=False
        ``make_classification`` with 5,000 instead of 100,000 samples and
        one timed round instead of 5.
    tiny : bool, default=False
        Small data, few iterations and one round: checks the plumbing only.

    Returns
    -------
    rows : list of dict
        One row per (data set, model); see ``TABLE_COLUMNS``.
    """
    repeat = 1 if tiny or quick else 5
    rows = []
    datasets = tabular_datasets(quick, tiny)
    progress = StepProgress(len(datasets) + 1, "compare")
    for dataset in datasets:
        progress.step(dataset.name)
        rows += measure_dataset(dataset, repeat, tiny)
    with tempfile.TemporaryDirectory(prefix="sknotes-digits-") as folder:
        dataset, skipped = image_dataset(folder, tiny, quick)
        progress.step("digits as JPEG files")
        if skipped:
            rows.append({"dataset": dataset, "model": "(all)", "note": skipped})
        else:
            rows += measure_dataset(dataset, repeat, tiny)
    return rows


def plot(rows):
    """Fit time of every model, one panel per data set, accuracy annotated."""
    from matplotlib.ticker import NullFormatter

    rows = [r for r in rows if "fit_s" in r]
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    ncols = min(4, len(names))
    nrows = -(-len(names) // ncols)
    fig, axes = new_figure(ncols, nrows, width=4.6, height=3.2)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.ravel(), names):
        subset = [r for r in rows if r["dataset"] == name]
        labels = [_short(r["model"]) for r in subset]
        times = [r["fit_s"] for r in subset]
        colors = ["C0" if "sknotes" in _family(r["model"]) else "C7" for r in subset]
        y = np.arange(len(subset))
        ax.barh(y, times, color=colors)
        for yi, r in zip(y, subset):
            ax.text(r["fit_s"], yi, f" {100 * r['accuracy']:.1f}%", va="center", size=7)
        ax.set_yticks(y, labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        # Whole decades, with room on the right for the accuracy labels.
        low = 10 ** np.floor(np.log10(min(times)))
        ax.set_xlim(low, 10 ** np.ceil(np.log10(max(times) * 20)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("fit time (s), test accuracy at the bar's end", fontsize=7)
        ax.set_title(name, fontsize=8)
    fig.suptitle("Fit time (median of interleaved rounds); sknotes in blue")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def _family(model):
    return "sknotes" if model.startswith(("GD", "Shallow", "Deep")) else "sklearn"


def _short(model):
    return (
        model.replace("GDLogisticRegression", "GDLogReg")
        .replace("LogisticRegression", "LogReg")
        .replace("(solver='nesterov')", "(nesterov)")
        .replace("ShallowNNClassifier", "ShallowNN")
        .replace("DeepNNClassifier", "DeepNN")
        .replace("MLPClassifier", "MLP")
        .replace("SGDClassifier(loss='log_loss')", "SGD(log_loss)")
    )


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
