"""The key line at the bottom: rebuilt only when its keys change, and without old keys kept."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """The keys of the screen, as Textual's ``Footer`` shows them, lighter and leaner.

    Lighter: Textual's footer throws its keys away and mounts them again whenever the screen's
    bindings may have changed (a focus, a pushed screen, the database saying who is logged in):
    a dozen widgets styled and laid out again, the largest part of a frame, usually to show the
    same keys. This one compares first, and makes each key as compact as the footer from the
    start (Textual's key is made compact, then told it is not once mounted, and each change
    restyles it).

    Leaner: each rebuild binds every new key's ``compact`` to the footer; the old keys'
    bindings stayed in its list of watchers, and with them the old keys, their styles and
    their rendering caches, for as long as the screen lives: over a working day's form opens
    and picker searches, tens of megabytes. The list is pruned after each rebuild.
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

    async def recompose(self) -> None:
        await super().recompose()
        prune_watchers(self)


def prune_watchers(node: object) -> None:
    """Forget the watchers on ``node`` set by widgets no longer on screen."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(node, "__watchers", {})
    for watching in watchers.values():
        watching[:] = [(watcher, callback) for watcher, callback in watching if _alive(watcher)]


def _alive(watcher: object) -> bool:
    is_attached = getattr(watcher, "is_attached", True)
    closing = getattr(watcher, "_closing", False) or getattr(watcher, "_closed", False)
    return bool(is_attached) and not closing
