"""Every sknotes classifier at its defaults against scikit-learn's default.

Nothing is tuned: each public classifier of sknotes (found the way
``tests/test_common.py`` finds the estimators) is built with
``random_state=0`` and no other parameter, and so is its scikit-learn
counterpart: ``LogisticRegression`` for the logistic regressions of
``sknotes.linear_model``, ``MLPClassifier`` for the networks of
``sknotes.neural_network``. This is what a user gets without reading the
documentation.

Every data set is split once, 75/25 and stratified (``random_state=0``), and
measured twice: raw, and after a ``StandardScaler`` fitted on the training
part. The data sets: digits, breast cancer, wine and iris from scikit-learn,
``make_moons(1000, noise=0.25)``, the notes' ``make_flower()``,
``make_classification(20000, 50, n_informative=20, n_classes=3)``, a badly
scaled ``make_classification(2000, 20, n_informative=10)`` whose columns are
multiplied by ``np.logspace(-3, 3, 20)``, and real flower photos (daisy,
roses, sunflowers) from ``../shared/data/photos`` next to the repository (or
the folder named by ``SKNOTES_PHOTOS``), read with ``load_image_folder`` and
a default ``ImageFlattener`` (64x64 RGB, float32, values / 255 even when
"raw"), with the folder's own ``train/`` and ``test/`` as the split. The
photos' fit times are those of the estimators on the flattened arrays:
decoding the JPEG files is not included.

Goal per case: the sknotes accuracy is at least scikit-learn's minus one
percentage point. In full mode both accuracies are means over
``random_state`` 0 to 4 (the fits of the other seeds are not timed): the
test sets hold 38 to 4,500 samples, and on the small ones a single seed
moves either library's network by several points. ``--quick`` uses seed 0
alone. Goal per classifier: the total fit time over all cases is
at most scikit-learn's total. Fit times are medians of rounds that
alternate the two candidates (3 rounds; 1 with ``--quick``), after one
untimed fit of every estimator on a small problem; ``n_iter_`` is that of
the last timed fit (seed 0). Convergence warnings are silenced and counted per fit
(``*_warned``). A fit that raises counts as a miss, with its error in
``note``.
"""

import inspect
import os
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknotes._discovery import public_estimators
from sknotes.datasets import make_flower

from ._common import StepProgress, interleaved_times
from ._headline import goal_row, not_run_row
from ._report import n_iter_of, section_main

TOLERANCE = 0.01  # one percentage point of test accuracy
# Accuracies are means over random_state 0 ... SEEDS - 1 in full mode: on a
# test set of 38 (iris) to 90 (photos) samples one sample is 1 to 2.6
# points, and the seed alone moves either library's network by 3 to 9.
SEEDS = 5
TIME_GOAL = 1.0  # total sknotes fit time / total scikit-learn fit time
PHOTOS_ENV = "SKNOTES_PHOTOS"
PHOTOS_NAME = "flower photos"
TINY_PHOTOS = (3, 2)  # train and test photos per class in tiny mode
QUICK_PIXELS = (32, 32)  # photo size in quick mode (the default is 64 x 64)
TINY_PIXELS = 8  # side of the tiny mode's photos: plumbing, not accuracy
SCALINGS = ("raw", "standardized")

# sknotes module -> (scikit-learn's counterpart, how to build it at defaults)
COUNTERPARTS = {
    "sknotes.linear_model": (
        "LogisticRegression",
        lambda seed=0: LogisticRegression(random_state=seed),
    ),
    "sknotes.neural_network": (
        "MLPClassifier",
        lambda seed=0: MLPClassifier(random_state=seed),
    ),
}

TABLE_COLUMNS = [
    "dataset",
    "scaling",
    "sknotes",
    "sknotes_accuracy",
    "sklearn_accuracy",
    "diff_pp",
    "sknotes_accuracy_seed0",
    "sklearn_accuracy_seed0",
    "goal_met",
    "sknotes_fit_s",
    "sklearn_fit_s",
    "sknotes_n_iter",
    "sklearn_n_iter",
    "sknotes_warned",
    "note",
]


