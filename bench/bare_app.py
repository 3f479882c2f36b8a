"""The smallest Textual app, started the same way as coptui, as the yardstick of bench/ui.py."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class Bare(App[None]):
    """One line of text and a footer."""

    def compose(self) -> ComposeResult:
        yield Static("bare ready")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
