"""PostgreSQL's processes, CPU and memory, read from /proc (for bench/scale.py)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def server_pids(pgdata: Path) -> list[int]:
    """The postmaster and all its children."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pgdata: Path) -> float:
    """CPU seconds the server has used so far: the postmaster's own, its children's that have
    ended (it waits for them: cutime, cstime) and those of the children still running."""
    postmaster, *children = server_pids(pgdata)
    ticks = 0
    for pid in [postmaster, *children]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
            if pid == postmaster:
                ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """The sum of RSS and of PSS (shared memory counted once) of ``pids``, in MB."""
    rss = pss = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return rss / 1024, pss / 1024
