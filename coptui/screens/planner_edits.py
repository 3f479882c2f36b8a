"""The planner's editing keys: new, edit, move and cancel the event under the cursor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from coptui.i18n import _
from coptui.screens.host import Host, host_of, permits
from coptui.screens.planner_load import Shown, block_of
from coptui.widgets.weekgrid import Block, WeekGrid

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from coptui.screens.choice import Choice


class PlannerEdits(Screen[None]):
    """The editing half of the planner (``PlannerScreen`` builds on it).

    Every write runs in a thread worker through one service call; the week reloads after it.
    """

    resource: Choice | None
    centre_id: int | None
    shown: Shown | None
    view: str
    _pending_select: int | None

    @property
    def coptui(self) -> Host:
        """The app, as far as a screen needs it."""
        return host_of(self)

    def reload(self) -> None:
        """Fetch what is on screen again (the planner reads its days)."""
        raise NotImplementedError

    def no_centre(self) -> bool:
        """Say what to do when there is no centre (or no week yet); True when there is none."""
        if self.shown is None:
            self.notify(_("The week is still loading."), timeout=3)
            return True
        if self.centre_id is None:
            self.notify(_("No centre yet. Load the demo with `coptui demo`."), timeout=6)
            return True
        return False

    def on_week_grid_activated(self, message: WeekGrid.Activated) -> None:
        if message.event_id is None:
            self.action_new_event()
        else:
            self.action_edit_event()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        if message.row_key.value is not None and not self.no_centre():
            self.action_edit_event()

    def current_event(self) -> Block | None:
        """The event under the cursor of the grid, or of the list."""
        if self.shown is not None and self.shown.view == "agenda":
            from textual.widgets import DataTable

            from coptui.domain.timeutil import SOFIA

            table = self.query_one("#agenda", DataTable)
            if not table.row_count:
                return None
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            for row in self.shown.rows if self.shown else []:
                if str(row.id) == key:
                    return block_of(row, SOFIA, self.shown.rosters.get(row.id))
            return None
        return self.query_one(WeekGrid).current()

    def may_change(self, event_id: int) -> bool:
        """This person may change the event; else say so in one line (a specialist may
        change only the events they lead)."""
        identity = self.coptui.identity
        if not permits(identity, "edit_event"):
            self.notify(_("You may not change events."), timeout=4)
            return False
        if identity is None or permits(identity, "edit_any"):
            return True
        rows = self.shown.rows if self.shown else []
        # The lead comes first in an event's staff (migration 0004), as the database checks.
        if any(r.id == event_id and r.staff_ids[:1] == (identity.staff_id,) for r in rows):
            return True
        self.notify(_("You may change only the events you lead."), timeout=4)
        return False

    def action_new_event(self) -> None:
        from coptui.screens.event_form import EventForm

        if self.no_centre():
            return
        if not permits(self.coptui.identity, "new_event"):
            self.notify(_("You may not book events."), timeout=4)
            return
        start = self.query_one(WeekGrid).cursor_start()
        self.app.push_screen(
            EventForm(start=start, resource=self.resource, centre_id=self.centre_id),
            self._after_form,
        )

    def action_edit_event(self) -> None:
        block = self.current_event()
        if block is None:
            self.action_new_event()
            return
        self.with_scope(
            block,
            _("Edit only this occurrence, this and the following, or the whole series?"),
            lambda scope: self._open_form(block.id, scope),
        )

    def with_scope(self, block: Block, question: str, then: Callable[[str], None]) -> None:
        """Ask «only this / this and following / whole series» for an occurrence of a series
        (not for a single event, nor a cancelled occurrence), then go on with the answer."""
        from coptui.screens.dialogs import Choose
        from coptui.screens.series_preview import SCOPES

        if not self.may_change(block.id):
            return  # said in one line; no question about a series one may not change
        if block.series_id is None or block.status == "cancelled":
            then("this")
            return
        self.app.push_screen(
            Choose(
                _("Part of a series"),
                question,
                [(key, _(label)) for key, label in SCOPES],
            ),
            lambda scope: then(scope) if scope else None,
        )

    def _open_form(self, event_id: int, scope: str = "this") -> None:
        from coptui.screens.event_form import EventForm

        if not self.may_change(event_id):
            return
        self.app.push_screen(
            EventForm(
                event_id=event_id, resource=self.resource, centre_id=self.centre_id, scope=scope
            ),
            self._after_form,
        )

    def _after_form(self, saved: int | None) -> None:
        if saved is not None:
            self._pending_select = saved
            self.reload()

    def _event_to_change(self) -> Block | None:
        if self.no_centre():
            return None
        block = self.current_event()
        if block is None:
            self.notify(_("Put the cursor on an event first."), timeout=4)
        return block

    def action_roster(self) -> None:
        """The volunteers of the event under the cursor: sign up, decline, substitutes."""
        from coptui.screens.backend import Backend
        from coptui.screens.substitutes import RosterScreen

        block = self._event_to_change()
        if block is None or not self.may_change(block.id):
            return
        if block.status != "planned":
            self.notify(_("Only a planned event takes volunteers."), timeout=4)
            return
        self.app.push_screen(
            RosterScreen(event_id=block.id, backend=Backend.of(self.app)),
            lambda changed: self.reload() if changed else None,
        )

    def action_move_event(self) -> None:
        block = self._event_to_change()
        if block is not None:
            self.with_scope(
                block,
                _("Move only this occurrence, this and the following, or the whole series?"),
                lambda scope: self._ask_move(block, scope),
            )

    def _ask_move(self, block: Block, scope: str) -> None:
        from coptui.domain.parse import parse_day, parse_time
        from coptui.domain.timeutil import local_checked
        from coptui.errors import BadInputError
        from coptui.screens.dialogs import Ask

        today = self.coptui.today()

        def check(answer: str) -> str | None:
            try:
                day_text, _sep, time_text = answer.strip().rpartition(" ")
                local_checked(parse_day(day_text, today), parse_time(time_text))
            except BadInputError as exc:
                return exc.message
            return None

        def done(answer: str | None) -> None:
            if answer:
                day_text, _sep, time_text = answer.strip().rpartition(" ")
                start = local_checked(parse_day(day_text, today), parse_time(time_text))
                self._move(block, start, scope, skip_blocked=False)

        self.app.push_screen(
            Ask(
                _("Move „{title}“").format(title=block.title),
                _("New date and start (the length stays):"),
                value=f"{block.start:%d.%m.%Y %H:%M}",
                check=check,
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="move")
    def _move(self, block: Block, start: datetime, scope: str, skip_blocked: bool) -> None:
        """Move the event, or its series from it on (after the dates in the way are shown)."""
        from coptui.domain.timeutil import elapsed_minutes, end_after
        from coptui.screens.series_preview import DatesBlocked, save_series_edit
        from coptui.services.edits import EventChanges, move_event
        from coptui.services.event_reads import load_event
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()
        end = end_after(start, elapsed_minutes(block.start, block.end))

        def work(session: Any) -> tuple[int, str]:
            version = load_event(session, block.id).version
            if scope == "this":
                moved = move_event(
                    session, event_id=block.id, version=version, start=start, end=end
                )
                return moved.id, _("Moved.")
            return save_series_edit(
                session,
                event_id=block.id,
                version=version,
                changes=EventChanges(start=start, end=end),
                scope=scope,
                allow_non_working_day=False,
                skip_blocked=skip_blocked,
            )

        try:
            moved, message = transact(engine, work)
        except DatesBlocked as blocked:
            self.app.call_from_thread(self._ask_skip, block, start, scope, blocked)
            return
        self.app.call_from_thread(self._after_form, moved)
        self.app.call_from_thread(self.notify, message, timeout=4)

    def _ask_skip(self, block: Block, start: datetime, scope: str, blocked: Any) -> None:
        from coptui.screens.series_preview import SkipDates

        def chosen(answer: str | None) -> None:
            if answer == "skip":
                self._move(block, start, scope, skip_blocked=True)

        self.app.push_screen(SkipDates(blocked, holidays_offered=False), chosen)

    def action_cancel_event(self) -> None:
        from coptui.screens.dialogs import Ask

        block = self._event_to_change()
        if block is None or not self.may_change(block.id):
            return
        if block.status == "cancelled":
            self.notify(_("This event is already cancelled."), timeout=4)
            return

        def check(answer: str) -> str | None:
            return None if answer.strip() else _("Say why the event is cancelled.")

        def ask_reason(scope: str | None) -> None:
            if scope is None:
                return
            self.app.push_screen(
                Ask(
                    _("Cancel „{title}“").format(title=block.title),
                    _("Why is it cancelled?"),
                    check=check,
                ),
                lambda reason: self._cancel_with(block, reason, scope),
            )

        self.with_scope(
            block,
            _("Cancel only this occurrence, this and the following, or the whole series?"),
            ask_reason,
        )

    def _cancel_with(self, block: Block, reason: str | None, scope: str) -> None:
        if reason:
            self._cancel(block, reason, scope)

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="cancel")
    def _cancel(self, block: Block, reason: str, scope: str) -> None:
        from coptui.services.edits import cancel_series
        from coptui.services.transaction import transact

        engine = self.coptui.wait_engine()
        transact(engine, lambda s: cancel_series(s, event_id=block.id, reason=reason, scope=scope))
        self.app.call_from_thread(self.notify, _("Cancelled."), timeout=3)
        self.app.call_from_thread(self.reload)
