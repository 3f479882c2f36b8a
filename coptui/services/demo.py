"""Load a realistic demo centre (invented people) around a given day; idempotent.

The people and places are in ``demo_people``, the four weeks of events in ``demo_events``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from coptui.models import (
    Case,
    Centre,
    Event,
    EventCase,
    EventStaff,
    Programme,
    Room,
    RosterSlot,
    Series,
    Staff,
    Volunteer,
    table_of,
)
from coptui.services.demo_events import add_events
from coptui.services.demo_people import DEMO_CENTRE, add_people

DEMO_LOCK_KEY = 0x636F707475690002


@dataclass(frozen=True)
class DemoResult:
    """What ``load_demo`` did."""

    centre_id: int
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def _counts(session: Session) -> dict[str, int]:
    tables: dict[str, type[SQLModel]] = {
        "rooms": Room,
        "staff": Staff,
        "volunteers": Volunteer,
        "cases": Case,
        "programmes": Programme,
        "series": Series,
        "events": Event,
        "event_staff": EventStaff,
        "event_case": EventCase,
        "roster_slots": RosterSlot,
    }
    return {
        name: int(session.scalar(select(func.count()).select_from(table_of(model))) or 0)
        for name, model in tables.items()
    }


def load_demo(session: Session, *, today: date) -> DemoResult:
    """Create the demo centre with four weeks of events around ``today``, once.

    Args:
        session: an open session; the caller's transaction commits or rolls back everything.
        today: the day the demo is centred on.

    Returns:
        The centre's id, whether it was created now, and the row counts afterwards.
    """
    # Two `coptui demo` started at once: the second waits here, then finds the centre.
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEMO_LOCK_KEY})
    centre_table = table_of(Centre)
    existing = session.scalar(select(centre_table.c.id).where(centre_table.c.name == DEMO_CENTRE))
    if existing is not None:
        return DemoResult(centre_id=existing, created=False, counts=_counts(session))

    people = add_people(session, today=today)
    add_events(session, people, today=today)
    session.flush()
    return DemoResult(centre_id=people.centre_id, created=True, counts=_counts(session))
