"""A real pgbouncer in transaction pooling mode in front of the test PostgreSQL server.

The Debian package ``pgbouncer`` provides it (``.ci/run`` installs it when it runs as root);
where it is missing or will not start, the tests that need it are skipped and say why.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from coptui import db

# Where Debian puts it; PATH may not have /usr/sbin for an unprivileged user.
CANDIDATES = ("pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")


def find_pgbouncer() -> str | None:
    """The pgbouncer program, or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BouncerUnavailable(RuntimeError):
    """pgbouncer is not installed or would not start (the reason is the message)."""


@dataclass(frozen=True)
class Bouncer:
    """A running pgbouncer: ``url_for(database_url)`` is that database reached through it."""

    host: str
    port: int
    directory: Path
    pool_size: int

    def url_for(self, database_url: str) -> str:
        """``database_url`` (same user, same database) through this pgbouncer."""
        url = make_url(db.normalise_url(database_url))
        query = {k: v for k, v in url.query.items() if k != "host"}
        return url.set(host=self.host, port=self.port, query=query).render_as_string(
            hide_password=False
        )

    def log(self) -> str:
        """pgbouncer's own log, for a failing test's message."""
        path = self.directory / "pgbouncer.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_of(admin_url: str) -> tuple[str, int, str]:
    """The host (a socket directory or a name), port and superuser of ``admin_url``."""
    url = make_url(db.normalise_url(admin_url))
    host = url.query.get("host") or url.host or "/var/run/postgresql"
    if isinstance(host, tuple):
        host = host[0]
    return str(host), int(url.port or 5432), str(url.username or "postgres")


@contextmanager
def running_pgbouncer(
    admin_url: str, *, pool_size: int = 1, server_idle_timeout: float = 600.0
) -> Iterator[Bouncer]:
    """Start pgbouncer (transaction pooling) in front of the server of ``admin_url``.

    Every user of that server may log in through it with no password (``auth_type = trust``;
    pgbouncer learns the users with ``auth_query`` as the superuser of ``admin_url``, which
    the test server trusts too). ``pool_size`` server connections per database and user: at
    1, every client of one user shares one server connection, so any state a client leaves
    on its connection meets the next client at once. A server connection idle for
    ``server_idle_timeout`` seconds is closed.

    Raises:
        BouncerUnavailable: pgbouncer is missing or did not start.
    """
    program = find_pgbouncer()
    if program is None:
        raise BouncerUnavailable(
            "pgbouncer is not installed (Debian: apt-get install pgbouncer;"
            " .ci/run installs it when run as root)"
        )
    host, port, superuser = _server_of(admin_url)
    directory = Path(tempfile.mkdtemp(prefix="cpt-bouncer-", dir="/tmp"))
    listen = _free_port()
    (directory / "userlist.txt").write_text("")
    run_as = ""
    if os.geteuid() == 0:
        # pgbouncer refuses to run as root: run it as the owner of the server's socket
        # directory (the embedded test server's own system user), who can reach the socket.
        owner = pwd.getpwuid(Path(host).stat().st_uid) if host.startswith("/") else None
        name = owner.pw_name if owner and owner.pw_uid != 0 else "nobody"
        run_as = f"user = {name}\n"
        user = pwd.getpwnam(name)
        os.chown(directory, user.pw_uid, user.pw_gid)
        for path in directory.iterdir():
            os.chown(path, user.pw_uid, user.pw_gid)
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={host} port={port}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {listen}\n"
        "unix_socket_dir =\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\n"
        "max_client_conn = 1000\n"
        f"server_idle_timeout = {server_idle_timeout}\n"
        "auth_type = trust\n"
        f"auth_file = {directory / 'userlist.txt'}\n"
        f"auth_user = {superuser}\n"
        "server_reset_query =\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {directory / 'pgbouncer.log'}\n"
        f"pidfile = {directory / 'pgbouncer.pid'}\n" + run_as
    )
    (directory / "userlist.txt").write_text(f'"{superuser}" ""\n')
    process = subprocess.Popen(
        [program, "-q", str(directory / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    bouncer = Bouncer(host="127.0.0.1", port=listen, directory=directory, pool_size=pool_size)
    try:
        _wait_until_up(process, bouncer, superuser)
        yield bouncer
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # immediate shutdown (SIGINT waits for clients)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_up(process: subprocess.Popen[bytes], bouncer: Bouncer, user: str) -> None:
    deadline = time.monotonic() + 15
    error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise BouncerUnavailable(
                f"pgbouncer exited with {process.returncode}: {stderr.strip()[-500:]}"
                f" {bouncer.log()[-500:]}"
            )
        try:
            with psycopg.connect(
                host=bouncer.host,
                port=bouncer.port,
                user=user,
                dbname="postgres",
                connect_timeout=2,
                autocommit=True,
            ) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.OperationalError as exc:
            error = exc
            time.sleep(0.1)
    with suppress(Exception):
        process.kill()
    raise BouncerUnavailable(f"pgbouncer did not answer within 15 s: {error} {bouncer.log()}")
