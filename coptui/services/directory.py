"""Who and what the centre has: listing, and finding by name as people type it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.field_values import choice_label
from coptui.domain.fields import fields_of
from coptui.domain.text import clean
from coptui.domain.timeutil import today
from coptui.errors import BadInputError
from coptui.i18n import N_, _
from coptui.services.case_reads import case_detail, case_rows

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


def only_centre(session: Session) -> int:
    """The centre this database serves (the first one, while one database is one centre).

    Raises:
        BadInputError: there is no centre yet.
    """
    centre = session.execute(text("SELECT id FROM centre ORDER BY id LIMIT 1")).scalar()
    if centre is None:
        raise BadInputError(_("There is no centre yet; load the demo with `coptui demo`."))
    return int(centre)


def entries(session: Session, *, centre_id: int, kind: str) -> list[Entry]:
    """Every entry of ``kind`` (rooms, staff, volunteers, cases, programmes) by name."""
    if kind == "cases":  # with their state: status, end and days left, place in the queue
        found = case_rows(session, centre_id=centre_id, today=today())
        return [
            Entry(id=r.id, name=clean(r.code), detail=clean(case_detail(r)), status=r.status)
            for r in found
        ]
    table, name, detail = _KINDS[kind]
    rows = session.execute(
        text(
            f"SELECT id, {name} AS name, {detail}::text AS detail, active FROM {table}"
            " WHERE centre_id = :c ORDER BY lower(" + name + "), id"
        ),
        {"c": centre_id},
    )
    # A coded detail (a room's kind, a profession) in words, as the forms show it.
    spec = next((s for s in fields_of(table) if s.name == detail and s.choices), None)
    return [
        Entry(
            id=r.id,
            name=clean(r.name),
            detail=clean(choice_label(spec, r.detail) if spec and r.detail else r.detail or ""),
            status="active" if r.active else "inactive",
        )
        for r in rows
    ]


def resolve(
    session: Session, *, centre_id: int, kind: str, name: str, for_booking: bool = False
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
        active = session.execute(
            text(f"SELECT active FROM {table} WHERE id = :i"), {"i": found_one.id}
        ).scalar()
        if not active:
            raise BadInputError(
                _("{name} is deactivated; choose another or make it active again.").format(
                    name=found_one.name
                )
            )
    return found_one
