"""The law's rules for a case: the two-month clock of general access, the specialised terms.

Закон за социалните услуги: a general-access service (self-referred) lasts at most two months
from its start; a specialised service is given on a referral (ОЗД / ДСП) and within a
contract. These are plain functions on dates; the services read the case and enforce them.

How the two months are counted (our decision, after чл. 72 ЗЗД, the usual rule for terms in
months): the term ends on the day of the second month after the start that has the start's
number; when that month has no such day, on its last day. The end day is **inclusive**: it is
the last day a session may be booked; the day after it is refused. So a service from 01.03
may be booked until 01.05, one from 31.12.2026 until 28.02.2027 and one from 31.12.2027 until
29.02.2028 (a leap year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

GENERAL_ACCESS_MONTHS = 2
WARN_EARLY = 14  # D-14: the key worker is told two weeks ahead
WARN_LATE = 7  # D-7: and again, more urgently, in the last week
EXPIRED = 0  # the warning level of a service past its end


def general_access_end(start: date) -> date:
    """The last day (inclusive) of a general-access service that started on ``start``.

    The same day number two months later, or that month's last day when it is shorter
    (``relativedelta`` clamps exactly so): 31.12 → 28.02, or 29.02 in a leap year.
    """
    end: date = start + relativedelta(months=GENERAL_ACCESS_MONTHS)
    return end


def days_left(end: date, today: date) -> int:
    """Whole days from ``today`` to the last day ``end``: 0 on the last day, negative after."""
    return (end - today).days


def warning_level(left: int) -> int | None:
    """Which warning a general-access case with ``left`` days to go deserves, if any.

    Returns:
        ``WARN_EARLY`` (14) from D-14 to D-8, ``WARN_LATE`` (7) from D-7 to the last day
        (D-0), ``EXPIRED`` (0) once the end is past, ``None`` while more than 14 days remain.
        The warnings cover the whole window, not only the exact 14th and 7th day, so that a
        key worker who was away on that day still sees it.
    """
    if left < 0:
        return EXPIRED
    if left <= WARN_LATE:
        return WARN_LATE
    if left <= WARN_EARLY:
        return WARN_EARLY
    return None


@dataclass(frozen=True)
class Terms:
    """What a case's booking rules depend on."""

    code: str
    status: str  # waiting / active / closed
    service_kind: str  # general_access / specialised
    active_from: date | None = None
    closed_on: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a case cannot have a session on some day.

    ``reason`` is one of ``closed`` (after ``on``, the closing day), ``no_contract``
    (specialised, without contract dates), ``before_contract`` (``on`` is the contract's first
    day), ``after_contract`` (``on`` is its last day), ``general_access_over`` (``on`` is the
    last day of the two months).
    """

    code: str
    reason: str
    on: date | None = None


def ends_on(terms: Terms) -> date | None:
    """The last day the case may have sessions: the contract's end, or the two months' end."""
    if terms.service_kind == "specialised":
        return terms.contract_end
    if terms.active_from is None:
        return None
    return general_access_end(terms.active_from)


def session_refusal(terms: Terms, first_day: date, last_day: date) -> Refusal | None:
    """Whether a case may have sessions from ``first_day`` to ``last_day`` (local days).

    The rules (every window is one interval of days, so the two ends decide):
    - a closed case has no session after its closing day (sessions up to it are its history);
    - a specialised case has sessions only within its contract, first and last day included;
      without contract dates it has none;
    - a general-access case that has started has none after the last day of its two months.
      A waiting general-access case may be booked: an intake or assessment meeting comes
      before a place is free, and so may a session before the start.
    """
    if terms.status == "closed" and terms.closed_on is not None and last_day > terms.closed_on:
        return Refusal(terms.code, "closed", terms.closed_on)
    if terms.service_kind == "specialised":
        if terms.contract_start is None or terms.contract_end is None:
            return Refusal(terms.code, "no_contract")
        if first_day < terms.contract_start:
            return Refusal(terms.code, "before_contract", terms.contract_start)
        if last_day > terms.contract_end:
            return Refusal(terms.code, "after_contract", terms.contract_end)
        return None
    end = ends_on(terms)
    if end is not None and last_day > end:
        return Refusal(terms.code, "general_access_over", end)
    return None


@dataclass(frozen=True)
class Referral:
    """A case's referral and contract, as the specialised service needs them."""

    referral_source: str | None
    referral_number: str
    referral_date: date | None
    contract_number: str
    contract_start: date | None
    contract_end: date | None


def missing_for_specialised(referral: Referral) -> tuple[str, ...]:
    """The fields a specialised service still lacks before it can start (empty: none).

    A specialised case needs a referral from an institution (ОЗД, ДСП or another one: not a
    self-referral) with its number and date, and a contract with its number, first and last
    day. The names are those of ``CaseRow``.
    """
    missing = []
    if referral.referral_source in (None, "", "self"):
        missing.append("referral_source")
    if not referral.referral_number.strip():
        missing.append("referral_number")
    if referral.referral_date is None:
        missing.append("referral_date")
    if not referral.contract_number.strip():
        missing.append("contract_number")
    if referral.contract_start is None:
        missing.append("contract_start")
    if referral.contract_end is None:
        missing.append("contract_end")
    return tuple(missing)
