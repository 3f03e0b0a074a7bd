"""Time GDLogisticRegression needs to match LogisticRegression's accuracy.

Definition, per data set (the splits and scaling of ``benchmarks.compare``):

1. ``LogisticRegression()`` (lbfgs, defaults) is fitted; its test accuracy
   is the reference ``a_LR``.
2. ``GDLogisticRegression(max_iter=k)`` (learning rate 'auto', default
   ``tol``, so a fit may stop before ``k``) is fitted for ``k`` on a
   geometric grid 1, 2, 3, 4, 6, 8, 11, ... up to the default
   ``max_iter=1000``. The first ``k`` whose test accuracy is at least
   ``a_LR - 0.5`` percentage points is kept. The same is done with
   ``solver='nesterov'``, and with no ``solver`` argument at all (the row
   ``solver='default'``), which follows whatever the estimator's default
   solver is.
3. That fit and LogisticRegression's fit are timed in interleaved rounds
   (medians); the ratio ``GD time / LR time`` is reported. Goal: <= 1.0.

The fit with ``max_iter=1`` is timed in the same rounds: it is the fixed
cost of a fit (input checks, the power iterations of the 'auto' step
size, one iteration), which explains most misses on small data.
"""

from sklearn.linear_model import LogisticRegression

from sknotes import GDLogisticRegression

from ._common import interleaved_times
from ._headline import goal_row
from ._report import n_iter_of, quiet_fit, section_main
from .compare import tabular_datasets

GOAL = 1.0
TOLERANCE = 0.005  # half a percentage point of test accuracy
# 'default' passes no solver: the estimator's own default, whatever it is.
SOLVERS = ("gd", "nesterov", "default")
TABLE_COLUMNS = [
    "dataset",
    "solver",
    "lr_accuracy",
    "k",
    "n_iter",
    "accuracy",
    "gd_fit_ms",
    "one_iter_fit_ms",
    "lr_fit_ms",
    "lr_n_iter",
    "ratio",
    "goal_met",
]


def k_grid(max_iter=1000, factor=1.35):
    """1, 2, 3, 4, 6, 8, 11, ... max_iter: roughly geometric, no repeats."""
    grid, k = [], 1.0
    while k < max_iter:
        grid.append(int(round(k)))
        k = max(k * factor, grid[-1] + 1)
    return sorted(set(grid)) + [max_iter]


def make_model(solver, max_iter):
    """``GDLogisticRegression`` with ``max_iter``; no solver for 'default'."""
    if solver == "default":
        return GDLogisticRegression(max_iter=max_iter)
    return GDLogisticRegression(solver=solver, max_iter=max_iter)


def default_solver():
    """The value of ``solver`` that ``GDLogisticRegression()`` comes with."""
    return GDLogisticRegression().get_params()["solver"]


def first_k(X_train, y_train, X_test, y_test, target, solver, grid):
    """First ``k`` of ``grid`` reaching ``target`` accuracy, or the best miss.

    Returns ``(k, model, reached, stalled)``; ``stalled`` means a fit stopped
    on ``tol`` before ``k`` without reaching the target, so larger ``k``
    cannot change the result.
    """
    best = None
    for k in grid:
        model = quiet_fit(make_model(solver, k), X_train, y_train)
        accuracy = model.score(X_test, y_test)
        if accuracy >= target - 1e-12:
            return k, model, True, False
        if best is None or accuracy > best[2]:
            best = (k, model, accuracy)
        if model.n_iter_ < k:
            return best[0], best[1], False, True
    return best[0], best[1], False, False


