"""The planner's lines around the grid: the header, and the details line under the grid.

The header says whose days, which days and how many events; the details line the event under
the cursor (or the free slot), then the warnings for the person on screen (cases whose time
runs out, volunteer places still open).
"""

from __future__ import annotations

from datetime import timedelta

from textual.content import Content
from textual.widgets import Static

from coptui.domain.text import clean
from coptui.i18n import _, ngettext
from coptui.screens.case_warnings import with_warnings
from coptui.screens.planner_find import KINDS
from coptui.screens.planner_keys import PlannerKeys
from coptui.screens.planner_load import AGENDA_DAYS, STATUS, Shown
from coptui.widgets.weekgrid import WEEKDAYS, WeekGrid


class PlannerLines(PlannerKeys):
    """The header and the details line of the planner (``PlannerScreen`` builds on it)."""

    case_warnings: list[str]  # the D-14 / D-7 lines on the status line
    roster_warnings: list[str]  # open places soon, volunteers' papers ending

    def _title(self) -> None:
        """The header: whose days, which days, how many events, all of what is shown."""
        shown = self.shown
        header = self.query_one("#planner-title", Static)
        if shown is None:
            return
        if shown.centre_id is None:
            header.update(_("No centre yet. Load the demo with `coptui demo`."))
            return
        who = f"{_(KINDS[shown.resource.kind])}: {clean(shown.resource.name)}"
        first = shown.first
        if shown.view == "agenda":
            end = first + timedelta(days=AGENDA_DAYS - 1)
            words = (
                _("Next 14 days {start} – {end}")
                if first == self.coptui.today()
                else _("14 days {start} – {end}")
            )
            when = words.format(start=f"{first:%d.%m}", end=f"{end:%d.%m.%Y}")
        elif shown.view == "day":
            when = f"{_(WEEKDAYS[first.weekday()])} {first:%d.%m.%Y}"
        else:
            last = first + timedelta(days=6)
            when = _("Week {start} – {end}").format(start=f"{first:%d.%m}", end=f"{last:%d.%m.%Y}")
        count = len(shown.rows)
        events = ngettext("{count} event", "{count} events", count).format(count=count)
        header.update(Content(f"{who} · {when} · {events}"))

    def on_week_grid_cursor_moved(self, message: WeekGrid.CursorMoved) -> None:
        self._details()

    def _details(self) -> None:
        grid = self.query_one(WeekGrid)
        block = grid.current()
        details = self.query_one("#details", Static)
        if block is None:
            at = grid.cursor_start()
            free = _("{when} free · n: new event").format(when=f"{at:%d.%m %H:%M}") if at else ""
            if self.centre_id is None:
                free = ""
            details.update(with_warnings([free], self._warnings(), details.size.height))
            return
        head = " · ".join(
            p
            for p in (
                f"{block.start:%d.%m %H:%M}–{block.end:%H:%M}",
                block.title,
                block.room or "",
                _(STATUS.get(block.status, block.status)),
            )
            if p
        )
        lines = [head]
        if block.people:
            lines.append(block.people)
        roster = " · ".join(p for p in (block.volunteers, block.open_places) if p)
        if roster:
            lines.append(_("Volunteers: {roster}").format(roster=roster))
        details.update(with_warnings(lines, self._warnings(), details.size.height))

    def _warnings(self) -> list[str]:
        return self.case_warnings + self.roster_warnings

    def _read_case_warnings(self, shown: Shown) -> None:
        """The D-14 / D-7 warnings of the specialist on screen (of every case otherwise)."""
        from coptui.screens.backend import Backend
        from coptui.screens.case_warnings import read_warnings

        assert shown.centre_id is not None
        staff = shown.resource.id if shown.resource.kind == "staff" else None
        backend = Backend.of(self.app)
        read_warnings(
            self, backend, centre_id=shown.centre_id, staff_id=staff, done=self._case_warned
        )

    def _case_warned(self, warnings: list[str]) -> None:
        new = [w for w in warnings if w not in self.case_warnings]
        self.case_warnings = warnings
        self._details()
        if new:
            self.notify(
                "\n".join(new), title=_("Cases that need you"), severity="warning", markup=False
            )

    def _read_roster_warnings(self, centre_id: int) -> None:
        from coptui.screens.backend import Backend
        from coptui.screens.substitutes import read_roster_warnings

        days = self.coptui.settings.open_places_warn_days
        read_roster_warnings(
            self, Backend.of(self.app), centre_id=centre_id, days=days, done=self._roster_warned
        )

    def _roster_warned(self, warnings: list[str]) -> None:
        self.roster_warnings = warnings
        self._details()
