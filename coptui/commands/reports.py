"""Commands that make reports: ``report month`` writes the month's figures for the municipality."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coptui.commands.common import (
    EXIT_OK,
    add_output_options,
    deliver,
    open_engine,
    say_done,
    to_file,
)
from coptui.config import Settings
from coptui.errors import BadInputError
from coptui.i18n import _

FORMATS = ("text", "csv", "pdf")


def register(commands: Any) -> None:
    """Add ``report`` (``report month``) to ``commands`` (argparse's subparsers)."""
    report = commands.add_parser(
        "report",
        help=_("reports for the municipality and the funder"),
        description=_("Reports for the municipality and the funder."),
    )
    kinds = report.add_subparsers(
        dest="report_command", parser_class=type(report), metavar=_("KIND")
    )
    report.set_defaults(handler=run_report_missing)
    month = kinds.add_parser(
        "month",
        help=_("the monthly report: cases, sessions, attendance, hours, programmes"),
        description=_(
            "The month's figures of the centre: cases served (new, active, closed) by service "
            "kind and type, general-access cases near or past their two months, sessions held "
            "and cancelled, attendance, hours of specialists and volunteers, programme "
            "occupancy and the waiting list. Cases are named by code only. For the manager "
            "and the coordinator."
        ),
    )
    month.add_argument("month", metavar=_("MM.YYYY"), help=_("the month, e.g. 11.2026"))
    month.add_argument(
        "--format", choices=FORMATS, default="text", help=_("text (default), csv or pdf")
    )
    add_output_options(
        month,
        _("write to this file ('-' or none: standard output; a PDF needs a file at a terminal)"),
    )
    month.set_defaults(handler=run_report_month)


def run_report_missing(args: argparse.Namespace, settings: Settings) -> int:
    """``coptui report`` alone: say which reports there are."""
    raise BadInputError(
        _("a command is missing: {choices}; see `{prog} --help`").format(
            choices="month", prog="coptui report"
        )
    )


def run_report_month(args: argparse.Namespace, settings: Settings) -> int:
    """Print the month's report, or write it to ``--output``."""
    from coptui.domain.timeutil import today
    from coptui.services.hours import parse_month
    from coptui.services.report import read_month_report
    from coptui.services.transaction import transact

    # Parsed here, not by argparse: its «MM.YYYY: » before the message said the month twice.
    year, month = parse_month(args.month)
    if args.format == "pdf" and args.output in (None, "-") and sys.stdout.isatty():
        raise BadInputError(
            _("A PDF is not for the terminal: name a file with --output, or use --format text.")
        )
    engine = open_engine(settings)
    report = transact(
        engine, lambda session: read_month_report(session, year=year, month=month, today=today())
    )
    if args.format == "pdf":
        from coptui.export.report_pdf import render_pdf

        data = render_pdf(report)
    elif args.format == "csv":
        from coptui.export.report_csv import render_csv

        data = render_csv(report).encode()
    else:
        from coptui.export.report_text import render_text

        data = render_text(report).encode()
    written = deliver(args, data, binary=args.format == "pdf")
    if written is not None:
        say_done([_("Report written {to_file}.").format(to_file=to_file(written))])
    return EXIT_OK
