"""Every cell of the role matrix (DESIGN, "Roles"), as real login roles on a real PostgreSQL:
SELECT, INSERT, UPDATE and DELETE on every table, and the derived places (event.case_ids, the
audit log's old/new values, clash messages, the change feed, the volunteers' view).

The world (tests/roles.py): Анна (specialist) is the key worker of Ели and leads a session
of the art studio with Ели and Мая, where Вера (volunteer) helps, and an empty one; Борис
leads a session with Иво that has an open volunteer place and Петя's place. Another centre
far away has its own case and event, which nobody of the first sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.roles import RolesWorld

ROLES = ("manager", "coordinator", "specialist", "volunteer")
D = "denied"  # no grant: permission denied
P = "policy"  # a row-level security policy refused the new row
Expect = object  # a tuple of names of ids (the rows seen), D, P, or the rows changed


@pytest.fixture(scope="module")
def connections(roles_world: RolesWorld) -> Iterator[dict[str, psycopg.Connection[Any]]]:
    found = {who: roles_world.connect(who) for who in ROLES}
    yield found
    for conn in found.values():
        conn.rollback()
        conn.close()


@pytest.fixture(scope="module")
def params(roles_world: RolesWorld) -> dict[str, int]:
    w = roles_world.world
    return {
        "centre": w.centre,
        "room": w.room,
        "office": w.office,
        "anna": w.staff,
        "boris": w.other_staff,
        "kid": w.case,
        "ivo": w.other_case,
        "vera": w.volunteer,
        **roles_world.ids,
    }


def attempt(conn: psycopg.Connection[Any], statement: str, params: dict[str, int]) -> Any:
    """What ``statement`` did, rolled back: the first column of its rows, or the rows it
    changed, or D / P."""
    try:
        cursor = conn.execute(statement, params)
        if statement.startswith("SELECT"):
            return sorted(row[0] for row in cursor.fetchall())
        return cursor.rowcount
    except psycopg.errors.InsufficientPrivilege as exc:
        return P if "row-level security" in str(exc) else D
    finally:
        conn.rollback()


def expected(value: Expect, params: dict[str, int]) -> Any:
    if isinstance(value, tuple):
        return sorted(params[name] for name in value)
    return value


CASE_ROW = (
    "(centre_id, code, referral_source, service_kind) VALUES ({c}, 'Н-1', 'self', 'general_access')"
)
EVENT_ROW = (
    "(centre_id, kind, title, during) VALUES ({c}, 'meeting', 'Нова',"
    " tstzrange('2026-12-03 10:00+02', '2026-12-03 11:00+02'))"
)
LINK = "SELECT id, centre_id, during, status, {person} FROM event WHERE id = %({event})s"
ALL_CASES = ("kid", "ivo", "maya", "spare")
EVENTS = ("mine", "mine2", "his")
STAFF = ("anna", "boris", "manager", "coordinator")

# statement -> (manager, coordinator, specialist, volunteer)
MATRIX: list[tuple[str, tuple[Expect, Expect, Expect, Expect]]] = [
    # SELECT: which rows each role sees (never the far centre's).
    ("SELECT id FROM case_file", (ALL_CASES, ALL_CASES, ("kid", "maya"), D)),
    ("SELECT id FROM event", (EVENTS, EVENTS, EVENTS, D)),
    (
        "SELECT id FROM event WHERE case_ids <> '{}'",
        (("mine", "his"), ("mine", "his"), ("mine", "his"), D),
    ),
    (
        "SELECT case_id FROM event_case",
        (("kid", "maya", "ivo"), ("kid", "maya", "ivo"), ("kid", "maya"), D),
    ),
    ("SELECT event_id FROM event_staff", (EVENTS, EVENTS, EVENTS, D)),
    (
        "SELECT id FROM roster_slot",
        (
            ("my_slot", "open_slot", "petya_slot"),
            ("my_slot", "open_slot", "petya_slot"),
            ("my_slot", "open_slot", "petya_slot"),
            ("my_slot", "open_slot"),
        ),
    ),
    (
        "SELECT id FROM waitlist_entry",
        (("wait_kid", "wait_other"), ("wait_kid", "wait_other"), ("wait_kid",), D),
    ),
    ("SELECT id FROM staff", (STAFF, STAFF, STAFF, D)),
    (
        "SELECT id FROM staff WHERE email <> ''",
        (("manager", "coordinator"), ("manager", "coordinator"), D, D),
    ),
    (
        "SELECT id FROM volunteer",
        (("vera", "petya"), ("vera", "petya"), ("vera", "petya"), ("vera",)),
    ),
    ("SELECT id FROM volunteer WHERE phone <> ''", (("petya",), ("petya",), D, ())),
    ("SELECT id FROM centre", (("centre",), ("centre",), ("centre",), ("centre",))),
    ("SELECT id FROM room", (("room", "office"), ("room", "office"), ("room", "office"), D)),
    (
        "SELECT id FROM programme",
        (("art", "eco", "camp"), ("art", "eco", "camp"), ("art", "eco", "camp"), ("art", "eco")),
    ),
    ("SELECT id FROM series", ((), (), (), D)),
    ("SELECT id FROM holiday_override", (("holiday",),) * 4),
    ("SELECT id FROM centre_capacity", (("capacity",), ("capacity",), ("capacity",), D)),
    ("SELECT case_id FROM case_access_log", (("kid", "ivo"), D, ("kid",), D)),
    ("SELECT slot_id FROM coptui_my_assignments", (D, D, D, ("my_slot",))),
    ("SELECT slot_id FROM coptui_open_slots", (D, D, D, ("open_slot",))),
    ("SELECT id FROM audit_log WHERE centre_id = %(far)s", ((), (), (), D)),
    # INSERT
    (f"INSERT INTO case_file {CASE_ROW.format(c='%(centre)s')}", (1, 1, D, D)),
    (f"INSERT INTO case_file {CASE_ROW.format(c='%(far)s')}", (P, P, D, D)),
    (f"INSERT INTO event {EVENT_ROW.format(c='%(centre)s')}", (1, 1, 1, D)),
    (f"INSERT INTO event {EVENT_ROW.format(c='%(far)s')}", (P, P, P, D)),
    (
        "INSERT INTO event (centre_id, kind, title, during, case_ids) VALUES (%(centre)s,"
        " 'meeting', 'x', tstzrange('2026-12-03 10:00+02', '2026-12-03 11:00+02'), '{1}')",
        (1, 1, 1, D),
    ),
    *(
        (
            "INSERT INTO event_case (event_id, centre_id, during, event_status, case_id) "
            + LINK.format(person=f"%({case})s", event=event),
            result,
        )
        for case, event, result in (
            ("kid", "mine2", (1, 1, 1, D)),  # her case, her session
            ("kid", "his", (1, 1, P, D)),  # her case, his session
            ("spare", "mine2", (1, 1, P, D)),  # her session, not her case
        )
    ),
    *(
        (
            "INSERT INTO event_staff (event_id, centre_id, during, event_status, staff_id) "
            + LINK.format(person=f"%({person})s", event=event),
            result,
        )
        for person, event, result in (
            ("boris", "mine2", (1, 1, 1, D)),
            ("anna", "his", (1, 1, P, D)),
        )
    ),
    *(
        (
            "INSERT INTO roster_slot (event_id, centre_id, during, event_status, status) "
            + LINK.format(person="'open'", event=event),
            result,
        )
        for event, result in (("mine", (1, 1, 1, D)), ("his", (1, 1, P, D)))
    ),
    (
        "INSERT INTO waitlist_entry (event_id, case_id, centre_id)"
        " VALUES (%(mine2)s, %(kid)s, %(centre)s)",
        (1, 1, D, D),
    ),
    (
        "INSERT INTO staff (centre_id, login, full_name, profession, role)"
        " VALUES (%(centre)s, 'nov', 'Нов Служител', 'other', 'specialist')",
        (1, D, D, D),
    ),
    (
        "INSERT INTO volunteer (centre_id, full_name) VALUES (%(centre)s, 'Нов Доброволец')",
        (1, D, D, D),
    ),
    (
        "INSERT INTO room (centre_id, name, kind) VALUES (%(centre)s, 'Нова', 'office')",
        (1, 1, D, D),
    ),
    (
        "INSERT INTO programme (centre_id, kind, title) VALUES (%(centre)s, 'other', 'Нова')",
        (1, 1, D, D),
    ),
    (
        "INSERT INTO series (centre_id, rrule, local_start, duration_minutes)"
        " VALUES (%(centre)s, 'FREQ=WEEKLY;COUNT=2', '2026-12-03 10:00', 60)",
        (1, 1, 1, D),
    ),
    (
        "INSERT INTO holiday_override (centre_id, day, kind)"
        " VALUES (%(centre)s, '2026-12-31', 'closure')",
        (1, 1, D, D),
    ),
    (
        # Forging history in another person's name.
        "INSERT INTO audit_log (centre_id, login, table_name, row_id, action)"
        " VALUES (%(centre)s, 'atest', 'event', '1', 'INSERT')",
        (D, D, D, D),
    ),
    (
        "INSERT INTO case_access_log (case_id, centre_id, what) VALUES (%(kid)s, %(centre)s, 'x')",
        (D, D, D, D),
    ),
    ("INSERT INTO centre (name, town) VALUES ('Нов', 'Русе')", (D, D, D, D)),
    # UPDATE: a row the policies hide is not changed (0 rows), a column without a grant is D.
    ("UPDATE event SET title = 'Ново' WHERE id = %(mine)s", (1, 1, 1, D)),
    ("UPDATE event SET title = 'Ново' WHERE id = %(his)s", (1, 1, 0, D)),
    ("UPDATE event SET case_ids = '{}' WHERE id = %(his)s", (D, D, D, D)),
    ("UPDATE event SET centre_id = %(far)s WHERE id = %(mine)s", (D, D, D, D)),
    ("UPDATE event SET title = 'Ново' WHERE id = %(far_event)s", (0, 0, 0, D)),
    ("UPDATE case_file SET family_name = 'Н' WHERE id = %(kid)s", (1, 1, 1, D)),
    ("UPDATE case_file SET family_name = 'Н' WHERE id = %(ivo)s", (1, 1, 0, D)),
    ("UPDATE case_file SET family_name = 'Н' WHERE id = %(far_case)s", (0, 0, 0, D)),
    (
        "UPDATE event_case SET attendance = 'present'"
        " WHERE event_id = %(mine)s AND case_id = %(kid)s",
        (1, 1, 1, D),
    ),
    ("UPDATE event_case SET attendance = 'present' WHERE event_id = %(his)s", (1, 1, 0, D)),
    ("UPDATE event_staff SET is_lead = false WHERE event_id = %(mine)s", (1, 1, 1, D)),
    ("UPDATE event_staff SET is_lead = false WHERE event_id = %(his)s", (1, 1, 0, D)),
    # A volunteer signs up for an open place, confirms their own, gives away nobody's.
    (
        "UPDATE roster_slot SET volunteer_id = %(vera)s, status = 'assigned'"
        " WHERE id = %(open_slot)s",
        (1, 1, 0, 1),
    ),
    ("UPDATE roster_slot SET status = 'confirmed' WHERE id = %(my_slot)s", (1, 1, 1, 1)),
    ("UPDATE roster_slot SET volunteer_id = %(petya)s WHERE id = %(my_slot)s", (1, 1, 1, P)),
    ("UPDATE roster_slot SET status = 'declined' WHERE id = %(petya_slot)s", (1, 1, 0, 0)),
    ("UPDATE roster_slot SET task = 'нещо' WHERE id = %(my_slot)s", (1, 1, 1, D)),
    ("UPDATE waitlist_entry SET created_at = now() WHERE id = %(wait_kid)s", (1, 1, D, D)),
    ("UPDATE staff SET phone = '1' WHERE id = %(anna)s", (1, D, D, D)),
    ("UPDATE volunteer SET phone = '1' WHERE id = %(vera)s", (1, D, D, D)),
    ("UPDATE centre SET town = 'Г' WHERE id = %(centre)s", (1, D, D, D)),
    ("UPDATE centre SET town = 'Г' WHERE id = %(far)s", (0, D, D, D)),
    ("UPDATE room SET notes = 'н' WHERE id = %(room)s", (1, 1, D, D)),
    ("UPDATE programme SET description = 'н' WHERE id = %(art)s", (1, 1, D, D)),
    ("UPDATE audit_log SET login = 'atest'", (D, D, D, D)),
    ("UPDATE case_access_log SET login = 'atest'", (D, D, D, D)),
    # DELETE
    ("DELETE FROM event WHERE id = %(mine2)s", (1, 1, 1, D)),
    ("DELETE FROM event WHERE id = %(his)s", (1, 1, 0, D)),
    ("DELETE FROM case_file WHERE id = %(spare)s", (1, 1, D, D)),
    ("DELETE FROM event_case WHERE event_id = %(mine)s AND case_id = %(kid)s", (1, 1, 1, D)),
    ("DELETE FROM event_case WHERE event_id = %(his)s", (1, 1, 0, D)),
    ("DELETE FROM event_staff WHERE event_id = %(his)s", (1, 1, 0, D)),
    ("DELETE FROM roster_slot WHERE id = %(my_slot)s", (1, 1, 1, D)),
    ("DELETE FROM roster_slot WHERE id = %(open_slot)s", (1, 1, 0, D)),
    ("DELETE FROM waitlist_entry WHERE id = %(wait_kid)s", (1, 1, D, D)),
    ("DELETE FROM staff WHERE id = %(manager)s", (1, D, D, D)),
    (
        "WITH places AS (DELETE FROM roster_slot WHERE volunteer_id = %(petya)s)"
        " DELETE FROM volunteer WHERE id = %(petya)s",
        (1, D, D, D),
    ),
    ("DELETE FROM holiday_override WHERE id = %(holiday)s", (1, 1, D, D)),
    ("DELETE FROM audit_log", (D, D, D, D)),
    ("DELETE FROM case_access_log", (D, D, D, D)),
]


@pytest.mark.parametrize(("statement", "cells"), MATRIX, ids=[s for s, _ in MATRIX])
def test_every_cell(
    statement: str,
    cells: tuple[Expect, ...],
    connections: dict[str, psycopg.Connection[Any]],
    params: dict[str, int],
) -> None:
    seen = {who: attempt(connections[who], statement, params) for who in ROLES}
    assert seen == {who: expected(cell, params) for who, cell in zip(ROLES, cells, strict=True)}


def _audit(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    try:
        return conn.execute(
            "SELECT table_name, row_id, coalesce(old::text, '') || coalesce(new::text, '')"
            " FROM audit_log"
        ).fetchall()
    finally:
        conn.rollback()


def test_the_audit_log_shows_each_role_only_its_share(
    connections: dict[str, psycopg.Connection[Any]], params: dict[str, int]
) -> None:
    manager = _audit(connections["manager"])
    assert {"staff", "volunteer", "case_file", "event", "event_case"} <= {r[0] for r in manager}
    coordinator = _audit(connections["coordinator"])
    assert {r[0] for r in coordinator} == {
        "event",
        "event_staff",
        "event_case",
        "roster_slot",
        "waitlist_entry",
    }
    specialist = _audit(connections["specialist"])
    # Her caseload's case rows and her sessions' rows; nothing of Иво (not hers), in any
    # table, in any old or new value.
    assert {(t, r) for t, r, _ in specialist if t == "case_file"} == {
        ("case_file", str(params["kid"])),
        ("case_file", str(params["maya"])),
    }
    assert ("event", str(params["mine"])) in {(t, r) for t, r, _ in specialist}
    assert ("event", str(params["his"])) not in {(t, r) for t, r, _ in specialist}
    assert not [row for row in specialist if "Иво" in row[2] or "Т-002" in row[2]]
    assert any("Иво" in row[2] for row in manager)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _audit(connections["volunteer"])


def test_a_specialist_reads_case_ids_only_of_events_she_may_see_and_a_volunteer_none(
    connections: dict[str, psycopg.Connection[Any]], params: dict[str, int]
) -> None:
    conn = connections["specialist"]
    found = dict(conn.execute("SELECT id, case_ids FROM event").fetchall())
    conn.rollback()
    assert found[params["mine"]] == sorted([params["kid"], params["maya"]])
    # The ids of a case outside her caseload name nobody: its row stays hidden.
    assert conn.execute("SELECT code FROM case_file WHERE id = %(ivo)s", params).fetchall() == []
    conn.rollback()
    for statement in ("SELECT case_ids FROM event", "SELECT staff_ids FROM event"):
        assert attempt(connections["volunteer"], statement, params) == D


def test_the_volunteers_view_names_no_child(
    connections: dict[str, psycopg.Connection[Any]], params: dict[str, int]
) -> None:
    conn = connections["volunteer"]
    cursor = conn.execute("SELECT * FROM coptui_my_assignments")
    columns = [c.name for c in cursor.description or ()]
    found = cursor.fetchall()
    conn.rollback()
    assert columns == [
        "slot_id",
        "event_id",
        "title",
        "starts",
        "ends",
        "room",
        "lead",
        "status",
        "task",
        "slot_status",
        "children",
    ]
    (row,) = found
    mine = dict(zip(columns, row, strict=True))
    assert mine["title"] == "Арт ателие"
    assert mine["lead"] == "Анна Тестова"
    assert mine["room"] == "Групова зала"
    assert mine["children"] == 2
    text = " ".join(str(v) for v in row)
    for child in ("Ели", "Мая", "Т-001", "Т-003"):
        assert child not in text


def test_clash_messages_name_only_cases_the_caller_may_see(
    connections: dict[str, psycopg.Connection[Any]], params: dict[str, int]
) -> None:
    clash = (
        "SELECT kind, resource FROM coptui_clashes("
        " (SELECT during FROM event WHERE id = %(e)s), NULL, '{}', ARRAY[%(c)s]::int[],"
        " '{}', '{}')"
    )

    def ask(who: str, event: str, case: str) -> Any:
        conn = connections[who]
        try:
            return conn.execute(clash, {"e": params[event], "c": params[case]}).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            return D
        finally:
            conn.rollback()

    assert ask("coordinator", "his", "ivo") == [("case", "Т-002 (Иво)")]
    assert ask("specialist", "mine", "kid") == [("case", "Т-001 (Ели)")]
    # Probing for a child who is not hers: no clash shows, so nothing is named.
    assert ask("specialist", "his", "ivo") == []
    assert ask("volunteer", "mine", "kid") == D


def test_the_change_feed_carries_no_child(roles_world: RolesWorld, params: dict[str, int]) -> None:
    with roles_world.connect("volunteer", autocommit=True) as listener:
        listener.execute("LISTEN coptui_changes")
        with roles_world.connect("coordinator") as writer:
            writer.execute(
                "INSERT INTO event_case (event_id, centre_id, during, event_status, case_id) "
                + LINK.format(person="%(ivo)s", event="mine2"),
                params,
            )
            writer.execute(
                "UPDATE case_file SET child_name = 'Иво Ново' WHERE id = %(ivo)s", params
            )
            writer.commit()
            try:
                payloads = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
            finally:
                writer.execute(
                    "DELETE FROM event_case WHERE event_id = %(mine2)s AND case_id = %(ivo)s",
                    params,
                )
                writer.execute("UPDATE case_file SET child_name = 'Иво' WHERE id = %(ivo)s", params)
                writer.commit()
    assert payloads
    for payload in payloads:
        data = json.loads(payload)
        assert set(data) <= {
            "centre",
            "table",
            "op",
            "event",
            "lower",
            "upper",
            "old_lower",
            "old_upper",
        }
        assert data["event"] == params["mine2"]
        assert "Иво" not in payload and "Т-002" not in payload
