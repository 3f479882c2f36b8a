"""Entry point: parse arguments and settings, then run the app or a command."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from coptui.config import LANGUAGES, Settings, SettingsError
from coptui.errors import BadInputError, CoptError, RefusedError
from coptui.i18n import _, set_language

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    try:
        return handler(args, settings)
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
