"""``coptui export ics`` (one calendar as an .ics file) and ``coptui import ics`` (outside busy
times as blocks; the ``import`` command of :mod:`coptui.commands.imports` hands it over)."""

from __future__ import annotations

import argparse
import sys
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coptui.commands.common import (
    EXIT_OK,
    add_output_options,
    deliver,
    open_engine,
    option_day,
    option_days,
    option_name,
    say,
    say_done,
    to_file,
)
from coptui.config import Settings
from coptui.errors import BadInputError, os_reason
from coptui.i18n import _, ngettext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.services.ics_import import BusyLine, IcsImport

DEFAULT_DAYS = 90
# The option of each calendar, and the directory kind its name is looked up in.
EXPORT_RESOURCES = {
    "room": "rooms",
    "staff": "staff",
    "volunteer": "volunteers",
    "programme": "programmes",
}
IMPORT_RESOURCES = {"room": "rooms", "staff": "staff"}
SHOWN = 30  # busy times listed per group in the preview


def _window_options(parser: argparse.ArgumentParser, *, first: str, days: str) -> None:
    """``--from`` and ``--days`` with these help texts (``days`` names the default as {n})."""
    parser.add_argument("--from", dest="start", type=option_day, metavar=_("DAY"), help=first)
    parser.add_argument(
        "--days", type=option_days, default=DEFAULT_DAYS, help=days.format(n=DEFAULT_DAYS)
    )


def register(commands: Any) -> None:
    """Add ``export`` to ``commands`` (``import ics`` lives in the ``import`` command)."""
    export = commands.add_parser(
        "export",
        help=_("export a calendar as an iCalendar (.ics) file"),
        description=_(
            "Export the events of a room, a staff member, a volunteer or a programme as an "
            "iCalendar file (RFC 5545) that phones and calendar programs read: a series is "
            "one repeating event with its skipped, cancelled and moved dates; no child or "
            "case is named."
        ),
    )
    export.add_argument("what", choices=("ics",), metavar="ics", help=_("the file's format"))
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--room", type=option_name, metavar=_("NAME"), help=_("this room's events"))
    who.add_argument(
        "--staff", type=option_name, metavar=_("NAME"), help=_("this staff member's events")
    )
    who.add_argument(
        "--volunteer", type=option_name, metavar=_("NAME"), help=_("this volunteer's activities")
    )
    who.add_argument(
        "--programme", type=option_name, metavar=_("NAME"), help=_("this programme's sessions")
    )
    _window_options(
        export,
        first=_("the first day (DD.MM.YYYY; default: today)"),
        days=_("how many days (default: {n})"),
    )
    add_output_options(export, _("write to this file ('-' or none: standard output)"))
    export.set_defaults(handler=run_export)


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``import ics`` on the ``import`` command's parser."""
    who = parser.add_mutually_exclusive_group()
    who.add_argument(
        "--room",
        type=option_name,
        metavar=_("NAME"),
        help=_("ics: bring the busy times onto this room"),
    )
    who.add_argument(
        "--staff",
        type=option_name,
        metavar=_("NAME"),
        help=_("ics: bring the busy times onto this staff member's calendar"),
    )
    _window_options(
        parser,
        first=_("ics: the first day read from the file (default: today)"),
        days=_("ics: how many days are read (default: {n})"),
    )


def _chosen(args: argparse.Namespace, options: dict[str, str]) -> tuple[str, str, str]:
    for option, kind in options.items():
        name = getattr(args, option, None)
        if name:
            return option, kind, name
    raise BadInputError(
        _("Say whose calendar: {options}.").format(
            options=" | ".join(f"--{o} {_('NAME')}" for o in options)
        )
    )


def _window(args: argparse.Namespace) -> tuple[Any, Any]:
    from coptui.domain.timeutil import check_day, local, today

    first = args.start or today()
    check_day(first + timedelta(days=args.days - 1))
    return local(first, time(0)), local(first + timedelta(days=args.days), time(0))


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write one calendar's events as an .ics file (or to stdout)."""
    from coptui.export.ics import build_calendar, centre_slug
    from coptui.services.directory import only_centre, resolve
    from coptui.services.ics_export import IcsRows, export_rows
    from coptui.services.transaction import transact

    option, kind, name = _chosen(args, EXPORT_RESOURCES)
    start, end = _window(args)
    engine = open_engine(settings)

    def work(session: Session) -> tuple[IcsRows, str]:
        centre = only_centre(session)
        found = resolve(session, centre_id=centre, kind=kind, name=name)
        rows = export_rows(
            session, centre_id=centre, resource=option, resource_id=found.id, start=start, end=end
        )
        return rows, found.name

    try:
        rows, who = transact(engine, work)
    finally:
        engine.dispose()
    data = build_calendar(
        name=f"{rows.centre_name} — {who}" if rows.centre_name else who,
        slug=centre_slug(rows.centre_name, rows.centre_id),
        singles=list(rows.singles),
        series=list(rows.series),
    )
    count = len(rows.singles) + sum(len(s.events) for s in rows.series)
    written = deliver(args, data)
    if written is not None:
        line = ngettext("Wrote {n} event {to_file}.", "Wrote {n} events {to_file}.", count)
        say_done([line.format(n=count, to_file=to_file(written))])
    return EXIT_OK


