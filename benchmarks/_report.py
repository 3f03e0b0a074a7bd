"""Writing results: stamped CSV files, stamped figures, per-iteration timing.

Every file the benchmarks write carries the same stamp (date, machine, BLAS
library and threads, library versions, command), so a number can always be
traced back to where and how it was measured.
"""

import warnings

import numpy as np

from ._common import interleaved_times, machine_stamp, markdown_table


def write_csv(rows, path, stamp):
    """``rows`` as CSV, preceded by ``# key: value`` lines of the stamp.

    Read it back with ``pandas.read_csv(path, comment="#")``.
    """
    import pandas as pd

    with open(path, "w", encoding="utf-8", newline="") as f:
        for key, value in stamp.items():
            f.write(f"# {key}: {value}\n")
        pd.DataFrame(rows).to_csv(f, index=False)


def stamp_text(stamp):
    """The stamp as two short lines for the foot of a figure."""
    return (
        f"{stamp['date']} | {stamp['machine']} | {stamp['cpu']} | "
        f"BLAS: {stamp['blas']}\n{stamp['versions']} | {stamp['command']}"
    )


def save_figure(fig, path, stamp):
    """Save ``fig`` as PNG with the stamp printed at its foot.

    Leave room for it: the section plots lay out with ``tight_layout(rect=(0,
    0.06, 1, 0.97))``.
    """
    import matplotlib.pyplot as plt

    fig.text(0.01, 0.01, stamp_text(stamp), fontsize=6, color="0.35", va="bottom")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def new_figure(ncols=1, nrows=1, width=6.0, height=4.2):
    """A figure on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False
    )
    return fig, axes


def per_iteration_time(make_fit, short, long, repeat, extra=None):
    """Seconds per iteration of a fit, without the fit's fixed overhead.

    ``make_fit(k)`` returns a callable that fits with exactly ``k``
    iterations; the time per iteration is ``(t(long) - t(short)) /
    (long - short)``, where ``t`` are medians of interleaved rounds, so
    input validation, set-up and the step-size estimate cancel out.
    ``extra`` callables are timed in the same rounds and returned too.
    """
    functions = {"short": make_fit(short), "long": make_fit(long), **(extra or {})}
    times = interleaved_times(functions, repeat=repeat)
    per_iteration = (times["long"] - times["short"]) / (long - short)
    return per_iteration, times


def quiet_fit(estimator, X, y):
    """``estimator.fit(X, y)`` with convergence warnings silenced."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*max_iter.*")
        return estimator.fit(X, y)


def n_iter_of(estimator):
    """``n_iter_`` as one int (LogisticRegression stores an array), or ''."""
    estimator = getattr(estimator, "steps", [(None, estimator)])[-1][1]
    n_iter = getattr(estimator, "n_iter_", None)
    if n_iter is None:
        return ""
    return int(np.max(n_iter))


def section_main(module, argv=None):
    """A ``main`` for a section module: run it and print stamp and table."""
    import argparse

    parser = argparse.ArgumentParser(description=module.__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    args = parser.parse_args(argv)
    rows = module.run(quick=args.quick)
    command = f"python -m {module.__name__}" + (" --quick" if args.quick else "")
    for key, value in machine_stamp(command).items():
        print(f"{key}: {value}")
    summary = getattr(module, "summary", None)
    print(markdown_table(summary(rows) if summary else rows))
