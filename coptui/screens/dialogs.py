"""Small modal dialogs: a question with one answer, a choice of buttons, help, the picker.

Titles, prompts and messages often carry stored text (an event's title, a person's name), so
the dialogs show them as plain text, never as markup, and with control characters made
harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coptui.domain.text import clean, clean_notes
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.choice import Choice


class Ask(ModalScreen[str | None]):
    """One line of text, checked before the dialog closes; Escape gives ``None``."""

    CSS_PATH = "dialogs.tcss"  # read when a dialog first opens, not at startup

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", N_("Back"))]

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        value: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(clean(self.title_text), classes="dialog-title", markup=False)
            yield Static(clean(self.prompt), classes="prompt", markup=False)  # wraps
            yield Input(value=clean(self.value), id="answer")
            yield Static("", id="problem", classes="problem", markup=False)
            yield Static(_("Enter: confirm · Esc: back"), classes="hint")

    @on(Input.Submitted, "#answer")
    def submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check else None
        if problem:
            self.query_one("#problem", Static).update(clean_notes(problem))
            return
        self.dismiss(event.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class Choose(ModalScreen[str | None]):
    """A question with a few answers as buttons; Escape gives ``None``."""

    CSS_PATH = "dialogs.tcss"  # read when a dialog first opens, not at startup

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", N_("Back"))]

    def __init__(
        self,
        title: str,
        message: str,
        choices: Sequence[tuple[str, str]],
        *,
        focus: str | None = None,
    ) -> None:
        """``focus`` names the answer that Enter gives at once (the first by default)."""
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.message = message
        self.choices = choices
        self.focus_key = focus

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(clean(self.title_text), classes="dialog-title", markup=False)
            yield Static(clean_notes(self.message), classes="message", markup=False)
            with Horizontal(classes="buttons"):
                for key, label in self.choices:
                    yield Button(Content(clean(label)), id=f"choice-{key}")

    def on_mount(self) -> None:
        if self.focus_key is not None:
            self.query_one(f"#choice-{self.focus_key}", Button).focus()
        else:
            self.query(Button).first().focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.dismiss(event.button.id.removeprefix("choice-"))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class Help(ModalScreen[None]):
    """«Помощ»: every key of the screen underneath."""

    CSS_PATH = "dialogs.tcss"  # read when a dialog first opens, not at startup

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss_none", N_("Close"))
    ]

    def __init__(self, keys: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        translate_bindings(self)
        self.keys = keys

    def compose(self) -> ComposeResult:
        from rich.table import Table

        # Keys in one column, what they do in the other, wrapped under itself; the list
        # scrolls when the terminal is short.
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key, description in self.keys:
            table.add_row(key, description)
        with Vertical(classes="dialog help"):
            title, hint = _("Help"), _("Esc: close · ↑↓: scroll")
            yield Label(f"{title} · {hint}", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


# The Bulgarian streamlined transliteration (Закон за транслитерацията, 2009): a person at a
# Latin keyboard finds «Милена» by typing "milena".
_LATIN = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъьюя",
        "a b v g d e zh z i y k l m n o p r s t u f h ts ch sh sht a y yu ya".split(),  # noqa: SIM905
        strict=True,
    )
)


def to_latin(text: str) -> str:
    """``text`` with its Cyrillic letters in the Bulgarian streamlined transliteration."""
    return "".join(_LATIN.get(ch, ch) for ch in text.casefold())


def fuzzy_score(query: str, text: str) -> int | None:
    """How well ``query`` matches ``text`` (lower is better), or ``None``.

    Case and Cyrillic/Latin case folding are handled by ``casefold``; the letters of the query
    must appear in order. A match at a word start or as one run scores better.
    """
    wanted = query.casefold().strip()
    if not wanted:
        return 0
    haystack = text.casefold()
    if wanted in haystack:
        at = haystack.index(wanted)
        return at if at == 0 or haystack[at - 1] in ' -„"(' else 10 + at
    position = 0
    gaps = 0
    for letter in wanted:
        found = haystack.find(letter, position)
        if found < 0:
            return None
        gaps += found - position
        position = found + 1
    return 100 + gaps


class Picker(ModalScreen[Choice | None]):
    """Type to find a room, a staff member, a volunteer, a case or a programme."""

    CSS_PATH = "dialogs.tcss"  # read when a dialog first opens, not at startup

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", N_("Back")),
        Binding("down", "cursor(1)", show=False),
        Binding("up", "cursor(-1)", show=False),
    ]

    def __init__(
        self, choices: Sequence[Choice], kinds: dict[str | None, str], *, title: str | None = None
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.choices = list(choices)
        self.kinds = kinds
        self.shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text or _("Whose week?"), classes="dialog-title", markup=False)
            yield Input(placeholder=_("Type a name, a room, a case code…"), id="query")
            yield OptionList(id="found")
            yield Static(_("Enter: open · ↑↓: choose · Esc: back"), classes="hint")

    def on_mount(self) -> None:
        self.refilter("")

    @on(Input.Changed, "#query")
    def changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def refilter(self, query: str) -> None:
        scored = []
        for n, choice in enumerate(self.choices):
            score = fuzzy_score(query, choice.name)
            if score is None:
                latin = fuzzy_score(query, to_latin(choice.name))
                score = None if latin is None else latin + 5
            if score is None:
                score = fuzzy_score(query, choice.detail)
                score = None if score is None else score + 50
            if score is not None:
                scored.append((score, n, choice))
        scored.sort(key=lambda item: (item[0], item[1]))
        self.shown = [choice for _s, _n, choice in scored[:200]]
        options = self.query_one("#found", OptionList)
        options.clear_options()
        # Names are stored text: each option is plain Content, never markup.
        options.add_options(
            Option(
                Content(
                    clean(
                        f"{self.kinds.get(c.kind, '')}: {c.name}"
                        + (f"  ({c.detail})" if c.detail else "")
                    )
                )
            )
            for c in self.shown
        )
        if self.shown:
            options.highlighted = 0

    def action_cursor(self, step: int) -> None:
        options = self.query_one("#found", OptionList)
        if self.shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(current + step, len(self.shown) - 1))

    @on(Input.Submitted, "#query")
    def submitted(self) -> None:
        options = self.query_one("#found", OptionList)
        if self.shown and options.highlighted is not None:
            self.dismiss(self.shown[options.highlighted])

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
