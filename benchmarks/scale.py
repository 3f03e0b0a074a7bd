"""Every classifier at its defaults on 10,000 to 1,000,000 rows.

Nothing is tuned: ``GDLogisticRegression()``, ``ShallowNNClassifier()`` and
``DeepNNClassifier()`` (``random_state=0``) against ``LogisticRegression()``
and ``MLPClassifier()`` (``random_state=0``), on raw float64 data, split
80/20 (``random_state=0``). Two problems that are not easy:

* ``ten``: ``make_classification(n, 100, n_informative=60,
  n_redundant=20, n_classes=10, n_clusters_per_class=2, flip_y=0.02)``,
  ten classes of two clusters each in 60 informative dimensions, 2 % of
  the labels random;
* ``hastie``: ``make_hastie_10_2(n)``, ten normal features and the class
  ``sum x_j^2 > 9.34``: a sphere, which no linear model can separate
  (logistic regression stays at chance on it).

Per row: test accuracy and fit time of each side, and the time the sknotes
model needed to first reach the scikit-learn model's final test accuracy
(``reach_s``), found from a checkpoint of the model after every
iteration or epoch (a scikit-learn callback; its own time is left out of
both ``fit_s`` and ``reach_s``). The scikit-learn side's ``reach_s`` is its
fit time: it reaches its final accuracy when its fit ends. Goal per row: an
accuracy at least scikit-learn's minus one point, in at most half its fit
time. Each fit runs once (the 1,000,000-row fits take minutes); the spread
of repeated runs is in the closing notes of the benchmarks' README.

Sizes: 10,000, 100,000 and 1,000,000 rows (``--quick``: 5,000 rows of
both, about 30 s; tiny: 3,000). The full section takes about 45 minutes on
two cores, most of it ``MLPClassifier`` on 1,000,000 rows.

Run ``python -m benchmarks.scale`` (``--quick`` for the smaller sizes).
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification, make_hastie_10_2
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier

from ._common import StepProgress
from ._headline import goal_row
from ._report import n_iter_of, section_main

TOLERANCE = 0.01  # one point of test accuracy
TIME_GOAL = 0.5  # sknotes fit time / scikit-learn fit time
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (5_000,)

# sknotes classifier -> its scikit-learn counterpart, both at defaults
PAIRS = (
    (GDLogisticRegression, LogisticRegression),
    (ShallowNNClassifier, MLPClassifier),
    (DeepNNClassifier, MLPClassifier),
)

TABLE_COLUMNS = [
    "data",
    "n_samples",
    "sknotes",
    "solver",
    "accuracy",
    "sklearn_accuracy",
    "fit_s",
    "sklearn_fit_s",
    "reach_s",
    "time_ratio",
    "n_iter",
    "sklearn_n_iter",
    "goal_met",
]


def make_data(name, n_samples):
    """``(X_train, X_test, y_train, y_test)`` of problem ``name``."""
    if name == "ten":
        X, y = make_classification(
            n_samples, 100, n_informative=60, n_redundant=20, n_classes=10,
            n_clusters_per_class=2, flip_y=0.02, random_state=0,
        )  # fmt: skip
    elif name == "hastie":
        X, y = make_hastie_10_2(n_samples, random_state=0)
    else:
        raise ValueError(f"unknown data set {name!r}")
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


class Checkpoints:
    """A scikit-learn callback that keeps the model of every iteration.

    ``times[k]`` is when iteration ``k`` ended, less the time spent in this
    callback so far, and ``models[k]`` that iteration's model.
    """

    def __init__(self):
        self.models, self.times = [], []
        self.own = 0.0

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kw):
        start = time.perf_counter()
        if context.task_name == "iteration" and fitted_estimator is not None:
            self.times.append(start - self.own)
            self.models.append(fitted_estimator)
        self.own += time.perf_counter() - start
        return False

    def teardown(self, estimator, context):
        pass

    def first_reaching(self, X, y, target, start):
        """Seconds from ``start`` to the first model scoring ``target``, or None."""
        for when, model in zip(self.times, self.models):
            if model.score(X, y) >= target:
                return when - start
        return None


def _timed_fit(estimator, X, y, checkpoints=None):
    """``(seconds, estimator)``: one fit, less the checkpoints' own time."""
    if checkpoints is not None:
        estimator.set_callbacks(checkpoints)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    own = checkpoints.own if checkpoints is not None else 0.0
    return seconds - own, start


