"""Widgets that send the terminal only the lines that changed, not the whole widget again.

Textual repaints the whole of a widget that is refreshed: every line goes down the link again,
whether it changed or not. Over SSH each byte counts. A week switch redraws the grid and the
details under it, yet most of their lines are the same as before: the empty half hours, the
gutter, the blank lines under the details. These widgets compare each line with the one the
terminal already has, and mark only the lines that differ for repainting.
"""

from __future__ import annotations

from collections.abc import Collection

from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


class ChangedLines(Widget):
    """A widget whose whole-widget repaints are cut to the lines that changed.

    ``lines_sent`` counts the lines handed to the terminal by whole-widget repaints (for tests
    and benchmarks).
    """

    _painted: tuple[Size, list[Strip]] | None = None  # what the terminal holds, if known
    lines_sent = 0

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        # Drawn by another way than the repaint below (a whole screen drawn after a modal
        # closed, a layout, part of the widget): if that differs from what was sent, the
        # terminal may now hold either, and the next repaint sends every line.
        if self._painted is not None:
            size, painted = self._painted
            if crop != size.region or lines != painted:
                self._painted = None
        return lines

    def _exchange_repaint_regions(self) -> Collection[Region]:
        # Textual's hook (pinned 8.2.8): the compositor asks here which regions of the widget
        # to draw in the next frame, just before drawing them.
        regions = super()._exchange_repaint_regions()
        size = self.outer_size
        whole = size.region
        if not regions or not whole:
            return regions
        if any(region != whole for region in regions):
            # Part of the widget drawn by someone else's reckoning: what the terminal holds is
            # no longer known line by line.
            self._painted = None
            return regions
        lines = super().render_lines(whole)
        painted, self._painted = self._painted, (size, lines)
        if painted is None or painted[0] != size:
            self.lines_sent += len(lines)
            return regions
        old = painted[1]
        changed = [
            Region(0, y, size.width, 1)
            for y, line in enumerate(lines)
            if y >= len(old) or line != old[y]
        ]
        self.lines_sent += len(changed)
        return changed


class ChangedLinesStatic(ChangedLines, Static):
    """A ``Static`` that repaints only the lines whose text or style changed."""
