"""The key line at the bottom, rebuilt only when the keys it shows have changed."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Textual's footer, minus the rebuilds that change nothing.

    Textual's footer throws its keys away and mounts them again whenever the screen's bindings
    may have changed: a focus, a pushed screen, the database saying who is logged in. That is
    a dozen widgets styled and laid out again, the largest part of a frame, usually to show
    the same keys. This one compares first, and makes each key as compact as the footer from
    the start: Textual's key is made compact, then told it is not once mounted, and each
    change restyles it.
    """

    _keys_shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        return tuple(
            (key, binding.action, binding.description, binding.show, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )

    def compose(self) -> Any:
        self._keys_shown = self._keys() if self._bindings_ready else None
        for widget in super().compose():
            # The command palette's key is not bound to the footer: it stays as it is made.
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (
            self._keys_shown is not None
            and self.is_attached
            and screen is self.screen
            and self._keys() == self._keys_shown
        ):
            return
        super().bindings_changed(screen)
