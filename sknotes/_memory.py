"""How much memory this machine has, and byte counts written for a reader.

The command line and the model-file loader refuse, before allocating, work
whose arrays cannot fit; both ask here.
"""

import contextlib
import os
from pathlib import Path


def available_memory():
    """Bytes a new allocation can take without swapping, or None if unknown.

    The kernel's ``MemAvailable`` (else the physical memory), lowered to
    what a container's cgroup memory limit still leaves.

    Examples
    --------
    >>> available = available_memory()
    >>> available is None or available > 0
    True
    """
    available = _meminfo_available()
    limit = _cgroup_memory_left()
    if available is None or limit is None:
        return limit if available is None else available
    return min(available, limit)


def physical_memory():
    """This machine's memory in bytes; 16 GiB where it cannot be read.

    Examples
    --------
    >>> physical_memory() > 2**20
    True
    """
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


def format_bytes(n_bytes):
    """``n_bytes`` in decimal units for a reader.

    Examples
    --------
    >>> format_bytes(160), format_bytes(3_200_000_000), format_bytes(2e15)
    ('160 bytes', '3.2 GB', '2000.0 TB')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{int(n_bytes)} bytes"


def _meminfo_available():
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    with contextlib.suppress(ValueError, OSError, AttributeError):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return None


def _cgroup_memory_left():
    folder = Path("/sys/fs/cgroup")
    try:
        limit = (folder / "memory.max").read_text().strip()
        used = (folder / "memory.current").read_text().strip()
        return max(0, int(limit) - int(used))
    except (OSError, ValueError):  # no cgroup v2 file, or "max"
        return None