# -- the candidates -----------------------------------------------------------


def sknotes_classifiers():
    """Every public classifier class of a public sknotes module."""
    return public_estimators(ClassifierMixin)


def _at_defaults(cls, seed=0):
    """``cls(random_state=seed)``, or ``cls()`` when it has no random_state."""
    params = inspect.signature(cls).parameters
    return cls(random_state=seed) if "random_state" in params else cls()


class Pair:
    """An sknotes classifier and scikit-learn's counterpart, both at defaults."""

    def __init__(self, cls, sklearn_name, make_sklearn):
        self.name = cls.__name__
        self.sklearn_name = sklearn_name
        self._cls, self._make_sklearn = cls, make_sklearn

    def sknotes(self, seed=0):
        return _at_defaults(self._cls, seed)

    def sklearn(self, seed=0):
        return self._make_sklearn(seed)


def pairs():
    """``(pairs, unmatched)``: the measured pairs, and classifiers without one."""
    found, unmatched = [], []
    for cls in sknotes_classifiers():
        counterpart = COUNTERPARTS.get(cls.__module__)
        if counterpart is None:
            unmatched.append(cls.__name__)
        else:
            found.append(Pair(cls, *counterpart))
    return found, unmatched


# -- the data -----------------------------------------------------------------


class Split:
    """A named train/test split and a note for the report."""

    def __init__(self, name, X_train, X_test, y_train, y_test, note=""):
        self.name = name
        self.X_train, self.X_test = X_train, X_test
        self.y_train, self.y_test = y_train, y_test
        self.note = note

    def scaled(self, scaling):
        """``(X_train, X_test)`` raw or standardized on the training part."""
        if scaling == "raw":
            return self.X_train, self.X_test
        scaler = StandardScaler().fit(self.X_train)
        return scaler.transform(self.X_train), scaler.transform(self.X_test)


def _split(name, X, y, note=""):
    parts = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    return Split(name, *parts, note=note)


def badly_scaled(n_samples=2000):
    """``make_classification(n, 20, n_informative=10)``, columns * 1e-3 ... 1e3."""
    X, y = make_classification(n_samples, 20, n_informative=10, random_state=0)
    return X * np.logspace(-3, 3, 20), y


def array_splits(quick=False, tiny=False):
    """The in-memory data sets, split (scaling happens per case)."""
    if tiny:
        return [_split("iris", *load_iris(return_X_y=True))]
    bad_note = "columns scaled by 1e-3 ... 1e3"
    # a smoke run in --quick mode: 5,000 rows (the 20,000-row fits took half
    # of its time)
    n = 5_000 if quick else 20_000
    X, y = make_classification(n, 50, n_informative=20, n_classes=3, random_state=0)
    return [
        _split("digits", *load_digits(return_X_y=True)),
        _split("breast_cancer", *load_breast_cancer(return_X_y=True)),
        _split("wine", *load_wine(return_X_y=True)),
        _split("iris", *load_iris(return_X_y=True)),
        _split("moons", *make_moons(1000, noise=0.25, random_state=0)),
        _split("make_flower", *make_flower()),
        _split(f"make_classification({n:_}, 50, 3 classes)", X, y),
        _split("badly scaled (2000, 20)", *badly_scaled(), note=bad_note),
    ]


def photos_folder():
    """``$SKNOTES_PHOTOS``, or ``shared/data/photos`` beside the repository."""
    env = os.environ.get(PHOTOS_ENV)
    if env:
        return Path(env)
    root = Path(__file__).resolve().parent.parent
    return root.parent / "shared" / "data" / "photos"


def _first_per_class(bunch, k):
    keep = np.concatenate(
        [np.flatnonzero(bunch.target == c)[:k] for c in np.unique(bunch.target)]
    )
    return bunch.filenames[keep], bunch.target[keep]


