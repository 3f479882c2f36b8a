"""Setting up a centre: add, edit and deactivate its rooms, people, cases, programmes, closures.

Every kind is described by ``coptui.domain.fields.FIELDS``; values arrive as typed text (a
form, a command line, a CSV cell) and leave as text a form shows. One call is one transaction.
Nothing that events refer to is ever deleted: it is deactivated and its history stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from coptui.domain.field_values import missing_required, parse_value, parse_values
from coptui.domain.fields import field, fields_of
from coptui.domain.timeutil import today as today_in_sofia
from coptui.errors import BadInputError, NotFoundError, RefusedError
from coptui.i18n import N_, _
from coptui.services import record_edits, records, setup_cases, setup_centre
from coptui.services.case_closing import FreedSessions
from coptui.services.records import TABLE_KINDS, DuplicateError, Record
from coptui.services.stale import stale_error

__all__ = [
    "DuplicateError",
    "Record",
    "add_record",
    "check_values",
    "close_case_record",
    "current_centre",
    "deactivate_record",
    "edit_record",
    "find_record",
    "get_record",
    "list_records",
]


def check_values(
    *, kind: str, values: Mapping[str, str], today: date, partial: bool = False
) -> dict[str, str]:
    """The errors in typed ``values`` of ``kind``, by field name (empty when all is well).

    Args:
        kind: one of ``coptui.domain.fields.KINDS``.
        values: field name -> text as typed.
        today: the day relative dates count from.
        partial: an edit: fields that are not given keep their value (required ones may be
            missing, but not emptied).
    """
    parsed, errors = parse_values(kind, values, today=today)
    for name, message in missing_required(kind, parsed, partial=partial).items():
        errors.setdefault(name, message)
    return errors


def _parsed(
    kind: str, values: Mapping[str, str], *, today: date, partial: bool
) -> dict[str, object]:
    parsed, errors = parse_values(kind, values, today=today)
    for name, message in missing_required(kind, parsed, partial=partial).items():
        errors.setdefault(name, message)
    if errors:
        order = [spec.name for spec in fields_of(kind)]
        first = sorted(errors, key=lambda n: order.index(n) if n in order else len(order))
        raise BadInputError(" ".join(errors[name] for name in first))
    return parsed


def _with_defaults(kind: str, parsed: dict[str, object], *, today: date) -> dict[str, object]:
    for spec in fields_of(kind):
        if parsed.get(spec.name) is None and spec.default:
            parsed[spec.name] = parse_value(spec, spec.default, today=today)
    return parsed


def current_centre(session: Session, *, today: date | None = None) -> Record | None:
    """The centre this database serves (one database is one centre for now), or ``None``."""
    centre_id = setup_centre.first_centre_id(session)
    if centre_id is None:
        return None
    return setup_centre.centre_record(session, centre_id, today or today_in_sofia())


def _need_centre(centre_id: int | None) -> int:
    if centre_id is None:
        raise BadInputError(
            _("There is no centre yet; add it first with `coptui add centre NAME --town T`.")
        )
    return centre_id


def list_records(
    session: Session,
    *,
    centre_id: int,
    kind: str,
    include_inactive: bool = True,
    today: date | None = None,
) -> list[Record]:
    """Every record of ``kind`` in the centre, by name (the inactive ones too, by default)."""
    day = today or today_in_sofia()
    fields_of(kind)
    if kind in TABLE_KINDS:
        table_kind = TABLE_KINDS[kind]
        rows = records.read_rows(
            session, kind=table_kind, centre_id=centre_id, include_inactive=include_inactive
        )
        return [records.table_record(table_kind, row) for row in rows]
    if kind == "centre":
        return [setup_centre.centre_record(session, centre_id, day)]
    if kind == "closure":
        return setup_centre.closure_records(session, centre_id)
    return setup_cases.records(session, centre_id, day, include_inactive)


def get_record(
    session: Session, *, centre_id: int, kind: str, record_id: int, today: date | None = None
) -> Record:
    """One record of ``kind``.

    Raises:
        NotFoundError: there is no such record (any more).
    """
    day = today or today_in_sofia()
    fields_of(kind)
    if kind in TABLE_KINDS:
        table_kind = TABLE_KINDS[kind]
        row = records.read_row(session, kind=table_kind, centre_id=centre_id, row_id=record_id)
        return records.table_record(table_kind, row)
    if kind == "centre":
        return setup_centre.centre_record(session, record_id, day)
    if kind == "closure":
        return setup_centre.get_closure(session, centre_id, record_id)
    return setup_cases.get(session, record_id, day)


def find_record(
    session: Session, *, centre_id: int, kind: str, name: str, today: date | None = None
) -> Record:
    """The record of ``kind`` named ``name``: an exact match (any case), else a unique part.

    A closure is named by its day (``31.12.2027``); the centre by its name, or by nothing.

    Raises:
        BadInputError: no record, or more than one, matches.
    """
    day = today or today_in_sofia()
    found = list_records(session, centre_id=centre_id, kind=kind, today=day)
    wanted = name.strip().casefold()
    if kind == "closure" and wanted:
        wanted_day = parse_value(field("closure", "day"), name, today=day)
        assert isinstance(wanted_day, date)
        wanted = f"{wanted_day:%d.%m.%Y}"
    if kind == "centre" and (not wanted or len(found) == 1):
        return found[0]
    exact = [r for r in found if r.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [r for r in found if wanted and wanted in r.name.casefold()]
    what = _(_WHAT[kind])
    if not partial:
        raise NotFoundError(_("No {what} is called {name!r}.").format(what=what, name=name))
    if len(partial) > 1:
        names = ", ".join(r.name for r in partial[:5])
        raise BadInputError(
            _("{name!r} matches more than one {what}: {names}").format(
                name=name, what=what, names=names
            )
        )
    return partial[0]


_WHAT = {
    "centre": N_("centre"),
    "room": N_("room"),
    "staff": N_("staff member"),
    "volunteer": N_("volunteer"),
    "case": N_("case"),
    "programme": N_("programme"),
    "closure": N_("closure"),
}


def add_record(
    session: Session, *, centre_id: int | None, kind: str, values: Mapping[str, str], today: date
) -> Record:
    """Add a record of ``kind`` from typed ``values``.

    ``kind`` "centre" takes ``centre_id`` None and creates the centre with its first dated
    capacity (from ``capacity_from``, default today). A case with ``from`` starts its service
    that day: active, or waiting in the queue when the centre is full.

    Raises:
        BadInputError: a value is missing or wrong (the message names the field).
        DuplicateError: the name (code, day) is taken in the centre.
        RefusedError: a rule refused (a second centre, a case the law does not allow).
    """
    parsed = _with_defaults(kind, _parsed(kind, values, today=today, partial=False), today=today)
    if kind == "centre":
        return setup_centre.add_centre(session, parsed, today)
    centre = _need_centre(centre_id)
    if kind in TABLE_KINDS:
        return record_edits.add_row(session, TABLE_KINDS[kind], centre, parsed)
    if kind == "closure":
        return setup_centre.add_closure(session, centre, parsed)
    return setup_cases.add(session, centre, parsed, today)


def edit_record(
    session: Session,
    *,
    centre_id: int,
    kind: str,
    record_id: int,
    version: int,
    values: Mapping[str, str],
    today: date,
) -> Record:
    """Change the fields given in ``values``; the others keep their value.

    Nothing changed: nothing is written and the record keeps its version.

    Raises:
        StaleEditError: someone else saved the record since ``version`` (names who and when).
        NotFoundError: the record is gone.
        BadInputError, DuplicateError, RefusedError: as :func:`add_record`.
    """
    parsed = _parsed(kind, values, today=today, partial=True)
    for name, value in list(parsed.items()):
        spec = field(kind, name)
        if value is None and spec.default:
            parsed[name] = parse_value(spec, spec.default, today=today)
    if kind in TABLE_KINDS:
        kind_of = TABLE_KINDS[kind]
        return record_edits.edit_row(session, kind_of, centre_id, record_id, version, parsed)
    if kind == "centre":
        return setup_centre.edit_centre(session, record_id, version, parsed, today)
    if kind == "closure":
        return setup_centre.edit_closure(session, centre_id, record_id, version, parsed)
    return setup_cases.edit(session, centre_id, record_id, version, parsed, today)


def deactivate_record(
    session: Session,
    *,
    centre_id: int,
    kind: str,
    record_id: int,
    version: int,
    today: date,
    reason: str = "",
) -> Record:
    """Take a record out of use without deleting anything events refer to.

    Rooms, staff, volunteers and programmes become inactive (their events stay); a case is
    closed today (``reason`` required), its place offered to the first waiting case and
    its later sessions freed (:func:`close_case_record` also says how); a
    closure is removed (nothing refers to it); the centre cannot be deactivated.

    Raises:
        StaleEditError: someone else saved the record since ``version``.
        BadInputError: a case without a reason.
        RefusedError: the centre.
    """
    fields_of(kind)
    if kind == "centre":
        raise RefusedError(_("The centre cannot be deactivated."))
    if kind in TABLE_KINDS:
        table_kind = TABLE_KINDS[kind]
        row = records.read_row(session, kind=table_kind, centre_id=centre_id, row_id=record_id)
        if row.version != version:
            raise stale_error(session, table_kind.table.name, record_id)
        if row.active:
            records.update_row(
                session,
                kind=table_kind,
                centre_id=centre_id,
                row_id=record_id,
                version=version,
                changes={"active": False},
            )
        return get_record(session, centre_id=centre_id, kind=kind, record_id=record_id)
    if kind == "closure":
        return setup_centre.remove_closure(session, centre_id, record_id, version)
    return setup_cases.close(session, record_id, version, today, reason)[0]


def close_case_record(
    session: Session, *, case_id: int, version: int, today: date, reason: str
) -> tuple[Record, FreedSessions]:
    """Close a case today, as ``deactivate_record`` does, and say what became of its later
    sessions (``coptui.services.case_closing.freed_text`` words it).

    Raises:
        StaleEditError: someone else saved the case since ``version``.
        BadInputError: no reason.
    """
    return setup_cases.close(session, case_id, version, today, reason)
