"""coptui's table: every text cell shown as typed, never read as markup.

Textual's ``DataTable`` reads a plain ``str`` cell as Rich markup, so a stored title like
``[/]`` would crash the screen and ``[@click=app.quit]…`` would make a click run an action.
Screens build their tables from this class (a layers test keeps them on it): a ``str`` cell
goes in as plain ``Text``, cleaned of control characters; a ``Text`` cell is the screen's own
styling and is kept as it is.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from coptui.domain.text import clean


def plain(cell: object) -> object:
    """``cell`` as the table should hold it: a ``str`` as plain, clean ``Text``."""
    return Text(clean(cell), end="") if isinstance(cell, str) else cell


class Table(DataTable[Any]):
    """A ``DataTable`` whose text cells are never markup."""

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*(plain(cell) for cell in cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, plain(value), **kwargs)

    def update_cell_at(self, coordinate: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell_at(coordinate, plain(value), **kwargs)
