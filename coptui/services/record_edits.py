"""Add or change one room, staff member, volunteer or programme from parsed field values:
staff and rooms named are resolved to active ones, a login is checked (or made), and an edit
that changes nothing writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coptui.domain.fields import field
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.services.directory import resolve
from coptui.services.login_rules import LOGIN_FORMAT
from coptui.services.records import (
    TABLE_KINDS,
    Record,
    Row,
    TableKind,
    column_values,
    free_login,
    insert_rows,
    read_row,
    refuse_duplicate,
    table_record,
    update_row,
)
from coptui.services.stale import stale_error


def _resolve_names(
    session: Session, kind: TableKind, centre_id: int, parsed: dict[str, object]
) -> dict[str, object]:
    resolved = dict(parsed)
    for name, value in parsed.items():
        spec = field(kind.kind, name)
        if spec.type in ("staff", "room") and value is not None:
            resolved[name] = resolve_active(session, centre_id, spec.type, str(value))
    return resolved


def resolve_active(session: Session, centre_id: int, what: str, name: str) -> int:
    """The id of the active staff member or room called ``name``.

    Raises:
        BadInputError: nobody (nothing) of that name, several, or only a deactivated one.
    """
    entry = resolve(
        session, centre_id=centre_id, kind="staff" if what == "staff" else "rooms", name=name
    )
    table = TABLE_KINDS[what].table
    active = session.execute(sa.select(table.c.active).where(table.c.id == entry.id)).scalar()
    if not active:
        raise BadInputError(_("{name} is deactivated.").format(name=entry.name))
    return entry.id


def _check_login(parsed: Mapping[str, object]) -> None:
    login = parsed.get("login")
    if login and not LOGIN_FORMAT.match(str(login)):
        raise BadInputError(
            _("{field}: use small Latin letters, digits and _ . - (got {text!r}).").format(
                field=_(field("staff", "login").label), text=login
            )
        )


def add_row(session: Session, kind: TableKind, centre_id: int, parsed: dict[str, object]) -> Record:
    """Add a room, staff member, volunteer or programme from parsed field values."""
    name = str(parsed["name"])
    _check_login(parsed)
    refuse_duplicate(session, kind=kind, centre_id=centre_id, name=name)
    if kind.kind == "staff" and not parsed.get("login"):
        parsed["login"] = free_login(session, name)
    columns = column_values(kind, _resolve_names(session, kind, centre_id, parsed))
    (new_id,) = insert_rows(session, kind=kind, centre_id=centre_id, rows=[columns])
    return table_record(kind, read_row(session, kind=kind, centre_id=centre_id, row_id=new_id))


def edit_row(
    session: Session,
    kind: TableKind,
    centre_id: int,
    record_id: int,
    version: int,
    parsed: dict[str, object],
) -> Record:
    """Change the given fields of a row; nothing changed: nothing written."""
    row = read_row(session, kind=kind, centre_id=centre_id, row_id=record_id)
    if row.version != version:
        raise stale_error(session, kind.table.name, record_id)
    if kind.kind == "staff" and "login" in parsed and not parsed["login"]:
        parsed.pop("login")  # a login is never emptied
    _check_login(parsed)
    current = column_values(kind, _current_ids(session, kind, centre_id, row))
    wanted = column_values(kind, _resolve_names(session, kind, centre_id, parsed))
    changes = {column: value for column, value in wanted.items() if current[column] != value}
    if not changes:
        return table_record(kind, row)
    if "name" in parsed:
        refuse_duplicate(
            session, kind=kind, centre_id=centre_id, name=str(parsed["name"]), row_id=record_id
        )
    update_row(
        session,
        kind=kind,
        centre_id=centre_id,
        row_id=record_id,
        version=version,
        changes=changes,
    )
    return table_record(kind, read_row(session, kind=kind, centre_id=centre_id, row_id=record_id))


def _current_ids(session: Session, kind: TableKind, centre_id: int, row: Row) -> dict[str, Any]:
    """The row's values with staff and room fields as ids, for comparing with an edit."""
    values = dict(row.values)
    t = kind.table
    ids = [name for name in values if field(kind.kind, name).type in ("staff", "room")]
    if ids:
        found = session.execute(
            sa.select(*(t.c[kind.columns[n]] for n in ids)).where(t.c.id == row.id)
        ).one()
        values.update(zip(ids, found, strict=True))
    return values
