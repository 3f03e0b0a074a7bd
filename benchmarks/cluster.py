"""Training on a dask cluster: time per iteration, and data larger than a worker.

Three measurements, each on a ``distributed.LocalCluster`` of two worker
processes with one thread each, started in this process:

``overhead``
    ``GDLogisticRegression(learning_rate=0.5)`` on 10,000 x 20 float64 in 5
    row chunks, against dask-ml's ``LogisticRegression(solver=
    'gradient_descent')`` on the same persisted arrays and cluster, and
    against the same fit in memory. A time per iteration is ``(fit with
    k2 iterations - fit with k1) / (k2 - k1)``, so start-up costs (checking
    the chunks, preparing them on the workers) cancel out; medians of
    interleaved rounds. Goal: at least 10 times less time per iteration
    than dask-ml.
``large``
    The same on 1,000,000 x 100 float32 in 8 chunks, against the same fit on
    the computed array in this process (which uses both cores through its
    own threads). Goal: at most twice the in-memory time per iteration.
``out_of_core``
    Workers limited to 1.5 GiB each, and ``X`` of 2.5 GiB float32 generated
    on the workers (it never exists in this process before the control):
    the chunks that do not fit are spilled to disk by dask and read back
    each iteration. The fit must give the same loss curve as the in-memory
    control on the computed array; the peak resident memory of each worker
    is reported. Only in full mode (``--quick`` skips it).

Needs the ``[dask]`` extra (and ``dask-ml`` for the comparison, which is
skipped without it). Run ``python -m benchmarks.cluster`` (``--quick``).
"""

import logging
import sys
import time
import warnings

import numpy as np

from ._common import per_iteration_times
from ._headline import goal_row, not_run_row
from ._report import section_main

GOAL_VS_DASK_ML = 0.1  # sknotes iteration / dask-ml iteration
GOAL_VS_MEMORY = 2.0  # cluster iteration / in-memory iteration
GIB = 2**30
BLOCK = 8192  # rows per block of logistic regression on 20 to 100 features


def _quiet():
    warnings.filterwarnings("ignore")
    logging.getLogger("distributed").setLevel(logging.ERROR)


def _cluster(memory_limit="auto", processes=True):
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=processes,
        memory_limit=memory_limit,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


def _sknotes(X, y, k):
    from sknotes import GDLogisticRegression

    return GDLogisticRegression(learning_rate=0.5, max_iter=k, tol=0).fit(X, y)


def _dask_ml(X, y, k):
    from dask_ml.linear_model import LogisticRegression

    # no penalty to speak of, like GDLogisticRegression's default alpha=0
    model = LogisticRegression(
        solver="gradient_descent", max_iter=k, tol=0, penalty="l2", C=1e10
    )
    return model.fit(X, y)


