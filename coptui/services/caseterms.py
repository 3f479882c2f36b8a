"""The law's terms of a case applied to its sessions: which days it may be booked, and the
warnings a key worker sees as a general-access service nears its end.

Booking, editing and series call ``check_case_terms`` (one query, only when a request has
cases); the rules themselves are the pure ones of ``coptui.domain.caserules``. Kept apart from
the case register so that booking can use it without importing the register.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain import caserules
from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import RefusedError
from coptui.i18n import _, ngettext
from coptui.services.calendar import rows


def day_text(day: date | None) -> str:
    """A date as people read it here (dd.mm.yyyy), or nothing."""
    return f"{day:%d.%m.%Y}" if day is not None else ""


def terms_of(r: Any) -> caserules.Terms:
    """The booking terms of a case row (any row with the case_file columns by name)."""
    return caserules.Terms(
        code=r.code,
        status=r.status,
        service_kind=r.service_kind,
        active_from=r.active_from,
        closed_on=r.closed_on,
        contract_start=r.contract_start,
        contract_end=r.contract_end,
    )


def _local_days(start: datetime, end: datetime) -> tuple[date, date]:
    # An event ending at midnight belongs to the day it started.
    return start.astimezone(SOFIA).date(), (end - timedelta(microseconds=1)).astimezone(
        SOFIA
    ).date()


def _refusal_message(refusal: caserules.Refusal) -> str:
    code, day = clean(refusal.code), day_text(refusal.on)
    messages = {
        "closed": _("Case {code} was closed on {day}; it has no sessions after that day."),
        "no_contract": _(
            "Case {code} is a specialised service without a contract yet; enter the contract's"
            " first and last day before booking it."
        ),
        "before_contract": _(
            "The contract of case {code} starts on {day}; its sessions cannot be booked before"
            " that day."
        ),
        "after_contract": _(
            "The contract of case {code} ends on {day}; its sessions cannot be booked after"
            " that day."
        ),
        "general_access_over": _(
            "The general-access service of case {code} ends on {day} (two months from its"
            " start); it cannot be booked after that day. Convert it to a specialised service"
            " with a referral and a contract to go on."
        ),
    }
    return messages[refusal.reason].format(code=code, day=day)


def case_terms_refusals(
    session: Session, *, case_ids: Sequence[int], start: datetime, end: datetime
) -> list[str]:
    """Why some of these cases cannot have a session in ``[start, end)`` (empty: all can).

    One query. See ``caserules.session_refusal`` for the rules; unknown ids are left to the
    booking's own checks.
    """
    if not case_ids:
        return []
    first_day, last_day = _local_days(start, end)
    found = session.execute(
        text(
            "SELECT code, status, service_kind, active_from, closed_on, contract_start,"
            " contract_end FROM case_file WHERE id = ANY(:ids) ORDER BY code"
        ),
        {"ids": list(case_ids)},
    )
    refusals = (caserules.session_refusal(terms_of(r), first_day, last_day) for r in found)
    return [_refusal_message(r) for r in refusals if r is not None]


def check_case_terms(
    session: Session, *, case_ids: Sequence[int], start: datetime, end: datetime
) -> None:
    """Refuse a session (or a series from ``start`` to ``end``) outside a case's terms.

    Raises:
        RefusedError: a case is closed by then, a specialised case is outside its contract, or
            a general-access case is past the last day of its two months (the message names it).
    """
    refusals = case_terms_refusals(session, case_ids=case_ids, start=start, end=end)
    if refusals:
        message = " ".join(refusals[:3])
        if len(refusals) > 3:
            message += " " + _("(and {n} more)").format(n=len(refusals) - 3)
        raise RefusedError(message, title=_("Outside the case's terms"))


def case_warnings(db: Any, *, centre_id: int, staff_id: int | None, today: date) -> list[str]:
    """The D-14 and D-7 warnings of active general-access cases, soonest end first.

    Args:
        db: a plain psycopg connection or a SQLAlchemy session (see ``calendar.rows``).
        staff_id: the key worker whose cases to warn about; ``None``: every case.

    Returns:
        One line per case whose two months end within 14 days or have ended (a case past its
        end is warned about until it is closed or converted), e.g. «Случай ЦОП-2027-001:
        общодостъпната услуга изтича на 30.04.2027 (след 7 дни)».
    """
    found = rows(
        db,
        "SELECT code, active_from FROM case_file WHERE centre_id = %(c)s"
        " AND status = 'active' AND service_kind = 'general_access'"
        " AND (CAST(%(s)s AS integer) IS NULL OR key_worker_id = %(s)s)",
        {"c": centre_id, "s": staff_id},
    )
    ends = sorted((caserules.general_access_end(active_from), code) for code, active_from in found)
    warnings = []
    for end, code in ends:
        left = caserules.days_left(end, today)
        if caserules.warning_level(left) is None:
            continue
        if left < 0:
            line = _(
                "Case {code}: the general-access service ended on {day}; close the case or"
                " convert it to a specialised service"
            )
        elif left == 0:
            line = _("Case {code}: the general-access service ends today, {day}")
        else:
            line = ngettext(
                "Case {code}: the general-access service ends on {day} (in {n} day)",
                "Case {code}: the general-access service ends on {day} (in {n} days)",
                left,
            )
        warnings.append(line.format(code=clean(code), day=day_text(end), n=left))
    return warnings
