"""The case register: add, edit, start and close cases, and read them with their end, their
days left and their place in the queue.

Starting a case (``start_on``) takes one of the centre's dated places under the centre's lock
(``coptui.services.places``); when none is free the case waits in the queue, first asked first
served, and closing a case offers its place to the first of them. Which days a case may be
booked is ``coptui.services.caseterms``, re-exported here; reading the register is
``coptui.services.case_reads``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain import caserules
from coptui.domain.enums import ReferralSource, ServiceKind
from coptui.domain.text import check_line, clean
from coptui.errors import BadInputError, NotFoundError, RefusedError
from coptui.i18n import N_, _
from coptui.services.case_closing import FreedSessions, free_later_sessions
from coptui.services.case_reads import (
    COLUMNS,
    SELECT,
    CaseRow,
    case_row,
    get_case,
)
from coptui.services.caseterms import case_warnings as case_warnings
from coptui.services.caseterms import check_case_terms as check_case_terms
from coptui.services.caseterms import day_text
from coptui.services.places import activate_case, first_in_line, lock_centre
from coptui.services.stale import stale_error
from coptui.services.transaction import sqlstate

EDITABLE = frozenset((*COLUMNS, "start_on"))  # what an edit may change

_LABELS = {
    "referral_source": N_("a referral from ОЗД, ДСП or another institution"),
    "referral_number": N_("the referral's number"),
    "referral_date": N_("the referral's date"),
    "contract_number": N_("the contract's number"),
    "contract_start": N_("the contract's first day"),
    "contract_end": N_("the contract's last day"),
}


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The case's fields as they will be stored, or BadInputError naming what is wrong."""
    out = dict(values)
    out["code"] = check_line(str(values["code"] or ""), _("the case code"))
    if not out["code"]:
        raise BadInputError(_("The case needs a code."))
    for name, label in (
        ("child_name", _("the child's name")),
        ("family_name", _("the family")),
        ("referral_number", _("the referral's number")),
        ("contract_number", _("the contract's number")),
    ):
        out[name] = check_line(str(values[name] or ""), label)
    out["service_types"] = [
        t for t in (check_line(str(v), _("the service type")) for v in values["service_types"]) if t
    ]
    kinds = {k.value for k in ServiceKind}
    if values["service_kind"] not in kinds:
        raise BadInputError(
            _("The service is general_access or specialised, not {value!r}.").format(
                value=values["service_kind"]
            )
        )
    source = values["referral_source"]
    if source in (None, "") and values["service_kind"] == ServiceKind.GENERAL_ACCESS:
        source = ReferralSource.SELF.value
    if source in (None, ""):
        raise BadInputError(
            _("A specialised service needs a referral from ОЗД, ДСП or another institution.")
        )
    if source not in {s.value for s in ReferralSource}:
        raise BadInputError(
            _("The referral is ozd, dsp, other_institution or self, not {value!r}.").format(
                value=source
            )
        )
    if source == "self" and values["service_kind"] == ServiceKind.SPECIALISED:
        raise BadInputError(
            _("A specialised service needs a referral from ОЗД, ДСП or another institution.")
        )
    out["referral_source"] = str(source)
    out["service_kind"] = str(values["service_kind"])
    year = values["birth_year"]
    if year is not None and not 1990 <= int(year) <= 2100:
        raise BadInputError(_("The birth year {year} is not plausible.").format(year=year))
    start, end = values["contract_start"], values["contract_end"]
    if start is not None and end is not None and end < start:
        raise BadInputError(_("The contract cannot end before it starts."))
    return out