def photo_split(tiny=False, quick=False):
    """``(Split, "")``, or ``(None, why)`` when the photos are not usable."""
    folder = photos_folder()
    if not ((folder / "train").is_dir() and (folder / "test").is_dir()):
        return None, (
            f"skipped: no train/ and test/ folders in {folder} "
            f"(set {PHOTOS_ENV} to the photos' folder)"
        )
    try:
        from sknotes.images import ImageFlattener, load_image_folder

        train = load_image_folder(folder / "train")
        test = load_image_folder(folder / "test")
        if list(train.target_names) != list(test.target_names):
            return None, "skipped: train/ and test/ have different classes"
        if tiny:
            (paths_train, y_train), (paths_test, y_test) = (
                _first_per_class(train, TINY_PHOTOS[0]),
                _first_per_class(test, TINY_PHOTOS[1]),
            )
            flattener = ImageFlattener(size=TINY_PIXELS)
        else:
            paths_train, y_train = train.filenames, train.target
            paths_test, y_test = test.filenames, test.target
            # every photo; smaller images in a quick run (a quarter of the
            # features: the full-size fits took half of its time)
            flattener = ImageFlattener(size=QUICK_PIXELS) if quick else ImageFlattener()
        X_train = flattener.fit_transform(paths_train)
        X_test = flattener.transform(paths_test)
    except Exception as exc:  # a broken folder must not stop the section
        return None, f"skipped: the photos could not be loaded ({exc})"
    height, width, channels = flattener.image_shape_
    note = (
        f"{height}x{width}x{channels} {X_train.dtype}, / 255; "
        "fit time excludes decoding"
    )
    return Split(PHOTOS_NAME, X_train, X_test, y_train, y_test, note=note), ""


# -- the measurement ----------------------------------------------------------


def _first_sentence(exc):
    text = str(exc).split(". ")[0].strip().rstrip(".")
    return f"{type(exc).__name__}: {text}"


def counting_fit(estimator, X, y, record):
    """Fit with every warning silenced; store convergence warnings and errors.

    ``record["warned"]`` becomes the number of ConvergenceWarnings of this
    fit and ``record["error"]`` the error it raised, or "".
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            estimator.fit(X, y)
            record["error"] = ""
        except Exception as exc:  # e.g. gradient descent diverging
            record["error"] = _first_sentence(exc)
    record["warned"] = sum(issubclass(w.category, ConvergenceWarning) for w in caught)


def warm_up(found):
    """One untimed fit of every estimator: first-call costs stay out."""
    X, y = load_iris(return_X_y=True)
    for pair in found:
        for estimator in (pair.sknotes(), pair.sklearn()):
            counting_fit(estimator, X[::3], y[::3], {})


def seed_accuracies(pair, side, X_train, y_train, X_test, y_test, seeds):
    """Test accuracies of ``side``'s classifier with ``random_state`` 1, 2, ..."""
    scores = []
    for seed in range(1, seeds):
        model = getattr(pair, side)(seed)
        record = {}
        counting_fit(model, X_train, y_train, record)
        scores.append(np.nan if record["error"] else model.score(X_test, y_test))
    return scores


def measure_case(split, scaling, pair, repeat, seeds=1):
    """One row: both classifiers at defaults on one split and scaling."""
    X_train, X_test = split.scaled(scaling)
    y_train, y_test = split.y_train, split.y_test
    models = {"sknotes": pair.sknotes(), "sklearn": pair.sklearn()}
    records = {side: {} for side in models}
    times = interleaved_times(
        {
            side: (
                lambda m=model, r=records[side]: counting_fit(m, X_train, y_train, r)
            )
            for side, model in models.items()
        },
        repeat=repeat,
        warmup=0,
    )
    row = {
        "dataset": split.name,
        "scaling": scaling,
        "n_train": len(y_train),
        "n_features": X_train.shape[1],
        "sknotes": pair.name,
        "sklearn": pair.sklearn_name,
    }
    notes = [split.note] if split.note else []
    for side, model in models.items():
        error = records[side]["error"]
        failed = bool(error)
        first = float("nan") if failed else float(model.score(X_test, y_test))
        more = seed_accuracies(pair, side, X_train, y_train, X_test, y_test, seeds)
        row[f"{side}_accuracy_seed0"] = first
        row[f"{side}_accuracy"] = float(np.mean([first, *more]))
        row[f"{side}_fit_s"] = float("nan") if failed else times[side]
        row[f"{side}_n_iter"] = "" if failed else n_iter_of(model)
        row[f"{side}_warned"] = records[side]["warned"]
        if failed:
            notes.append(f"{side} failed: {error}")
    ours, theirs = row["sknotes_accuracy"], row["sklearn_accuracy"]
    row["diff_pp"] = 100 * (ours - theirs)
    row["goal_met"] = bool(
        not np.isnan(ours) and (np.isnan(theirs) or ours >= theirs - TOLERANCE - 1e-12)
    )
    row["time_ratio"] = row["sknotes_fit_s"] / row["sklearn_fit_s"]
    row["repeat"] = repeat
    row["seeds"] = seeds
    row["note"] = "; ".join(notes)
    return row


