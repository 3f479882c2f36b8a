"""What every form does with typing nobody saved: Esc asks before throwing it away, and a stale
save offers to reload the record with what was typed kept on top of their version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from coptui.i18n import _
from coptui.screens.dialogs import Choose

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.errors import StaleEditError

ResultT = TypeVar("ResultT")


def merge(mine: dict[str, str], base: dict[str, str], theirs: dict[str, str]) -> dict[str, str]:
    """The fields after a reload: mine where I changed ``base``, theirs everywhere else."""
    return {
        key: mine[key] if key in mine and mine[key] != base.get(key, "") else value
        for key, value in theirs.items()
    }


def ask_discard(screen: Screen[Any], discard: Callable[[], object]) -> None:
    """Ask before typing nobody saved is thrown away; ``discard`` it only on a yes."""

    def answered(answer: str | None) -> None:
        if answer == "yes":
            discard()

    screen.app.push_screen(
        Choose(
            _("Unsaved changes"),
            _("Discard your changes?"),
            [("yes", _("Yes")), ("no", _("No"))],
            focus="no",
        ),
        answered,
    )


class FormFlow(ModalScreen[ResultT]):
    """A form's way with unsaved typing (``EventForm`` and ``RecordForm`` build on it).

    A form says what it holds (``form_values``, ``base_values``, ``fill``) and how to read its
    record again (``read_current``, ``rebase``); this class asks and reloads. Its Static
    ``#note`` says what happened.
    """

    def form_values(self) -> dict[str, str]:
        """Every field as typed now."""
        raise NotImplementedError

    def base_values(self) -> dict[str, str] | None:
        """The fields as last read (or as the form started): what counts as typed is what
        differs from them. ``None`` while a record is still loading (nothing to lose yet)."""
        raise NotImplementedError

    def fill(self, values: dict[str, str]) -> None:
        """Put these values in the form's fields."""
        raise NotImplementedError

    def form_engine(self) -> Engine:
        """The engine to read the record again with (from a thread worker)."""
        raise NotImplementedError

    def read_current(self, session: Any) -> Any:
        """The record as it is now in the database (in a thread worker)."""
        raise NotImplementedError

    def rebase(self, current: Any) -> dict[str, str]:
        """Take ``current`` as the version the next save builds on; return its fields."""
        raise NotImplementedError

    def changes_named(self, base: dict[str, str], theirs: dict[str, str]) -> list[str]:
        """Their changes in words («начало 10:00 → 11:00»); a form may leave them unnamed."""
        return []

    def after_reload(self) -> None:
        """Anything a form does once the reload is in its fields."""

    # -- Esc --------------------------------------------------------------------------------

    def action_close(self) -> None:
        """Back; if something was typed, ask first."""
        base = self.base_values()
        if base is None or all(v == base.get(k, "") for k, v in self.form_values().items()):
            self.dismiss(None)
            return
        ask_discard(self, lambda: self.dismiss(None))

    # -- a stale save -----------------------------------------------------------------------

    def offer_reload(self, error: StaleEditError) -> None:
        """Someone else saved first: say who, and offer to reload."""
        note = self.query_one("#note", Static)
        note.add_class("problem")
        note.update(error.message)

        def reload(answer: str | None) -> None:
            if answer == "reload":
                self.reload_version()

        self.app.push_screen(
            Choose(
                error.title,
                error.message
                + "\n"
                + _("Reload takes their version as the base; what you typed stays."),
                [("reload", _("Reload")), ("back", _("Back"))],
            ),
            reload,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-reload", name="reload")
    def reload_version(self) -> None:
        """Read the record again and merge it under what was typed."""
        from coptui.db import session_scope

        with session_scope(self.form_engine()) as session:
            current = self.read_current(session)
        self.app.call_from_thread(self._reloaded, current)

    def _reloaded(self, current: Any) -> None:
        # Their version becomes the base: the fields this person did not touch take their
        # values, the ones typed here stay (and are what the next save sends).
        base = self.base_values() or {}
        mine = self.form_values()
        theirs = self.rebase(current)
        self.fill({k: v for k, v in merge(mine, base, theirs).items() if v != mine.get(k)})
        lines = [_("Reloaded. Your changes are still in the form; save again to keep them.")]
        changes = self.changes_named(base, theirs)
        if changes:
            lines.append(_("Changed by someone else: {changes}").format(changes="; ".join(changes)))
        note = self.query_one("#note", Static)
        note.remove_class("problem")
        note.update("\n".join(lines))
        self.after_reload()
