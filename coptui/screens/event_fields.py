"""The event form's fields: their names, an event read into them, and a reload merged in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coptui.domain.text import clean, clean_notes
from coptui.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EVENT_KINDS = (
    ("individual", N_("Individual work")),
    ("group", N_("Group work")),
    ("programme_session", N_("Programme session")),
    ("meeting", N_("Meeting")),
    ("mobile_work", N_("Mobile work")),
)
FIELDS = (
    ("title", N_("Title")),
    ("day", N_("Date")),
    ("start", N_("Start")),
    ("end", N_("End")),
    ("duration", N_("or minutes")),
    ("room", N_("Room")),
    ("programme", N_("Programme")),
    ("staff", N_("Specialists")),
    ("cases", N_("Cases")),
    ("volunteers", N_("Volunteers")),
    ("open_slots", N_("Open places")),
    ("repeat", N_("Repeat")),
    ("notes", N_("Notes")),
)
PLACEHOLDERS = {
    "day": N_("03.12.2026, today, tomorrow, fri, +2"),
    "start": N_("9, 930, 9:30"),
    "end": N_("e.g. 10:30"),
    "duration": N_("e.g. 45"),
    "programme": N_("art studio, eco holiday… (its seats are counted)"),
    "staff": N_("names, separated by commas"),
    "cases": N_("codes, separated by commas"),
    "volunteers": N_("names, separated by commas"),
    "open_slots": N_("places for volunteers still to be found, e.g. 2"),
    "repeat": N_("weekly count 10 · every 2 weeks on mon,thu until 30.06.2027"),
}
FREE_KEYS = ("f2", "f3", "f4")


def open_places(text: str) -> int:
    """The number of open places typed (blank is none); raises BadInputError."""
    from coptui.errors import BadInputError

    value = text.strip()
    if not value:
        return 0
    if not value.isdigit() or int(value) > 50:
        raise BadInputError(_("Open places is a number from 0 to 50."))
    return int(value)


@dataclass(frozen=True)
class Typed:
    """The form as typed, read on the UI thread and handed to a worker."""

    kind: str
    values: dict[str, str]

    def fields(self) -> dict[str, str]:
        """Every field by key, the kind among them."""
        return {"kind": self.kind, **self.values}


def event_values(session: Session, event_id: int, centre_id: int) -> tuple[int, dict[str, str]]:
    """An event's version and its fields as the form shows them (names, local times).

    Stored text comes back harmless for a terminal: control characters replaced.
    """
    from coptui.domain.timeutil import SOFIA
    from coptui.services.booking import load_event
    from coptui.services.directory import entries

    row = load_event(session, event_id)
    lookup = {
        kind: {e.id: clean(e.name) for e in entries(session, centre_id=centre_id, kind=kind)}
        for kind in ("rooms", "staff", "volunteers", "cases", "programmes")
    }
    return row.version, {
        "kind": row.kind,
        "title": clean(row.title),
        "day": f"{row.s.astimezone(SOFIA):%d.%m.%Y}",
        "start": f"{row.s.astimezone(SOFIA):%H:%M}",
        "end": f"{row.u.astimezone(SOFIA):%H:%M}",
        "room": lookup["rooms"].get(row.room_id, "") if row.room_id else "",
        "programme": lookup["programmes"].get(row.programme_id, "") if row.programme_id else "",
        "staff": ", ".join(lookup["staff"][i] for i in row.staff),
        "cases": ", ".join(lookup["cases"][i] for i in row.cases),
        "volunteers": ", ".join(lookup["volunteers"][i] for i in row.volunteers),
        "open_slots": str(row.open_slots) if row.open_slots else "",
        "notes": clean_notes(row.notes or ""),
    }


def merge(mine: dict[str, str], base: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """The fields after a reload: mine where I changed ``base``, theirs everywhere else."""
    return {
        key: mine[key] if key in mine and mine[key] != base.get(key, "") else value
        for key, value in theirs.items()
    }
