"""The planner's finding keys: whose week to show (the picker) and events by title."""

from __future__ import annotations

from datetime import date, datetime

from textual import work

from coptui.domain.text import clean
from coptui.domain.whose import WHOSE
from coptui.i18n import _
from coptui.screens.choice import Choice
from coptui.screens.host import permits
from coptui.screens.planner_edits import PlannerEdits
from coptui.screens.planner_load import remember

KINDS = WHOSE  # the picker's words, as a printed week's header says them


class PlannerFind(PlannerEdits):
    """The finding half of the planner (``PlannerScreen`` builds on it)."""

    def _go(self, first: date, cursor: date | None = None) -> None:
        raise NotImplementedError

    def _first_for(self, day: date) -> date:
        raise NotImplementedError

    def action_pick(self) -> None:
        if not self.no_centre():
            self._load_choices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="pick", name="pick")
    def _load_choices(self) -> list[Choice]:
        from coptui.db import session_scope
        from coptui.services.directory import entries, only_centre

        engine = self.coptui.wait_engine()
        kinds = {
            "rooms": "room",
            "staff": "staff",
            "volunteers": "volunteer",
            "cases": "case",
            "programmes": "programme",
        }
        if not permits(self.coptui.identity, "cases"):
            del kinds["cases"]
        with session_scope(engine) as session:
            centre = only_centre(session)
            choices = [Choice(kind=None, id=None, name=self.shown.centre if self.shown else "")]
            for plural, kind in kinds.items():
                for entry in entries(session, centre_id=centre, kind=plural):
                    detail = entry.detail if kind != "case" else ""
                    choices.append(
                        Choice(kind=kind, id=entry.id, name=clean(entry.name), detail=clean(detail))
                    )
        self.app.call_from_thread(self._open_picker, choices)
        return choices

    def _open_picker(self, choices: list[Choice]) -> None:
        from coptui.screens.dialogs import Picker

        kinds = {k: _(v) for k, v in KINDS.items()}

        def done(choice: Choice | None) -> None:
            if choice is not None:
                self.resource = choice
                remember(self.coptui.settings.home, choice)
                self.reload()

        self.app.push_screen(Picker(choices, kinds), done)

    def action_search(self) -> None:
        from coptui.screens.dialogs import Ask

        if self.no_centre():
            return

        def done(answer: str | None) -> None:
            if answer and answer.strip():
                self._search(answer.strip())

        self.app.push_screen(Ask(_("Search"), _("Title contains:")), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", name="search")
    def _search(self, words: str) -> None:
        from coptui.domain.timeutil import SOFIA
        from coptui.services.calendar import rows

        assert self.centre_id is not None
        params = {"c": self.centre_id, "q": f"%{words}%"}
        found = self.coptui.read(
            lambda conn: rows(
                conn,
                "SELECT id, title, lower(during) FROM event WHERE centre_id = %(c)s"
                " AND title ILIKE %(q)s AND status <> 'cancelled'"
                " ORDER BY abs(extract(epoch FROM lower(during) - now())) LIMIT 30",
                params,
            )
        )
        starts = {i: at.astimezone(SOFIA) for i, _t, at in found}
        choices = [
            Choice(kind="event", id=i, name=clean(title), detail=f"{starts[i]:%d.%m.%Y %H:%M}")
            for i, title, _at in found
        ]
        self.app.call_from_thread(self._show_found, choices, starts)

    def _show_found(self, choices: list[Choice], starts: dict[int, datetime]) -> None:
        from coptui.screens.dialogs import Picker

        if not choices:
            self.notify(_("Nothing found."), timeout=4)
            return

        def done(choice: Choice | None) -> None:
            if choice is not None and choice.id is not None:
                at = starts[choice.id]
                self.resource = Choice(
                    kind=None, id=None, name=self.shown.centre if self.shown else ""
                )
                self._pending_select = choice.id
                self._go(self._first_for(at.date()))

        self.app.push_screen(Picker(choices, {"event": _("Event")}), done)

    # -- programmes -------------------------------------------------------------------------

    def action_programme(self) -> None:
        """The programme of the event under the cursor, of the week shown, or one to choose."""
        if self.no_centre():
            return
        block = self.current_event()
        rows = self.shown.rows if self.shown else []
        found = next((r.programme_id for r in rows if block and r.id == block.id), None)
        if found is None and self.resource is not None and self.resource.kind == "programme":
            found = self.resource.id
        if found is not None:
            self.open_programme(found)
        else:
            self._choose_programme()

    def open_programme(self, programme_id: int) -> None:
        """Show the programme screen (sessions, enrolled, waiting list)."""
        from coptui.screens.backend import Backend
        from coptui.screens.programme import ProgrammeScreen

        assert self.centre_id is not None
        self.app.push_screen(
            ProgrammeScreen(
                programme_id=programme_id, centre_id=self.centre_id, backend=Backend.of(self.app)
            ),
            lambda _result: self.reload(),
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="pick", name="programmes")
    def _choose_programme(self) -> None:
        from coptui.db import session_scope
        from coptui.services.directory import entries

        assert self.centre_id is not None
        with session_scope(self.coptui.wait_engine()) as session:
            found = entries(session, centre_id=self.centre_id, kind="programmes")
        choices = [Choice(kind="programme", id=e.id, name=e.name) for e in found]
        self.app.call_from_thread(self._programme_picked, choices)

    def _programme_picked(self, choices: list[Choice]) -> None:
        from coptui.screens.dialogs import Picker

        if not choices:
            self.notify(_("No programmes yet: add one in the directory (r)."), timeout=5)
            return

        def done(choice: Choice | None) -> None:
            if choice is not None and choice.id is not None:
                self.open_programme(choice.id)

        kinds: dict[str | None, str] = {"programme": _("Programme")}
        self.app.push_screen(Picker(choices, kinds, title=_("Which programme?")), done)
