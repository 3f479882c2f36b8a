"""Cases in the setup services: typed fields in, ``services/cases.py`` does the work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coptui.domain.field_values import parse_value
from coptui.domain.fields import field
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.services.case_closing import FreedSessions
from coptui.services.case_reads import CaseRow, case_detail, case_rows, get_case
from coptui.services.cases import add_case, close_case, edit_case
from coptui.services.record_edits import resolve_active
from coptui.services.records import DuplicateError, Record, text_values
from coptui.services.stale import stale_error

# Case fields -> the names services/cases.py uses for them.
CASE_FIELDS = {
    "code": "code",
    "child": "child_name",
    "family": "family_name",
    "birth_year": "birth_year",
    "service": "service_kind",
    "service_types": "service_types",
    "referral": "referral_source",
    "referral_number": "referral_number",
    "referral_date": "referral_date",
    "contract_number": "contract_number",
    "contract_start": "contract_start",
    "contract_end": "contract_end",
    "key_worker": "key_worker_id",
    "from": "start_on",
}


def records(session: Session, centre_id: int, today: date, include_closed: bool) -> list[Record]:
    """The centre's cases as records."""
    rows = case_rows(session, centre_id=centre_id, today=today)
    return [case_record(r) for r in rows if include_closed or r.status != "closed"]


def get(session: Session, case_id: int, today: date) -> Record:
    """One case as a record."""
    return case_record(get_case(session, case_id=case_id, today=today))


def close(
    session: Session, case_id: int, version: int, today: date, reason: str
) -> tuple[Record, FreedSessions]:
    """Close a case today; its place is offered to the first waiting case, its later sessions
    are freed.

    Returns:
        The closed case, and what became of its sessions after today.

    Raises:
        BadInputError: no reason.
    """
    why = parse_value(field("closure", "reason"), reason, today=today)
    if not why:
        raise BadInputError(_("Give the reason the case is closed (--reason)."))
    closed = close_case(
        session, case_id=case_id, version=version, on=today, reason=str(why), today=today
    )
    return case_record(closed.case), closed.sessions


def case_record(row: CaseRow) -> Record:
    """A case as a record; its detail says its status, end and days left, or queue place."""
    shown = {**CASE_FIELDS, "key_worker": "key_worker", "from": "active_from"}
    values = {name: getattr(row, attribute, None) for name, attribute in shown.items()}
    return Record(
        kind="case",
        id=row.id,
        name=row.code,
        detail=case_detail(row),
        active=row.status != "closed",
        version=row.version,
        values=text_values("case", values),
    )


def _arguments(session: Session, centre_id: int, parsed: Mapping[str, object]) -> dict[str, object]:
    resolved = dict(parsed)
    worker = parsed.get("key_worker")
    if worker is not None:
        resolved["key_worker"] = resolve_active(session, centre_id, "staff", str(worker))
    return arguments(resolved)


def arguments(parsed: Mapping[str, object]) -> dict[str, object]:
    """Parsed case fields (the key worker as an id) as ``services/cases.py`` arguments.

    Empty texts become ``""``; the list of service types a tuple.
    """
    result: dict[str, object] = {}
    for name, value in parsed.items():
        spec = field("case", name)
        if spec.type == "text" and value is None:
            value = ""
        elif spec.type == "list":
            value = tuple(value) if isinstance(value, tuple | list) else ()
        result[CASE_FIELDS[name]] = value
    return result


def _refuse_duplicate(
    session: Session, centre_id: int, code: str, case_id: int | None = None
) -> None:
    query = sa.text(
        "SELECT code FROM case_file WHERE centre_id = :c AND lower(code) = :code"
        " AND id IS DISTINCT FROM :id LIMIT 1"
    )
    other = session.execute(query, {"c": centre_id, "code": code.casefold(), "id": case_id})
    found = other.scalar()
    if found is not None:
        raise DuplicateError(_("There is already a case {code}.").format(code=found))


def add(session: Session, centre_id: int, parsed: dict[str, object], today: date) -> Record:
    _refuse_duplicate(session, centre_id, str(parsed["code"]))
    given = {k: v for k, v in _arguments(session, centre_id, parsed).items() if v is not None}
    row = add_case(session, centre_id=centre_id, today=today, **given)  # type: ignore[arg-type]
    return case_record(row)


def edit(
    session: Session,
    centre_id: int,
    case_id: int,
    version: int,
    parsed: dict[str, object],
    today: date,
) -> Record:
    current = get_case(session, case_id=case_id, today=today)
    if current.version != version:
        raise stale_error(session, "case_file", case_id)
    now = {**current.__dict__, "start_on": current.active_from}
    wanted = _arguments(session, centre_id, parsed)
    changes = {k: v for k, v in wanted.items() if now.get(k) != v}
    if not changes:
        return case_record(current)
    if "code" in changes:
        _refuse_duplicate(session, centre_id, str(changes["code"]), case_id)
    row = edit_case(session, case_id=case_id, version=version, changes=changes, today=today)
    return case_record(row)
