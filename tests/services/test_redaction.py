"""What leaves the building carries no child: the demo's titles pass untouched, a printed week
blanks a child's name out of a title (but a case's own week, for its family)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from coptui.services.demo import load_demo
from coptui.services.printed_week import read_printed_week
from coptui.services.redaction import centre_redactor
from tests.report_data import build_month
from tests.ui.test_planner import TODAY


def test_the_demo_centres_titles_name_no_child(session: Session) -> None:
    load_demo(session, today=TODAY)
    (centre,) = session.execute(text("SELECT id FROM centre")).scalars()
    titles = set(session.execute(text("SELECT DISTINCT title FROM event")).scalars())
    redactor = centre_redactor(session, centre, codes=True)
    assert len(titles) > 10
    assert {t for t in titles if redactor.names_a_child(t)} == set()


def test_a_printed_week_blanks_a_childs_name_but_not_in_the_childs_own_week(
    session: Session,
) -> None:
    build_month(session)
    event, centre, room, case = session.execute(
        text(
            "SELECT e.id, e.centre_id, e.room_id, l.case_id FROM event e"
            " JOIN event_case l ON l.event_id = e.id JOIN case_file k ON k.id = l.case_id"
            " WHERE e.room_id IS NOT NULL AND e.status <> 'cancelled'"
            " AND k.child_name = 'Калина' ORDER BY e.id LIMIT 1"
        )
    ).one()
    session.execute(text("UPDATE event SET title = 'Среща с Калинка' WHERE id = :e"), {"e": event})
    day = session.execute(
        text("SELECT (lower(during) AT TIME ZONE 'Europe/Sofia')::date FROM event WHERE id = :e"),
        {"e": event},
    ).scalar_one()
    assert isinstance(day, date)

    def titles(kind: str, resource: int) -> set[str]:
        week = read_printed_week(
            session, centre_id=centre, kind=kind, resource_id=resource, name="x", day=day
        )
        return {e.title for e in week.events if e.id == event}

    assert titles("room", room) == {"Среща с …"}
    assert titles("case", case) == {"Среща с Калинка"}
