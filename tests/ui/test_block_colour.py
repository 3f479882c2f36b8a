"""Busy time («Заето») has its own muted colour in the planner's week."""

from __future__ import annotations

from rich.color import Color

from coptui.domain.enums import EventKind
from coptui.widgets.weekgrid_draw import HOLIDAY, KIND_COLOURS


def test_every_kind_has_a_colour_and_busy_time_a_muted_grey_of_its_own() -> None:
    assert set(KIND_COLOURS) == {kind.value for kind in EventKind}
    red, green, blue = Color.parse(KIND_COLOURS["block"]).get_truecolor()
    assert red == green == blue  # no hue: it is nobody's work
    others = {colour for kind, colour in KIND_COLOURS.items() if kind != "block"}
    assert KIND_COLOURS["block"] not in others
    assert HOLIDAY.bgcolor is not None
    assert Color.parse(KIND_COLOURS["block"]) != HOLIDAY.bgcolor
