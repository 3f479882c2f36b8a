"""What the directory's screens need from the app, handed in when they are built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.services.identity import Identity


@dataclass(frozen=True)
class Backend:
    """The engine for services, the plain read connection, the day shown as today, and who.

    Screens take this instead of importing the app class (the planner builds it with
    ``Backend.of(app)``); tests can build one by hand.
    """

    engine: Callable[[], Engine]  # waits for the engine (call it from a thread worker)
    read: Callable[[Callable[[Any], Any]], Any]  # runs a read on the psycopg connection
    today: Callable[[], date]
    identity: Identity | None = None  # None: not known (a test's backend); the database decides

    @classmethod
    def of(cls, app: Any) -> Backend:
        """The backend of a running coptui app."""
        return cls(
            engine=app.wait_engine,
            read=app.read,
            today=app.today,
            identity=getattr(app, "identity", None),
        )
