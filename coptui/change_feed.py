"""The change feed: every committed change to the calendar, as the planner's listener hears it.

The ``coptui_notify`` trigger (migrations) sends each change on one channel; the listener keeps
its own connection, straight to the server (LISTEN does not pass pgbouncer's transaction
pooling).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

CHANGES_CHANNEL = "coptui_changes"


@dataclass(frozen=True)
class Change:
    """One change to the calendar, as the ``coptui_notify`` trigger reported it."""

    centre_id: int
    table: str
    op: str
    event_id: int | None
    lower: datetime | None
    upper: datetime | None
    old_lower: datetime | None = None
    old_upper: datetime | None = None

    @classmethod
    def from_payload(cls, payload: str) -> Change:
        """Parse a notification payload."""
        data = json.loads(payload)

        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            centre_id=int(data["centre"]),
            table=str(data["table"]),
            op=str(data["op"]),
            event_id=data.get("event"),
            lower=moment("lower"),
            upper=moment("upper"),
            old_lower=moment("old_lower"),
            old_upper=moment("old_upper"),
        )


def listen(
    url: str,
    *,
    stop: threading.Event,
    on_state: Callable[[bool], None] | None = None,
    poll_seconds: float = 0.5,
    max_backoff: float = 5.0,
) -> Iterator[Change]:
    """Yield every change as it is committed, until ``stop`` is set.

    The connection is re-opened when it drops; ``on_state(False)`` is called when it is lost
    and ``on_state(True)`` when it is (re)established, so a screen can show a banner.
    """
    import psycopg

    from coptui.db import connect

    backoff = 0.2
    while not stop.is_set():
        try:
            with connect(url, autocommit=True, application_name="coptui-listen") as conn:
                conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                backoff = 0.2
                if on_state:
                    on_state(True)
                while not stop.is_set():
                    for note in conn.notifies(timeout=poll_seconds):
                        yield Change.from_payload(note.payload)
                        if stop.is_set():
                            return
        except psycopg.OperationalError:
            if on_state:
                on_state(False)
            stop.wait(backoff)
            backoff = min(backoff * 2, max_backoff)
