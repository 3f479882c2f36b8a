"""The days as a list, one event a row: the planner's view for narrow terminals.

Imported when the list is first shown (a DataTable costs a moment to import), not at startup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from coptui.domain.text import clean
from coptui.i18n import _
from coptui.widgets.table import Table
from coptui.widgets.weekgrid import WEEKDAYS

if TYPE_CHECKING:
    from coptui.services.calendar import EventRow


class EventList(Table):
    """Day, time, title, room, people and status of each event, the row key its id."""

    def __init__(self, *, status_names: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.status_names = status_names

    def on_mount(self) -> None:
        self.add_columns(_("Day"), _("Time"), _("Title"), _("Room"), _("People"), _("Status"))

    def show(self, rows: Sequence[EventRow], zone: Any) -> None:
        """List these events (times in ``zone``), replacing what was listed."""
        self.clear()
        for row in rows:
            start = row.start.astimezone(zone)
            end = row.end.astimezone(zone)
            # Stored text goes in as Text: a DataTable reads a plain str as markup.
            self.add_row(
                f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m}",
                f"{start:%H:%M}–{end:%H:%M}",
                Text(clean(row.title)),
                Text(clean(row.room or "—")),
                Text(clean(", ".join(row.staff + row.cases))),
                _(self.status_names.get(row.status, row.status)),
                key=str(row.id),
            )
