"""The floor of bench/attendance.py: a bare Textual app whose `a` pushes a screen with a table
of 30 rows (no database), the same widgets the attendance register draws."""

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static


class Table(Screen[None]):
    """A title, 30 rows and a summary line."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Static("table")
        yield DataTable()
        yield Static("bare rows: 30")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("code", "mark", "name", "note")
        for n in range(30):
            table.add_row(f"БЕНЧ-{n:03}", "не е отбелязано", f"Дете {n}", "")


class Bare(App[None]):
    """One line of text; `a` opens the table."""

    BINDINGS = [("a", "table", "Table")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Static("bare ready")
        yield Footer()

    def action_table(self) -> None:
        self.push_screen(Table())


if __name__ == "__main__":
    Bare().run()
