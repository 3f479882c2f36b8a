"""The volunteers of one event: who holds a place, who cannot come, and the substitute finder's
ranked candidates with why; the coordinator's roster warnings for the planner's status line.

Everything here acts on one occurrence: a substitute covers that session only, never its series.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from coptui.domain.text import clean
from coptui.i18n import N_, _, translate_bindings
from coptui.screens.host import forward_failure

if TYPE_CHECKING:
    from textual.widget import Widget

    from coptui.screens.backend import Backend
    from coptui.services.substitutes import Candidate, Substitutes


def read_roster_warnings(
    node: Widget,
    backend: Backend,
    *,
    centre_id: int,
    days: int,
    done: Callable[[list[str]], None],
) -> None:
    """Read the coordinator's roster warnings in a worker of ``node``; ``done`` gets them."""

    def read() -> None:
        from coptui.domain.timeutil import SOFIA, local
        from coptui.services.roster_reads import coordinator_warnings

        today = backend.today()
        now = datetime.now(SOFIA)
        if now.date() != today:  # a day chosen as today (the demo, tests): from its start
            now = local(today, time(0))
        found = backend.read(
            lambda conn: coordinator_warnings(conn, centre_id=centre_id, now=now, days=days)
        )
        node.app.call_from_thread(done, found)

    node.run_worker(
        read,
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="roster-warnings",
        name="roster-warnings",
    )


def candidate_line(n: int, candidate: Candidate) -> str:
    """One candidate and why: free, the skill asked for, the papers' dates, hours this month."""
    parts = [f"{n}. {candidate.name}" if n else candidate.name]
    if candidate.ranks:
        parts.append(_("free"))
        if candidate.matching:
            parts.append(_("skill: {skills}").format(skills=", ".join(candidate.matching)))
        else:
            parts.append(_("not the skill asked for"))
        agreement = candidate.agreement_ends
        certificate = candidate.certificate_ends
        parts.append(
            _("agreement until {day}").format(day=f"{agreement:%d.%m.%Y}")
            if agreement
            else _("agreement open-ended")
        )
        if certificate:
            parts.append(_("certificate until {day}").format(day=f"{certificate:%d.%m.%Y}"))
        minutes = candidate.minutes_this_month
        parts.append(
            _("{hours}:{minutes:02d} h this month").format(
                hours=minutes // 60, minutes=minutes % 60
            )
        )
        parts.extend(f"⚠ {w}" for w in candidate.warnings)
    else:
        if not candidate.free:
            parts.append(_("busy {where}").format(where=candidate.busy_with))
        if candidate.problem:
            parts.append(candidate.problem)
    return clean(" · ".join(parts))


