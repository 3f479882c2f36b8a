"""A terminal that hangs up (an SSH link dropped, tmux killed) ends coptui, never hangs it.

Textual's output thread ended at the first write to the dead terminal and left its queue of 30
writes to fill; the app's next write, or quitting, then waited for ever (seen: coptui processes
left with no terminal, holding their connections).
"""

from __future__ import annotations

import errno
import threading
from typing import Any

import pytest
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from coptui.widgets.textual_fixes import OutputThread, survive_hangup


class _HungUp:
    """A terminal file whose every write fails as a hung-up tty's does."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")

    def fileno(self) -> int:
        return 1


def _writes_and_stops(thread_class: type[WriterThread], seconds: float) -> bool:
    """Whether many writes and a stop return on a hung-up terminal within ``seconds``."""
    writer: Any = thread_class(_HungUp())  # type: ignore[arg-type]
    writer.start()

    def use() -> None:
        for n in range(MAX_QUEUED_WRITES * 3):
            writer.write(f"frame {n}")
        writer.stop()

    user = threading.Thread(target=use, daemon=True)
    user.start()
    user.join(seconds)
    return not user.is_alive()


def test_the_output_thread_outlives_a_hung_up_terminal() -> None:
    assert _writes_and_stops(OutputThread, 10)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_textuals_own_thread_hangs_there() -> None:
    # What the fix is for: if Textual's thread stops hanging, the fix can go. (Its writer is
    # left blocked in a daemon thread.)
    assert not _writes_and_stops(WriterThread, 1)


def test_the_app_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers import linux_driver

    from coptui.app import CoptApp
    from coptui.config import Settings

    # Textual's own thread back in place (an app made by an earlier test has replaced it).
    monkeypatch.setattr(linux_driver, "WriterThread", WriterThread)
    CoptApp(settings=Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    assert linux_driver.WriterThread is OutputThread
    survive_hangup()  # idempotent
    assert linux_driver.WriterThread is OutputThread
