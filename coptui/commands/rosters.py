"""Commands on volunteer rosters and hours: ``signup``, ``hours``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from coptui.commands.common import EXIT_OK, open_engine, option_id, option_month, say, say_done
from coptui.config import Settings
from coptui.i18n import _, ngettext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.services.hours import HoursRow


def register(commands: Any) -> None:
    """Add ``signup`` and ``hours`` to ``commands`` (argparse's subparsers)."""
    signup = commands.add_parser(
        "signup",
        help=_("give a volunteer an open place in an event"),
        description=_(
            "Give a volunteer an open place in one event (one occurrence of a series). "
            "Refused when no place is open, when the volunteer is elsewhere at that time, "
            "or when their agreement or criminal record certificate is not in date."
        ),
    )
    signup.add_argument("id", type=option_id, metavar="EVENT_ID", help=_("the event's number"))
    signup.add_argument(
        "--volunteer", required=True, metavar=_("NAME"), help=_("the volunteer, by name")
    )
    signup.set_defaults(handler=run_signup)

    hours = commands.add_parser(
        "hours",
        help=_("hours of held sessions per person in a month"),
        description=_(
            "Each specialist's and each volunteer's sessions held in a month and their "
            "hours (only sessions marked held count)."
        ),
    )
    hours.add_argument(
        "--month",
        required=True,
        type=option_month,
        metavar=_("MM.YYYY"),
        help=_("the month, e.g. 11.2026"),
    )
    hours.add_argument(
        "--format", choices=("text", "csv"), default="text", help=_("text (default) or csv")
    )
    hours.set_defaults(handler=run_hours)


def run_signup(args: argparse.Namespace, settings: Settings) -> int:
    """Sign a volunteer up for an open place; print only after the change committed."""
    from coptui.domain.timeutil import SOFIA
    from coptui.services.directory import only_centre, resolve
    from coptui.services.rosters import SignedUp, sign_up
    from coptui.services.transaction import transact

    engine = open_engine(settings)

    def work(session: Session) -> tuple[str, SignedUp]:
        centre = only_centre(session)
        person = resolve(
            session, centre_id=centre, kind="volunteers", name=args.volunteer, for_booking=True
        )
        return person.name, sign_up(session, event_id=args.id, volunteer_id=person.id)

    name, place = transact(engine, work)
    start, end = place.start.astimezone(SOFIA), place.end.astimezone(SOFIA)
    say_done(
        [
            _("{name} has a place in „{title}“ (event {id}) on {day} {start}–{end}.").format(
                name=name,
                title=place.title,
                id=place.event_id,
                day=f"{start:%d.%m.%Y}",
                start=f"{start:%H:%M}",
                end=f"{end:%H:%M}",
            )
        ]
    )
    return EXIT_OK


def run_hours(args: argparse.Namespace, settings: Settings) -> int:
    """Print each person's held sessions and hours in the month."""
    import csv

    from coptui.domain.text import csv_cell
    from coptui.services.directory import only_centre
    from coptui.services.hours import month_hours
    from coptui.services.transaction import transact

    year, month = args.month
    engine = open_engine(settings)

    def work(session: Session) -> list[HoursRow]:
        return month_hours(session, centre_id=only_centre(session), year=year, month=month)

    found = transact(engine, work)
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["role", "name", "sessions", "minutes", "hours"])
        for row in found:
            writer.writerow(
                [row.role, csv_cell(row.name), row.sessions, row.minutes, f"{row.minutes / 60:.2f}"]
            )
        return EXIT_OK
    roles = {"specialist": _("Specialist"), "volunteer": _("Volunteer")}
    if not found:
        say(_("No held sessions in {month:02d}.{year}.").format(month=month, year=year))
        return EXIT_OK
    width = max(len(row.name) for row in found)
    say(_("Hours of held sessions, {month:02d}.{year}").format(month=month, year=year))
    for row in found:
        say(
            f"{roles[row.role]:<12} {row.name:<{width}}  {row.hours:>6}  "
            + ngettext("{n} session", "{n} sessions", row.sessions).format(n=row.sessions)
        )
    return EXIT_OK
