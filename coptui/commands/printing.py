"""Commands that print: ``print week`` (a PDF for the door, or plain text for 80 or 132 columns)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from coptui.commands.common import (
    EXIT_OK,
    add_output_options,
    deliver,
    option_day,
    option_name,
    say,
    to_file,
)
from coptui.config import Settings
from coptui.errors import BadInputError
from coptui.i18n import _

if TYPE_CHECKING:
    from coptui.services.printed_week import PrintedWeek

# The option for each kind of resource, and the directory kind it names.
PRINT_RESOURCES = {
    "room": "rooms",
    "staff": "staff",
    "volunteer": "volunteers",
    "programme": "programmes",
}
FORMATS = ("pdf", "text")
WIDTHS = ("80", "132")


def register(commands: Any) -> None:
    """Add ``print week`` to ``commands`` (argparse's subparsers)."""
    printing = commands.add_parser(
        "print",
        help=_("print a week (PDF or plain text)"),
        description=_("Print the week of a room, specialist, volunteer or programme."),
    )
    what = printing.add_subparsers(dest="what", metavar="week", required=True)
    week = what.add_parser(
        "week",
        help=_("the week of a room, specialist, volunteer or programme"),
        description=_(
            "An A4 landscape PDF of one week (Monday to Sunday) with its holidays, or the"
            " same week as plain text for 80 or 132 columns."
        ),
    )
    who = week.add_mutually_exclusive_group(required=True)
    who.add_argument("--room", type=option_name, metavar=_("NAME"), help=_("the week of this room"))
    who.add_argument(
        "--staff", type=option_name, metavar=_("NAME"), help=_("the week of this staff member")
    )
    who.add_argument(
        "--volunteer",
        type=option_name,
        metavar=_("NAME"),
        help=_("the activities this volunteer serves in"),
    )
    who.add_argument(
        "--programme", type=option_name, metavar=_("NAME"), help=_("the sessions of this programme")
    )
    week.add_argument(
        "--week",
        required=True,
        type=option_day,
        metavar=_("DAY"),
        help=_("any day of the week (DD.MM.YYYY, днес, +7)"),
    )
    add_output_options(
        week,
        _("the file to write ('-' or none: standard output; a PDF needs a file at a terminal)"),
    )
    week.add_argument(
        "--format",
        choices=FORMATS,
        default="pdf",
        help=_("pdf (default) or text"),
    )
    week.add_argument(
        "--width",
        choices=WIDTHS,
        default="80",
        help=_("columns of the text (80 or 132; default: 80)"),
    )
    week.set_defaults(handler=run_print_week)


def read_week(db: Any, *, kind: str, name: str, day: date, lang: str) -> PrintedWeek:
    """The week of the resource of ``kind`` called ``name`` (one transaction's reads).

    Args:
        db: a psycopg connection in a transaction, or a SQLAlchemy session.
    """
    from coptui.services.directory import only_centre, resolve
    from coptui.services.printed_week import read_printed_week

    centre = only_centre(db)
    found = resolve(db, centre_id=centre, kind=PRINT_RESOURCES[kind], name=name)
    return read_printed_week(
        db,
        centre_id=centre,
        kind=kind,
        resource_id=found.id,
        name=found.name,
        day=day,
        lang=lang,
    )


def run_print_week(args: argparse.Namespace, settings: Settings) -> int:
    """Write the week as a PDF or as plain text, to ``--output`` or to standard output."""
    from datetime import datetime

    from coptui.domain.timeutil import SOFIA, check_day
    from coptui.i18n import language

    check_day(args.week)
    if args.format == "pdf" and args.output in (None, "-") and sys.stdout.isatty():
        raise BadInputError(
            _("A PDF is not for the terminal: name a file with --output, or use --format text.")
        )
    # The option given (argparse requires one; option_name refuses an empty name).
    kind = next(k for k in PRINT_RESOURCES if getattr(args, k) is not None)
    name = getattr(args, kind)
    lang = language()
    week = read_on_driver(settings, kind=kind, name=name, day=args.week, lang=lang)
    printed = datetime.now(SOFIA)
    if args.format == "pdf":
        from coptui.export.week_pdf import week_pdf

        data = week_pdf(
            week, day_start=settings.day_start, day_end=settings.day_end, printed=printed
        )
    else:
        from coptui.export.week_text import week_text

        data = week_text(week, width=int(args.width), printed=printed).encode("utf-8")
    written = deliver(args, data, binary=args.format == "pdf")
    if written is not None:
        say(_("Week written {to_file}.").format(to_file=to_file(written)))
    return EXIT_OK


def read_on_driver(
    settings: Settings, *, kind: str, name: str, day: date, lang: str
) -> PrintedWeek:
    """Read the week in one transaction on a plain psycopg connection.

    The planner's way to the database (``db.open_reader``: the schema checked and an unsafe
    login refused as ``open_engine`` does), so a printout never waits for SQLAlchemy's
    import, a third of the whole command.

    Raises:
        CoptError: a database error, as one line for people.
    """
    import psycopg

    from coptui.db import open_reader
    from coptui.errors import database_error

    _url, conn = open_reader(settings.database_url, settings.home)
    try:
        with conn.transaction():
            return read_week(conn, kind=kind, name=name, day=day, lang=lang)
    except psycopg.Error as exc:
        raise database_error(exc) from exc
    finally:
        conn.close()