def _data(n_rows, n_features, n_chunks, dtype, seed=0):
    import dask.array as da

    rows = -(-n_rows // n_chunks)
    if rows > BLOCK:  # whole blocks per chunk: the same sums as in memory
        rows = -(-rows // BLOCK) * BLOCK
    X = da.random.RandomState(seed).normal(size=(n_rows, n_features), chunks=rows)
    X = X.astype(dtype)
    # elementwise, not X @ w: a matrix product's last bits depend on the BLAS
    # threads of whoever computes it, and the labels must be the same for the
    # workers and for the in-memory control
    noise = da.random.RandomState(seed + 1).normal(size=n_rows, chunks=rows)
    y = X[:, 0] + 0.5 * X[:, 1] - 0.25 * X[:, 2] + noise > 0
    return X, y.astype(np.int64)


def overhead(client, n_rows=10_000, n_features=20, n_chunks=5, with_dask_ml=True):
    X, y = _data(n_rows, n_features, n_chunks, np.float64)
    X, y = client.persist([X, y])
    X_mem, y_mem = client.compute([X, y], sync=True)
    fits = {
        "sknotes_cluster": lambda k: _sknotes(X, y, k),
        "sknotes_memory": lambda k: _sknotes(X_mem, y_mem, k),
    }
    note = ""
    if with_dask_ml:
        try:
            import dask_ml  # noqa: F401

            fits["dask_ml_cluster"] = lambda k: _dask_ml(X, y, k)
        except ImportError:
            note = "dask-ml not installed"
    times = per_iteration_times(fits, 5, 25)
    row = {
        "case": f"overhead, {n_rows:_} x {n_features} float64, {n_chunks} chunks",
        "cluster_ms": 1e3 * times["sknotes_cluster"],
        "memory_ms": 1e3 * times["sknotes_memory"],
        "cluster_vs_memory": times["sknotes_cluster"] / times["sknotes_memory"],
        "note": note,
    }
    if "dask_ml_cluster" in times:
        row["dask_ml_ms"] = 1e3 * times["dask_ml_cluster"]
        row["vs_dask_ml"] = times["sknotes_cluster"] / times["dask_ml_cluster"]
        row["goal_met"] = row["vs_dask_ml"] <= GOAL_VS_DASK_ML
    return row


def large(client, n_rows=1_000_000, n_features=100, n_chunks=8):
    X, y = _data(n_rows, n_features, n_chunks, np.float32)
    X, y = client.persist([X, y])
    X_mem, y_mem = client.compute([X, y], sync=True)
    times = per_iteration_times(
        {
            "cluster": lambda k: _sknotes(X, y, k),
            "memory": lambda k: _sknotes(X_mem, y_mem, k),
        },
        3,
        13,
    )
    ratio = times["cluster"] / times["memory"]
    return {
        "case": f"large, {n_rows:_} x {n_features} float32, {n_chunks} chunks",
        "cluster_ms": 1e3 * times["cluster"],
        "memory_ms": 1e3 * times["memory"],
        "cluster_vs_memory": ratio,
        "goal_met": ratio <= GOAL_VS_MEMORY,
        "note": "",
    }


def _peak_rss_gib():
    # VmHWM: the most resident memory this process has had
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / GIB
    return float("nan")


def out_of_core(n_features=100, gib=2.5, limit="1.5GiB", n_iter=5):
    import dask
    from distributed import Client

    n_rows = int(gib * GIB / 4 / n_features)
    with _cluster(memory_limit=limit) as cluster, Client(cluster) as client:
        X, y = _data(n_rows, n_features, 20, np.float32)
        start = time.perf_counter()
        remote = _sknotes(X, y, n_iter)
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_rss_gib)
    # The control regenerates the same numbers here, with the local scheduler
    # (gathering them through a worker would not fit in its memory limit).
    X_mem, y_mem = dask.compute(X, y, scheduler="threads")
    control = _sknotes(X_mem, y_mem, n_iter)
    difference = np.max(
        np.abs(np.subtract(remote.loss_curve_, control.loss_curve_))
        / np.abs(control.loss_curve_)
    )
    return {
        "case": (
            f"out of core, {n_rows:_} x {n_features} float32 "
            f"({X_mem.nbytes / GIB:.2f} GiB), workers limited to {limit}"
        ),
        "cluster_ms": 1e3 * seconds / n_iter,
        "peak_worker_gib": max(peaks.values()),
        "loss_curve_rel_diff": float(difference),
        "goal_met": bool(difference < 1e-10),
        "note": f"{n_iter} iterations, fit time per iteration incl. preparation",
    }


def run(quick=False, tiny=False):
    try:
        from distributed import Client
    except ImportError as exc:  # the [dask] extra is optional
        return [{"case": "(all)", "note": f"skipped: dask is not installed ({exc})"}]
    _quiet()
    rows = []
    with _cluster(processes=not tiny) as cluster, Client(cluster) as client:
        if tiny:
            rows.append(overhead(client, 2_000, 5, 4, with_dask_ml=False))
            return rows
        rows.append(overhead(client))
        rows.append(large(client, n_rows=200_000 if quick else 1_000_000))
    if not quick:
        rows.append(out_of_core())
    return rows


HEADLINE_GOALS = (
    "Cluster iteration / dask-ml iteration",
    "Cluster iteration / in-memory iteration",
    "Out-of-core fit: loss curve vs in memory (relative)",
)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    out = []
    for r in rows:
        if r["case"] == "(all)":
            out.append(not_run_row(HEADLINE_GOALS[0], "cluster", r["note"]))
        elif "vs_dask_ml" in r:
            out.append(
                goal_row(
                    HEADLINE_GOALS[0],
                    r["case"],
                    r["vs_dask_ml"],
                    "<= 0.1",
                    r["vs_dask_ml"] <= GOAL_VS_DASK_ML,
                    "cluster",
                    f"{r['cluster_ms']:.1f} ms against {r['dask_ml_ms']:.0f} ms",
                )
            )
        elif r["case"].startswith("large"):
            ratio = r["cluster_vs_memory"]
            out.append(
                goal_row(
                    HEADLINE_GOALS[1],
                    r["case"],
                    ratio,
                    "<= 2.0",
                    ratio <= GOAL_VS_MEMORY,
                    "cluster",
                    f"{r['cluster_ms']:.1f} ms against {r['memory_ms']:.1f} ms",
                )
            )
        elif r["case"].startswith("out of core"):
            out.append(
                goal_row(
                    HEADLINE_GOALS[2],
                    r["case"],
                    r["loss_curve_rel_diff"],
                    "< 1e-10",
                    r["goal_met"],
                    "cluster",
                    f"peak worker memory {r['peak_worker_gib']:.2f} GiB",
                )
            )
    return out


def main(argv=None):
    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
