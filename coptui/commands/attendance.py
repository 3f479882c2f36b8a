"""Commands on attendance: ``attend`` marks who came to a session and marks it held."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coptui.commands.common import EXIT_OK, open_engine, option_id, say_done
from coptui.config import Settings
from coptui.errors import BadInputError
from coptui.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Each option and the mark it gives.
OPTIONS = (("present", "present"), ("absent", "absent"), ("excused", "excused"), ("late", "late"))


def register(commands: Any) -> None:
    """Add ``attend`` to ``commands`` (argparse's subparsers)."""
    attend = commands.add_parser(
        "attend",
        help=_("mark who came to a session"),
        description=_(
            "Mark the children of a session as present, absent, excused or late, by case code, "
            "and mark the session held. Children not named keep their marks. Attendance is "
            "marked from the session's start on, never for a cancelled session."
        ),
    )
    attend.add_argument("id", type=option_id, metavar="EVENT_ID", help=_("the event's number"))
    helps = {
        "present": _("cases that came"),
        "absent": _("cases that did not come, each as CODE or CODE:reason"),
        "excused": _("cases that did not come with an excuse (CODE or CODE:reason)"),
        "late": _("cases that came late"),
    }
    for option, _mark in OPTIONS:
        attend.add_argument(
            f"--{option}",
            nargs="+",
            action="extend",
            default=[],
            metavar=_("CODE"),
            help=helps[option],
        )
    attend.set_defaults(handler=run_attend)


def _split(item: str) -> tuple[str, str]:
    code, _sep, why = item.partition(":")
    return code.strip(), why.strip()


def run_attend(args: argparse.Namespace, settings: Settings) -> int:
    """Save the marks given on the command line; print only after they are committed."""
    from datetime import datetime

    from coptui.domain.timeutil import SOFIA
    from coptui.services.attendance import (
        MARK_WORDS,
        Mark,
        read_register,
        refuse_closed_register,
        save_attendance,
    )
    from coptui.services.transaction import transact

    given: list[tuple[str, str, str]] = []
    for option, mark in OPTIONS:
        for item in getattr(args, option):
            code, why = _split(item)
            if not code:
                raise BadInputError(
                    _("A case code is missing in --{option}.").format(option=option)
                )
            if why and mark not in ("absent", "excused"):
                raise BadInputError(
                    _("Only an absence has a reason: {item!r} in --{option}.").format(
                        item=item, option=option
                    )
                )
            given.append((code, mark, why))
    if not given:
        raise BadInputError(_("Name at least one case: --present, --absent, --excused or --late."))
    engine = open_engine(settings)
    now = datetime.now(SOFIA)

    def work(session: Session) -> list[str]:
        register = read_register(session, event_id=args.id)
        # A cancelled or future session is refused first, whatever codes were named.
        refuse_closed_register(
            event_id=args.id, status=register.status, start=register.start, now=now
        )
        by_code = {row.code.casefold(): row for row in register.rows}
        marks = []
        named: set[int] = set()
        for code, mark, why in given:
            row = by_code.get(code.casefold())
            if row is None:
                raise BadInputError(
                    _("Case {code} is not expected at event {id}; expected: {codes}.").format(
                        code=code,
                        id=args.id,
                        codes=", ".join(r.code for r in register.rows) or "—",
                    )
                )
            if row.case_id in named:
                raise BadInputError(_("Case {code} is named twice.").format(code=code))
            named.add(row.case_id)
            marks.append(Mark(case_id=row.case_id, attendance=mark, note=why))
        saved = save_attendance(session, event_id=args.id, marks=marks, now=now)
        counts = ", ".join(
            f"{_(MARK_WORDS[mark])}: {saved.counts[mark]}"
            for mark in ("present", "late", "absent", "excused", "expected")
            if saved.counts.get(mark)
        )
        lines = [_("Attendance of event {id} saved ({counts}).").format(id=args.id, counts=counts)]
        if saved.held_now:
            lines.append(_("Event {id} is marked held.").format(id=args.id))
        return lines

    say_done(transact(engine, work))
    return EXIT_OK