def measure_dataset(dataset, repeat, grid):
    Xtr, ytr = dataset.X_train, dataset.y_train
    Xte, yte = dataset.X_test, dataset.y_test
    lr = quiet_fit(LogisticRegression(), Xtr, ytr)
    lr_accuracy = lr.score(Xte, yte)
    target = lr_accuracy - TOLERANCE
    rows = []
    for solver in SOLVERS:
        k, model, reached, stalled = first_k(Xtr, ytr, Xte, yte, target, solver, grid)
        times = interleaved_times(
            {
                "gd": lambda k=k, s=solver: quiet_fit(make_model(s, k), Xtr, ytr),
                "one": lambda s=solver: quiet_fit(make_model(s, 1), Xtr, ytr),
                "lr": lambda: quiet_fit(LogisticRegression(), Xtr, ytr),
            },
            repeat=repeat,
        )
        ratio = times["gd"] / times["lr"]
        row = {
            "dataset": dataset.name,
            "solver": solver,
            "solver_param": default_solver() if solver == "default" else solver,
            "lr_accuracy": lr_accuracy,
            "k": k,
            "n_iter": model.n_iter_,
            "accuracy": model.score(Xte, yte),
            "reached": reached,
            "gd_fit_ms": 1e3 * times["gd"],
            "one_iter_fit_ms": 1e3 * times["one"],
            "lr_fit_ms": 1e3 * times["lr"],
            "lr_n_iter": n_iter_of(lr),
            "ratio": ratio if reached else float("nan"),
            "goal_met": bool(reached and ratio <= GOAL),
        }
        row["reason"] = _reason(row, stalled, grid[-1])
        rows.append(row)
    return rows


def _reason(row, stalled, max_k):
    if not row["reached"]:
        how = (
            f"the fit stopped on tol after {row['n_iter']} iterations"
            if stalled
            else f"max_iter={max_k} was reached"
        )
        return (
            f"never within 0.5 pp: best {100 * row['accuracy']:.1f}% against "
            f"{100 * row['lr_accuracy']:.1f}% ({how})"
        )
    if row["goal_met"]:
        return ""
    fixed = row["one_iter_fit_ms"]
    iterations = max(row["n_iter"] - 1, 0)
    per_iter = (row["gd_fit_ms"] - fixed) / iterations if iterations else 0.0
    return (
        f"{row['n_iter']} iterations needed, against {row['lr_n_iter']} of lbfgs; "
        f"fixed cost (fit with max_iter=1: checks, 'auto' step size) "
        f"{fixed:.2f} ms = {fixed / row['lr_fit_ms']:.2f}x LR's whole fit, "
        f"then {1e3 * per_iter:.0f} us per iteration"
    )


def run(quick=False, tiny=False):
    """Time to accuracy per data set and solver.

    Parameters
    ----------
    quick : bool, default=False
        20,000 samples for ``make_classification`` and 3 timed rounds
        instead of 100,000 and 5.
    tiny : bool, default=False
        Small data, ``k`` up to 30 and one round: checks the plumbing only.

    Returns
    -------
    rows : list of dict
        One row per (data set, solver); see ``TABLE_COLUMNS``, plus
        ``reached``, ``reason`` (why the goal is missed) and
        ``solver_param``, the value of ``solver`` the fit ran with (the
        estimator's default for the row ``solver='default'``).
    """
    repeat = 1 if tiny else 3 if quick else 5
    grid = k_grid(30 if tiny else 1000)
    rows = []
    for dataset in tabular_datasets(quick, tiny):
        rows += measure_dataset(dataset, repeat, grid)
    return rows


def notes(rows):
    """Markdown paragraph: where the goal is missed, and why."""
    misses = [r for r in rows if not r["goal_met"]]
    if not misses:
        return (
            "The goal (ratio <= 1.0) is met on every data set with every "
            f"solver. {_default_text()}\n"
        )
    lines = [_default_text(), "", "Where the goal (ratio <= 1.0) is not met:", ""]
    lines += [
        f"- **{r['dataset']}**, solver={r['solver']}: {r['reason']}." for r in misses
    ]
    return "\n".join(lines) + "\n"


def _default_text():
    return (
        "The solver 'default' is GDLogisticRegression() without a solver "
        f"argument, which is solver='{default_solver()}' in this version."
    )


HEADLINE_GOALS = ("GD time to LR accuracy / LR fit time",)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    return [
        goal_row(
            HEADLINE_GOALS[0],
            f"{r['dataset']}, {r['solver']}",
            r["ratio"],
            "<= 1.0",
            r["goal_met"],
            "time_to_accuracy",
            "" if r["goal_met"] else "why: see the section",
        )
        for r in rows
    ]


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
