"""The event form's fields: their names, an event read into them, and the booking they describe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from coptui.domain.text import clean, clean_notes
from coptui.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.services.booking import BookingRequest

EVENT_KINDS = (
    ("individual", N_("Individual work")),
    ("group", N_("Group work")),
    ("programme_session", N_("Programme session")),
    ("meeting", N_("Meeting")),
    ("mobile_work", N_("Mobile work")),
    # Offered for new events too: busy time marked by hand (court, a room being painted)
    # holds the slot like an imported one; the booking refuses it cases and volunteers.
    ("block", N_("Busy time")),
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
    from coptui.services.directory import entries
    from coptui.services.event_reads import load_event

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


def booking_request(
    session: Session,
    typed: Typed,
    *,
    centre_id: int,
    today: date,
    new: bool,
    allow_non_working_day: bool,
) -> BookingRequest:
    """The booking the form describes, with names resolved; raises BadInputError.

    Args:
        new: a new event, which takes only people and rooms in use.
    """
    from coptui.domain.enums import EventKind
    from coptui.domain.parse import parse_day, parse_minutes, parse_time
    from coptui.domain.timeutil import end_after, local_checked
    from coptui.errors import BadInputError
    from coptui.services.booking import BookingRequest
    from coptui.services.directory import resolve

    values = typed.values
    if not values["day"].strip():
        raise BadInputError(_("Write the date."))
    if not values["start"].strip():
        raise BadInputError(_("Write the start time."))
    day = parse_day(values["day"], today)
    start = local_checked(day, parse_time(values["start"]))
    if values["end"].strip():
        end = local_checked(day, parse_time(values["end"]))
    elif values["duration"].strip():
        end = end_after(start, parse_minutes(values["duration"]))
    else:
        raise BadInputError(_("Write the end time or the length in minutes."))

    def names(kind: str, text: str) -> tuple[int, ...]:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return tuple(
            resolve(session, centre_id=centre_id, kind=kind, name=p, for_booking=new).id
            for p in parts
        )

    room = values["room"].strip()
    programme = values["programme"].strip()
    return BookingRequest(
        centre_id=centre_id,
        title=values["title"].strip() or _("(no title)"),
        start=start,
        end=end,
        kind=EventKind(typed.kind),
        room_id=names("rooms", room)[0] if room else None,
        staff_ids=names("staff", values["staff"]),
        case_ids=names("cases", values["cases"]),
        volunteer_ids=names("volunteers", values["volunteers"]),
        open_slots=open_places(values["open_slots"]),
        programme_id=names("programmes", programme)[0] if programme else None,
        notes=values["notes"].strip(),
        allow_non_working_day=allow_non_working_day,
    )


def slots_text(free: list[Any]) -> str:
    """«Свободно: F2: пт 27.11 10:00 …», or nothing."""
    from coptui.domain.timeutil import SOFIA
    from coptui.widgets.weekgrid import WEEKDAYS

    slots = "  ".join(
        f"{key.upper()}: {_(WEEKDAYS[s.start.astimezone(SOFIA).weekday()])}"
        f" {s.start.astimezone(SOFIA):%d.%m %H:%M}"
        for key, s in zip(FREE_KEYS, free, strict=False)
    )
    return _("Free: ") + slots if free else ""


def label_of(key: str) -> str:
    """A field's name in a sentence («начало»)."""
    labels = dict(FIELDS, kind=N_("Kind"))
    return _(labels[key]).lower()


def shown(key: str, value: str) -> str:
    """A field's value as a person reads it (a kind by its name, nothing as a dash)."""
    if key == "kind":
        return _(dict(EVENT_KINDS).get(value, value))
    return clean(value) if value else "—"
