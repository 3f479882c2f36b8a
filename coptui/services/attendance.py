"""The attendance register of a session: who is expected, marking them, and absences in a row.

A register opens from the session's start on (a session that has not begun has nobody to mark)
and never for a cancelled one. Saving writes every changed mark and marks the session held, in
one transaction; each row carries its own version, so two people marking the same session lose
nothing: only a row both changed is refused as stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain import attendance as rules
from coptui.domain.text import check_line, clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import BadInputError, NotFoundError, RefusedError, StaleEditError
from coptui.i18n import N_, _, ngettext
from coptui.services.calendar import rows
from coptui.services.edits import mark_held
from coptui.services.event_reads import load_event

REASON_LENGTH = 200  # a short reason, one line
# Each mark in words (translate with ``_`` where shown).
MARK_WORDS = {
    "expected": N_("not marked yet"),
    "present": N_("present"),
    "absent": N_("absent"),
    "excused": N_("excused"),
    "late": N_("late"),
}


@dataclass(frozen=True)
class RegisterRow:
    """One child (case) expected at the session, with its mark."""

    case_id: int
    code: str  # cleaned
    name: str  # the child's name, cleaned; "" when none is recorded
    attendance: str  # expected / present / absent / excused / late
    note: str  # the reason of an absence, cleaned
    version: int


@dataclass(frozen=True)
class Register:
    """A session and the children expected at it, by case code."""

    event_id: int
    version: int
    title: str  # cleaned
    start: datetime
    end: datetime
    status: str  # planned / held / cancelled
    programme: str  # cleaned; "" when the session belongs to no programme
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class Mark:
    """A mark to save: ``version`` is the row's version as read (``None``: as it is now)."""

    case_id: int
    attendance: str
    note: str = ""
    version: int | None = None


@dataclass(frozen=True)
class SavedRegister:
    """What a save did: the marks written and whether the session was marked held by it."""

    event_id: int
    changed: int
    held_now: bool
    counts: dict[str, int]  # every mark of the session after the save, by kind


def read_register(db: Any, *, event_id: int) -> Register:
    """The session and its children, by case code.

    Args:
        db: a psycopg connection or a SQLAlchemy session (see ``calendar.rows``).

    Raises:
        NotFoundError: there is no such event.
    """
    found = rows(
        db,
        "SELECT e.id, e.version, e.title, lower(e.during), upper(e.during), e.status::text,"
        " coalesce(p.title, '') FROM event e LEFT JOIN programme p ON p.id = e.programme_id"
        " WHERE e.id = %(e)s",
        {"e": event_id},
    )
    if not found:
        raise NotFoundError(_("Event {id} does not exist.").format(id=event_id))
    event_id, version, title, start, end, status, programme = found[0]
    children = rows(
        db,
        "SELECT ec.case_id, c.code, c.child_name, ec.attendance::text,"
        " coalesce(ec.attendance_note, ''), ec.version"
        " FROM event_case ec JOIN case_file c ON c.id = ec.case_id"
        " WHERE ec.event_id = %(e)s ORDER BY c.code",
        {"e": event_id},
    )
    return Register(
        event_id=event_id,
        version=version,
        title=clean(title),
        start=start,
        end=end,
        status=status,
        programme=clean(programme),
        rows=tuple(
            RegisterRow(
                case_id=case_id,
                code=clean(code),
                name=clean(name),
                attendance=mark,
                note=clean(note),
                version=row_version,
            )
            for case_id, code, name, mark, note, row_version in children
        ),
    )


def refuse_closed_register(*, event_id: int, status: str, start: datetime, now: datetime) -> None:
    """Refuse a register for a cancelled session or one that has not started yet.

    Raises:
        RefusedError: the session is cancelled, or starts after ``now``.
    """
    if status == "cancelled":
        raise RefusedError(
            _("Event {id} is cancelled; it has no attendance.").format(id=event_id),
            title=_("Cancelled"),
        )
    if start > now:
        local = start.astimezone(SOFIA)
        raise RefusedError(
            _("Event {id} starts on {day} at {time}; attendance is marked from its start.").format(
                id=event_id, day=f"{local:%d.%m.%Y}", time=f"{local:%H:%M}"
            ),
            title=_("Not started yet"),
        )


def open_register(db: Any, *, event_id: int, now: datetime) -> Register:
    """The register of a session that is under way or over, to mark.

    Raises:
        NotFoundError: there is no such event.
        RefusedError: the session is cancelled or has not started by ``now``.
    """
    register = read_register(db, event_id=event_id)
    refuse_closed_register(event_id=event_id, status=register.status, start=register.start, now=now)
    return register


def reason(value: str) -> str:
    """A reason as stored: one short line, no control character (blank is allowed)."""
    return check_line(value, _("the reason"), max_length=REASON_LENGTH)


