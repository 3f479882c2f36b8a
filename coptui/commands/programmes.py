"""Commands on programmes: ``join`` (a case in one session or the whole programme)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coptui.commands.common import EXIT_OK, open_engine, option_day, option_id, say_done
from coptui.config import Settings
from coptui.errors import BadInputError, CapacityError
from coptui.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def register(commands: Any) -> None:
    """Add ``join`` to ``commands`` (argparse's subparsers)."""
    join = commands.add_parser(
        "join",
        help=_("enrol a case in a session or a whole programme"),
        description=_(
            "Enrol a case in one session (EVENT_ID) or in every upcoming session of a"
            " programme (--programme). A full session refuses (exit 3) and names the place"
            " its waiting list would give; --waitlist takes that place."
        ),
    )
    join.add_argument(
        "event", nargs="?", type=option_id, metavar="EVENT_ID", help=_("the session's number")
    )
    join.add_argument(
        "--programme",
        metavar=_("NAME"),
        help=_("every upcoming session of this programme, instead of one session"),
    )
    join.add_argument(
        "--case", required=True, metavar=_("CODE"), help=_("the case, by its code or name")
    )
    join.add_argument(
        "--from",
        dest="start",
        type=option_day,
        metavar=_("DAY"),
        help=_("with --programme: only sessions from this day on (default: from now)"),
    )
    join.add_argument(
        "--waitlist",
        action="store_true",
        help=_("when a session is full, put the case on its waiting list"),
    )
    join.set_defaults(handler=run_join)


def run_join(args: argparse.Namespace, settings: Settings) -> int:
    """Enrol a case; print only after the enrolment committed."""
    from datetime import datetime, time

    from coptui.domain.text import clean
    from coptui.domain.timeutil import SOFIA, local
    from coptui.services.directory import only_centre, resolve
    from coptui.services.event_reads import load_event
    from coptui.services.places import join_session
    from coptui.services.programmes import enrol_in_programme
    from coptui.services.transaction import transact

    if (args.event is None) == (args.programme is None):
        raise BadInputError(_("Give either an event's number or --programme NAME."))
    if args.start is not None and args.programme is None:
        raise BadInputError(_("--from goes with --programme."))
    engine = open_engine(settings)

    def when(moment: datetime) -> str:
        return f"{moment.astimezone(SOFIA):%d.%m.%Y %H:%M}"

    def work(session: Session) -> list[str]:
        centre = only_centre(session)
        case = resolve(session, centre_id=centre, kind="cases", name=args.case)
        if args.programme is not None:
            programme = resolve(session, centre_id=centre, kind="programmes", name=args.programme)
            done = enrol_in_programme(
                session,
                programme_id=programme.id,
                case_id=case.id,
                after=local(args.start, time(0)) if args.start else datetime.now(SOFIA),
                waitlist=args.waitlist,
            )
            lines = []
            for o in done.outcomes:
                if o.result == "joined":
                    what = _("enrolled")
                elif o.result == "waiting":
                    what = _("waiting list, no. {n}").format(n=o.position)
                else:
                    what = _("left out: {why}").format(why=o.reason)
                lines.append(f"{o.event_id:>6}  {when(o.start)}  {what}")
            joined = sum(o.result == "joined" for o in done.outcomes)
            waiting = sum(o.result == "waiting" for o in done.outcomes)
            lines.append(
                _(
                    "Case {code} in „{title}“: enrolled in {joined} sessions, waiting in {waiting}."
                ).format(code=done.code, title=done.programme, joined=joined, waiting=waiting)
            )
            return lines
        event = load_event(session, args.event)
        if event.centre_id != centre:
            raise BadInputError(_("Event {id} does not exist.").format(id=args.event))
        result = join_session(session, event_id=args.event, case_id=case.id, waitlist=args.waitlist)
        title = clean(event.title)
        if result.joined:
            return [
                _("Case {code} is enrolled in „{title}“ on {when}.").format(
                    code=case.name, title=title, when=when(event.s)
                )
            ]
        return [
            _("Case {code} is no. {n} on the waiting list of „{title}“ on {when}.").format(
                code=case.name, n=result.waiting_position, title=title, when=when(event.s)
            )
        ]

    try:
        lines = transact(engine, work)
    except CapacityError as exc:
        if args.waitlist:
            raise
        raise CapacityError(
            exc.message + " " + _("Add --waitlist to put the case on the waiting list."),
            title=exc.title,
        ) from exc
    say_done(lines)
    return EXIT_OK
