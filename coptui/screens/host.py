"""What a screen needs from the app, named as a protocol so that screens never import the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.dom import DOMNode

    from coptui.config import Settings
    from coptui.services.identity import Identity

T = TypeVar("T")


class Host(Protocol):
    """The app as the screens see it (``coptui.app.CoptApp`` is one)."""

    settings: Settings
    connected: bool
    identity: Identity | None  # who is logged in; known once the database has opened

    @property
    def opened(self) -> bool:
        """The database can be read."""
        ...

    def today(self) -> date:
        """The day shown as today."""
        ...

    def read(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` on the read connection (from a thread worker)."""
        ...

    def wait_engine(self) -> Engine:
        """The engine for writes and services (from a thread worker)."""
        ...

    def prepare_writes(self) -> None:
        """Build the engine for writes in the background."""
        ...


# The rights (any one of them) each screen action needs (``coptui.services.identity.can``).
NEEDS: dict[str, tuple[str, ...]] = {
    "new_event": ("book",),
    "edit_event": ("edit_any_event", "edit_own_event"),
    "move_event": ("edit_any_event", "edit_own_event"),
    "cancel_event": ("edit_any_event", "edit_own_event"),
    "directory": ("manage_directory", "see_cases"),
    "case_page": ("see_cases",),
    "edit_any": ("edit_any_event",),
    "history": ("see_history",),
    "cases": ("see_cases",),
    "manage_people": ("manage_directory",),  # the centre, its staff and volunteers
    "plan": ("edit_any_event",),  # rooms, programmes, closed days, new cases: who plans
    "report": ("edit_any_event",),  # the monthly report: who plans (manager, coordinator)
}


def permits(identity: Identity | None, action: str | None) -> bool:
    """The person may use ``action`` (a screen action, a key of ``NEEDS``).

    ``identity`` None means no one was named (a screen built by hand, before the database
    opened): the screen offers its actions and the database still decides. An action that
    needs no right is always permitted.
    """
    needs = NEEDS.get(action or "")
    if identity is None or not needs:
        return True
    from coptui.services.identity import can

    return any(can(identity, right) for right in needs)


def host_of(node: DOMNode) -> Host:
    """The app a screen runs in, as a :class:`Host`."""
    return cast(Host, node.app)


def forward_failure(node: DOMNode, event: Worker.StateChanged) -> None:
    """Hand a screen's failed worker to the app, which says what went wrong.

    ``Worker.StateChanged`` does not bubble: without this a refusal or a lost database in a
    screen's worker would vanish without a word.
    """
    if event.state is WorkerState.ERROR:
        node.app.post_message(Worker.StateChanged(event.worker, event.state))
