"""Every planner action in the command palette."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from coptui.screens.planner import PlannerScreen


class PlannerCommands(Provider):
    """Every planner action in the command palette."""

    async def discover(self) -> Hits:
        screen = self.screen
        if _is_planner(screen):
            for name, help_text, run in screen.commands():
                yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not _is_planner(screen):
            return
        matcher = self.matcher(query)
        for name, help_text, run in screen.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


def _is_planner(screen: object) -> TypeGuard[PlannerScreen]:
    from coptui.screens.planner import PlannerScreen

    return isinstance(screen, PlannerScreen)