class RosterScreen(ModalScreen[bool]):
    """One event's volunteer places; returns whether anything changed."""

    CSS_PATH = "dialogs.tcss"
    DEFAULT_CSS = """
    RosterScreen .roster { width: 100; max-width: 100%; height: auto; max-height: 100%; }
    RosterScreen OptionList { height: auto; max-height: 7; }
    RosterScreen #roster-note { display: none; }
    RosterScreen #roster-note.shown { display: block; }
    RosterScreen #holders { max-height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Back")),
        Binding("x", "decline", N_("Cannot come")),
    ]

    def __init__(self, *, event_id: int, backend: Backend) -> None:
        super().__init__()
        translate_bindings(self)
        self.event_id = event_id
        self.backend = backend
        self.found: Substitutes | None = None
        self.changed = False
        self.loads = 0  # finished loads, for tests

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog roster"):
            yield Label(_("Volunteers"), id="roster-title", classes="dialog-title")
            yield Static("", id="roster-head", markup=False)
            yield Static("", id="roster-note", markup=False)
            yield Label(_("Hold a place (x: cannot come to this session):"))
            yield OptionList(id="holders")
            yield Label(_("Candidates, best first:"))
            yield OptionList(id="candidates")
            yield Static(
                _("Enter: give the place · x: cannot come · Tab: next list · Esc: back"),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#candidates", OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster", name="load")
    def _load(self) -> Substitutes:
        from coptui.services.substitutes import find_substitutes
        from coptui.services.transaction import transact

        today = self.backend.today()
        return transact(
            self.backend.engine(),
            lambda s: find_substitutes(s, event_id=self.event_id, today=today),
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "write":
            forward_failure(self, event)
        if event.state is WorkerState.SUCCESS and event.worker.name == "load":
            result = event.worker.result
            assert result is not None
            self._show(result)
        elif event.worker.name == "write":
            note = self.query_one("#roster-note", Static)
            note.add_class("shown")
            if event.state is WorkerState.SUCCESS:
                note.update(str(event.worker.result))
                note.remove_class("problem")
                self.changed = True
                self._load()
            elif event.state is WorkerState.ERROR:
                from coptui.errors import CoptError

                error = event.worker.error
                note.update(error.message if isinstance(error, CoptError) else str(error))
                note.add_class("problem")

    def _show(self, found: Substitutes) -> None:
        from coptui.domain.timeutil import SOFIA
        from coptui.services.roster_reads import WEEKDAYS, open_places_text

        self.found = found
        start, end = found.start.astimezone(SOFIA), found.end.astimezone(SOFIA)
        when = f"{_(WEEKDAYS[start.weekday()])} {start:%d.%m.%Y %H:%M}–{end:%H:%M}"
        self.query_one("#roster-title", Label).update(
            Content(clean(f"{_('Volunteers')} · „{found.title}“ · {when}"))
        )
        places = open_places_text(found.open_places) or _("no open place")
        asked = ", ".join(found.asked) if found.asked else _("no particular skill")
        self.query_one("#roster-head", Static).update(
            _("Asked for: {asked} · {places}").format(asked=asked, places=places)
        )
        holders = self.query_one("#holders", OptionList)
        holders.clear_options()
        holders.add_options(Option(Content(name), id=f"v{vid}") for vid, name in found.holders)
        if found.holders:
            holders.highlighted = 0
        else:
            holders.add_option(Option(Content(_("nobody yet")), disabled=True))
        candidates = self.query_one("#candidates", OptionList)
        highlighted = candidates.highlighted
        candidates.clear_options()
        candidates.add_options(
            Option(Content(candidate_line(n, c)), id=f"v{c.volunteer_id}")
            for n, c in enumerate(found.ranked, start=1)
        )
        candidates.add_options(
            Option(Content(candidate_line(0, c)), id=f"v{c.volunteer_id}", disabled=True)
            for c in found.others
        )
        if found.ranked:
            candidates.highlighted = min(highlighted or 0, len(found.ranked) - 1)
        self.loads += 1

    @on(OptionList.OptionSelected, "#candidates")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None or self.found is None:
            return
        volunteer = int(event.option.id[1:])
        name = next(c.name for c in self.found.ranked if c.volunteer_id == volunteer)
        self._write("sign_up", volunteer, name)

    def action_decline(self) -> None:
        holders = self.query_one("#holders", OptionList)
        index = holders.highlighted
        if self.found is None or index is None or not self.found.holders:
            self.notify(_("Choose who cannot come in the first list."), timeout=4)
            return
        volunteer, name = self.found.holders[index]
        self._write("decline", volunteer, name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster", name="write")
    def _write(self, what: str, volunteer: int, name: str) -> str:
        from coptui.services.rosters import decline, sign_up
        from coptui.services.transaction import transact

        engine = self.backend.engine()
        if what == "decline":
            transact(engine, lambda s: decline(s, event_id=self.event_id, volunteer_id=volunteer))
            return _("{name} cannot come to this session; the place is open again.").format(
                name=name
            )
        transact(engine, lambda s: sign_up(s, event_id=self.event_id, volunteer_id=volunteer))
        return _("{name} has the place in this session.").format(name=name)

    def action_close(self) -> None:
        self.dismiss(self.changed)
