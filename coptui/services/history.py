"""The history of an event or a case: who changed what, when, from what to what (the audit log).

Rows are read as the person's own login, so row-level security decides which changes they
see; a change they may not see is simply not there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from coptui.domain.fields import REFERRALS, SERVICE_KINDS
from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import BadInputError
from coptui.i18n import N_, _
from coptui.services.calendar import rows

# The records whose history can be asked for, and the audit table of each.
SUBJECTS = {"event": "event", "case": "case_file"}
# Nothing a person changes, or what follows from another field (and names children).
HIDDEN = frozenset(
    {
        "id",
        "centre_id",
        "version",
        "created_at",
        "updated_at",
        "staff_ids",
        "case_ids",
        "queued_at",
        "series_id",
    }
)
LABELS = {
    "title": N_("Title"),
    "kind": N_("Kind"),
    "during": N_("When"),
    "room_id": N_("Room"),
    "programme_id": N_("Programme"),
    "status": N_("Status"),
    "cancel_reason": N_("Reason for cancelling"),
    "notes": N_("Notes"),
    "code": N_("Code"),
    "child_name": N_("Child"),
    "family_name": N_("Family"),
    "birth_year": N_("Birth year"),
    "referral_source": N_("Referral"),
    "referral_number": N_("Referral number"),
    "referral_date": N_("Referral date"),
    "contract_number": N_("Contract number"),
    "contract_start": N_("Contract from"),
    "contract_end": N_("Contract to"),
    "service_kind": N_("Service"),
    "service_types": N_("Service types"),
    "key_worker_id": N_("Key worker"),
    "registered_on": N_("Registered"),
    "active_from": N_("Service from"),
    "closed_on": N_("Closed"),
    "close_reason": N_("Reason"),
    "attendance": N_("Attendance"),
    "attendance_note": N_("Note on attendance"),
    "is_lead": N_("Lead"),
    "task": N_("Task"),
    "volunteer_id": N_("Volunteer"),
    "event_status": N_("Event status"),
}
WORDS = {
    "planned": N_("planned"),
    "held": N_("held"),
    "cancelled": N_("cancelled"),
    "waiting": N_("waiting"),
    "active": N_("active"),
    "closed": N_("closed"),
    "open": N_("open"),
    "assigned": N_("assigned"),
    "confirmed": N_("confirmed"),
    "declined": N_("declined"),
    "expected": N_("not marked yet"),
    "present": N_("present"),
    "absent": N_("absent"),
    "excused": N_("excused"),
    "late": N_("late"),
}
# Stored choices as words, by column (the same words as the forms use).
CHOICES: dict[str, dict[str, str]] = {
    "kind": {
        "individual": N_("Individual work"),
        "group": N_("Group work"),
        "programme_session": N_("Programme session"),
        "meeting": N_("Meeting"),
        "mobile_work": N_("Mobile work"),
        "block": N_("Busy time"),
    },
    "service_kind": {c.value: c.label for c in SERVICE_KINDS},
    "referral_source": {c.value: c.label for c in REFERRALS},
}
# Which table names the id in a column (the history shows the name, not the number).
NAMED_BY = {
    "room_id": "room",
    "key_worker_id": "staff",
    "staff_id": "staff",
    "volunteer_id": "volunteer",
    "programme_id": "programme",
    "case_id": "case_file",
}
_NAME_SQL = {
    "room": "SELECT id, name FROM room WHERE id = ANY(%(ids)s)",
    "staff": "SELECT id, full_name FROM staff WHERE id = ANY(%(ids)s)",
    "volunteer": "SELECT id, full_name FROM volunteer WHERE id = ANY(%(ids)s)",
    "programme": "SELECT id, title FROM programme WHERE id = ANY(%(ids)s)",
    "case_file": "SELECT id, code FROM case_file WHERE id = ANY(%(ids)s)",
}
_RANGE = re.compile(r'^[\[(]"?([^",]*)"?,"?([^",]*)"?[\])]$')
_LIMIT = 500


@dataclass(frozen=True)
class FieldChange:
    """One field of one change: its name for people, what it was and what it became."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One change to the record (or to a person or case linked to it), newest first.

    ``who`` is the person's full name from their staff or volunteer record, else their login;
    ``what`` says what happened in words («Променено», «Добавен специалист: Мария Петрова»).
    """

    at: datetime
    login: str
    who: str
    what: str
    fields: tuple[FieldChange, ...]


def history(db: Any, *, subject: str, record_id: int) -> list[HistoryEntry]:
    """The changes to an event or a case, newest first, as far as this login may see them.

    An event's history includes the specialists, cases and volunteer places added to it or
    taken off; a case's includes its attendance at each session.

    Args:
        db: a psycopg connection or a SQLAlchemy session.
        subject: ``"event"`` or ``"case"``.
        record_id: the event's or the case's id.

    Returns:
        At most the 500 latest changes.

    Raises:
        BadInputError: ``subject`` is neither.
    """
    if subject not in SUBJECTS:
        raise BadInputError(_("There is no history of {what}.").format(what=subject))
    if subject == "event":
        where = (
            "(a.table_name = 'event' AND a.row_id = %(id)s)"
            " OR (a.table_name IN ('event_staff', 'event_case') AND a.row_id LIKE %(prefix)s)"
            " OR (a.table_name = 'roster_slot'"
            " AND coalesce(a.new, a.old) ->> 'event_id' = %(id)s)"
        )
    else:
        where = (
            "(a.table_name = 'case_file' AND a.row_id = %(id)s)"
            " OR (a.table_name = 'event_case' AND a.row_id LIKE %(suffix)s)"
        )
    found = rows(
        db,
        # coptui_person_name (migration 0009): the name behind a login, which a specialist
        # may not read from staff.login.
        "SELECT a.at, a.login, coptui_person_name(a.login), a.table_name, a.action,"
        " a.old, a.new FROM audit_log a"
        f" WHERE {where} ORDER BY a.id DESC LIMIT {_LIMIT}",
        {"id": str(record_id), "prefix": f"{record_id}:%", "suffix": f"%:{record_id}"},
    )
    names = _names(db, [(old, new) for *_rest, old, new in found])
    entries = []
    for at, login, full_name, table, action, old, new in found:
        before, after = _as_dict(old), _as_dict(new)
        fields = _fields(table, action, before, after, names)
        if action == "UPDATE" and not fields:
            continue  # only what follows from other rows changed (the event's lists of ids)
        entries.append(
            HistoryEntry(
                at=at.astimezone(SOFIA),
                login=clean(login),
                who=clean(full_name or login),
                what=_what(table, action, before, after, names, subject),
                fields=fields,
            )
        )
    return entries


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):  # a driver that hands JSON back as text
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {}
    return dict(value)


def _names(db: Any, pairs: list[tuple[Any, Any]]) -> dict[tuple[str, int], str]:
    """The names behind every id the changes mention, in one query per kind."""
    wanted: dict[str, set[int]] = {}
    for old, new in pairs:
        for row in (_as_dict(old), _as_dict(new)):
            for column, table in NAMED_BY.items():
                value = row.get(column)
                if isinstance(value, int):
                    wanted.setdefault(table, set()).add(value)
    names: dict[tuple[str, int], str] = {}
    for table, ids in wanted.items():
        for row_id, name in rows(db, _NAME_SQL[table], {"ids": sorted(ids)}):
            names[(table, row_id)] = clean(name)
    return names


def _what(
    table: str,
    action: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    names: Mapping[tuple[str, int], str],
    subject: str,
) -> str:
    """What happened, in words."""
    row = new or old
    if table == "event_staff":
        who = _named("staff_id", row.get("staff_id"), names)
        if action == "INSERT":
            return _("Specialist added: {name}").format(name=who)
        if action == "DELETE":
            return _("Specialist taken off: {name}").format(name=who)
        return _("Specialist {name}").format(name=who)
    if table == "event_case":
        if subject == "case":
            day = _value("during", row.get("during"), names)
            if action == "INSERT":
                return _("Booked for the session of {day}").format(day=day)
            if action == "DELETE":
                return _("Taken off the session of {day}").format(day=day)
            return _("Attendance at the session of {day}").format(day=day)
        case = _named("case_id", row.get("case_id"), names)
        if action == "INSERT":
            return _("Case added: {code}").format(code=case)
        if action == "DELETE":
            return _("Case taken off: {code}").format(code=case)
        return _("Case {code}").format(code=case)
    if table == "roster_slot":
        if action == "INSERT":
            return _("Volunteer place added")
        if action == "DELETE":
            return _("Volunteer place removed")
        return _("Volunteer place")
    return {"INSERT": _("Created"), "DELETE": _("Deleted")}.get(action, _("Changed"))


def _fields(
    table: str,
    action: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    names: Mapping[tuple[str, int], str],
) -> tuple[FieldChange, ...]:
    """The fields that changed (for a new record: the ones it was made with)."""
    hidden = HIDDEN | {"event_id", "case_id", "staff_id"} if table != "event" else HIDDEN
    if table in {"event_staff", "event_case"} and action != "UPDATE":
        return ()  # who was added or taken off is said in words; the rest are defaults
    if table in {"event_staff", "event_case", "roster_slot"}:
        hidden = hidden | {"during", "event_status"}
    changes = []
    for column in list(dict.fromkeys([*old, *new])):
        if column in hidden:
            continue
        before, after = old.get(column), new.get(column)
        if action == "UPDATE" and before == after:
            continue
        if action != "UPDATE" and _blank(before) and _blank(after):
            continue
        changes.append(
            FieldChange(
                field=_label(column),
                old=_value(column, before, names) if action != "INSERT" else "",
                new=_value(column, after, names) if action != "DELETE" else "",
            )
        )
    return tuple(changes)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _label(column: str) -> str:
    label = LABELS.get(column)
    return _(label) if label else column.replace("_", " ")


def _named(column: str, value: Any, names: Mapping[tuple[str, int], str]) -> str:
    if not isinstance(value, int):
        return "—"
    return names.get((NAMED_BY[column], value)) or f"№{value}"


def _value(column: str, value: Any, names: Mapping[tuple[str, int], str]) -> str:
    """A stored value as a person reads it: names for ids, dd.mm.yyyy, words for states."""
    if value is None or value == "" or value == []:
        return "—"
    if column in NAMED_BY:
        return _named(column, value, names)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return clean(", ".join(str(v) for v in value))
    if column == "during" and isinstance(value, str):
        return _span(value)
    if isinstance(value, str):
        if value in WORDS and column in {"status", "event_status", "attendance"}:
            return _(WORDS[value])
        if value in CHOICES.get(column, {}):
            return _(CHOICES[column][value])
        try:
            return f"{date.fromisoformat(value):%d.%m.%Y}"
        except ValueError:
            return clean(value)
    return clean(str(value))


def _span(text: str) -> str:
    """A stored time range as «25.11.2026 10:00–11:00» (Europe/Sofia)."""
    found = _RANGE.match(text.strip())
    if not found:
        return clean(text)
    try:
        start = datetime.fromisoformat(found.group(1)).astimezone(SOFIA)
        end = datetime.fromisoformat(found.group(2)).astimezone(SOFIA)
    except ValueError:
        return clean(text)
    if start.date() == end.date():
        return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"
    return f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"
