"""The simulated sessions of bench/scale.py: what one open planner does with the database.

A session has the planner's two connections: a listener (``coptui.change_feed.listen``) that
decides from the change feed's payload whether a change touches the days on screen
(``PlannerScreen.changed``), and a reader that loads the week again with the planner's
queries (``screens/planner_load.read_shown``), one read at a time, a change that comes during
a read making one more read after it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from typing import Any

from coptui import change_feed, db
from coptui.domain.timeutil import local


@dataclass(frozen=True)
class Spec:
    """One simulated session: whose login, which centre, whose week, which week."""

    index: int
    login: str
    centre_id: int
    kind: str  # "room": the centre's group room (the planner's default); "staff": own week
    resource_id: int  # the group room's id, or the staff member's
    monday: date


def read_week(conn: Any, spec: Spec) -> list[Any]:
    """The planner's read of one week (``read_shown``), with the same service calls."""
    from coptui.services.calendar import agenda, calendar_for, centres, rows
    from coptui.services.roster_reads import roster_summaries

    found = centres(conn)  # row-level security: the person's own centre
    centre = found[0]
    resource_id = spec.resource_id
    if spec.kind == "room":
        room = rows(
            conn,
            "SELECT id, name FROM room WHERE centre_id = %(c)s AND kind = 'group_room'"
            " ORDER BY id LIMIT 1",
            {"c": centre.id},
        )
        resource_id = room[0][0]
    calendar = calendar_for(conn, centre.id)
    days = [spec.monday + timedelta(days=n) for n in range(7)]
    _closed = [d for d in days if not calendar.is_working_day(d) and d.weekday() < 5]
    events = agenda(
        conn,
        centre_id=centre.id,
        start=local(spec.monday, clock(0)),
        end=local(spec.monday + timedelta(days=7), clock(0)),
        resource=spec.kind,
        resource_id=resource_id,
    )
    roster_summaries(conn, [e.id for e in events])
    return events


def touches(change: change_feed.Change, spec: Spec) -> bool:
    """Whether ``change`` touches the days on screen (as ``PlannerScreen.changed`` decides)."""
    if change.centre_id != spec.centre_id:
        return False
    start = local(spec.monday, clock(0))
    end = local(spec.monday + timedelta(days=7), clock(0))
    spans = [(change.lower, change.upper), (change.old_lower, change.old_upper)]
    return any(lo is not None and up is not None and lo < end and start < up for lo, up in spans)


@dataclass
class Session:
    """A running session: its reader connection, its listener, what it has seen when."""

    spec: Spec
    url: str  # reads (through pgbouncer, if any)
    listen_url: str  # the listener's: PostgreSQL itself
    stop: threading.Event
    dirty: threading.Event = field(default_factory=threading.Event)
    listening: threading.Event = field(default_factory=threading.Event)
    loaded: threading.Event = field(default_factory=threading.Event)
    known: set[int] = field(default_factory=set)
    seen: list[tuple[int, float]] = field(default_factory=list)
    first_ms: float = 0.0
    read_ms: list[float] = field(default_factory=list)
    notes: int = 0
    error: str = ""

    def listen(self) -> None:
        try:
            for change in change_feed.listen(
                self.listen_url,
                stop=self.stop,
                on_state=lambda up: self.listening.set() if up else None,
            ):
                self.notes += 1
                if touches(change, self.spec):
                    self.dirty.set()
        except Exception as exc:
            self.error = f"listener: {exc!r}"

    def read(self) -> None:
        try:
            conn = db.connect_reader(self.url)
            try:
                self._read_once(conn, first=True)
                self.loaded.set()
                while not self.stop.is_set():
                    if not self.dirty.wait(0.2):
                        continue
                    self.dirty.clear()
                    self._read_once(conn, first=False)
            finally:
                conn.close()
        except Exception as exc:
            self.error = f"reader: {exc!r}"
            self.loaded.set()

    def _read_once(self, conn: Any, *, first: bool) -> None:
        began = time.perf_counter()
        events = read_week(conn, self.spec)
        done = time.monotonic()
        if first:
            self.first_ms = (time.perf_counter() - began) * 1000
        else:
            self.read_ms.append((time.perf_counter() - began) * 1000)
        for event in events:
            if event.id not in self.known:
                self.known.add(event.id)
                if not first:
                    self.seen.append((event.id, done))


def sessions_process(
    specs: list[Spec],
    reads: dict[str, str],
    listens: dict[str, str],
    ready: Any,
    stop: Any,
    out: Any,
) -> None:
    """One process of sessions: a listener thread and a reader thread for each."""
    stopping = threading.Event()
    sessions = [
        Session(spec=s, url=reads[s.login], listen_url=listens[s.login], stop=stopping)
        for s in specs
    ]
    threads = []
    for session in sessions:
        for target in (session.listen, session.read):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            threads.append(thread)
    for session in sessions:
        session.loaded.wait(120)
        session.listening.wait(120)
    ready.put(len(sessions))
    stop.wait()
    stopping.set()
    for thread in threads:
        thread.join(5)
    out.put(
        {
            "seen": {s.spec.index: s.seen for s in sessions},
            "read_ms": [ms for s in sessions for ms in s.read_ms],
            "first_ms": [s.first_ms for s in sessions],
            "reads": sum(len(s.read_ms) for s in sessions),
            "notes": sum(s.notes for s in sessions),
            "errors": [s.error for s in sessions if s.error],
            "cpu": time.process_time(),
        }
    )