def save_attendance(
    session: Session, *, event_id: int, marks: Sequence[Mark], now: datetime
) -> SavedRegister:
    """Write the marks of a session's register and mark the session held, all or nothing.

    A mark equal to what is stored writes nothing. A presence or lateness clears the reason.

    Raises:
        NotFoundError: there is no such event.
        RefusedError: the session is cancelled or has not started by ``now``.
        BadInputError: a case is not expected at this session, is marked twice, or a mark or
            reason cannot be stored.
        StaleEditError: someone else changed the mark of one of these children after it was
            read (the message names who and when).
    """
    from coptui.services.stale import stale_error

    event = load_event(session, event_id, lock=True)
    refuse_closed_register(event_id=event_id, status=event.status, start=event.s, now=now)
    current = {
        r.case_id: r
        for r in session.execute(
            text(
                "SELECT case_id, attendance::text AS attendance,"
                " coalesce(attendance_note, '') AS note, version"
                " FROM event_case WHERE event_id = :e FOR UPDATE"
            ),
            {"e": event_id},
        )
    }
    seen: set[int] = set()
    changed = 0
    for mark in marks:
        if mark.case_id in seen:
            raise BadInputError(_("A child is marked twice in one register."))
        seen.add(mark.case_id)
        if mark.attendance not in rules.MARKED:
            raise BadInputError(
                _("A mark is one of: present, absent, excused, late (got {mark!r}).").format(
                    mark=mark.attendance
                )
            )
        row = current.get(mark.case_id)
        if row is None:
            raise BadInputError(_("A case is not expected at this session."))
        if mark.version is not None and mark.version != row.version:
            raise _stale(stale_error(session, "event_case", event_id))
        note = reason(mark.note) if mark.attendance in rules.WITH_REASON else ""
        if (mark.attendance, note) == (row.attendance, row.note):
            continue
        session.execute(
            text(
                "UPDATE event_case SET attendance = :a,"
                " attendance_note = NULLIF(:n, ''), version = version + 1"
                " WHERE event_id = :e AND case_id = :c"
            ),
            {"a": mark.attendance, "n": note, "e": event_id, "c": mark.case_id},
        )
        changed += 1
    held_now = event.status == "planned"
    if held_now:
        mark_held(session, event_id=event_id, version=event.version)
    counts: dict[str, int] = defaultdict(int)
    for found in session.execute(
        text("SELECT attendance::text FROM event_case WHERE event_id = :e"), {"e": event_id}
    ).scalars():
        counts[found] += 1
    return SavedRegister(event_id=event_id, changed=changed, held_now=held_now, counts=dict(counts))


def _stale(error: StaleEditError) -> StaleEditError:
    return StaleEditError(
        error.message + " " + _("Open the register again to see their marks."), title=error.title
    )


def absence_warnings(db: Any, *, centre_id: int, staff_id: int | None, today: date) -> list[str]:
    """One line per child whose last programme sessions were unexcused absences, in a row.

    Only sessions up to the end of ``today`` count; excused and unmarked ones are passed over
    (see ``coptui.domain.attendance.absences_in_a_row``).

    Args:
        db: a psycopg connection or a SQLAlchemy session (see ``calendar.rows``).
        staff_id: the key worker whose cases to warn about; ``None``: every case.

    Returns:
        Lines such as «Случай Т-001: 3 отсъствия подред в „Арт ателие“ (последно на 25.11.2026)».
    """
    until = datetime.combine(today + timedelta(days=1), time(0), tzinfo=SOFIA)
    found = rows(
        db,
        "SELECT code, programme, mark, start FROM ("
        " SELECT c.code, p.title AS programme, ec.attendance::text AS mark,"
        "  lower(e.during) AS start, c.id AS case_id, p.id AS programme_id,"
        "  row_number() OVER (PARTITION BY c.id, p.id ORDER BY lower(e.during) DESC) AS back"
        " FROM event_case ec"
        " JOIN event e ON e.id = ec.event_id"
        " JOIN programme p ON p.id = e.programme_id"
        " JOIN case_file c ON c.id = ec.case_id"
        " WHERE ec.centre_id = %(c)s AND e.status <> 'cancelled' AND c.status = 'active'"
        "  AND ec.attendance IN ('present', 'late', 'absent') AND lower(e.during) < %(u)s"
        "  AND (CAST(%(s)s AS integer) IS NULL OR c.key_worker_id = %(s)s)"
        ") recent WHERE back <= %(n)s ORDER BY code, programme_id, start",
        {"c": centre_id, "u": until, "s": staff_id, "n": rules.ABSENCES_IN_A_ROW},
    )
    runs: dict[tuple[str, str], list[tuple[str, datetime]]] = defaultdict(list)
    for code, programme, mark, start in found:
        runs[(code, programme)].append((mark, start))
    lines = []
    for (code, programme), marks in runs.items():
        run = rules.absences_in_a_row(mark for mark, _start in marks)
        if run < rules.ABSENCES_IN_A_ROW:
            continue
        last = marks[-1][1].astimezone(SOFIA)
        lines.append(
            ngettext(
                "Case {code}: {n} absence in a row at „{programme}“ (last on {day})",
                "Case {code}: {n} absences in a row at „{programme}“ (last on {day})",
                run,
            ).format(code=clean(code), n=run, programme=clean(programme), day=f"{last:%d.%m.%Y}")
        )
    return lines
