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

T = TypeVar("T")


class Host(Protocol):
    """The app as the screens see it (``coptui.app.CoptApp`` is one)."""

    settings: Settings
    connected: bool

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
