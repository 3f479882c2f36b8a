"""Textual's footer, without the memory it kept for every set of keys it ever showed."""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The keys of the screen, as Textual's ``Footer`` shows them.

    Textual's footer builds its keys again each time the screen's keys change (a form opened
    over the planner and closed again, a key disabled), and binds each new key's ``compact``
    to itself; the old keys' bindings stay in its list of watchers, and with them the old keys,
    their styles and their rendering caches, for as long as the screen lives: over a working
    day's form opens and picker searches, tens of megabytes. The list is pruned here after
    each rebuild.
    """

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