def _refuse_unready_specialised(values: Mapping[str, Any], start_on: date | None) -> None:
    """A specialised case starts only with a referral and a contract, and within the contract."""
    if values["service_kind"] != ServiceKind.SPECIALISED:
        return
    code = clean(values["code"])
    missing = caserules.missing_for_specialised(
        caserules.Referral(
            referral_source=values["referral_source"],
            referral_number=values["referral_number"],
            referral_date=values["referral_date"],
            contract_number=values["contract_number"],
            contract_start=values["contract_start"],
            contract_end=values["contract_end"],
        )
    )
    if missing:
        raise RefusedError(
            _(
                "Case {code} is a specialised service: it cannot be active without {missing}."
            ).format(code=code, missing=", ".join(_(_LABELS[m]) for m in missing)),
            title=_("Referral and contract needed"),
        )
    if start_on is not None and not values["contract_start"] <= start_on <= values["contract_end"]:
        raise RefusedError(
            _(
                "The contract of case {code} runs from {start} to {end}; the service starts"
                " within it."
            ).format(
                code=code,
                start=day_text(values["contract_start"]),
                end=day_text(values["contract_end"]),
            ),
            title=_("Outside the contract"),
        )


def _refusal_from(exc: IntegrityError, code: str) -> Exception:
    state = sqlstate(exc)
    if state == "23505":
        return BadInputError(_("There is already a case {code}.").format(code=clean(code)))
    if state == "23503":
        return NotFoundError(_("The key worker is not one of this centre's staff."))
    if "specialised_active_has_contract" in str(exc.orig):
        return RefusedError(
            _("A specialised case cannot be active without a referral and a contract."),
            title=_("Referral and contract needed"),
        )
    return BadInputError(
        _("The case was refused by the database: {reason}").format(
            reason=str(exc.orig).splitlines()[0]
        )
    )


def _write(session: Session, sql: str, params: dict[str, Any], code: str) -> Any:
    savepoint = session.begin_nested()
    try:
        found = session.execute(text(sql), params).one_or_none()
    except IntegrityError as exc:
        savepoint.rollback()
        raise _refusal_from(exc, code) from exc
    savepoint.commit()
    return found


def add_case(
    session: Session,
    *,
    centre_id: int,
    code: str,
    service_kind: str,
    today: date,
    referral_source: str | None = None,
    child_name: str = "",
    family_name: str = "",
    birth_year: int | None = None,
    service_types: Sequence[str] = (),
    referral_number: str = "",
    referral_date: date | None = None,
    contract_number: str = "",
    contract_start: date | None = None,
    contract_end: date | None = None,
    key_worker_id: int | None = None,
    start_on: date | None = None,
) -> CaseRow:
    """Register a case; with ``start_on``, start its service that day if a place is free.

    Returns:
        The case: waiting (in the queue when it asked to start and the centre was full) or
        active.

    Raises:
        BadInputError: a field is wrong, or the code is taken.
        RefusedError: a specialised case asked to start without a referral and a contract, or
            outside its contract.
    """
    values = _checked(
        {
            "code": code,
            "child_name": child_name,
            "family_name": family_name,
            "birth_year": birth_year,
            "service_kind": service_kind,
            "service_types": service_types,
            "referral_source": referral_source,
            "referral_number": referral_number,
            "referral_date": referral_date,
            "contract_number": contract_number,
            "contract_start": contract_start,
            "contract_end": contract_end,
            "key_worker_id": key_worker_id,
        }
    )
    if start_on is not None:
        _refuse_unready_specialised(values, start_on)
    names = ", ".join(COLUMNS)
    placeholders = ", ".join(f":{c}" for c in COLUMNS)
    case_id = _write(
        session,
        f"INSERT INTO case_file (centre_id, registered_on, {names})"
        f" VALUES (:centre, :today, {placeholders}) RETURNING id",
        {**values, "centre": centre_id, "today": today},
        values["code"],
    ).id
    if start_on is not None:
        activate_case(session, case_id=case_id, on=start_on)
    return get_case(session, case_id=case_id, today=today)


def _locked_case(session: Session, case_id: int, version: int | None) -> Any:
    found = session.execute(
        text(SELECT + " WHERE c.id = :id FOR UPDATE OF c"), {"id": case_id}
    ).one_or_none()
    if found is None:
        raise NotFoundError(_("No such case."))
    if version is not None and found.version != version:
        raise stale_error(session, "case_file", case_id)
    return found


