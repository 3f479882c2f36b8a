"""The form that adds or edits one record of the directory, built from its kind's fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from coptui.domain.fields import FIELDS, FieldSpec
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.form_flow import FormFlow
from coptui.screens.host import forward_failure

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.screens.backend import Backend
    from coptui.services.setup import Record

# What a field expects when its spec gives no hint of its own.
HINTS = {
    "date": N_("dd.mm.yyyy, e.g. 01.03.2027"),
    "list": N_("separated by commas"),
    "staff": N_("a specialist's name"),
    "room": N_("a room's name"),
    "decimal": N_("a number, e.g. 48,30"),
}
TITLES = {
    "centre": (N_("New centre"), N_("The centre")),
    "room": (N_("New room"), N_("Room")),
    "staff": (N_("New specialist"), N_("Specialist")),
    "volunteer": (N_("New volunteer"), N_("Volunteer")),
    "case": (N_("New case"), N_("Case")),
    "programme": (N_("New programme"), N_("Programme")),
    "closure": (N_("New non-working day"), N_("Non-working day")),
}


def choice_value(spec: FieldSpec, text: str) -> str | None:
    """The stored code of a choice shown as ``text`` (its code, its label or one of its words)."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for choice in spec.choices:
        names = (choice.value, choice.label, _(choice.label), *choice.words)
        if wanted in (name.casefold() for name in names):
            return choice.value
    return None


def shown_value(spec: FieldSpec, text: str) -> str:
    """A field's value as a person reads it: a choice by its translated label."""
    if spec.type == "choice":
        code = choice_value(spec, text)
        for choice in spec.choices:
            if choice.value == code:
                return _(choice.label)
    return text