def run(quick=False, tiny=False):
    """Every sknotes classifier at defaults against scikit-learn's, per case.

    Parameters
    ----------
    quick : bool, default=False
        One timed round instead of 3, seed 0 alone instead of 5 seeds,
        5,000 rows of ``make_classification`` instead of 20,000 and the
        photos at 32x32 pixels instead of 64x64: a smoke run.
    tiny : bool, default=False
        Iris and a few photos at 8x8 pixels, one round and no warm-up:
        checks the plumbing only.

    Returns
    -------
    rows : list of dict
        One row per (data set, scaling, sknotes classifier); see
        ``TABLE_COLUMNS``, plus ``sklearn`` (the counterpart), ``n_train``,
        ``n_features``, ``time_ratio``, ``sklearn_warned`` and ``repeat``.
        A skipped data set or an unmatched classifier gets one row with
        only ``dataset``, ``sknotes`` and ``note``.
    """
    repeat = 1 if tiny or quick else 3
    seeds = 1 if tiny or quick else SEEDS
    found, unmatched = pairs()
    rows = [
        {
            "dataset": "(all)",
            "sknotes": name,
            "note": "skipped: no scikit-learn counterpart is known for its module",
        }
        for name in unmatched
    ]
    if not tiny:
        warm_up(found)
    splits = array_splits(quick, tiny)
    photos, skipped = photo_split(tiny, quick)
    if photos is None:
        rows.append({"dataset": PHOTOS_NAME, "sknotes": "(all)", "note": skipped})
    else:
        splits.append(photos)
    progress = StepProgress(len(splits) * len(SCALINGS), "defaults")
    for split in splits:
        for scaling in SCALINGS:
            progress.step(f"{split.name}, {scaling}")
            for pair in found:
                rows.append(measure_case(split, scaling, pair, repeat, seeds))
    return rows


# -- the summary --------------------------------------------------------------


def measured(rows):
    """The rows of measured cases (not the skipped data sets)."""
    return [r for r in rows if "goal_met" in r]


def _is_number(value):
    return isinstance(value, (int, float)) and not np.isnan(value)


def family_totals(rows):
    """Per sknotes classifier: cases met, the misses and the total fit times.

    Returns a list of dicts with ``sknotes``, ``sklearn``, ``cases``,
    ``met``, ``misses`` (rows, worst first), ``sknotes_total_s``,
    ``sklearn_total_s``, ``timed`` (cases where both fits succeeded, the
    only ones in the totals) and ``ratio``.
    """
    families = {}
    for r in measured(rows):
        families.setdefault(r["sknotes"], []).append(r)
    out = []
    for name, cases in families.items():
        timed = [
            r
            for r in cases
            if _is_number(r["sknotes_fit_s"]) and _is_number(r["sklearn_fit_s"])
        ]
        ours = sum(r["sknotes_fit_s"] for r in timed)
        theirs = sum(r["sklearn_fit_s"] for r in timed)
        misses = [r for r in cases if not r["goal_met"]]
        misses.sort(key=lambda r: r["diff_pp"] if _is_number(r["diff_pp"]) else -1e9)
        out.append(
            {
                "sknotes": name,
                "sklearn": cases[0]["sklearn"],
                "cases": len(cases),
                "met": len(cases) - len(misses),
                "misses": misses,
                "sknotes_total_s": ours,
                "sklearn_total_s": theirs,
                "timed": len(timed),
                "ratio": ours / theirs if theirs > 0 else float("nan"),
            }
        )
    return out