def fit_sklearn(theirs_cls, split):
    """``(accuracy, seconds, n_iter)`` of scikit-learn's classifier at defaults."""
    X_train, X_test, y_train, y_test = split
    theirs = theirs_cls(random_state=0)
    seconds, _ = _timed_fit(theirs, X_train, y_train)
    return theirs.score(X_test, y_test), seconds, n_iter_of(theirs)


def measure(name, n_samples, ours_cls, theirs_cls, split=None, sklearn=None):
    """One row: both sides at their defaults on ``n_samples`` rows of ``name``.

    ``split`` and ``sklearn`` (the result of :func:`fit_sklearn`) are made
    here unless given, so that one scikit-learn fit serves two rows.
    """
    if split is None:
        split = make_data(name, n_samples)
    X_train, X_test, y_train, y_test = split
    if sklearn is None:
        sklearn = fit_sklearn(theirs_cls, split)
    their_acc, their_s, their_n_iter = sklearn
    ours = ours_cls(random_state=0)
    checkpoints = Checkpoints() if hasattr(ours, "set_callbacks") else None
    our_s, start = _timed_fit(ours, X_train, y_train, checkpoints)
    our_acc = ours.score(X_test, y_test)
    reach = None
    if checkpoints is not None:
        reach = checkpoints.first_reaching(X_test, y_test, their_acc, start)
    ratio = our_s / their_s
    return {
        "data": name,
        "n_samples": n_samples,
        "sknotes": ours_cls.__name__,
        "sklearn": theirs_cls.__name__,
        "solver": ours.solver_,
        "accuracy": our_acc,
        "sklearn_accuracy": their_acc,
        "fit_s": our_s,
        "sklearn_fit_s": their_s,
        "reach_s": np.nan if reach is None else reach,
        "time_ratio": ratio,
        "n_iter": n_iter_of(ours),
        "sklearn_n_iter": their_n_iter,
        "goal_met": bool(our_acc >= their_acc - TOLERANCE and ratio <= TIME_GOAL),
    }


def cases(quick=False, tiny=False):
    """``(data, n_samples)`` of a run."""
    if tiny:
        return [("ten", 3_000), ("hastie", 3_000)]
    if quick:
        return [(name, n) for name in ("ten", "hastie") for n in QUICK_SIZES]
    return [(name, n) for name in ("ten", "hastie") for n in FULL_SIZES]


def run(quick=False, tiny=False):
    todo = cases(quick, tiny)
    progress = StepProgress(len(todo) * len(PAIRS), "scale")
    rows = []
    for name, n in todo:
        split = make_data(name, n)
        sklearn = {}  # one fit of each scikit-learn classifier per data set
        for ours, theirs in PAIRS:
            progress.step(f"{ours.__name__} on {name}, {n:_} rows")
            if theirs not in sklearn:
                sklearn[theirs] = fit_sklearn(theirs, split)
            rows.append(measure(name, n, ours, theirs, split, sklearn[theirs]))
    return rows


HEADLINE_GOALS = ("Defaults at scale: accuracy within 1 point in half the time",)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    out = []
    for r in rows:
        comment = (
            f"{r['sknotes']} ({r['solver']}) {r['accuracy']:.3f} in "
            f"{r['fit_s']:.1f} s against {r['sklearn']} "
            f"{r['sklearn_accuracy']:.3f} in {r['sklearn_fit_s']:.1f} s"
        )
        out.append(
            goal_row(
                HEADLINE_GOALS[0],
                f"{r['data']}, {r['n_samples']:_} rows, {r['sknotes']}",
                r["time_ratio"],
                "accuracy >= sklearn - 0.01, time <= 0.5",
                r["goal_met"],
                "scale",
                comment,
            )
        )
    return out


def main(argv=None):
    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
