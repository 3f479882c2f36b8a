"""Commands on events: ``book`` (one event or a series), ``agenda``, ``cancel``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from coptui.commands.common import (
    EXIT_OK,
    json_text,
    open_engine,
    option_clock,
    option_day,
    option_days,
    option_id,
    option_minutes,
    option_moment,
    option_name,
    say,
    say_done,
)
from coptui.config import Settings
from coptui.errors import BadInputError, HolidayError, RefusedError
from coptui.i18n import _, ngettext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.services.calendar import EventRow

KINDS = ("individual", "group", "programme_session", "meeting", "mobile_work", "block")
FORMATS = ("text", "json")
# The option of `agenda` for each kind of resource, and the directory kind it names.
AGENDA_RESOURCES = {
    "room": "rooms",
    "staff": "staff",
    "volunteer": "volunteers",
    "case": "cases",
    "programme": "programmes",
}


def register(commands: Any) -> None:
    """Add ``book``, ``agenda`` and ``cancel`` to ``commands`` (argparse's subparsers)."""
    book = commands.add_parser(
        "book",
        help=_("book an event (or a series)"),
        description=_(
            "Book an event with a room, staff, cases and volunteers; the database "
            "refuses any double booking."
        ),
    )
    book.add_argument(
        "--title", required=True, metavar=_("TITLE"), help=_("what the event is called")
    )
    book.add_argument(
        "--start",
        required=True,
        type=option_moment,
        metavar=_("DAY TIME"),
        help=_('day and time it starts, e.g. "14.12.2026 9:30", "14.12 930", "утре 9"'),
    )
    length = book.add_mutually_exclusive_group(required=True)
    length.add_argument(
        "--end", type=option_clock, metavar=_("TIME"), help=_("time it ends, e.g. 10:30 or 10")
    )
    length.add_argument(
        "--duration",
        type=option_minutes,
        metavar=_("MINUTES"),
        help=_("how long it lasts, in minutes (elapsed time, also across a clock change)"),
    )
    book.add_argument("--room", metavar=_("NAME"), help=_("the room, by its name"))
    book.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar=_("NAME"),
        help=_("a staff member (repeat for several; the first one leads)"),
    )
    book.add_argument(
        "--case",
        action="append",
        default=[],
        metavar=_("CODE"),
        help=_("a case, by its code or name (repeat for several)"),
    )
    book.add_argument(
        "--volunteer",
        action="append",
        default=[],
        metavar=_("NAME"),
        help=_("a volunteer (repeat for several)"),
    )
    book.add_argument(
        "--programme",
        metavar=_("NAME"),
        help=_(
            "the programme the event is a session of: its seats are counted; its room and"
            " lead are booked unless --room or --staff name others"
        ),
    )
    book.add_argument(
        "--kind",
        choices=KINDS,
        help=_("one of: {kinds} (default: individual; programme_session with --programme)").format(
            kinds=", ".join(KINDS)
        ),
    )
    book.add_argument(
        "--repeat",
        metavar=_("RULE"),
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
    who.add_argument("--room", type=option_name, metavar=_("NAME"), help=_("only this room"))
    who.add_argument(
        "--staff", type=option_name, metavar=_("NAME"), help=_("only this staff member")
    )
    who.add_argument(
        "--volunteer", type=option_name, metavar=_("NAME"), help=_("only this volunteer")
    )
    who.add_argument("--case", type=option_name, metavar=_("CODE"), help=_("only this case"))
    who.add_argument(
        "--programme", type=option_name, metavar=_("NAME"), help=_("only this programme")
    )
    agenda.add_argument(
        "--from",
        dest="start",
        type=option_day,
        metavar=_("DAY"),
        help=_("the first day (DD.MM.YYYY; default: today)"),
    )
    agenda.add_argument("--days", type=option_days, default=7, help=_("how many days (default: 7)"))
    agenda.add_argument(
        "--format",
        choices=(*FORMATS, "csv"),
        default="text",
        help=_("text (default), json or csv"),
    )
    agenda.set_defaults(handler=run_agenda)

    cancel = commands.add_parser(
        "cancel",
        help=_("cancel an event"),
        description=_("Cancel an event, giving a reason."),
    )
    cancel.add_argument("id", type=option_id, metavar="ID", help=_("the event's number"))
    cancel.add_argument("--reason", required=True, metavar=_("TEXT"), help=_("why it is cancelled"))
    cancel.set_defaults(handler=run_cancel)


def run_book(args: argparse.Namespace, settings: Settings) -> int:
    """Book one event or a series from the command line; print only what was committed."""
    from sqlalchemy import text

    from coptui.domain.recurrence import RecurrenceError, parse_repeat
    from coptui.domain.timeutil import SOFIA, end_after, end_clock, local_checked
    from coptui.models import EventKind
    from coptui.services.booking import BookingRequest, book_event
    from coptui.services.directory import only_centre, resolve
    from coptui.services.series import book_series
    from coptui.services.transaction import transact

    start: datetime = args.start
    if args.end is not None:
        end = local_checked(start.date(), args.end)
    else:
        end = end_after(start, args.duration)
    try:
        rule = parse_repeat(args.repeat) if args.repeat else None
    except RecurrenceError as exc:
        raise BadInputError(str(exc)) from exc
    engine = open_engine(settings)

    def work(session: Session) -> list[str]:
        centre = only_centre(session)

        def ids(kind: str, names: list[str]) -> tuple[int, ...]:
            return tuple(
                resolve(session, centre_id=centre, kind=kind, name=n, for_booking=True).id
                for n in names
            )

        programme = ids("programmes", [args.programme])[0] if args.programme else None
        room_id = (
            resolve(session, centre_id=centre, kind="rooms", name=args.room, for_booking=True).id
            if args.room
            else None
        )
        staff_ids = ids("staff", args.staff)
        if programme is not None:  # its usual room and lead, unless others are named
            usual = session.execute(
                text("SELECT room_id, lead_id FROM programme WHERE id = :p"), {"p": programme}
            ).one()
            room_id = room_id if args.room else usual.room_id
            staff_ids = staff_ids or ((usual.lead_id,) if usual.lead_id else ())
        request = BookingRequest(
            centre_id=centre,
            title=args.title,
            start=start,
            end=end,
            kind=EventKind(args.kind or ("programme_session" if args.programme else "individual")),
            room_id=room_id,
            staff_ids=staff_ids,
            case_ids=ids("cases", args.case),
            volunteer_ids=ids("volunteers", args.volunteer),
            programme_id=programme,
            allow_non_working_day=args.on_holiday,
        )
        if rule is None:
            try:
                booked = book_event(session, request=request)
            except HolidayError as exc:
                raise HolidayError(
                    f"{exc.message} " + _("To book on that day anyway, add --on-holiday."),
                    title=exc.title,
                ) from exc
            s, e = booked.start.astimezone(SOFIA), booked.end.astimezone(SOFIA)
            return [
                _("Booked event {id}: {day} {start}–{end}.").format(
                    id=booked.id, day=f"{s:%d.%m.%Y}", start=f"{s:%H:%M}", end=end_clock(e)
                )
            ]
        try:
            result = book_series(
                session, request=request, rule=rule, include_holidays=args.on_holiday
            )
        except RecurrenceError as exc:
            raise BadInputError(str(exc)) from exc
        skipped = [(o.start, o.holiday or "") for o in result.skipped_holidays] + [
            (o.start, o.clashes[0].describe() if o.clashes else "") for o in result.skipped_clashes
        ]
        lines = [
            _("skipped {day}: {why}").format(day=f"{day.astimezone(SOFIA):%d.%m.%Y}", why=why)
            for day, why in sorted(skipped)
        ]
        if not result.booked:
            raise RefusedError(
                " ".join([_("No occurrence of the series could be booked."), *lines[:1]])
            )
        lines.append(
            ngettext(
                "Booked series {id}: {n} event.",
                "Booked series {id}: {n} events.",
                len(result.booked),
            ).format(id=result.series_id, n=len(result.booked))
        )
        return lines

    say_done(transact(engine, work))
    return EXIT_OK


def run_agenda(args: argparse.Namespace, settings: Settings) -> int:
    """Print the events of the centre or of one resource."""
    import csv

    from sqlalchemy import text

    from coptui.domain.text import clean, csv_cell
    from coptui.domain.timeutil import SOFIA, check_day, clock_span, local, today
    from coptui.services.calendar import agenda
    from coptui.services.directory import only_centre, resolve
    from coptui.services.roster_reads import NO_ROSTER, open_places_text, roster_summaries
    from coptui.services.transaction import transact

    first = args.start or today()
    check_day(first + timedelta(days=args.days - 1))
    start = local(first, time(0))
    end = local(first + timedelta(days=args.days), time(0))
    engine = open_engine(settings)

    def events(session: Session) -> list[EventRow]:
        centre = only_centre(session)
        for option, kind in AGENDA_RESOURCES.items():
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

    def work(session: Session) -> tuple[list[EventRow], dict[int, Any], dict[int, str]]:
        found = events(session)
        wanted = sorted({r.programme_id for r in found if r.programme_id is not None})
        titles = {
            int(i): clean(t)
            for i, t in session.execute(
                text("SELECT id, title FROM programme WHERE id = ANY(:ids)"), {"ids": wanted}
            )
        }
        return found, roster_summaries(session, [r.id for r in found]), titles

    rows, rosters, programmes = transact(engine, work)
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
            "volunteers": list(rosters.get(r.id, NO_ROSTER).volunteers),
            "open_places": rosters.get(r.id, NO_ROSTER).open_places,
            # Case codes only (never a child's name): the codes are what a script joins on.
            "cases": list(r.cases),
            "programme": programmes.get(r.programme_id) if r.programme_id else None,
        }
        for r in rows
    ]
    if args.format == "json":
        print(json_text(records))
    elif args.format == "csv":
        # The same columns with no events as with some (a script reads them by name).
        columns = [
            "id",
            "title",
            "start",
            "end",
            "room",
            "staff",
            "status",
            "kind",
            "volunteers",
            "open_places",
            "cases",
            "programme",
        ]
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        for record in records:
            writer.writerow(
                {
                    key: value if isinstance(value, int) or value is None else csv_cell(value)
                    for key, value in {
                        **record,
                        "staff": "; ".join(record["staff"]),
                        "volunteers": "; ".join(record["volunteers"]),
                        "cases": "; ".join(record["cases"]),
                    }.items()
                }
            )
    else:
        for r in rows:
            s, e = r.start.astimezone(SOFIA), r.end.astimezone(SOFIA)
            mark = " ✗" if r.status == "cancelled" else ""
            roster = rosters.get(r.id, NO_ROSTER)
            extra = "".join(
                f"  · {part}"
                for part in (", ".join(roster.volunteers), open_places_text(roster.open_places))
                if part
            )
            say(
                f"{r.id:>6}  {s:%d.%m.%Y} {clock_span(s, e)}  {r.title}{mark}"
                f"  [{r.room or '—'}]  {', '.join(r.staff)}{extra}"
            )
    return EXIT_OK


def run_cancel(args: argparse.Namespace, settings: Settings) -> int:
    """Cancel one event with a reason; print only after the cancellation committed."""
    from sqlalchemy import text

    from coptui.errors import NotFoundError
    from coptui.services.edits import cancel_event
    from coptui.services.transaction import transact

    engine = open_engine(settings)

    def work(session: Session) -> None:
        version = session.execute(
            text("SELECT version FROM event WHERE id = :i"), {"i": args.id}
        ).scalar()
        if version is None:
            raise NotFoundError(_("Event {id} does not exist.").format(id=args.id))
        cancel_event(session, event_id=args.id, version=version, reason=args.reason)

    transact(engine, work)
    say_done([_("Event {id} is cancelled.").format(id=args.id)])
    return EXIT_OK