def edit_case(
    session: Session, *, case_id: int, version: int, changes: Mapping[str, object], today: date
) -> CaseRow:
    """Change a case's fields; ``start_on`` in ``changes`` starts its service as ``add_case``.

    Changing ``service_kind`` to specialised with the referral and contract fields converts a
    general-access case: its sessions are then bound by the contract, not the two months.

    Raises:
        StaleEditError: someone saved the case after ``version`` was read.
        BadInputError: an unknown or wrong field.
        RefusedError: an active (or starting) specialised case would lack its referral or
            contract.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise BadInputError(
            _("A case has no field {names}.").format(names=", ".join(sorted(unknown)))
        )
    current = _locked_case(session, case_id, version)
    now = {c: getattr(current, c) for c in COLUMNS}
    now["service_types"] = list(now["service_types"])
    wanted = _checked({c: changes.get(c, now[c]) for c in COLUMNS})
    changed = {c: v for c, v in wanted.items() if v != now[c]}
    start_on = changes.get("start_on")
    if start_on is not None and not isinstance(start_on, date):
        raise BadInputError(_("The start of the service must be a date."))
    if start_on is not None and current.status == "active":
        raise BadInputError(
            _("Case {code} is already active since {day}.").format(
                code=clean(current.code), day=day_text(current.active_from)
            )
        )
    if not changed and start_on is None:
        return case_row(current, today)
    if current.status == "active" or start_on is not None:
        _refuse_unready_specialised(wanted, start_on)
    if changed:
        assignments = ", ".join(f"{c} = :{c}" for c in changed)
        _write(
            session,
            f"UPDATE case_file SET {assignments}, version = version + 1"
            " WHERE id = :id RETURNING id",
            {**changed, "id": case_id},
            wanted["code"],
        )
    if start_on is not None:
        activate_case(session, case_id=case_id, on=start_on)
    return get_case(session, case_id=case_id, today=today)


@dataclass(frozen=True)
class ClosedCase:
    """A case just closed: the case, who its centre place is offered to, and what became of
    its later sessions."""

    case: CaseRow
    offered: CaseRow | None
    sessions: FreedSessions


def close_case(
    session: Session, *, case_id: int, version: int, on: date, reason: str, today: date
) -> ClosedCase:
    """Close a case on ``on`` (its last day with the centre) with a reason.

    ``on`` is the case's last day: it may still have sessions that day and holds its place;
    the place is free from the next day. A waiting case leaves the queue. Its planned
    sessions after ``on`` are freed (``coptui.services.case_closing``): its own are
    cancelled, its seats in groups offered to the waiting, its waiting-list places dropped.

    Returns:
        The closed case; the first case of the queue that the place freed from the day
        after ``on`` is offered to (``None`` when nobody waits or no place came free; the
        offered case is not started: a person confirms with
        ``edit_case(..., changes={"start_on": day})``); and what became of its later
        sessions.

    Raises:
        BadInputError: no reason, already closed, or a closing day before the start.
        StaleEditError: someone saved the case after ``version`` was read.
    """
    why = check_line(reason, _("the reason"))
    if not why:
        raise BadInputError(_("Say why the case is closed."))
    case = _locked_case(session, case_id, version)
    code = clean(case.code)
    if case.status == "closed":
        raise BadInputError(
            _("Case {code} was already closed on {day}.").format(
                code=code, day=day_text(case.closed_on)
            )
        )
    if case.active_from is not None and on < case.active_from:
        raise BadInputError(
            _("Case {code} started on {day}; it cannot close before that.").format(
                code=code, day=day_text(case.active_from)
            )
        )
    lock_centre(session, case.centre_id)
    session.execute(
        text(
            "UPDATE case_file SET status = 'closed', closed_on = :on, close_reason = :why,"
            " queued_at = NULL, version = version + 1 WHERE id = :id"
        ),
        {"id": case_id, "on": on, "why": why},
    )
    offered = None
    if case.status == "active":
        first = first_in_line(session, centre_id=case.centre_id, on=on + timedelta(days=1))
        if first is not None:
            offered = get_case(session, case_id=first, today=today)
    sessions = free_later_sessions(session, case_id=case_id, on=on)
    return ClosedCase(
        case=get_case(session, case_id=case_id, today=today), offered=offered, sessions=sessions
    )
