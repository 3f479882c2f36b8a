"""The app's idle lock: «Заключено» after minutes without a key, notices held back meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.app import App

from coptui.i18n import _

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from coptui.config import Settings


class IdleLock(App[None]):
    """Locking the screen when no key has come for a while (``COPTUI_IDLE_LOCK_MINUTES``).

    The state is set by ``CoptApp.__init__``; ``CoptApp`` builds on this class.
    """

    settings: Settings
    clock: Callable[[], float]  # seconds that only go forward
    last_key: float
    locked: bool
    # Notices that came while the screen was locked: message, title, severity, timeout, markup.
    _held: list[tuple[str, str, SeverityLevel, float | None, bool]]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_key = self.clock()
        await super().on_event(event)

    def lock_when_idle(self) -> None:
        """Lock the screen when no key has come for ``COPTUI_IDLE_LOCK_MINUTES``."""
        minutes = self.settings.idle_lock_minutes
        if minutes and not self.locked and self.clock() - self.last_key >= minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Cover every screen with «Заключено»: nothing of the centre stays in view."""
        from coptui.screens.lock import LockScreen

        if self.locked:
            return
        self.locked = True
        self.clear_notifications()
        self.push_screen(LockScreen(), self._unlocked)

    def _unlocked(self, _result: None) -> None:
        self.locked = False
        self.last_key = self.clock()
        held, self._held = self._held, []
        for message, title, severity, timeout, markup in held:
            self.notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice, held back while the screen is locked (it may name people or cases)."""
        if self.locked:
            self._held.append((message, title, severity, timeout, markup))
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_command_palette(self) -> None:
        """The command palette (not while locked), asking in the person's language."""
        from textual.command import CommandPalette

        if self.locked or not self.use_command_palette or isinstance(self.screen, CommandPalette):
            return
        placeholder = _("Search for commands…")
        self.push_screen(CommandPalette(id="--command-palette", placeholder=placeholder))
