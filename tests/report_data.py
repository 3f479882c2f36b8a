"""A fixed month (11.2026) of one invented centre, counted by hand for the monthly report.

The hand counts are in ``tests/services/test_report.py``; the CLI and the screen tests check a
few of the same figures. Every child has a name, so that a test can look for it in the output.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from coptui.models import Case, Programme, ProgrammeKind, ReferralSource, ServiceKind, Volunteer
from tests.factories import add_event, make_world, span

TODAY = date(2026, 12, 15)  # the month is over: its state is taken on 30.11.2026
CHILD_NAMES = ("Ели", "Иво", "Калина", "Дамян", "Рада", "Огнян", "Стоян", "Тодорка", "Цвета")
FAMILY_NAMES = ("Петкови", "Стоеви", "Маринови")


def _case(session: Session, centre: int, code: str, child: str, **values: Any) -> int:
    specialised = values.get("service_kind") == ServiceKind.SPECIALISED
    if specialised:
        values.setdefault("referral_source", ReferralSource.DSP)
        values.setdefault("referral_number", f"ЗД-{code}")
        values.setdefault("referral_date", date(2026, 1, 2))
        values.setdefault("contract_number", f"Д-{code}")
        values.setdefault("contract_start", date(2026, 1, 5))
        values.setdefault("contract_end", date(2027, 5, 31))
    values.setdefault("referral_source", ReferralSource.SELF)
    values.setdefault("service_kind", ServiceKind.GENERAL_ACCESS)
    values.setdefault("registered_on", date(2026, 1, 1))
    case = Case(centre_id=centre, code=code, child_name=child, **values)
    session.add(case)
    session.flush()
    assert case.id is not None
    return case.id


def build_month(session: Session) -> dict[str, int]:
    """The centre, its cases, programmes, sessions, marks and rosters; ids by name."""
    w = make_world(session)
    run = session.execute
    c = w.centre
    # The two cases of the world: Т-001 general access from 20.09 (over its two months on
    # 30.11), Т-002 specialised from 10.01, with two service types.
    run(
        text(
            "UPDATE case_file SET status = 'active', active_from = :a, registered_on = :r,"
            " service_types = :t, family_name = :f WHERE id = :id"
        ),
        {"a": date(2026, 9, 20), "r": date(2026, 9, 1), "t": ["психологическо консултиране"],
         "f": "Петкови", "id": w.case},
    )  # fmt: skip
    run(
        text(
            "UPDATE case_file SET status = 'active', active_from = :a, registered_on = :r,"
            " service_types = :t WHERE id = :id"
        ),
        {"a": date(2026, 1, 10), "r": date(2026, 1, 2), "id": w.other_case,
         "t": ["логопедична терапия", "психологическо консултиране"]},
    )  # fmt: skip
    ids = {"case": w.case, "other_case": w.other_case, "anna": w.staff, "boris": w.other_staff}
    ids["t3"] = _case(session, c, "Т-003", "Калина", status="active",
                      active_from=date(2026, 11, 5),
                      service_types=["педагогическа подкрепа"])  # fmt: skip
    ids["t4"] = _case(session, c, "Т-004", "Дамян", status="active", family_name="Стоеви",
                      active_from=date(2026, 10, 10))  # fmt: skip
    ids["t5"] = _case(session, c, "Т-005", "Рада", status="closed",
                      service_kind=ServiceKind.SPECIALISED, active_from=date(2026, 6, 1),
                      closed_on=date(2026, 11, 20), close_reason="целите са постигнати",
                      service_types=["логопедична терапия"])  # fmt: skip
    _case(session, c, "Т-006", "Огнян", status="closed", active_from=date(2026, 8, 1),
          closed_on=date(2026, 10, 15), close_reason="преместване")  # fmt: skip
    _case(session, c, "Т-007", "Стоян", registered_on=date(2026, 11, 10))
    _case(session, c, "Т-008", "Тодорка", status="active", family_name="Маринови",
          registered_on=date(2026, 11, 25), active_from=date(2026, 12, 3))  # fmt: skip
    _case(session, c, "Т-009", "Цвета", registered_on=date(2026, 12, 5))

    art = Programme(centre_id=c, kind=ProgrammeKind.ART_STUDIO, title="Арт ателие", capacity=4)
    eco = Programme(centre_id=c, kind=ProgrammeKind.ECO_HOLIDAY, title="Еко ваканция")
    petya = Volunteer(centre_id=c, full_name="Петя Другарова")
    session.add_all([art, eco, petya])
    session.flush()
    ids.update(art=art.id or 0, eco=eco.id or 0, vera=w.volunteer, petya=petya.id or 0)

    anna, boris = w.staff, w.other_staff
    t1, t2, t3, t4, t5 = w.case, w.other_case, ids["t3"], ids["t4"], ids["t5"]

    def event(
        name: str,
        day: int,
        start: str,
        end: str,
        *,
        kind: str,
        status: str = "held",
        programme: int | None = None,
        reason: str | None = None,
        month: int = 11,
        **people: Any,
    ) -> None:
        e = add_event(session, w, span(start, end, date(2026, month, day)), title=name, **people)
        run(
            text(
                "UPDATE event SET kind = :k, status = :s, programme_id = :p, cancel_reason = :r"
                " WHERE id = :e"
            ),
            {"k": kind, "s": status, "p": programme, "r": reason, "e": e.id},
        )
        ids[name] = e.id or 0

    event("E1", 3, "10:00", "11:00", kind="individual", staff=(anna,), cases=(t1,))
    event("E2", 4, "10:00", "11:30", kind="individual", staff=(boris,), cases=(t2,))
    event("E3", 5, "14:00", "16:00", kind="programme_session", programme=art.id,
          room=w.room, staff=(anna, boris), cases=(t1, t3, t4, t2),
          volunteers=(w.volunteer,))  # fmt: skip
    event("E4", 12, "14:00", "16:00", kind="programme_session", programme=art.id,
          room=w.room, staff=(anna,), cases=(t1, t3, t4, t5),
          volunteers=(w.volunteer, ids["petya"]))  # fmt: skip
    event("E5", 19, "14:00", "16:00", kind="programme_session", programme=art.id,
          status="cancelled", reason="болест на водещия", staff=(anna,), cases=(t1,))  # fmt: skip
    event("E6", 26, "14:00", "16:00", kind="programme_session", programme=art.id,
          status="planned", staff=(anna,), cases=(t1, t3), volunteers=(w.volunteer,))  # fmt: skip
    event("E7", 7, "10:00", "13:00", kind="group", programme=eco.id, staff=(boris,),
          cases=(t3, t1), volunteers=(ids["petya"],))  # fmt: skip
    event("E8", 10, "09:00", "10:00", kind="meeting", staff=(anna, boris))
    event("E9", 11, "09:00", "10:00", kind="individual", status="cancelled", reason="болен",
          staff=(boris,), cases=(t2,))  # fmt: skip
    event("E10", 13, "09:00", "10:00", kind="individual", status="cancelled",
          reason="Ели е болна", staff=(boris,), cases=(t1,))  # fmt: skip
    event("E11", 30, "23:00", "23:45", kind="mobile_work", staff=(boris,))
    # Just outside the month, on both sides.
    event("E12", 1, "00:00", "01:00", month=12, kind="mobile_work", staff=(boris,))
    event("E13", 31, "22:00", "23:00", month=10, kind="individual", staff=(anna,), cases=(t1,))

    def mark(name: str, case: int, attendance: str, note: str | None = None) -> None:
        run(
            text(
                "UPDATE event_case SET attendance = :a, attendance_note = :n"
                " WHERE event_id = :e AND case_id = :c"
            ),
            {"a": attendance, "n": note, "e": ids[name], "c": case},
        )

    mark("E1", t1, "present")
    mark("E2", t2, "absent", "болен")
    mark("E3", t1, "present")
    mark("E3", t3, "late")
    mark("E3", t4, "excused", "на лекар")
    mark("E3", t2, "absent", "Иво беше болен")  # names the child: withheld in the report
    mark("E4", t1, "present")
    mark("E4", t3, "present")
    mark("E4", t4, "absent", " болен ")
    mark("E7", t3, "present")
    mark("E7", t1, "present")
    mark("E13", t1, "present")
    run(
        text(
            "UPDATE roster_slot SET status = 'confirmed' WHERE event_id = :e AND volunteer_id = :v"
        ),
        {"e": ids["E4"], "v": w.volunteer},
    )
    run(
        text(
            "UPDATE roster_slot SET status = 'declined' WHERE event_id = :e AND volunteer_id = :v"
        ),
        {"e": ids["E4"], "v": ids["petya"]},
    )
    for case in (t4, t2):
        run(
            text("INSERT INTO waitlist_entry (event_id, case_id, centre_id) VALUES (:e, :k, :c)"),
            {"e": ids["E6"], "k": case, "c": c},
        )
    session.flush()
    return ids
