"""The key worker's warnings (D-14 / D-7, places offered from a waiting list, absences in
a row), read for the planner and put on its status line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from coptui.i18n import _

if TYPE_CHECKING:
    from textual.widget import Widget

    from coptui.screens.backend import Backend


def read_warnings(
    node: Widget,
    backend: Backend,
    *,
    centre_id: int,
    staff_id: int | None,
    done: Callable[[list[str]], None],
) -> None:
    """Read the warnings in a thread worker of ``node``; ``done`` gets them on the UI thread.

    Args:
        node: the screen the worker belongs to (the planner).
        backend: the read connection and today.
        centre_id: the centre.
        staff_id: the key worker whose cases to warn about (``None``: every case).
        done: called with one line per case whose general-access months end soon, then one
            per place offered from a waiting list and not yet confirmed, then one per child
            with three unexcused absences in a row in a programme.
    """

    def work() -> None:
        from coptui.services.attendance import absence_warnings
        from coptui.services.cases import case_warnings
        from coptui.services.programmes import offer_warnings

        today = backend.today()
        found = backend.read(
            lambda conn: (
                case_warnings(conn, centre_id=centre_id, staff_id=staff_id, today=today)
                + offer_warnings(conn, centre_id=centre_id, staff_id=staff_id, today=today)
                + absence_warnings(conn, centre_id=centre_id, staff_id=staff_id, today=today)
            )
        )
        node.app.call_from_thread(done, found)

    node.run_worker(
        work,
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="case-warnings",
        name="case-warnings",
    )


def with_warnings(lines: Sequence[str], warnings: Sequence[str], height: int) -> Text:
    """The status line: what the cursor is on, then the warnings (bold), in ``height`` lines.

    Text from the database stays plain text (never markup).
    """
    head = [line for line in lines if line]
    if height >= len(head) + len(warnings):
        rows = [(line, "") for line in head] + [(w, "bold") for w in warnings]
    elif height >= 2:
        room = height - 1
        shown = list(warnings[:room])
        if len(warnings) > room:
            shown[-1] += " " + _("(+{n} more)").format(n=len(warnings) - room)
        rows = [(" · ".join(head), "")] + [(w, "bold") for w in shown]
    else:
        out = Text(" · ".join(head))
        for warning in warnings:
            out.append(" · " if out.plain else "")
            out.append(warning, style="bold")
        return out
    out = Text()
    for n, (piece, style) in enumerate(rows):
        if n:
            out.append("\n")
        out.append(piece, style=style)
    return out