def case_label(row):
    return f"{row['dataset']} {row['scaling']}"


def miss_text(row):
    """One miss, short: ``wine raw -28.9 pp`` or ``wine raw failed``."""
    if not _is_number(row["diff_pp"]):
        return f"{case_label(row)} failed"
    return f"{case_label(row)} {row['diff_pp']:+.1f} pp"


def skipped_rows(rows):
    return [r for r in rows if "goal_met" not in r]


def notes(rows):
    """Markdown: per classifier the goals, then every miss and what was skipped."""
    lines = []
    for f in family_totals(rows):
        lines.append(
            f"- **{f['sknotes']}** against {f['sklearn']}: within 1 point in "
            f"{f['met']} of {f['cases']} cases; total fit time "
            f"{f['sknotes_total_s']:.3g} s against {f['sklearn_total_s']:.3g} s "
            f"({f['ratio']:.2f}x) over {f['timed']} cases."
        )
    lines.append("")
    misses = [m for f in family_totals(rows) for m in f["misses"]]
    if misses:
        lines += ["Cases more than 1 point below scikit-learn's default:", ""]
        for r in misses:
            if _is_number(r["diff_pp"]):
                what = (
                    f"{100 * r['sknotes_accuracy']:.1f}% against "
                    f"{100 * r['sklearn_accuracy']:.1f}% "
                    f"({r['diff_pp']:+.1f} pp)"
                )
            else:
                what = r["note"]
            warned = " with a convergence warning" if r["sknotes_warned"] else ""
            lines.append(
                f"- **{r['dataset']}**, {r['scaling']}, {r['sknotes']}: {what}; "
                f"{r['sknotes_n_iter']} iterations{warned}, against "
                f"{r['sklearn_n_iter']} of {r['sklearn']}."
            )
        lines.append("")
    for r in skipped_rows(rows):
        what = r["sknotes"] if r["dataset"] == "(all)" else r["dataset"]
        why = r["note"].removeprefix("skipped: ")
        lines.append(f"- **{what}** was not measured: {why}.")
    return "\n".join(lines).rstrip() + "\n"


HEADLINE_GOALS = (
    "Default accuracy within 1 point of scikit-learn's default",
    "Default total fit time / scikit-learn's default",
)


def headline(rows):
    """Per sknotes classifier: accuracy cases met and total fit-time ratio."""
    accuracy_goal, time_goal = HEADLINE_GOALS
    out = []
    for family in family_totals(rows):
        case = f"{family['sknotes']} vs {family['sklearn']}"
        misses = [miss_text(r) for r in family["misses"]]
        comment = ""
        if misses:
            shown = 4  # the worst few; the section lists them all
            comment = "misses: " + ", ".join(misses[:shown])
            if len(misses) > shown:
                comment += f" and {len(misses) - shown} more (see the section)"
        met = family["met"] == family["cases"]
        measured = f"{family['met']}/{family['cases']}"
        out.append(
            goal_row(accuracy_goal, case, measured, "all", met, "defaults", comment)
        )
        comment = (
            f"{family['sknotes_total_s']:.3g} s against "
            f"{family['sklearn_total_s']:.3g} s over {family['timed']} cases"
        )
        ratio = family["ratio"]
        met = bool(ratio <= TIME_GOAL)
        out.append(goal_row(time_goal, case, ratio, "<= 1.0", met, "defaults", comment))
    skipped = skipped_rows(rows)
    gone = [r["dataset"] for r in skipped if r["dataset"] != "(all)"]
    for row in out:
        if gone and row["goal"] == accuracy_goal:
            sep = "; " if row["comment"] else ""
            row["comment"] += f"{sep}not measured: {', '.join(gone)}"
    for r in skipped:
        if r["dataset"] == "(all)":  # a classifier without a counterpart
            row = not_run_row(accuracy_goal, "defaults", "not run")
            row["case"], row["comment"] = r["sknotes"], r["note"]
            out.append(row)
    return out


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