def _read(path: str) -> bytes:
    from coptui.services.ics_import import MAX_BYTES

    try:
        if path == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        with Path(path).open("rb") as file:
            return file.read(MAX_BYTES + 1)  # a larger one is refused, not read whole
    except OSError as exc:
        raise BadInputError(
            _("Cannot read {file}: {reason}").format(file=path, reason=os_reason(exc))
        ) from exc


def _span(start: Any, end: Any) -> str:
    from coptui.domain.timeutil import SOFIA, clock_span

    return f"{start.astimezone(SOFIA):%d.%m.%Y} {clock_span(start, end)}"


def _when(line: BusyLine) -> str:
    return f"{_span(line.busy.start, line.busy.end)}  {line.busy.title}"


def _listed(lines: list[str]) -> None:
    for line in lines[:SHOWN]:
        say(f"  {line}")
    if len(lines) > SHOWN:
        say(_("  … and {n} more").format(n=len(lines) - SHOWN))


def _changed(line: BusyLine) -> str:
    if line.restored:
        return _("{when}  (back in the outside calendar)").format(when=_when(line))
    assert line.moved_from is not None
    return _("{when}  (was {before})").format(when=_when(line), before=_span(*line.moved_from))


def _stays(line: BusyLine) -> str:
    if line.restored:
        return _(" (the block stays cancelled)")
    return _(" (the block stays where it was)") if line.moved_from else ""


def _why(line: BusyLine) -> str:
    if line.clashes:
        return "; ".join(c.describe() for c in line.clashes[:2])
    assert line.overlaps is not None
    return _("the same time as „{title}“ earlier in the file").format(title=line.overlaps.title)


def show_import(result: IcsImport, *, written: bool) -> None:
    """What an import of busy times did or would do, line by line, and how many are new,
    changed, removed and unchanged."""
    new, changed, removed = result.new, result.changed, result.removed
    say((_("Brought in: {n}") if written else _("To bring in: {n}")).format(n=len(new)))
    _listed([_when(line) for line in new])
    if changed:
        say((_("Changed: {n}") if written else _("To change: {n}")).format(n=len(changed)))
        _listed([_changed(line) for line in changed])
    if removed:
        say(
            (
                _("Cancelled (no longer in the outside calendar): {n}")
                if written
                else _("To cancel (no longer in the outside calendar): {n}")
            ).format(n=len(removed))
        )
        _listed([f"{_span(r.start, r.end)}  {r.title}" for r in removed])
    clashing = result.clashing
    if clashing:
        say(_("In the way of what is booked here (left out): {n}").format(n=len(clashing)))
        _listed([f"{_when(line)}  — {_why(line)}{_stays(line)}" for line in clashing])
    impossible = result.impossible
    if impossible:
        say(_("No such time on the centre's clock (left out): {n}").format(n=len(impossible)))
        _listed([f"{_when(line)}  — {line.busy.problem}" for line in impossible])
    if result.duplicates:
        say(_("Brought in before, unchanged: {n}").format(n=len(result.duplicates)))
    say(
        _("New: {new} · changed: {changed} · cancelled: {removed} · unchanged: {same}").format(
            new=len(new), changed=len(changed), removed=len(removed), same=len(result.duplicates)
        )
    )


def run_import_ics(args: argparse.Namespace, settings: Settings) -> int:
    """Preview outside busy times from an .ics file; ``--yes`` brings them in as blocks."""
    from coptui.services.directory import only_centre, resolve
    from coptui.services.ics_import import import_busy, read_busy
    from coptui.services.transaction import transact

    if args.skip_bad:
        raise BadInputError(_("--skip-bad is for CSV files; an .ics file is read whole or not."))
    option, kind, name = _chosen(args, IMPORT_RESOURCES)
    start, end = _window(args)
    busy = read_busy(_read(args.file), start=start, end=end)
    engine = open_engine(settings)

    def work(session: Session) -> IcsImport:
        centre = only_centre(session)
        found = resolve(session, centre_id=centre, kind=kind, name=name, for_booking=True)
        return import_busy(
            session,
            centre_id=centre,
            target=option,
            target_id=found.id,
            busy=busy,
            write=args.yes,
            window=(start, end),
        )

    try:
        result = transact(engine, work)
    finally:
        engine.dispose()
    if args.yes:
        say_done([])
        show_import(result, written=True)
        return EXIT_OK
    show_import(result, written=False)
    if result.new or result.changed or result.removed:
        say(_("Nothing was written; run again with --yes to bring them in."))
    return EXIT_OK
