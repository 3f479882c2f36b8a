"""The programme screen's keys: enrol a case, take a child out, confirm an offered place."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from coptui.i18n import _

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.programmes import ProgrammeSession, ProgrammeView, Seat


class ProgrammeKeys(Screen[None]):
    """The writing half of the programme screen (``ProgrammeScreen`` builds on it).

    Every write runs in a thread worker through one service call; the screen reloads after it.
    """

    programme_id: int
    centre_id: int
    backend: Backend
    shown: ProgrammeView | None

    def reload(self) -> None:
        """Read the programme again (the screen does)."""
        raise NotImplementedError

    def upcoming_from(self) -> datetime:
        """Where "upcoming" starts (the screen says)."""
        raise NotImplementedError

    def current_session(self) -> ProgrammeSession | None:
        """The session under the cursor (the screen says)."""
        raise NotImplementedError

    def current_child(self) -> Seat | None:
        """The child under the cursor (the screen says)."""
        raise NotImplementedError

    # -- enrolling --------------------------------------------------------------------------

    def action_enrol(self) -> None:
        """Ask for a case, then: this session or every upcoming one."""
        if self.shown is None:
            return
        self._load_cases()

    @work(thread=True, exclusive=True, exit_on_error=False, group="cases", name="cases")
    def _load_cases(self) -> None:
        from coptui.db import session_scope
        from coptui.services.directory import entries

        with session_scope(self.backend.engine()) as session:
            found = entries(session, centre_id=self.centre_id, kind="cases")
        codes = {e.name: e.id for e in found}
        self.app.call_from_thread(self._ask_case, codes)

    def _ask_case(self, codes: dict[str, int]) -> None:
        from coptui.screens.dialogs import Ask

        def pick(answer: str) -> int | None:
            wanted = answer.strip().casefold()
            exact = [i for code, i in codes.items() if code.casefold() == wanted]
            partial = exact or [
                i for code, i in codes.items() if wanted and wanted in code.casefold()
            ]
            return partial[0] if len(partial) == 1 else None

        def check(answer: str) -> str | None:
            return None if pick(answer) is not None else _("No single case has that code.")

        def done(answer: str | None) -> None:
            if answer:
                case_id = pick(answer)
                assert case_id is not None
                self._ask_scope(case_id)

        assert self.shown is not None
        self.app.push_screen(
            Ask(
                _("Enrol in „{title}“").format(title=self.shown.title),
                _("The case's code (part of it is enough):"),
                check=check,
            ),
            done,
        )

    def _ask_scope(self, case_id: int) -> None:
        from coptui.domain.timeutil import SOFIA
        from coptui.screens.dialogs import Choose

        session = self.current_session()
        choices = [("all", _("Every upcoming session"))]
        if session is not None and session.status == "planned":
            when = session.start.astimezone(SOFIA)
            choices.insert(0, ("one", _("Only {day}").format(day=f"{when:%d.%m %H:%M}")))
        choices.append(("back", _("Back")))

        def done(answer: str | None) -> None:
            if answer == "one" and session is not None:
                self._enrol(case_id, session.event_id, waitlist=False)
            elif answer == "all":
                self._enrol(case_id, None, waitlist=False)

        self.app.push_screen(Choose(_("Enrol"), _("In which sessions?"), choices), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="enrol")
    def _enrol(self, case_id: int, event_id: int | None, *, waitlist: bool) -> None:
        from coptui.services.places import SessionFullError, join_session
        from coptui.services.programmes import ProgrammeFullError, enrol_in_programme
        from coptui.services.transaction import transact

        engine = self.backend.engine()
        after = self.upcoming_from()
        try:
            if event_id is not None:
                one = transact(
                    engine,
                    lambda s: join_session(
                        s, event_id=event_id, case_id=case_id, waitlist=waitlist
                    ),
                )
                message = (
                    _("Enrolled.")
                    if one.joined
                    else _("On the waiting list: no. {n}.").format(n=one.waiting_position)
                )
            else:
                done = transact(
                    engine,
                    lambda s: enrol_in_programme(
                        s,
                        programme_id=self.programme_id,
                        case_id=case_id,
                        after=after,
                        waitlist=waitlist,
                    ),
                )
                joined = sum(o.result == "joined" for o in done.outcomes)
                waiting = sum(o.result == "waiting" for o in done.outcomes)
                left = [o.reason for o in done.outcomes if o.result in ("busy", "refused")]
                message = _("Enrolled in {j} sessions, waiting in {w}.").format(j=joined, w=waiting)
                if left:
                    message += " " + _("Left out {n}: {why}").format(n=len(left), why=left[0])
        except (SessionFullError, ProgrammeFullError) as exc:
            self.app.call_from_thread(self._offer_waitlist, case_id, event_id, exc.message)
            return
        self.app.call_from_thread(self.notify, message, timeout=6, markup=False)
        self.app.call_from_thread(self.reload)

    def _offer_waitlist(self, case_id: int, event_id: int | None, message: str) -> None:
        from coptui.screens.dialogs import Choose

        def done(answer: str | None) -> None:
            if answer == "wait":
                self._enrol(case_id, event_id, waitlist=True)

        self.app.push_screen(
            Choose(
                _("Session full"),
                message,
                [("wait", _("Put on the waiting list")), ("back", _("Back"))],
            ),
            done,
        )

    # -- withdrawing and confirming ---------------------------------------------------------

    def action_withdraw(self) -> None:
        """Take the child under the cursor out of the session (or off its waiting list)."""
        from coptui.screens.dialogs import Choose

        session, seat = self.current_session(), self.current_child()
        if session is None or seat is None:
            self.notify(_("Choose a child in the list below first (Tab)."), timeout=4)
            return
        question = (
            _("Take {code} off the waiting list?")
            if seat.position is not None
            else _("Take {code} out of this session? The place goes to the first who waits.")
        ).format(code=seat.code)

        def done(answer: str | None) -> None:
            if answer == "yes":
                self._withdraw(session.event_id, seat.case_id)

        self.app.push_screen(
            Choose(
                _("Withdraw"), question, [("yes", _("Withdraw")), ("no", _("Back"))], focus="no"
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="withdraw")
    def _withdraw(self, event_id: int, case_id: int) -> None:
        from coptui.services.programmes import withdraw
        from coptui.services.transaction import transact

        offered = transact(
            self.backend.engine(), lambda s: withdraw(s, event_id=event_id, case_id=case_id)
        )
        message = _("Done.")
        if offered is not None:
            code = next(
                (
                    seat.code
                    for s in (self.shown.sessions if self.shown else ())
                    for seat in s.waiting
                    if seat.case_id == offered
                ),
                "",
            )
            message = _("The place is offered to {code}; their key worker is told.").format(
                code=code
            )
        self.app.call_from_thread(self.notify, message, timeout=6, markup=False)
        self.app.call_from_thread(self.reload)

    def action_confirm(self) -> None:
        """The family took the offered place."""
        session, seat = self.current_session(), self.current_child()
        if session is None or seat is None or not seat.offered:
            self.notify(_("Choose a child with an offered place below (Tab)."), timeout=4)
            return
        self._confirm(session.event_id, seat.case_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="confirm")
    def _confirm(self, event_id: int, case_id: int) -> None:
        from coptui.services.programmes import confirm_offer
        from coptui.services.transaction import transact

        transact(
            self.backend.engine(),
            lambda s: confirm_offer(s, event_id=event_id, case_id=case_id),
        )
        self.app.call_from_thread(self.notify, _("Place confirmed."), timeout=4)
        self.app.call_from_thread(self.reload)
