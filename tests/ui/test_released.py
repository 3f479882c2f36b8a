"""What a screen shows and then takes away is released: a working day's memory stays flat."""

from __future__ import annotations

import gc
from pathlib import Path

from sqlalchemy import Engine
from textual.widgets._footer import FooterKey

from coptui.screens.dialogs import Picker
from coptui.screens.event_form import EventForm
from tests.ui.test_planner import make_app, planner, until


def _footer_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


async def test_forms_and_pickers_opened_and_closed_leave_no_footer_keys_behind(
    engine: Engine, tmp_path: Path
) -> None:
    """Textual's footer kept every key it had shown (with its styles and caches): each form
    opened over the planner and closed again left ~22 keys, about 1 MB, for the whole day."""
    app = make_app(engine, tmp_path)
    async with planner(app) as (pilot, screen):

        async def settled() -> None:
            await until(pilot, lambda: app.screen is screen)
            await until(pilot, lambda: all(w.is_finished for w in app.workers))
            await pilot.pause()

        async def open_and_close(key: str, kind: type) -> None:
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, kind))
            await until(pilot, lambda: all(w.is_finished for w in app.workers))
            await pilot.press("escape")
            await settled()

        await open_and_close("n", EventForm)
        await open_and_close("p", Picker)
        before = _footer_keys()
        for _ in range(5):
            await open_and_close("n", EventForm)
            await open_and_close("p", Picker)
        assert _footer_keys() == before


def test_a_widget_drawn_once_does_not_keep_its_rendered_lines_in_textuals_cache() -> None:
    """Textual's ``StylesCache.get_inner_outer`` cached on the instance (Textual #6665): the
    cache kept the last 1,024 widgets' styles caches, with every line each had rendered."""
    import weakref

    from textual._styles_cache import StylesCache
    from textual.color import Color

    from coptui.widgets.textual_fixes import release_styles_caches

    release_styles_caches()
    cache = StylesCache()
    inner, outer = cache.get_inner_outer(Color(10, 20, 30), Color(40, 50, 60, 0.5))
    assert inner.background is not None and outer.background == Color(10, 20, 30)
    gone = weakref.ref(cache)
    del cache
    gc.collect()
    assert gone() is None
