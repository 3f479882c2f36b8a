"""Who and what the centre has: listing, and finding by name as people type it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coptui.domain.field_values import choice_label
from coptui.domain.fields import fields_of
from coptui.domain.text import clean
from coptui.domain.timeutil import today
from coptui.errors import BadInputError
from coptui.i18n import N_, _
from coptui.services.calendar import rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# kind -> (table, name expression, extra column shown)
_KINDS = {
    "rooms": ("room", "name", "kind"),
    "staff": ("staff", "full_name", "profession"),
    "volunteers": ("volunteer", "full_name", "phone"),
    "cases": ("case_file", "code", "status"),
    "programmes": ("programme", "title", "kind"),
}
_WHAT = {
    "rooms": N_("room"),
    "staff": N_("staff member"),
    "volunteers": N_("volunteer"),
    "cases": N_("case"),
    "programmes": N_("programme"),
}


@dataclass(frozen=True)
class Entry:
    """A room, person, case or programme, by id and the name people use.

    A display read model: ``name`` and ``detail`` are stored text made harmless with
    ``coptui.domain.text.clean`` (pickers, lists, the CLI's text and JSON show them).
    """

    id: int
    name: str
    detail: str
    # A case's status (waiting, active, closed); for the rest active or inactive.
    status: str = ""


def only_centre(session: Session | Any) -> int:
    """The centre this database serves (the first one, while one database is one centre).

    Args:
        session: a SQLAlchemy session or a plain psycopg connection (``print week`` reads
            without importing SQLAlchemy).

    Raises:
        BadInputError: there is no centre yet.
    """
    found = rows(session, "SELECT id FROM centre ORDER BY id LIMIT 1")
    if not found:
        raise BadInputError(
            _(
                "There is no centre yet: set yours up in `coptui` (it asks for the centre "
                "and its group room) or with `coptui add centre --help`; or load the demo "
                "with `coptui demo`."
            )
        )
    return int(found[0][0])


def entries(session: Session | Any, *, centre_id: int, kind: str) -> list[Entry]:
    """Every entry of ``kind`` (rooms, staff, volunteers, cases, programmes) by name.

    Args:
        session: a SQLAlchemy session, or a plain psycopg connection for every kind but
            cases.
    """
    if kind == "cases":  # with their state: status, end and days left, place in the queue
        from coptui.services.case_reads import case_detail, case_rows

        found = case_rows(session, centre_id=centre_id, today=today())
        return [
            Entry(id=r.id, name=clean(r.code), detail=clean(case_detail(r)), status=r.status)
            for r in found
        ]
    table, name, detail = _KINDS[kind]
    listed = rows(
        session,
        f"SELECT id, {name} AS name, {detail}::text AS detail, active FROM {table}"
        " WHERE centre_id = %(c)s ORDER BY lower(" + name + "), id",
        {"c": centre_id},
    )
    # A coded detail (a room's kind, a profession) in words, as the forms show it.
    spec = next((s for s in fields_of(table) if s.name == detail and s.choices), None)
    return [
        Entry(
            id=row_id,
            name=clean(row_name),
            detail=clean(choice_label(spec, shown) if spec and shown else shown or ""),
            status="active" if active else "inactive",
        )
        for row_id, row_name, shown, active in listed
    ]


def resolve(
    session: Session | Any, *, centre_id: int, kind: str, name: str, for_booking: bool = False
) -> Entry:
    """Find one entry by ``name``: an exact match (any case) or else a unique part of a name.

    Args:
        for_booking: the entry is to be booked into a new event, so a deactivated room,
            staff member, volunteer or programme is refused (history still names them).

    Raises:
        BadInputError: no entry, or more than one, matches; or (``for_booking``) the one
            found is deactivated.
    """
    wanted = name.strip().casefold()
    found = entries(session, centre_id=centre_id, kind=kind)
    exact = [e for e in found if e.name.casefold() == wanted]
    partial = exact or [e for e in found if wanted and wanted in e.name.casefold()]
    what = _(_WHAT[kind])
    if not partial:
        raise BadInputError(_("No {what} is called {name!r}.").format(what=what, name=name))
    if len(partial) > 1 and len(exact) != 1:
        names = ", ".join(e.name for e in partial[:5])
        raise BadInputError(
            _("{name!r} matches more than one {what}: {names}").format(
                name=name, what=what, names=names
            )
        )
    found_one = partial[0]
    if for_booking and kind != "cases":
        table = _KINDS[kind][0]
        active = rows(session, f"SELECT active FROM {table} WHERE id = %(i)s", {"i": found_one.id})
        if not (active and active[0][0]):
            raise BadInputError(
                _("{name} is deactivated; choose another or make it active again.").format(
                    name=found_one.name
                )
            )
    return found_one