class RecordForm(FormFlow["Record | None"]):
    """Add or edit a record of one kind; returns the record saved, or ``None``.

    Args:
        kind: "centre", "room", "staff", "volunteer", "case", "programme" or "closure".
        backend: the engine and today (see ``screens.backend``).
        centre_id: the centre (``None`` only when the centre itself is created).
        record: the record to edit; ``None`` adds a new one.
        only: the names of the fields to show (all of the kind's when ``None``).
        preset: starting values; those of fields not shown are saved as they are.
        title: the form's title (else «Нова зала», «Зала», …).
        intro: a line or two above the fields (the first-run path explains itself).
    """

    CSS_PATH = ["dialogs.tcss", "record_form.tcss"]  # noqa: RUF012 (Textual reads it as is)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "close", N_("Back")),
    ]

    def __init__(
        self,
        *,
        kind: str,
        backend: Backend,
        centre_id: int | None,
        record: Record | None = None,
        only: Sequence[str] | None = None,
        preset: Mapping[str, str] | None = None,
        title: str | None = None,
        intro: str = "",
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.kind = kind
        self.backend = backend
        self.centre_id = centre_id
        self.record = record
        self.specs = [s for s in FIELDS[kind] if only is None or s.name in only]
        self.preset = dict(preset or {})
        self.title_text = title or _(TITLES[kind][0 if record is None else 1])
        self.intro = intro
        self.initial = self._initial(record)
        self.errors: dict[str, str] = {}
        self.tried = False  # a save was attempted: show every problem, not only touched fields
        self.checks = 0  # finished checks, for tests

    def _initial(self, record: Record | None) -> dict[str, str]:
        """The values the form starts from (choices by their codes)."""
        values = {}
        if record is None:
            values = {s.name: s.default for s in FIELDS[self.kind] if s.default}
        values.update(self.preset)
        if record is not None:
            values.update(record.values)
        for spec in FIELDS[self.kind]:
            if spec.type == "choice" and spec.name in values:
                values[spec.name] = choice_value(spec, values[spec.name]) or ""
        return values

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            if self.intro:
                yield Static(self.intro, classes="intro", markup=False)
            with VerticalScroll(id="fields"):
                for spec in self.specs:
                    with Horizontal(classes="field"):
                        mark = " *" if spec.required else ""
                        yield Label(_(spec.label) + mark, classes="field-label")
                        yield self._widget(spec)
                    yield Static("", id=f"error-{spec.name}", classes="field-error", markup=False)
            yield Static("", id="note", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Save"), id="save", variant="primary", compact=True)
                yield Button(_("Back"), id="back", compact=True)
            yield Static(
                _("Ctrl+S: save · Esc: back · Tab: next field · * required"), classes="hint"
            )

    def _widget(self, spec: FieldSpec) -> Input | Select[str]:
        value = self.initial.get(spec.name, "")
        if spec.type == "choice":
            options = [(_(c.label), c.value) for c in spec.choices]
            return Select(
                options,
                prompt="—",
                value=value if value else Select.NULL,
                id=f"field-{spec.name}",
                compact=True,
            )
        hint = _(spec.help) if spec.help else _(HINTS[spec.type]) if spec.type in HINTS else ""
        return Input(value=value, placeholder=hint, id=f"field-{spec.name}", compact=True)

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False
        if self.specs:
            self.query_one(f"#field-{self.specs[0].name}").focus()
        if self.centre_id is not None and any(s.type in ("staff", "room") for s in self.specs):
            self._load_names()
        self._recheck()

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-names", name="names")
    def _load_names(self) -> None:
        from coptui.db import session_scope
        from coptui.services.directory import entries

        assert self.centre_id is not None
        engine = self.backend.engine()
        with session_scope(engine) as session:
            names = {
                kind: [e.name for e in entries(session, centre_id=self.centre_id, kind=plural)]
                for kind, plural in (("staff", "staff"), ("room", "rooms"))
            }
        self.app.call_from_thread(self._suggest, names)

    def _suggest(self, names: dict[str, list[str]]) -> None:
        for spec in self.specs:
            if spec.type in names:
                field = self.query_one(f"#field-{spec.name}", Input)
                field.suggester = SuggestFromList(names[spec.type], case_sensitive=False)

    # -- checking as you type ---------------------------------------------------------------

    def _put(self, spec: FieldSpec, value: str) -> None:
        widget = self.query_one(f"#field-{spec.name}")
        if isinstance(widget, Select):
            widget.value = value if value else Select.NULL
        else:
            assert isinstance(widget, Input)
            widget.value = value

    def typed(self) -> dict[str, str]:
        """Every value of the form as typed (the preset ones of hidden fields included)."""
        values = dict(self.preset)
        for spec in self.specs:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                values[spec.name] = "" if widget.is_blank() else str(widget.value)
            else:
                assert isinstance(widget, Input)
                values[spec.name] = widget.value
        return values

    def changed(self) -> dict[str, str]:
        """The values that differ from what the form started with."""
        return {k: v for k, v in self.typed().items() if v != self.initial.get(k, "")}

    @on(Input.Changed)
    @on(Select.Changed)
    def _on_change(self) -> None:
        self._recheck()

    def _recheck(self) -> None:
        from coptui.services.setup import check_values

        typed = self.typed()
        self.errors = check_values(
            kind=self.kind,
            values=typed,
            today=self.backend.today(),
            partial=self.record is not None,
        )
        shown = {s.name for s in self.specs}
        for spec in self.specs:
            touched = typed.get(spec.name, "") != self.initial.get(spec.name, "")
            message = self.errors.get(spec.name, "") if touched or self.tried else ""
            error = self.query_one(f"#error-{spec.name}", Static)
            error.update(message)
            error.display = bool(message)
        hidden = [m for name, m in self.errors.items() if name not in shown]
        note = self.query_one("#note", Static)
        if hidden:
            note.update("\n".join(hidden))
            note.add_class("problem")
        elif note.has_class("problem") and not self.tried:
            note.update("")
            note.remove_class("problem")
        self.query_one("#save", Button).disabled = bool(self.errors)
        self.checks += 1

    # -- saving -----------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_close()

    def action_save(self) -> None:
        self.tried = True
        self._recheck()
        note = self.query_one("#note", Static)
        if self.errors:
            first = next((s for s in self.specs if s.name in self.errors), None)
            if first is not None:
                self.query_one(f"#field-{first.name}").focus()
            note.update(_("Correct the marked fields first."))
            note.add_class("problem")
            return
        if self.record is not None and not self.changed():
            self.dismiss(self.record)
            return
        note.remove_class("problem")
        note.update(_("Saving…"))
        self._save(self.typed() if self.record is None else self.changed())

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-save", name="save")
    def _save(self, values: dict[str, str]) -> Record:
        from coptui.services.setup import add_record, edit_record
        from coptui.services.transaction import transact

        engine = self.backend.engine()
        today = self.backend.today()
        record = self.record
        if record is None:
            return transact(
                engine,
                lambda s: add_record(
                    s, centre_id=self.centre_id, kind=self.kind, values=values, today=today
                ),
            )
        centre_id = record.id if self.kind == "centre" else self.centre_id
        assert centre_id is not None
        return transact(
            engine,
            lambda s: edit_record(
                s,
                centre_id=centre_id,
                kind=self.kind,
                record_id=record.id,
                version=record.version,
                values=values,
                today=today,
            ),
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "save":
            forward_failure(self, event)  # a save's failure is said in the form itself
            return
        if event.state is WorkerState.SUCCESS:
            self.app.notify(_("Saved."), timeout=3)
            self.dismiss(event.worker.result)
        elif event.state is WorkerState.ERROR:
            self._save_failed(event.worker.error)

    def _save_failed(self, error: BaseException | None) -> None:
        from coptui.errors import CoptError, StaleEditError

        if isinstance(error, StaleEditError):
            self.offer_reload(error)
            return
        note = self.query_one("#note", Static)
        note.add_class("problem")
        note.update(error.message if isinstance(error, CoptError) else str(error))

    # -- Esc and the reload after a stale save (see FormFlow) -------------------------------

    def form_values(self) -> dict[str, str]:
        return self.typed()

    def base_values(self) -> dict[str, str]:
        return self.initial

    def fill(self, values: dict[str, str]) -> None:
        for spec in self.specs:
            if spec.name in values:
                self._put(spec, values[spec.name])

    def form_engine(self) -> Engine:
        return self.backend.engine()

    def read_current(self, session: Any) -> Record:
        from coptui.services.setup import get_record

        record = self.record
        assert record is not None
        centre_id = record.id if self.kind == "centre" else self.centre_id
        assert centre_id is not None
        return get_record(
            session,
            centre_id=centre_id,
            kind=self.kind,
            record_id=record.id,
            today=self.backend.today(),
        )

    def rebase(self, current: Record) -> dict[str, str]:
        self.record = current
        self.initial = self._initial(current)
        return {**{spec.name: "" for spec in self.specs}, **self.initial}

    def after_reload(self) -> None:
        self._recheck()
