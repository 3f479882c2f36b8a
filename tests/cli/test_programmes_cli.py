"""`book --programme` and `join`: a session linked to a programme, its seats, exit codes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from coptui import db
from coptui.cli import main
from tests.services.test_places import add_cases


def _cases(url: str, n: int, prefix: str) -> list[str]:
    """``n`` new active cases of the demo centre (their two months cover December 2026)."""
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        centre = session.execute(text("SELECT id FROM centre")).scalar_one()
        ids = add_cases(session, centre, n, prefix=prefix)
        session.execute(
            text(
                "UPDATE case_file SET status = 'active', active_from = '2026-11-20'"
                " WHERE id = ANY(:i)"
            ),
            {"i": ids},
        )
        codes = list(
            session.execute(
                text("SELECT code FROM case_file WHERE id = ANY(:i) ORDER BY code"), {"i": ids}
            ).scalars()
        )
    engine.dispose()
    return codes


def _scalar(url: str, sql: str, **params: object) -> object:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(sql), params).scalar()
    engine.dispose()
    return found


def test_book_a_programme_session_and_join_it_until_full(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third, fourth = _cases(demo_env, 4, "ДЖ")
    assert main(["add", "programme", "Приказно ателие", "--kind", "art", "--seats", "2"]) == 0
    capsys.readouterr()
    book = ["book", "--title", "Приказки", "--start", "08.12.2026 16:30", "--duration", "60"]
    too_many = main([*book, "--programme", "приказно", "--case", first, "--case", second,
                     "--case", third])  # fmt: skip
    err = capsys.readouterr().err
    assert too_many == 3 and "2 места" in err and "3 деца" in err
    assert main([*book, "--programme", "приказно", "--case", first]) == 0
    event = int(capsys.readouterr().out.split()[2].rstrip(":"))
    assert _scalar(demo_env, "SELECT kind FROM event WHERE id = :e", e=event) == (
        "programme_session"
    )
    assert main(["agenda", "--programme", "приказно", "--from", "08.12.2026", "--days", "1"]) == 0
    assert "Приказки" in capsys.readouterr().out
    assert main(["join", str(event), "--case", second]) == 0
    assert f"Случай {second} е записан в „Приказки“ на 08.12.2026 16:30." in capsys.readouterr().out
    # Full: refused without --waitlist (exit 3), naming the place it would get.
    assert main(["join", str(event), "--case", third]) == 3
    err = capsys.readouterr().err
    assert "заети са 2 от 2" in err and "№ 1" in err and "--waitlist" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["join", str(event), "--case", third, "--waitlist"]) == 0
    assert "№ 1 в списъка на чакащите" in capsys.readouterr().out
    assert main(["join", str(event), "--case", fourth, "--waitlist"]) == 0
    assert "№ 2 в списъка на чакащите" in capsys.readouterr().out
    # Bad input: neither or both of an event and a programme; an unknown case; no such event.
    assert main(["join", "--case", third]) == 2
    assert main(["join", str(event), "--programme", "приказно", "--case", third]) == 2
    assert main(["join", str(event), "--case", "няма-такъв"]) == 2
    assert main(["join", "999999", "--case", third]) == 2
    capsys.readouterr()


def test_join_a_whole_programme(demo_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _cases(demo_env, 2, "ЗМ")
    add = ["add", "programme", "Зимно ателие", "--kind", "art", "--seats", "1"]
    assert main([*add, "--lead", "Ивайло Маринов", "--room", "Групова зала"]) == 0
    series = ["book", "--title", "Зимно ателие", "--start", "09.12.2026 16:30", "--duration", "60"]
    # No room nor staff named: the programme's own room and lead are booked.
    assert main([*series, "--programme", "зимно", "--repeat", "weekly count 3"]) == 0
    capsys.readouterr()
    assert (
        _scalar(
            demo_env,
            "SELECT count(*) FROM event e JOIN room r ON r.id = e.room_id"
            " JOIN event_staff s ON s.event_id = e.id JOIN staff st ON st.id = s.staff_id"
            " WHERE e.title = 'Зимно ателие' AND r.name = 'Групова зала'"
            " AND st.full_name = 'Ивайло Маринов'",
        )
        == 3
    )
    joined = main(["join", "--programme", "зимно", "--case", first, "--from", "01.12.2026"])
    out = capsys.readouterr().out
    assert joined == 0 and "записан в 3 занимания, чака в 0" in out
    full = main(["join", "--programme", "зимно", "--case", second, "--from", "01.12.2026"])
    err = capsys.readouterr().err
    assert full == 3 and "3 от 3 предстоящи" in err and "09.12.2026 16:30 (№ 1)" in err
    waits = main(
        ["join", "--programme", "зимно", "--case", second, "--from", "01.12.2026", "--waitlist"]
    )
    out = capsys.readouterr().out
    assert waits == 0 and "списък на чакащите, № 1" in out and "чака в 3" in out
