"""Run the benchmarks and write a stamped report.

Usage (from the repository root)::

    python -m benchmarks --quick             # a smoke run, about 2 minutes on 2 cores
    python -m benchmarks                      # the full sizes, about 75 minutes
    python -m benchmarks --only compare,scaling --out /tmp/bench

Writes to ``benchmarks/results/`` (``benchmarks/results-quick/`` with
``--quick``, or ``--out``): ``results.md`` (the
headline table of the project's goals, then one section per benchmark),
``headline.md`` (the stamp and the headline table alone, for the README),
one CSV per section and PNG plots. Every file carries the date, the
machine (cores, BLAS library and threads), the library versions and the
command.
"""

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from ._common import machine_stamp, markdown_table, stamp_markdown
from ._headline import HEADLINE_COLUMNS, headline_rows
from ._report import save_figure, write_csv

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
# --quick and --tiny runs write here unless told otherwise, so that they never
# replace the committed results of a full run
DEFAULT_QUICK_OUT = Path(__file__).resolve().parent / "results-quick"


def _nn_epoch(module, quick, tiny):
    if tiny:
        return [
            module.measure(300, 10, hidden, activation, dtype, epochs=1, repeat=1)
            for hidden, activation in [((8,), "tanh"), ((8, 4, 4), "relu")]
            for dtype in (np.float64, np.float32)
        ] + [module.measure_minibatch(500, 10, (8,), np.float64, epochs=1, repeat=1)]
    return module.run(quick=quick)


def _lr_iteration(module, quick, tiny):
    if tiny:
        return [
            module.measure(500, 10, dtype, repeat=2)
            for dtype in (np.float64, np.float32)
        ]
    return module.run(quick=quick)


def _image_loading(module, quick, tiny):
    if tiny:
        return None  # its run() has no size below quick's 100 photos
    return module.run(quick=quick)


def _own(module, quick, tiny):
    return module.run(quick=quick, tiny=tiny)


# Seconds each section took in the full run of benchmarks/results (2 cores),
# for the estimate of what remains.
FULL_RUN_SECONDS = {
    "compare": 1007,
    "defaults": 535,
    "time_to_accuracy": 11,
    "lr_iteration": 8,
    "scaling": 78,
    "nn_epoch": 180,
    "convergence": 2,
    "vectorisation": 1,
    "image_loading": 23,
    "cluster": 146,
    "callbacks": 30,
    "scale": 2350,
}

# name -> (title, how to call the module's run); the report follows this order.
SECTIONS = {
    "compare": ("Accuracy and time against scikit-learn", _own),
    "defaults": ("Defaults against scikit-learn's defaults", _own),
    "time_to_accuracy": ("Time to LogisticRegression's accuracy", _own),
    "lr_iteration": (
        "One logistic-regression iteration against its floor",
        _lr_iteration,
    ),
    "scaling": ("Scaling of one logistic-regression iteration", _own),
    "nn_epoch": ("One network epoch against MLPClassifier", _nn_epoch),
    "convergence": ("Convergence: the same loss curve as MLPClassifier", _own),
    "vectorisation": (
        "Vectorisation: the notes' loops against the vectorised core",
        _own,
    ),
    "image_loading": (
        "Image loading: ImageFlattener against the notes' loop",
        _image_loading,
    ),
    "cluster": ("Training on a dask cluster", _own),
    "callbacks": ("The cost of scikit-learn's callbacks", _own),
    "scale": ("Defaults at scale: 10,000 to 1,000,000 rows", _own),
}


class SectionResult:
    def __init__(self, name, title):
        self.name, self.title = name, title
        self.module = None
        self.rows = None
        self.status = "not run"  # 'ok', 'skipped: ...', 'failed: ...'
        self.seconds = 0.0
        self.files = []


def run_section(name, quick, tiny, out, stamp):
    title, call = SECTIONS[name]
    result = SectionResult(name, title)
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ImportError as exc:
        result.status = f"skipped: the module cannot be imported ({exc})"
        return result
    result.module = module
    try:
        rows = call(module, quick, tiny)
    except Exception:  # report the failure, keep the other sections
        result.status = "failed:\n\n```\n" + traceback.format_exc() + "```"
        result.seconds = time.perf_counter() - start
        return result
    result.seconds = time.perf_counter() - start
    if rows is None:
        result.status = "skipped: no tiny size (run it with --quick)"
        return result
    result.rows, result.status = rows, "ok"
    write_csv(rows, out / f"{name}.csv", stamp)
    result.files.append(f"{name}.csv")
    if hasattr(module, "plot"):
        save_figure(module.plot(rows), out / f"{name}.png", stamp)
        result.files.append(f"{name}.png")
    return result


# -- the report ---------------------------------------------------------------


def _description(module):
    """The module docstring without its first line and its "Run ..." hint."""
    doc = (module.__doc__ or "").strip().split("\n")
    body = "\n".join(doc[1:]).strip()
    paragraphs = [p for p in body.split("\n\n") if not p.lstrip().startswith("Run ``")]
    return "\n\n".join(paragraphs)


