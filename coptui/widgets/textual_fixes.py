"""Work-arounds for Textual's memory that grows over a long session (applied by the app).

``StylesCache.get_inner_outer`` is an instance method under ``functools.lru_cache(1024)``
(Textual issue #6665): its cache keys hold the ``StylesCache`` of every widget it has drawn, and
with it every line the widget rendered, long after the widget is gone. A form opened over the
planner and closed again left ~50 of them behind; a working day reached the cache's 1,024,
some 40 MB. The colours alone decide its answer, so here the cache is keyed on them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_APPLIED = "_coptui_keyed_on_colours"


def release_styles_caches() -> None:
    """Key ``StylesCache.get_inner_outer``'s cache on its colours only (idempotent)."""
    from textual._styles_cache import StylesCache

    current = StylesCache.get_inner_outer
    if getattr(current, _APPLIED, False):
        return
    compute = getattr(current, "__wrapped__", None)
    if compute is None:  # a Textual that no longer caches it on the instance
        return

    @lru_cache(1024)
    def on_colours(base_background: Any, background: Any) -> Any:
        return compute(None, base_background, background)  # it never reads its first argument

    def get_inner_outer(self: Any, base_background: Any, background: Any) -> Any:
        return on_colours(base_background, background)

    setattr(get_inner_outer, _APPLIED, True)
    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign,assignment]
