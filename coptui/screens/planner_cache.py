"""The weeks beside the one on screen, read ahead, so that a week switch draws at once.

The planner draws the week it switched to from here in the same frame as the key, then reads
it again and draws that only if anything differs (another session's change, an edit): what is
shown always ends as the database has it, a few milliseconds later at most.
"""

from __future__ import annotations

from datetime import date, timedelta

from coptui.screens.choice import Choice
from coptui.screens.planner_load import SPANS, Shown

Key = tuple[date, str, str | None, int | None]

# The views that move by their span and are worth reading ahead (the list of 14 days is not).
AHEAD = ("week", "day")


def key_of(first: date, view: str, resource: Choice | None) -> Key:
    """What a load shows: its first day, its view, and whose days."""
    return (first, view, resource.kind if resource else None, resource.id if resource else None)


class WeekCache:
    """A few loads kept by what they show, emptied whenever the data may have changed.

    ``generation`` counts the emptyings: a read begun before the last one may hold what just
    changed, and is not kept (see :meth:`put`).
    """

    SIZE = 4

    def __init__(self) -> None:
        self._kept: dict[Key, Shown] = {}
        self.generation = 0

    def get(self, first: date, view: str, resource: Choice | None) -> Shown | None:
        """The load of these days, if it was read ahead and nothing changed since."""
        if resource is None:
            return None
        return self._kept.get(key_of(first, view, resource))

    def put(self, shown: Shown, generation: int) -> None:
        """Keep a load read while the cache was at ``generation`` (dropped if it has moved)."""
        if generation != self.generation or shown.centre_id is None:
            return
        key = key_of(shown.first, shown.view, shown.resource)
        self._kept.pop(key, None)
        self._kept[key] = shown
        while len(self._kept) > self.SIZE:
            del self._kept[next(iter(self._kept))]

    def clear(self) -> None:
        """Forget every load: the data may have changed."""
        self._kept.clear()
        self.generation += 1

    def wanted(self, shown: Shown) -> list[date]:
        """The first days of the loads beside ``shown`` that are not kept yet."""
        if shown.view not in AHEAD or shown.centre_id is None:
            return []
        span = timedelta(days=SPANS[shown.view])
        return [
            first
            for first in (shown.first + span, shown.first - span)
            if self.get(first, shown.view, shown.resource) is None
        ]
