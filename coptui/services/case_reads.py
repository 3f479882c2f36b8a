"""The case register as it is read: every case with its end, its days left and its place in
the queue, and its state in a few words (``cases`` adds, edits, starts and closes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain import caserules
from coptui.errors import NotFoundError
from coptui.i18n import _, ngettext
from coptui.services.caseterms import day_text, terms_of


@dataclass(frozen=True)
class CaseRow:
    """A case as the register shows it, with its end and its place in the queue."""

    id: int
    code: str
    child_name: str
    family_name: str
    birth_year: int | None
    service_kind: str
    service_types: tuple[str, ...]
    referral_source: str
    referral_number: str
    referral_date: date | None
    contract_number: str
    contract_start: date | None
    contract_end: date | None
    key_worker_id: int | None
    key_worker: str
    status: str
    registered_on: date
    active_from: date | None
    closed_on: date | None
    close_reason: str
    ends_on: date | None
    days_left: int | None
    queue_position: int | None
    version: int


# The columns a person writes (the rest the register keeps itself).
COLUMNS = (
    "code",
    "child_name",
    "family_name",
    "birth_year",
    "service_kind",
    "service_types",
    "referral_source",
    "referral_number",
    "referral_date",
    "contract_number",
    "contract_start",
    "contract_end",
    "key_worker_id",
)

SELECT = (
    "SELECT c.id, c.centre_id, c.code, c.child_name, c.family_name, c.birth_year,"
    " c.service_kind, c.service_types, c.referral_source, c.referral_number, c.referral_date,"
    " c.contract_number, c.contract_start, c.contract_end, c.key_worker_id,"
    " coalesce(s.full_name, '') AS key_worker, c.status, c.registered_on, c.active_from,"
    " c.closed_on, coalesce(c.close_reason, '') AS close_reason, c.version, c.queued_at,"
    " (SELECT count(*) FROM case_file q WHERE q.centre_id = c.centre_id"
    "  AND q.queued_at IS NOT NULL AND (q.queued_at, q.id) <= (c.queued_at, c.id))"
    "  AS queue_position"
    " FROM case_file c LEFT JOIN staff s ON s.id = c.key_worker_id"
)


def case_row(r: Any, today: date) -> CaseRow:
    """A row of ``SELECT`` as the register shows it on ``today``."""
    ends_on = caserules.ends_on(terms_of(r))
    left = None
    if r.status == "active" and ends_on is not None:
        left = caserules.days_left(ends_on, today)
    return CaseRow(
        id=r.id,
        code=r.code,
        child_name=r.child_name,
        family_name=r.family_name,
        birth_year=r.birth_year,
        service_kind=r.service_kind,
        service_types=tuple(r.service_types),
        referral_source=r.referral_source,
        referral_number=r.referral_number,
        referral_date=r.referral_date,
        contract_number=r.contract_number,
        contract_start=r.contract_start,
        contract_end=r.contract_end,
        key_worker_id=r.key_worker_id,
        key_worker=r.key_worker,
        status=r.status,
        registered_on=r.registered_on,
        active_from=r.active_from,
        closed_on=r.closed_on,
        close_reason=r.close_reason,
        ends_on=ends_on,
        days_left=left,
        queue_position=int(r.queue_position) if r.queued_at is not None else None,
        version=r.version,
    )


def case_rows(session: Session, *, centre_id: int, today: date) -> list[CaseRow]:
    """Every case of the centre (closed ones too), by code."""
    found = session.execute(
        text(SELECT + " WHERE c.centre_id = :c ORDER BY lower(c.code), c.id"), {"c": centre_id}
    )
    return [case_row(r, today) for r in found]


def get_case(session: Session, *, case_id: int, today: date) -> CaseRow:
    """One case.

    Raises:
        NotFoundError: there is no such case.
    """
    found = session.execute(text(SELECT + " WHERE c.id = :id"), {"id": case_id}).one_or_none()
    if found is None:
        raise NotFoundError(_("No such case."))
    return case_row(found, today)


def case_detail(row: CaseRow) -> str:
    """The case's state in a few words: status, its end and days left, or its queue place."""
    if row.status == "waiting" and row.queue_position is not None:
        return _("waiting, number {n} in the queue").format(n=row.queue_position)
    if row.status == "waiting":
        return _("waiting")
    if row.status == "closed":
        return _("closed on {day}").format(day=day_text(row.closed_on))
    if row.ends_on is None or row.days_left is None:
        return _("active")
    if row.active_from is not None and row.days_left > (row.ends_on - row.active_from).days:
        # Started with a date still ahead: say when the service begins.
        return _("active from {start} until {day}").format(
            start=day_text(row.active_from), day=day_text(row.ends_on)
        )
    return _("active until {day} ({left})").format(
        day=day_text(row.ends_on), left=_left(row.days_left)
    )


def _left(days: int) -> str:
    if days < 0:
        return _("ended")
    if days == 0:
        return _("the last day")
    return ngettext("{n} day left", "{n} days left", days).format(n=days)
