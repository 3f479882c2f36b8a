"""Rooms, staff, volunteers and programmes as rows: read, insert, update, deactivate.

The kinds whose fields map one to one onto a table's columns; ``services/setup.py`` checks the
input and chooses between these and the centre, closures and cases; ``record_edits`` adds or
changes one row from parsed values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.field_values import choice_label, format_value, login_from_name
from coptui.domain.fields import field, fields_of
from coptui.errors import BadInputError, NotFoundError, RefusedError
from coptui.i18n import N_, _, ngettext
from coptui.models import Programme, Room, Staff, Volunteer, table_of
from coptui.services.stale import stale_error
from coptui.services.transaction import sqlstate


class DuplicateError(RefusedError):
    """A record of that name (code, day) is already there."""


@dataclass(frozen=True)
class Record:
    """One room, person, case, programme, closure or the centre, as a form shows it."""

    kind: str
    id: int
    name: str
    detail: str
    active: bool
    version: int
    values: dict[str, str]


@dataclass(frozen=True)
class Row:
    """One row of a table kind: its id, version, active flag and values by field name."""

    id: int
    version: int
    active: bool
    values: dict[str, Any]


@dataclass(frozen=True)
class TableKind:
    """How the fields of one kind sit in one table."""

    kind: str
    table: sa.Table
    columns: dict[str, str]  # field name -> column
    what: str  # N_ word for messages: "room"
    detail: Callable[[Mapping[str, Any]], str]

    @property
    def name_column(self) -> sa.Column[Any]:
        return self.table.c[self.columns["name"]]


def _label_of(kind: str, name: str) -> Callable[[Mapping[str, Any]], str]:
    spec = field(kind, name)
    return lambda values: choice_label(spec, values[name]) if values.get(name) else ""


def _room_detail(values: Mapping[str, Any]) -> str:
    kind = _label_of("room", "kind")(values)
    seats = values.get("seats")
    if not seats:
        return kind
    return ngettext("{kind}, {n} seat", "{kind}, {n} seats", int(seats)).format(kind=kind, n=seats)


TABLE_KINDS: dict[str, TableKind] = {
    "room": TableKind(
        "room",
        table_of(Room),
        {
            "name": "name",
            "kind": "kind",
            "seats": "max_people",
            "area": "area_m2",
            "notes": "notes",
        },
        N_("room"),
        _room_detail,
    ),
    "staff": TableKind(
        "staff",
        table_of(Staff),
        {
            "name": "full_name",
            "profession": "profession",
            "role": "role",
            "login": "login",
            "email": "email",
            "phone": "phone",
        },
        N_("staff member"),
        _label_of("staff", "profession"),
    ),
    "volunteer": TableKind(
        "volunteer",
        table_of(Volunteer),
        {
            "name": "full_name",
            "skills": "skills",
            "phone": "phone",
            "email": "email",
            "agreement_date": "agreement_date",
            "agreement_ends": "agreement_ends",
            "criminal_record_date": "criminal_record_date",
            "notes": "notes",
        },
        N_("volunteer"),
        lambda values: ", ".join(values.get("skills") or ()),
    ),
    "programme": TableKind(
        "programme",
        table_of(Programme),
        {
            "name": "title",
            "kind": "kind",
            "seats": "capacity",
            "lead": "lead_id",
            "room": "room_id",
            "starts_on": "starts_on",
            "ends_on": "ends_on",
            "volunteers_per_session": "volunteers_per_session",
            "description": "description",
        },
        N_("programme"),
        _label_of("programme", "kind"),
    ),
}

_STAFF = table_of(Staff)
_ROOM = table_of(Room)


def _select(kind: TableKind) -> sa.Select[Any]:
    t = kind.table
    columns: list[Any] = [t.c.id, t.c.version, t.c.active]
    for name, column in kind.columns.items():
        spec = field(kind.kind, name)
        if spec.type == "staff":
            who = sa.select(_STAFF.c.full_name).where(_STAFF.c.id == t.c[column])
            columns.append(who.scalar_subquery().label(name))
        elif spec.type == "room":
            where = sa.select(_ROOM.c.name).where(_ROOM.c.id == t.c[column])
            columns.append(where.scalar_subquery().label(name))
        else:
            columns.append(t.c[column].label(name))
    return sa.select(*columns)


def _row(kind: TableKind, found: Any) -> Row:
    mapping = found._mapping
    values = {name: mapping[name] for name in kind.columns}
    return Row(id=found.id, version=found.version, active=found.active, values=values)


def read_rows(
    session: Session, *, kind: TableKind, centre_id: int, include_inactive: bool = True
) -> list[Row]:
    """Every row of ``kind`` in the centre, by name."""
    t = kind.table
    query = _select(kind).where(t.c.centre_id == centre_id)
    if not include_inactive:
        query = query.where(t.c.active)
    query = query.order_by(sa.func.lower(kind.name_column), t.c.id)
    return [_row(kind, r) for r in session.execute(query)]


def read_row(session: Session, *, kind: TableKind, centre_id: int, row_id: int) -> Row:
    """One row of ``kind``.

    Raises:
        NotFoundError: there is no such row in the centre.
    """
    t = kind.table
    found = session.execute(
        _select(kind).where(t.c.centre_id == centre_id, t.c.id == row_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(
            _("There is no {what} {id} (any more).").format(what=_(kind.what), id=row_id)
        )
    return _row(kind, found)


def refuse_duplicate(
    session: Session, *, kind: TableKind, centre_id: int, name: str, row_id: int | None = None
) -> None:
    """Refuse a second record of the same name (any case) in the centre.

    Raises:
        DuplicateError: another record of ``kind`` has that name.
    """
    t = kind.table
    query = sa.select(kind.name_column).where(
        t.c.centre_id == centre_id, sa.func.lower(kind.name_column) == name.casefold()
    )
    if row_id is not None:
        query = query.where(t.c.id != row_id)
    other = session.execute(query.limit(1)).scalar()
    if other is not None:
        raise DuplicateError(
            _("There is already a {what} called {name!r}.").format(what=_(kind.what), name=other)
        )


def free_login(session: Session, name: str, taken: set[str] | None = None) -> str:
    """A login for a new staff member made from ``name``, not yet used by anyone."""
    base = login_from_name(name)
    if taken is None:
        taken = set(
            session.execute(
                sa.select(_STAFF.c.login).where(_STAFF.c.login.like(base + "%"))
            ).scalars()
        )
    login, n = base, 1
    while login in taken:
        n += 1
        login = f"{base}{n}"
    return login


def column_values(kind: TableKind, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values (ids already resolved) as column values: enums, lists, empty text."""
    result: dict[str, Any] = {}
    for name, value in values.items():
        column = kind.table.c[kind.columns[name]]
        spec = field(kind.kind, name)
        if value is None and spec.type in ("text", "notes"):
            value = ""
        elif isinstance(value, tuple):
            value = list(value)
        elif value is not None and spec.type == "choice":
            enum_class = getattr(column.type, "enum_class", None)
            value = enum_class(value) if enum_class else value
        result[column.name] = value
    return result


