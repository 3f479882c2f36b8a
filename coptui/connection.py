"""A session's one connection to the database, shared by its reads and its writes.

An open coptui holds two connections at most: this one and the listener's
(``change_feed.listen``). Reads run on it in autocommit, each statement seeing the latest
commit; the services' transactions run on it through an engine whose pool holds exactly this
connection, so a read in one worker waits for a transaction in another to end, and the other
way round. Until the engine is built (SQLAlchemy is imported only after the first week is on
screen) reads use the bare psycopg connection; the engine's pool takes that same connection
over when it first needs one.

Nothing here keeps state on the server between transactions (no server-side prepared
statements, no SET, no LISTEN), so reads and writes may go through pgbouncer in transaction
pooling; the listener connects directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy import Engine

T = TypeVar("T")

# How long a read or a save waits for the connection while another worker uses it.
WAIT_SECONDS = 30.0


class SharedConnection:
    """Reads (``read``) and the engine for writes (``build_engine``) on one connection.

    Args:
        url: the database's URL.
        conn: a psycopg connection already open to it (autocommit), or ``None``.
        engine: an engine made elsewhere (``coptui demo``, tests): reads then go through its
            pool, and it is neither built nor disposed here.
    """

    def __init__(self, url: str, conn: Any = None, engine: Engine | None = None) -> None:
        self.url = url
        self._bare = conn  # the connection while no engine has taken it over
        self._lock = threading.Lock()  # guards _bare and its use
        self.engine: Engine | None = engine
        self._own_engine = False

    def build_engine(self) -> Engine:
        """The engine for the services: a pool of exactly one connection, this one."""
        from coptui.db import make_engine

        with self._lock:
            if self.engine is None:
                self.engine = make_engine(
                    self.url,
                    creator=self._for_the_pool,
                    pool_size=1,
                    max_overflow=0,
                    pool_timeout=WAIT_SECONDS,
                )
                self._own_engine = True
            return self.engine

    def _for_the_pool(self) -> Any:
        """The pool's connection: the bare one taken over, or a new one when it was lost."""
        from coptui.db import connect

        with self._lock:
            conn, self._bare = self._bare, None
        if conn is not None and not conn.closed and not conn.broken:
            conn.autocommit = False
            return conn
        if conn is not None:
            conn.close()
        return connect(self.url, autocommit=False)

    def read(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` with the psycopg connection in autocommit.

        Raises:
            psycopg.Error: as ``work`` or the connection raised it (the caller retries once
                and turns it into a message for people).
            DatabaseUnavailableError: no connection could be made.
        """
        if self.engine is None:
            with self._lock:
                if self.engine is None:
                    return self._read_bare(work)
        return self._read_pooled(work)

    def _read_bare(self, work: Callable[[Any], T]) -> T:
        import psycopg

        from coptui.db import connect_reader

        if self._bare is None or self._bare.closed:
            self._bare = connect_reader(self.url)
        try:
            return work(self._bare)
        except (psycopg.OperationalError, psycopg.InterfaceError):
            self._bare.close()
            self._bare = None
            raise

    def _read_pooled(self, work: Callable[[Any], T]) -> T:
        import psycopg
        from sqlalchemy.exc import DBAPIError

        assert self.engine is not None
        try:
            raw = self.engine.raw_connection()
        except DBAPIError as exc:
            # Not reached: a new connection could not be made. The driver's own error, as a
            # read on the bare connection would have raised it.
            if isinstance(exc.orig, psycopg.Error):
                raise exc.orig from exc
            raise
        lost = dropped = False
        try:
            conn = raw.driver_connection
            assert conn is not None
            conn.autocommit = True
            try:
                return work(conn)
            except (psycopg.OperationalError, psycopg.InterfaceError):
                lost = dropped = True
                raise
            finally:
                idle = psycopg.pq.TransactionStatus.IDLE
                if conn.closed or conn.broken or conn.info.transaction_status != idle:
                    lost = True
                else:
                    conn.autocommit = False
        finally:
            if lost:
                raw.invalidate()
            raw.close()
            if dropped and not self._own_engine:
                # An engine handed in may keep more idle connections, dropped with this one
                # (a server restart): a new pool, so the caller's one retry reaches the server.
                self.engine.dispose()

    def close(self) -> None:
        """Close the connection (and the engine built here)."""
        with self._lock:
            bare, self._bare = self._bare, None
        if bare is not None:
            bare.close()
        if self._own_engine and self.engine is not None:
            self.engine.dispose()
