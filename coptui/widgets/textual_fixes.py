"""Work-arounds for Textual (applied by the app): memory that grows over a long session, and
a process that never ends when its terminal hangs up.

``StylesCache.get_inner_outer`` is an instance method under ``functools.lru_cache(1024)``
(Textual issue #6665): its cache keys hold the ``StylesCache`` of every widget it has drawn, and
with it every line the widget rendered, long after the widget is gone. A form opened over the
planner and closed again left ~50 of them behind; a working day reached the cache's 1,024,
some 40 MB. The colours alone decide its answer, so here the cache is keyed on them.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any

from textual.drivers._writer_thread import WriterThread

_APPLIED = "_coptui_keyed_on_colours"


def release_styles_caches() -> None:
    """Key ``StylesCache.get_inner_outer``'s cache on its colours only (idempotent)."""
    from textual._styles_cache import StylesCache

    current = StylesCache.get_inner_outer
    if getattr(current, _APPLIED, False):
        return
    compute = getattr(current, "__wrapped__", None)
    if compute is None:  # a Textual that no longer caches it on the instance
        return

    @lru_cache(1024)
    def on_colours(base_background: Any, background: Any) -> Any:
        return compute(None, base_background, background)  # it never reads its first argument

    def get_inner_outer(self: Any, base_background: Any, background: Any) -> Any:
        return on_colours(base_background, background)

    setattr(get_inner_outer, _APPLIED, True)
    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign,assignment]


def survive_hangup() -> None:
    """Let Textual's output thread outlive its terminal (idempotent).

    When an SSH link drops or tmux is killed, the kernel sends SIGHUP — and SIGCONT, on which
    Textual starts a second output thread. Writing to the hung-up terminal raises ``OSError``
    and Textual's thread ends, leaving its queue of 30 writes to fill: the app's next write,
    or ``stop()`` when it quits, then waits for ever. The process stayed, holding its database
    connections (seen as coptui processes left behind with no terminal). The thread here stops
    writing at the first error and keeps taking what it is handed until it is told to stop.
    """
    from textual.drivers import linux_driver

    linux_driver.WriterThread = OutputThread  # type: ignore[attr-defined]


class OutputThread(WriterThread):
    """Textual's output thread that survives the terminal it writes to."""

    def run(self) -> None:
        write, flush = self._file.write, self._file.flush
        get, qsize = self._queue.get, self._queue.qsize
        gone = False
        while True:
            text = get()
            if text is None:
                break
            if gone:
                continue  # taken and dropped: nobody waits on a full queue
            try:
                write(text)
                if qsize() == 0:
                    flush()
            except OSError:
                gone = True  # the terminal hung up
        if not gone:
            with contextlib.suppress(OSError):
                flush()
