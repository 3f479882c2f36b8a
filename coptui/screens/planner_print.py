"""The planner's print key: the week on screen as an A4 PDF in the user's home folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coptui.i18n import _

if TYPE_CHECKING:
    from textual.widget import Widget

    from coptui.config import Settings
    from coptui.screens.backend import Backend
    from coptui.screens.planner_load import Shown


def print_week(
    node: Widget, backend: Backend, shown: Shown, settings: Settings, folder: Path | None = None
) -> None:
    """Write the week that holds the days on screen as a PDF, in a thread worker of ``node``.

    The file goes into ``folder`` (default: the home folder) under a new name; a notification
    says where. A file that cannot be written is said the same way as any failed worker.
    """
    from coptui.i18n import language

    centre_id = shown.centre_id
    if centre_id is None:
        return
    resource, first, lang = shown.resource, shown.first, language()
    name = shown.resource.name or shown.centre

    def work() -> None:
        from datetime import datetime

        from coptui.domain.timeutil import SOFIA
        from coptui.export.files import week_file, write_whole
        from coptui.export.week_pdf import week_pdf
        from coptui.services.printed_week import read_printed_week

        week = backend.read(
            lambda conn: read_printed_week(
                conn,
                centre_id=centre_id,
                kind=resource.kind,
                resource_id=resource.id,
                name=name,
                day=first,
                lang=lang,
            )
        )
        data = week_pdf(
            week,
            day_start=settings.day_start,
            day_end=settings.day_end,
            printed=datetime.now(SOFIA),
        )
        path = week_file(folder or Path.home(), week.name, week.monday)
        write_whole(path, data)
        node.app.call_from_thread(
            node.notify,
            _("The week is printed to {path}").format(path=path),
            title=_("Print"),
            timeout=10,
            markup=False,
        )

    node.notify(_("Printing the week…"), timeout=3)
    node.run_worker(
        work, thread=True, exclusive=True, exit_on_error=False, group="print", name="print"
    )