def section_markdown(result, floatfmt=".3g"):
    lines = [f"## {result.title}", ""]
    if result.module is not None:
        lines += [_description(result.module), ""]
    if result.status != "ok":
        lines += [f"*Not in this report — {result.status}*", ""]
        return "\n".join(lines)
    module = result.module
    rows = module.summary(result.rows) if hasattr(module, "summary") else result.rows
    columns = getattr(module, "TABLE_COLUMNS", None)
    lines.append(markdown_table(rows, columns, floatfmt=floatfmt))
    if hasattr(module, "notes"):
        lines += [module.notes(result.rows), ""]
    links = ", ".join(
        f"![{f}]({f})" if f.endswith(".png") else f"[{f}]({f})" for f in result.files
    )
    lines += [f"Files: {links}. Section wall time: {result.seconds:.0f} s.", ""]
    return "\n".join(lines)


def write_report(results, out, stamp, mode, total_seconds):
    headline = headline_rows(results)
    head_table = markdown_table(headline, HEADLINE_COLUMNS)
    caveats = _caveats(stamp, mode)
    (out / "headline.md").write_text(
        "### Benchmark headline\n\n"
        + stamp_markdown(stamp)
        + "\n"
        + head_table
        + ("\n" + caveats if caveats else ""),
        encoding="utf-8",
    )
    parts = [
        "# sknotes benchmarks",
        "",
        stamp_markdown(stamp),
        f"Mode: {mode}. Total wall time: {total_seconds:.0f} s. Times are medians "
        "of rounds that interleave the candidates, so that background load hits "
        "them alike; ratios are more trustworthy than absolute times.",
        "",
        caveats,
        "## Headline: the project's goals",
        "",
        head_table,
    ]
    parts += [section_markdown(r) for r in results.values()]
    (out / "results.md").write_text("\n".join(parts), encoding="utf-8")


def _caveats(stamp, mode):
    """Warnings a reader needs before trusting the numbers."""
    notes = []
    if mode == "tiny":
        notes.append("Tiny mode checks that the code runs; its numbers mean nothing.")
    elif mode == "quick":
        notes.append(
            "Quick mode measures smaller problems than the goals are set for; "
            "take its ratios as a smoke test, and the full mode's as the result."
        )
    # Only the load before the run says something about other processes: by
    # the end, the benchmark's own BLAS threads are part of the average.
    try:
        before = float(stamp["load average at start"].split()[0])
    except (KeyError, ValueError):
        before = 0.0
    cores = os.cpu_count() or 1
    if before > 0.5 * cores:
        notes.append(
            f"**The machine was busy**: the 1-minute load average was "
            f"{before:.2f} on {cores} cores when the run started, so other "
            "processes competed for the CPU. A multi-threaded BLAS degrades "
            "badly when its threads are not all scheduled (a matrix-vector "
            "product can take ten times longer), so ratios involving BLAS "
            "calls are unreliable from this run: rerun on an idle machine, or "
            "with `--threads 1`."
        )
    return "".join(f"> {note}\n>\n" for note in notes)[:-2] + "\n" if notes else ""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_true", help="smaller sizes, about 2 minutes"
    )
    size.add_argument(
        "--tiny",
        action="store_true",
        help="the smallest sizes, for the test suite: checks plumbing, not speed",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated sections to run: " + ",".join(SECTIONS),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit the BLAS (and OpenMP) threads, e.g. 1 on a busy machine",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (default: {DEFAULT_OUT} for a full run, "
        f"{DEFAULT_QUICK_OUT} for --quick or --tiny)",
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = DEFAULT_QUICK_OUT if (args.quick or args.tiny) else DEFAULT_OUT
    names = list(SECTIONS) if args.only is None else args.only.split(",")
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    args.sections = [n for n in SECTIONS if n in names]
    return args


def main(argv=None):
    """Run the selected sections; return 0, or 1 if a section failed."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is None:
        return _main(args, argv)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        return _main(args, argv)


def _main(args, argv):
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = machine_stamp("python -m benchmarks " + " ".join(argv))
    stamp["load average at start"] = _load()
    start = time.perf_counter()
    results = {}
    for k, name in enumerate(args.sections):
        left = ""
        if not (args.quick or args.tiny):
            guess = sum(FULL_RUN_SECONDS.get(n, 0) for n in args.sections[k:])
            left = f"; about {guess / 60:.0f} min left, as in the last full run"
        print(
            f"[benchmarks] {name} ... (section {k + 1}/{len(args.sections)}, "
            f"{time.perf_counter() - start:.0f} s so far{left})",
            flush=True,
        )
        results[name] = run_section(name, args.quick, args.tiny, out, stamp)
        print(
            f"[benchmarks] {name}: {results[name].status.splitlines()[0]} "
            f"({results[name].seconds:.1f} s)",
            flush=True,
        )
    stamp["load average at end"] = _load()
    total = time.perf_counter() - start
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    write_report(results, out, stamp, mode, total)
    print(f"[benchmarks] wrote {out / 'results.md'} in {total:.0f} s")
    print(markdown_table(headline_rows(results), HEADLINE_COLUMNS))
    return int(any(r.status.startswith("failed") for r in results.values()))


def _load():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