def insert_rows(
    session: Session, *, kind: TableKind, centre_id: int, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert rows (column values) in one statement; return their ids in order.

    Raises:
        DuplicateError: a name (or a login) is taken.
        BadInputError: the database refused a value.
    """
    if not rows:
        return []
    statement = sa.insert(kind.table).returning(kind.table.c.id, sort_by_parameter_order=True)
    try:
        found = session.execute(statement, [{"centre_id": centre_id, **row} for row in rows])
    except IntegrityError as exc:
        raise _refusal(kind, exc) from exc
    return [r.id for r in found]


def update_row(
    session: Session, *, kind: TableKind, centre_id: int, row_id: int, version: int,
    changes: Mapping[str, Any],
) -> None:  # fmt: skip
    """Write ``changes`` (column values) if the row is still at ``version``.

    Raises:
        StaleEditError: someone else saved the row after it was read (names who).
        DuplicateError, BadInputError: the database refused a value.
    """
    t = kind.table
    statement = (
        sa.update(t)
        .where(t.c.id == row_id, t.c.centre_id == centre_id, t.c.version == version)
        .values(**changes, version=t.c.version + 1)
        .returning(t.c.id)
    )
    try:
        updated = session.execute(statement).scalar()
    except IntegrityError as exc:
        raise _refusal(kind, exc) from exc
    if updated is None:
        read_row(session, kind=kind, centre_id=centre_id, row_id=row_id)
        raise stale_error(session, t.name, row_id)


def _refusal(kind: TableKind, exc: IntegrityError) -> Exception:
    reason = str(exc.orig).splitlines()[0]
    if sqlstate(exc) == "23505":
        if "login" in reason:
            return DuplicateError(_("That login is taken; choose another with --login."))
        return DuplicateError(
            _("There is already a {what} of that name.").format(what=_(kind.what))
        )
    return BadInputError(
        _("The database refused the {what}: {reason}").format(what=_(kind.what), reason=reason)
    )


def text_values(kind: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Every field of ``kind`` as the text a form shows."""
    return {spec.name: format_value(spec, values.get(spec.name)) for spec in fields_of(kind)}


def table_record(kind: TableKind, row: Row) -> Record:
    return Record(
        kind=kind.kind,
        id=row.id,
        name=str(row.values["name"]),
        detail=kind.detail(row.values),
        active=row.active,
        version=row.version,
        values=text_values(kind.kind, row.values),
    )
