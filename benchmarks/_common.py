"""Shared tools of the benchmarks: fair timing, memory, machine stamp, output."""

import datetime
import os
import platform
import sys
import time
import tracemalloc

import numpy as np


def interleaved_times(functions, repeat=5, warmup=1):
    """Median wall time of each callable, measured round-robin.

    Running the candidates in turn, rather than one after the other, exposes
    them to the same background load, so their *ratio* is stable even on a
    busy machine.

    Parameters
    ----------
    functions : dict of str to callable
    repeat : int
        Timed rounds; the median is reported.
    warmup : int
        Untimed rounds first (page faults, caches, BLAS threads).

    Returns
    -------
    dict of str to float
        Median seconds per call.
    """
    for _ in range(warmup):
        for f in functions.values():
            f()
    samples = {name: [] for name in functions}
    for _ in range(repeat):
        for name, f in functions.items():
            start = time.perf_counter()
            f()
            samples[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in samples.items()}


class StepProgress:
    """Progress lines within a section: step k of n, elapsed, about how long left.

    The estimate of what remains is the mean time of the steps done so far
    times the steps left. Lines go to standard error, so that the tables on
    standard output stay clean.
    """

    def __init__(self, total, label):
        self.total, self.label = int(total), label
        self.done = 0
        self.start = time.perf_counter()

    def step(self, name):
        """Say that step ``name`` starts."""
        elapsed = time.perf_counter() - self.start
        left = ""
        if self.done:
            remaining = elapsed / self.done * (self.total - self.done)
            left = f", about {remaining:.0f} s left"
        self.done += 1
        print(
            f"[benchmarks]   {self.label} {self.done}/{self.total}: {name} "
            f"({elapsed:.0f} s so far{left})",
            file=sys.stderr,
            flush=True,
        )


def per_iteration_times(fits, k1, k2, rounds=3):
    """Median time of one iteration of each ``fits[name](k)``, interleaved.

    ``fits[name](k)`` runs a fit of ``k`` iterations; one iteration is
    ``(t(k2) - t(k1)) / (k2 - k1)``, so start-up costs cancel out.
    """
    samples = {name: [] for name in fits}
    for _ in range(rounds):
        for name, fit in fits.items():
            times = {}
            for k in (k1, k2):
                start = time.perf_counter()
                fit(k)
                times[k] = time.perf_counter() - start
            samples[name].append((times[k2] - times[k1]) / (k2 - k1))
    return {name: float(np.median(v)) for name, v in samples.items()}


def peak_memory(function):
    """Peak bytes allocated through Python and numpy while ``function`` runs."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def blas_info():
    """BLAS library, kernel and thread count as threadpoolctl sees them."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl ships with sklearn
        return "unknown"
    parts = [
        f"{i.get('internal_api')} {i.get('version')} "
        f"({i.get('architecture')}, {i.get('num_threads')} threads)"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(parts) or "unknown"


def simd_info():
    """numpy's SIMD targets found on this CPU, and what the environment turned off.

    numpy picks its kernels (exp, tanh, ...) at run time among the targets
    it was built for (``__cpu_dispatch__``) that the CPU has; the ratios of
    the speed sections depend on them, as on the BLAS kernel.
    """
    try:
        from numpy._core._multiarray_umath import (
            __cpu_dispatch__,
            __cpu_features__,
        )
    except ImportError:  # pragma: no cover - other numpy layouts
        return "unknown"
    found = [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]
    missing = [t for t in __cpu_dispatch__ if not __cpu_features__.get(t)]
    text = f"numpy dispatch targets found: {', '.join(found) or 'none'}"
    if missing:
        text += f"; not found: {', '.join(missing)}"
    disabled = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    if disabled:
        text += f" (NPY_DISABLE_CPU_FEATURES={disabled})"
    return text


def kernels_info():
    """Which elementwise kernels the fits use, and the CPU numba compiles for."""
    from sknotes._config import get_config, kernels_in_use

    used = kernels_in_use()
    text = f"{used} (setting {get_config()['kernels']!r})"
    if used == "numba":
        import numba
        from numba.core import config

        cpu = config.CPU_NAME or "host"
        text += f"; numba {numba.__version__}, compiled for {cpu}"
        from sknotes._kernels import numpy_tanh_is_vectorised

        own = [
            np.dtype(t).name
            for t in (np.float64, np.float32)
            if not numpy_tanh_is_vectorised(np.dtype(t))
        ]
        text += f"; fused tanh for {', '.join(own) or 'neither dtype'}"
    return text


def machine_stamp(command=None):
    """Date, machine and library versions to print beside every result."""
    import PIL
    import scipy
    import sklearn

    import sknotes

    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}",
        "cpu": _cpu_name(),
        "blas": blas_info(),
        "simd": simd_info(),
        "kernels": kernels_info(),
        "python": platform.python_version(),
        "versions": f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, pillow {PIL.__version__}, "
        f"sknotes {sknotes.__version__}",
        "command": command or "python " + " ".join(sys.argv),
    }


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def markdown_table(rows, columns=None, floatfmt=".3g"):
    """A GitHub Markdown table of a list of dicts, without extra dependencies."""
    if not rows:
        return "(no rows)\n"
    columns = columns or list(rows[0])

    def fmt(value):
        if isinstance(value, float):
            return format(value, floatfmt)
        return str(value)

    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    lines += [
        "| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |" for r in rows
    ]
    return "\n".join(lines) + "\n"


def stamp_markdown(stamp):
    return "\n".join(f"- **{key}**: {value}" for key, value in stamp.items()) + "\n"
