"""Time per iteration of GDLogisticRegression as n and d grow.

Each point is ``benchmarks.lr_iteration.measure``: one iteration of the
network core (``loss_grad`` plus the update) against the two matrix-vector
products it cannot avoid, ``X @ w`` and ``r @ X``, timed in interleaved
rounds. Both read all of ``X``, so once ``X`` no longer fits in the caches
the ratio says how close an iteration is to the memory-bandwidth limit
(1.0; goal <= 1.10). Two sweeps: ``n`` from 10^3 to 10^6 samples with 100
features (to 3 x 10^4 in quick mode), and ``d`` up to 12,288 features (a
64x64 RGB image) with ``n`` fixed, float64 and float32. The largest ``X``
takes 800 MB.
"""

import numpy as np

from ._report import new_figure, section_main
from .lr_iteration import measure

GOAL = 1.10
D_FIXED = 100
TABLE_COLUMNS = [
    "sweep",
    "dtype",
    "n_samples",
    "n_features",
    "mb",
    "iteration_ms",
    "two_products_ms",
    "ratio",
]


def grids(quick=False, tiny=False):
    """``(n values at d=100, d values, n for the d sweep)``."""
    if tiny:
        return [200, 400], [10, 20], 100
    n_max = 30_000 if quick else 1_000_000
    n_values = [1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
    n_values = [n for n in n_values if n <= n_max]
    d_values = [10, 30, 100, 300, 1_000, 3_000, 12_288]
    # 4,000 x 12,288 float64 is 393 MB; quick mode halves n.
    return n_values, d_values, 2_000 if quick else 4_000


def run(quick=False, tiny=False, dtypes=(np.float64, np.float32)):
    """Both sweeps; see the module docstring.

    Parameters
    ----------
    quick : bool, default=False
        ``n`` up to 10^5 and ``n = 2,000`` for the ``d`` sweep.
    tiny : bool, default=False
        Two small points per sweep and few rounds: checks the plumbing only.
    dtypes : tuple of numpy dtypes, default=(float64, float32)

    Returns
    -------
    rows : list of dict
        One row per point: ``sweep`` ('n' or 'd'), ``dtype``, sizes, ``mb``
        (size of ``X``), ``iteration_ms``, ``two_products_ms``, ``ratio``.
    """
    n_values, d_values, n_for_d = grids(quick, tiny)
    points = [("n", n, D_FIXED) for n in n_values]
    points += [("d", n_for_d, d) for d in d_values]
    rows = []
    for sweep, n, d in points:
        for dtype in dtypes:
            # Fewer rounds where one round reads hundreds of megabytes.
            repeat = 3 if tiny else 15 if n * d <= 10**7 else 7
            row = measure(n, d, dtype, repeat=repeat)
            row["mb"] = n * d * np.dtype(dtype).itemsize / 2**20
            rows.append({"sweep": sweep, **row})
    return rows


def plot(rows):
    """Times (top) and ratio to the two products (bottom), against n and d."""
    fig, axes = new_figure(2, 2, width=5.4, height=3.6)
    for col, (sweep, key, label) in enumerate(
        [
            ("n", "n_samples", f"n_samples (d = {D_FIXED})"),
            ("d", "n_features", "n_features (n fixed)"),
        ]
    ):
        subset = [r for r in rows if r["sweep"] == sweep]
        if sweep == "d" and subset:
            label = f"n_features (n = {subset[0]['n_samples']:,})"
        top, bottom = axes[0, col], axes[1, col]
        for i, dtype in enumerate(dict.fromkeys(r["dtype"] for r in subset)):
            points = [r for r in subset if r["dtype"] == dtype]
            x = [r[key] for r in points]
            top.plot(x, [r["iteration_ms"] for r in points], "o-", color=f"C{i}")
            top.plot(x, [r["two_products_ms"] for r in points], "x--", color=f"C{i}")
            bottom.plot(x, [r["ratio"] for r in points], "o-", color=f"C{i}")
            top.plot([], [], "s", color=f"C{i}", label=dtype)
        top.plot([], [], "ko-", label="iteration")
        top.plot([], [], "kx--", label="X@w + r@X")
        top.set(xscale="log", yscale="log", ylabel="milliseconds", xlabel=label)
        top.legend(fontsize=7)
        bottom.axhline(GOAL, color="0.5", linestyle=":", label=f"goal {GOAL}")
        bottom.axhline(1.0, color="0.8", linewidth=0.8)
        bottom.set(
            xscale="log",
            yscale="log",
            xlabel=label,
            ylabel="iteration / two products",
        )
        bottom.legend(fontsize=7)
    fig.suptitle("One GDLogisticRegression iteration against its two mat-vec products")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
