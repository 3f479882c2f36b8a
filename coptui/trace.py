"""Marks on the way to the first week, written only when ``COPTUI_TRACE`` names a file.

``bench/ui.py --trace`` sets it and prints where each millisecond went. Without it a mark
costs one comparison.
"""

from __future__ import annotations

import os
import time

_FILE = os.environ.get("COPTUI_TRACE") or None


def mark(name: str) -> None:
    """Note that the start reached ``name`` now (wall clock, appended to the trace file)."""
    if _FILE is None:
        return
    with open(_FILE, "a", encoding="utf-8") as out:
        out.write(f"{time.time():.6f} {name}\n")
