"""Entry point: parse arguments and settings, then run the app or a command."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from coptui.config import LANGUAGES, Settings, SettingsError
from coptui.errors import BadInputError, CoptError, RefusedError
from coptui.i18n import _, set_language

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3


class UsageError(Exception):
    """Bad command-line input; the message is one line for people."""


class Parser(argparse.ArgumentParser):
    """An argument parser that reports bad input as one line instead of usage text."""

    def error(self, message: str) -> NoReturn:
        if "invalid choice" in message:
            bad = message.split("invalid choice:", 1)[1].split("(", 1)[0].strip()
            raise UsageError(_("unknown command {name}; see `coptui --help`").format(name=bad))
        if "required: command" in message or "the following arguments are required" in message:
            raise UsageError(_("a command is missing; see `{prog} --help`").format(prog=self.prog))
        raise UsageError(
            _("bad arguments: {message}; see `{prog} --help`").format(
                message=message, prog=self.prog
            )
        )


def _language_from_argv(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _parse_day(text: str) -> date:
    from datetime import datetime

    try:
        return datetime.strptime(text, "%d.%m.%Y").date()  # noqa: DTZ007 - a date, no time
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("expected a date as DD.MM.YYYY, got {text!r}").format(text=text)
        ) from exc


KINDS = ("individual", "group", "programme_session", "meeting", "mobile_work")


def _parse_moment(text: str) -> datetime:
    from coptui.domain.timeutil import SOFIA

    try:
        naive = datetime.strptime(text.strip(), "%d.%m.%Y %H:%M")  # noqa: DTZ007 - zone below
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("expected DD.MM.YYYY HH:MM, got {text!r}").format(text=text)
        ) from exc
    return naive.replace(tzinfo=SOFIA)


def _parse_clock(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("expected HH:MM, got {text!r}").format(text=text)
        ) from exc


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(
            _("expected a positive whole number, got {text!r}").format(text=text)
        )
    return value


def build_parser() -> Parser:
    """The whole command line, with help texts in the current language."""
    parser = Parser(
        prog="coptui",
        description=_(
            "Scheduler for community support centres (ЦОП): rooms, specialists, "
            "programmes, volunteers and cases."
        ),
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=_("language of the interface"))
    parser.add_argument("--version", action="store_true", help=_("print the version and exit"))
    parser.set_defaults(handler=run_app)
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar=_("COMMAND"))

    demo = commands.add_parser(
        "demo",
        help=_("load a demo centre and open it"),
        description=_(
            "Load a realistic demo centre (invented people) with four weeks of events around "
            "today, then open the planner. Running it again changes nothing."
        ),
    )
    demo.add_argument("--no-open", action="store_true", help=_("only load the data"))
    demo.add_argument(
        "--today", type=_parse_day, help=_("centre the demo on this day (DD.MM.YYYY)")
    )
    demo.set_defaults(handler=run_demo)

    db = commands.add_parser(
        "db", help=_("database administration"), description=_("Database administration.")
    )
    db_commands = db.add_subparsers(dest="db_command", parser_class=Parser, metavar=_("COMMAND"))
    db_commands.required = True
    upgrade = db_commands.add_parser(
        "upgrade",
        help=_("migrate the database to this version of coptui"),
        description=_("Migrate the database (shared or embedded) to this version of coptui."),
    )
    upgrade.set_defaults(handler=run_db_upgrade)
    url = db_commands.add_parser(
        "url",
        help=_("print the database URL in use"),
        description=_(
            "Print the URL of the database coptui uses (the embedded server is started if needed)."
        ),
    )
    url.set_defaults(handler=run_db_url)

    formats = ("text", "json")
    listing = commands.add_parser(
        "list",
        help=_("list rooms, staff, volunteers, cases or programmes"),
        description=_("List rooms, staff, volunteers, cases or programmes of the centre."),
    )
    listing.add_argument("what", choices=("rooms", "staff", "volunteers", "cases", "programmes"))
    listing.add_argument("--format", choices=formats, default="text")
    listing.set_defaults(handler=run_list)

    book = commands.add_parser(
        "book",
        help=_("book an event (or a series)"),
        description=_(
            "Book an event with a room, staff, cases and volunteers; the database "
            "refuses any double booking."
        ),
    )
    book.add_argument("--title", required=True)
    book.add_argument("--start", required=True, type=_parse_moment, help="DD.MM.YYYY HH:MM")
    length = book.add_mutually_exclusive_group(required=True)
    length.add_argument("--end", type=_parse_clock, help="HH:MM")
    length.add_argument("--duration", type=_positive_int, help=_("minutes"))
    book.add_argument("--room")
    book.add_argument("--staff", action="append", default=[])
    book.add_argument("--case", action="append", default=[])
    book.add_argument("--volunteer", action="append", default=[])
    book.add_argument("--kind", choices=[k for k in KINDS], default="individual")
    book.add_argument(
        "--repeat",
        help=_(
            'e.g. "weekly count 3", "every 2 weeks on mon,thu until 30.06.2027", "monthly count 4"'
        ),
    )
    book.add_argument("--on-holiday", action="store_true", help=_("book on a non-working day too"))
    book.set_defaults(handler=run_book)

    agenda = commands.add_parser(
        "agenda",
        help=_("list events"),
        description=_("List the events of the centre or of one room, person, case or programme."),
    )
    who = agenda.add_mutually_exclusive_group()
    for option in ("room", "staff", "volunteer", "case", "programme"):
        who.add_argument(f"--{option}")
    agenda.add_argument("--from", dest="start", type=_parse_day, help="DD.MM.YYYY")
    agenda.add_argument("--days", type=_positive_int, default=7)
    agenda.add_argument("--format", choices=(*formats, "csv"), default="text")
    agenda.set_defaults(handler=run_agenda)

    cancel = commands.add_parser(
        "cancel",
        help=_("cancel an event"),
        description=_("Cancel an event, giving a reason."),
    )
    cancel.add_argument("id", type=_positive_int)
    cancel.add_argument("--reason", required=True)
    cancel.set_defaults(handler=run_cancel)
    from coptui.commands import imports, setup

    setup.register(commands)
    imports.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run coptui with ``argv`` (default: the process arguments) and return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"coptui: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    lang = _language_from_argv(args_list) or settings.lang
    set_language(lang if lang in LANGUAGES else settings.lang)
    if not args_list:  # plain `coptui`: straight to the planner, no parser to build
        return _guarded(lambda: run_app(argparse.Namespace(), settings), settings)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except UsageError as exc:
        print(f"coptui: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.version:
        from coptui import __version__

        print(f"coptui {__version__}")
        return EXIT_OK
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    return _guarded(lambda: handler(args, settings), settings)


def _guarded(run: Callable[[], int], settings: Settings) -> int:
    """Run a command; every failure becomes one line and an exit code, never a traceback."""
    try:
        return run()
    except BadInputError as exc:
        print(f"coptui: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RefusedError as exc:
        print(f"coptui: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except CoptError as exc:
        print(f"coptui: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `coptui agenda | head`: the reader has all it wanted. Nothing to say; stdout goes
        # to /dev/null so the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:  # the last resort: one line for the person, details in a file
        log = _write_crash_log(settings.home)
        print(
            "coptui: "
            + _("unexpected error: {reason} (details in {log})").format(
                reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, log=log
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED


def _write_crash_log(home: Path) -> Path:
    try:
        home.mkdir(parents=True, exist_ok=True)
        log = home / "coptui-error.log"
    except OSError:
        log = Path("/tmp/coptui-error.log")
    with log.open("a", encoding="utf-8") as out:
        traceback.print_exc(file=out)
    return log


def _open(settings: Settings) -> Engine:
    from coptui.db import open_database

    return open_database(settings.database_url, settings.home)


def run_app(args: argparse.Namespace, settings: Settings, engine: Engine | None = None) -> int:
    """Open the planner; the database is opened after the first frame."""
    from coptui.app import CoptApp

    app = CoptApp(settings=settings, engine=engine)
    code = app.run() or 0
    if app.failure:
        print(f"coptui: {app.failure}", file=sys.stderr)
        return code or EXIT_FAILED
    return code


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the demo centre, then open it unless ``--no-open``."""
    from coptui.db import session_scope
    from coptui.domain.timeutil import today
    from coptui.services.demo import load_demo

    engine = _open(settings)
    with session_scope(engine) as session:
        result = load_demo(session, today=args.today or today())
    if result.created:
        print(
            _(
                "Demo centre loaded: {events} events, {cases} cases, {volunteers} volunteers."
            ).format(
                events=result.counts["events"],
                cases=result.counts["cases"],
                volunteers=result.counts["volunteers"],
            )
        )
    else:
        print(_("The demo centre is already loaded; nothing changed."))
    if args.no_open:
        engine.dispose()
        return EXIT_OK
    return run_app(args, settings, engine)


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate the database to the newest schema."""
    from coptui.db import (
        check_connection,
        current_revision,
        database_url,
        head_revision,
        make_engine,
        upgrade,
    )

    url = database_url(settings.database_url, settings.home)
    engine = make_engine(url)
    check_connection(engine)
    before = current_revision(engine)
    upgrade(url)
    after = current_revision(engine)
    engine.dispose()
    if before == after:
        print(_("The database is up to date ({revision}).").format(revision=after))
    else:
        print(
            _("The database was migrated from {before} to {after}.").format(
                before=before or "—", after=head_revision(url)
            )
        )
    return EXIT_OK


def run_db_url(args: argparse.Namespace, settings: Settings) -> int:
    """Print the URL in use (without the password)."""
    from coptui.db import database_url, describe_url

    url = database_url(settings.database_url, settings.home)
    print(describe_url(url))
    return EXIT_OK


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print rooms, staff, volunteers, cases or programmes."""
    import json

    from coptui.services.directory import entries, only_centre
    from coptui.services.transaction import transact

    engine = _open(settings)
    found = transact(engine, lambda s: entries(s, centre_id=only_centre(s), kind=args.what))
    if args.format == "json":
        print(
            json.dumps(
                [{"id": e.id, "name": e.name, "detail": e.detail} for e in found],
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for e in found:
            print(f"{e.id:>5}  {e.name}  ({e.detail})" if e.detail else f"{e.id:>5}  {e.name}")
    return EXIT_OK


def run_book(args: argparse.Namespace, settings: Settings) -> int:
    """Book one event or a series from the command line."""
    from coptui.domain.recurrence import RecurrenceError, parse_repeat
    from coptui.models import EventKind
    from coptui.services.booking import BookingRequest, book_event
    from coptui.services.directory import only_centre, resolve
    from coptui.services.series import book_series
    from coptui.services.transaction import transact

    start: datetime = args.start
    if args.end is not None:
        end = start.replace(hour=args.end.hour, minute=args.end.minute)
    else:
        end = start + timedelta(minutes=args.duration)
    try:
        rule = parse_repeat(args.repeat) if args.repeat else None
    except RecurrenceError as exc:
        raise BadInputError(str(exc)) from exc
    engine = _open(settings)

    def work(session: Session) -> int:
        centre = only_centre(session)

        def ids(kind: str, names: list[str]) -> tuple[int, ...]:
            return tuple(resolve(session, centre_id=centre, kind=kind, name=n).id for n in names)

        request = BookingRequest(
            centre_id=centre,
            title=args.title,
            start=start,
            end=end,
            kind=EventKind(args.kind),
            room_id=resolve(session, centre_id=centre, kind="rooms", name=args.room).id
            if args.room
            else None,
            staff_ids=ids("staff", args.staff),
            case_ids=ids("cases", args.case),
            volunteer_ids=ids("volunteers", args.volunteer),
            allow_non_working_day=args.on_holiday,
        )
        if rule is None:
            booked = book_event(session, request=request)
            print(
                _("Booked event {id}: {day} {start}–{end}.").format(
                    id=booked.id,
                    day=f"{start:%d.%m.%Y}",
                    start=f"{start:%H:%M}",
                    end=f"{end:%H:%M}",
                )
            )
            return EXIT_OK
        result = book_series(session, request=request, rule=rule, include_holidays=args.on_holiday)
        for occurrence in result.skipped_holidays:
            print(
                _("skipped {day}: {why}").format(
                    day=f"{occurrence.start:%d.%m.%Y}", why=occurrence.holiday
                )
            )
        for occurrence in result.skipped_clashes:
            why = occurrence.clashes[0].describe() if occurrence.clashes else ""
            print(_("skipped {day}: {why}").format(day=f"{occurrence.start:%d.%m.%Y}", why=why))
        if not result.booked:
            raise RefusedError(_("No occurrence of the series could be booked."))
        print(
            _("Booked series {id}: {n} events.").format(id=result.series_id, n=len(result.booked))
        )
        return EXIT_OK

    return transact(engine, work)


def run_agenda(args: argparse.Namespace, settings: Settings) -> int:
    """Print the events of the centre or of one resource."""
    import csv
    import json

    from coptui.domain.timeutil import SOFIA, local, today
    from coptui.services.calendar import EventRow, agenda
    from coptui.services.directory import only_centre, resolve
    from coptui.services.transaction import transact

    first = args.start or today()
    start = local(first, time(0))
    end = local(first + timedelta(days=args.days), time(0))
    kinds = {
        "room": "rooms",
        "staff": "staff",
        "volunteer": "volunteers",
        "case": "cases",
        "programme": "programmes",
    }
    engine = _open(settings)

    def work(session: Session) -> list[EventRow]:
        centre = only_centre(session)
        for option, kind in kinds.items():
            name = getattr(args, option)
            if name:
                found = resolve(session, centre_id=centre, kind=kind, name=name)
                return agenda(
                    session,
                    centre_id=centre,
                    start=start,
                    end=end,
                    resource=option,
                    resource_id=found.id,
                )
        return agenda(session, centre_id=centre, start=start, end=end)

    rows = transact(engine, work)
    records: list[dict[str, Any]] = [
        {
            "id": r.id,
            "title": r.title,
            "start": r.start.astimezone(SOFIA).isoformat(),
            "end": r.end.astimezone(SOFIA).isoformat(),
            "room": r.room,
            "staff": list(r.staff),
            "status": r.status,
            "kind": r.kind,
        }
        for r in rows
    ]
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["id"])
        writer.writeheader()
        for record in records:
            writer.writerow({**record, "staff": "; ".join(record["staff"])})
    else:
        for r in rows:
            s, e = r.start.astimezone(SOFIA), r.end.astimezone(SOFIA)
            mark = " ✗" if r.status == "cancelled" else ""
            print(
                f"{r.id:>6}  {s:%d.%m.%Y %H:%M}–{e:%H:%M}  {r.title}{mark}"
                f"  [{r.room or '—'}]  {', '.join(r.staff)}"
            )
    return EXIT_OK


def run_cancel(args: argparse.Namespace, settings: Settings) -> int:
    """Cancel one event with a reason."""
    from sqlalchemy import text

    from coptui.errors import NotFoundError
    from coptui.services.edits import cancel_event
    from coptui.services.transaction import transact

    engine = _open(settings)

    def work(session: Session) -> int:
        version = session.execute(
            text("SELECT version FROM event WHERE id = :i"), {"i": args.id}
        ).scalar()
        if version is None:
            raise NotFoundError(_("Event {id} does not exist.").format(id=args.id))
        cancel_event(session, event_id=args.id, version=version, reason=args.reason)
        print(_("Event {id} is cancelled.").format(id=args.id))
        return EXIT_OK

    return transact(engine, work)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
