"""The smallest Textual app, started the same way as coptui, as the yardstick of bench/ui.py.

Its ``w`` changes its one line: the floor of a key's way through the terminal and back.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class Bare(App[None]):
    """One line of text and a footer."""

    BINDINGS = [("w", "next", "Next")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.pressed = 0

    def compose(self) -> ComposeResult:
        yield Static("bare ready")
        yield Footer()

    def action_next(self) -> None:
        self.pressed += 1
        self.query_one(Static).update(f"bare key {self.pressed}")


if __name__ == "__main__":
    Bare().run()
