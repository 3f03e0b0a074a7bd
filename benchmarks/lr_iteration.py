"""One gradient-descent iteration of GDLogisticRegression against its floor.

An iteration of binary logistic regression needs two matrix-vector products,
``X w`` (forward) and ``X^T r`` (backward), and each reads all of ``X`` from
memory; everything else touches only vectors of length ``n``. The ratio

    time of one iteration / time of ``X @ w`` plus ``r @ X``

therefore says how close the implementation is to the memory-bandwidth
limit (1.0), measured in one process with interleaved repeats. Goal: <= 1.10.
The iterations run as in a fit: ``ITERATIONS`` of them per timed call, on
the threads a fit would use (``sknotes._threads.fit_threads``), against as
many pairs of products with BLAS's own threads.

Run ``python -m benchmarks.lr_iteration`` (``--quick`` for a smaller X).
"""

import sys

import numpy as np

from sknotes._blocks import row_blocks
from sknotes._network import DenseNetwork
from sknotes._threads import fit_threads

from ._common import interleaved_times
from ._headline import goal_row
from ._report import section_main

ITERATIONS = 10  # per timed call: a fit sets its threads up once, not per step


def measure(n_samples, n_features, dtype, repeat=15, random_state=0):
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_samples, n_features)).astype(dtype)
    y = (rng.random(n_samples) < 0.5).astype(dtype)
    s = np.full(n_samples, 1.0 / n_samples, dtype=dtype)
    w = (0.01 * rng.standard_normal(n_features)).astype(dtype)
    r = rng.standard_normal(n_samples).astype(dtype)

    network = DenseNetwork([n_features, 1], dtype=dtype)
    network.coefs[0][0] = w
    grad = np.empty_like(network.params)

    n_blocks = len(row_blocks(n_samples, network.rows_per_block()))

    def iteration():
        with fit_threads(n_blocks) as network.n_threads:
            for _ in range(ITERATIONS):
                network.loss_grad(X, y, s, 0.0, grad)
                network.params -= 0.1 * grad

    def two_products():
        for _ in range(ITERATIONS):
            X @ w
            r @ X

    times = interleaved_times(
        {"iteration": iteration, "products": two_products}, repeat=repeat
    )
    return {
        "dtype": np.dtype(dtype).name,
        "n_samples": n_samples,
        "n_features": n_features,
        "iteration_ms": 1e3 * times["iteration"] / ITERATIONS,
        "two_products_ms": 1e3 * times["products"] / ITERATIONS,
        "ratio": times["iteration"] / times["products"],
    }


def run(quick=False):
    # 100,000 x 100 streams X from memory; 20,000 x 100 (8 to 16 MB) stays in
    # the caches, where fixed per-iteration costs weigh most.
    sizes = [20_000] if quick else [100_000, 20_000]
    return [measure(n, 100, dtype) for n in sizes for dtype in (np.float64, np.float32)]


HEADLINE_GOALS = ("LR iteration / two mat-vec products",)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    out = []
    for r in rows:
        case = f"{r['dtype']}, n={r['n_samples']:,}, d={r['n_features']}"
        comment = (
            "below 100,000 samples fixed per-call costs weigh more; see scaling"
            if r["n_samples"] < 100_000
            else ""
        )
        met = r["ratio"] <= 1.10
        out.append(
            goal_row(
                HEADLINE_GOALS[0],
                case,
                r["ratio"],
                "<= 1.10",
                met,
                "lr_iteration",
                comment,
            )
        )
    return out


def main(argv=None):
    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
