"""The idle lock: a screen that covers everything and shows no data until Enter."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from coptui.i18n import N_, _, translate_bindings


class LockScreen(Screen[None]):
    """«Заключено»: nothing of the centre on screen until the person presses Enter.

    Over SSH the login is the person's own account, so Enter is enough to come back; what the
    lock guards against is a screen left open for anyone passing by to read.
    """

    CSS_PATH = "lock.tcss"
    COMMANDS: ClassVar[set[Any]] = set()
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "unlock", N_("Continue"), show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(_("Locked — press Enter to continue"), id="lock-message", markup=False)

    def action_unlock(self) -> None:
        self.dismiss(None)
