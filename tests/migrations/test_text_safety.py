"""Migration 0006 neutralises hostile text stored before it, then refuses more of it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from coptui import db, schema

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

# Stored before the fix: what an old coptui, or any SQL client, let in.
HOSTILE = """
INSERT INTO centre (id, name, town) VALUES (1, 'ЦОП \x1b]0;pwned\x07', 'Габрово\x9b2J');
INSERT INTO room (centre_id, name, kind, notes) VALUES
    (1, 'Зала\x01', 'group_room', E'ред 1\\r\\nред 2\\t\x1b[2J'),
    (1, 'Зала\x02', 'office', ''),
    (1, 'Зала\ufffd', 'outdoor', '');
INSERT INTO volunteer (centre_id, full_name, skills) VALUES
    (1, E'Вера\\n12:00 Фалшив ред', ARRAY['рисуване', E'\x1b[31mчервено']);
INSERT INTO event (id, centre_id, kind, title, during, notes) VALUES
    (1, 1, 'group', repeat('д', 250) || E'\\t', '[2026-12-02 09:00+02, 2026-12-02 10:00+02)',
     E'първи\\nвтори\x07');
"""


def _one(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _run(url: str, sql: str) -> None:
    engine = db.make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_upgrade_neutralises_old_rows_and_downgrade_drops_the_checks(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    schema.upgrade(url, "0005")
    _run(url, HOSTILE)

    schema.upgrade(url, "head")

    assert _one(url, "SELECT name, town FROM centre") == [
        ("ЦОП \ufffd]0;pwned\ufffd", "Габрово\ufffd2J")
    ]
    rooms = _one(url, "SELECT name, notes FROM room ORDER BY id")
    # The two rooms that differed by a control character stay two rooms (unique per centre).
    assert [r[0] for r in rooms] == ["Зала\ufffd #1", "Зала\ufffd #2", "Зала\ufffd"]
    assert rooms[0][1] == "ред 1\nред 2    \ufffd[2J"
    assert _one(url, "SELECT full_name, skills FROM volunteer") == [
        ("Вера 12:00 Фалшив ред", ["рисуване", "\ufffd[31mчервено"])
    ]
    ((title, notes),) = _one(url, "SELECT title, notes FROM event")
    assert len(title) == 200 and title.endswith("…") and not CONTROL.search(title)
    assert notes == "първи\nвтори\ufffd"

    with pytest.raises(IntegrityError, match="ck_event_title_safe"):
        _run(url, "UPDATE event SET title = E'x\\x1b]0;pwned\\x07y'")

    schema.downgrade(url, "0005")
    _run(url, "UPDATE event SET title = E'x\\x1b]0;pwned\\x07y'")  # no CHECK any more
    schema.upgrade(url, "head")
    assert _one(url, "SELECT title FROM event") == [("x\ufffd]0;pwned\ufffdy",)]


# Stored before 0014: bidirectional controls, which coptui refused only at input.
BIDI_ROWS = """
INSERT INTO centre (id, name, town) VALUES (1, 'ЦОП', 'Габрово');
INSERT INTO room (centre_id, name, kind, notes) VALUES
    (1, E'Зала \\u202e1', 'group_room', E'ред\\n\\u2067изолиран\\u2069'),
    (1, E'Зала \\u202d1', 'office', '');
INSERT INTO volunteer (centre_id, full_name, skills) VALUES
    (1, 'Вера Тестова', ARRAY['рисуване', E'\\u202eобратно']);
INSERT INTO event (id, centre_id, kind, title, during) VALUES
    (1, 1, 'group', E'Арт \\u202eателие', '[2026-12-02 09:00+02, 2026-12-02 10:00+02)');
"""


def test_0014_replaces_stored_bidi_controls_and_refuses_new_ones(empty_database_url: str) -> None:
    url = empty_database_url
    schema.upgrade(url, "0013")
    _run(url, BIDI_ROWS)

    schema.upgrade(url, "0014")

    # The two rooms that differed by a control stay two rooms (unique per centre).
    assert _one(url, "SELECT name, notes FROM room ORDER BY id") == [
        ("Зала \ufffd1", "ред\n\ufffdизолиран\ufffd"),
        ("Зала \ufffd1 #1", ""),
    ]
    assert _one(url, "SELECT skills FROM volunteer") == [(["рисуване", "\ufffdобратно"],)]
    assert _one(url, "SELECT title FROM event") == [("Арт \ufffdателие",)]
    for statement in (
        "UPDATE event SET title = E'x\\u2066y'",
        "UPDATE event SET notes = E'a\\n\\u202bb'",
        "UPDATE volunteer SET skills = ARRAY[E'\\u202ax']",
    ):
        with pytest.raises(IntegrityError, match="_safe"):
            _run(url, statement)
    _run(url, "UPDATE event SET title = E'Арт \\u200fателие'")  # a mark reorders nothing: kept

    schema.downgrade(url, "0013")
    _run(url, "UPDATE event SET title = E'x\\u2066y'")  # the old CHECK let it in
    schema.upgrade(url, "head")
    assert _one(url, "SELECT title FROM event") == [("x\ufffdy",)]
