"""The first run on an empty database: welcome, create the centre, then its group room."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakSet

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Label, Static

from coptui.i18n import N_, _, translate_bindings
from coptui.screens.record_form import RecordForm

if TYPE_CHECKING:
    from coptui.screens.backend import Backend
    from coptui.services.setup import Record


class Welcome(ModalScreen[str | None]):
    """«Добре дошли»: what coptui needs before the first week, and the demo for a first look."""

    CSS_PATH = "dialogs.tcss"
    # Textual focuses it once the screen is up (a query in on_mount found nothing when the
    # app was already closing).
    AUTO_FOCUS = "#choice-start"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", N_("Back"))]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog welcome"):
            yield Label(_("Welcome to coptui"), classes="dialog-title")
            yield Static(
                _(
                    "This database has no centre yet. Two short steps set it up: the centre"
                    " (name, town, number of places), then its group room. After that the"
                    " planner shows the room's week, and the directory (key r) takes the"
                    " specialists, volunteers, cases and programmes."
                ),
                classes="message",
            )
            yield Static(
                _(
                    "Just looking? Quit and run `coptui demo`: a centre with invented people"
                    " and four weeks of events."
                ),
                classes="message hint",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Set up the centre"), id="choice-start", variant="primary")
                yield Button(_("Quit"), id="choice-quit")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.dismiss(event.button.id.removeprefix("choice-"))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


# The planners the path was offered on (it opens once per planner, not on every reload).
_OFFERED: WeakSet[Screen[Any]] = WeakSet()


def offer_first_run(screen: Screen[Any], backend: Backend, done: Callable[[], None]) -> None:
    """Start the first-run path over ``screen`` unless a dialog is already open on it.

    Args:
        screen: the planner (the path opens only while it is the screen on top).
        backend: the engine and today.
        done: called when the path ends with something created (the planner reloads).
    """
    app = screen.app
    if app.screen is not screen or screen in _OFFERED:
        return
    _OFFERED.add(screen)  # once: declined, the planner stays usable (r reaches the directory)

    def welcomed(answer: str | None) -> None:
        if answer == "quit":
            app.exit()
        elif answer == "start":
            app.push_screen(centre_form(backend), centre_made)

    def centre_made(centre: Record | None) -> None:
        if centre is None:
            app.push_screen(Welcome(), welcomed)
            return
        app.push_screen(room_form(backend, centre.id), lambda _room: done())

    app.push_screen(Welcome(), welcomed)


def centre_form(backend: Backend) -> RecordForm:
    """Step 1: the centre's name, town and places."""
    return RecordForm(
        kind="centre",
        backend=backend,
        centre_id=None,
        only=("name", "town", "capacity"),
        title=_("Step 1 of 2: the centre"),
        intro=_(
            "The name as the funder's order writes it, the town, and the number of places"
            " (service users at once). The address and later changes of places: in the directory."
        ),
    )


def room_form(backend: Backend, centre_id: int) -> RecordForm:
    """Step 2: the group room (its kind is set; the name is offered)."""
    return RecordForm(
        kind="room",
        backend=backend,
        centre_id=centre_id,
        only=("name", "seats", "area"),
        preset={"kind": "group_room", "name": _("Group room")},
        title=_("Step 2 of 2: the group room"),
        intro=_(
            "Where group work and trainings happen. Offices and other places can be added"
            " later in the directory (key r)."
        ),
    )
