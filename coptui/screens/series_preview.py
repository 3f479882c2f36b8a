"""A series in the event form and the planner: every clash of every date, and the question
whether to save without those dates.

The preview rows come from ``services.series.preview_series`` (a new series) or
``services.series_edits.preview_series_edit`` (a series edited as a series); both carry a
start, the clashes there (every holder) and the name of a non-working day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any, ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from coptui.domain.text import clean, clean_notes
from coptui.i18n import N_, _, ngettext, translate_bindings

SCOPES = (
    ("this", N_("Only this")),
    ("following", N_("This and following")),
    ("all", N_("Whole series")),
)
LINES_IN_THE_FORM = 4  # the form shows this many dates; the dialog before saving shows all


class Dated(Protocol):
    """One occurrence of a preview."""

    @property
    def start(self) -> datetime: ...
    @property
    def clashes(self) -> Sequence[Any]: ...
    @property
    def holiday(self) -> str | None: ...


class DatesBlocked(Exception):
    """Some dates of a series cannot be saved as asked; the person decides what to do."""

    def __init__(self, lines: list[str], holidays: int) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.holidays = holidays


def blocked(preview: Sequence[Dated], *, holidays_too: bool = True) -> list[Dated]:
    """The occurrences that clash, or fall on a non-working day when ``holidays_too``."""
    return [o for o in preview if o.clashes or (holidays_too and o.holiday)]


def date_lines(preview: Sequence[Dated]) -> list[str]:
    """One line per blocked date, naming every holder there (not only the first)."""
    from coptui.domain.timeutil import SOFIA

    lines = []
    for o in preview:
        day = f"{o.start.astimezone(SOFIA):%d.%m.%Y}"
        reasons = [c.describe() for c in o.clashes] + ([o.holiday] if o.holiday else [])
        if reasons:
            lines.append(f"{day}: " + "; ".join(reasons))
    return lines


def check_text(preview: Sequence[Dated]) -> str:
    """The form's live check of a series: the counts, then the first dates in the way."""
    clashing = sum(1 for o in preview if o.clashes)
    holidays = sum(1 for o in preview if o.holiday)
    lines = [
        ngettext("{n} occurrence", "{n} occurrences", len(preview)).format(n=len(preview))
        + "; "
        + _("clashes: {c}; on non-working days: {h}.").format(c=clashing, h=holidays)
    ]
    dates = date_lines(preview)
    lines += dates[:LINES_IN_THE_FORM]
    if len(dates) > LINES_IN_THE_FORM:
        lines.append(
            _("(+{n} more; every one is listed before saving)").format(
                n=len(dates) - LINES_IN_THE_FORM
            )
        )
    return "\n".join(lines)


def raise_if_blocked(preview: Sequence[Dated], *, holidays_too: bool) -> None:
    """Stop a save whose series has dates in the way, listing every one of them.

    Raises:
        DatesBlocked: some occurrences clash (or fall on non-working days).
    """
    found = blocked(preview, holidays_too=holidays_too)
    if found:
        raise DatesBlocked(date_lines(found), holidays=sum(1 for o in found if o.holiday))


class SkipDates(ModalScreen[str | None]):
    """Every date in the way, and the choice: save without them, with holidays, or back.

    Returns ``skip``, ``holidays`` (save on the non-working days too, without the clashes),
    or ``None`` (back to the form).
    """

    CSS_PATH = "dialogs.tcss"
    DEFAULT_CSS = """
    SkipDates .skip-dates { width: 90; }
    SkipDates #blocked-dates { height: auto; max-height: 12; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", N_("Back"))]

    def __init__(self, blocked: DatesBlocked, *, holidays_offered: bool = True) -> None:
        """``holidays_offered``: offer to save on the non-working days too (a new series)."""
        super().__init__()
        translate_bindings(self)
        self.blocked = blocked
        self.holidays_offered = holidays_offered

    def compose(self) -> ComposeResult:
        count = len(self.blocked.lines)
        with Vertical(classes="dialog skip-dates"):
            yield Label(_("Dates in the way"), classes="dialog-title")
            yield Static(
                ngettext(
                    "{n} date of the series cannot be saved as asked:",
                    "{n} dates of the series cannot be saved as asked:",
                    count,
                ).format(n=count),
                markup=False,
            )
            with VerticalScroll(id="blocked-dates"):
                yield Static(clean_notes("\n".join(self.blocked.lines)), markup=False)
            with Horizontal(classes="buttons"):
                yield Button(Content(_("Save without these dates")), id="choice-skip")
                if self.blocked.holidays and self.holidays_offered:
                    yield Button(Content(_("Also on non-working days")), id="choice-holidays")
                yield Button(Content(_("Back")), id="choice-back")

    def on_mount(self) -> None:
        self.query_one("#choice-skip", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        answer = event.button.id.removeprefix("choice-")
        self.dismiss(None if answer == "back" else answer)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def scope_words(scope: str) -> str:
    """The scope as the form's title says it (clean text)."""
    return clean(_(dict(SCOPES).get(scope, scope)))


def check_series(
    session: Any,
    *,
    request: Any,
    repeat: str,
    hours: tuple[time, time],
    include_holidays: bool,
) -> tuple[str, list[Any]]:
    """The form's live check of a new series: every date in the way, and when any clash, the
    first free times of the whole series (for F2–F4).

    Returns:
        The text of the check and the free times.
    """
    from coptui.domain.recurrence import RecurrenceError, parse_repeat
    from coptui.domain.timeutil import SOFIA
    from coptui.services.series import preview_series
    from coptui.services.slots import WorkingHours, free_slots

    try:
        rule = parse_repeat(repeat)
    except RecurrenceError as exc:
        return str(exc), []
    preview = preview_series(session, request=request, rule=rule)
    free: list[Any] = []
    if any(o.clashes for o in preview):
        free = free_slots(
            session,
            centre_id=request.centre_id,
            rule=rule,
            duration=request.end - request.start,
            first_day=request.start.astimezone(SOFIA).date(),
            days=28,
            staff_ids=request.staff_ids,
            case_ids=request.case_ids,
            volunteer_ids=request.volunteer_ids,
            room_id=request.room_id,
            hours=WorkingHours(*hours),
            not_before=request.start,
            include_holidays=include_holidays,
        )
    return check_text(preview), free


def save_series_edit(
    session: Any,
    *,
    event_id: int,
    version: int,
    changes: Any,
    scope: str,
    allow_non_working_day: bool,
    skip_blocked: bool,
) -> tuple[int, str]:
    """Save an occurrence and the following ones (or all), once its dates are clear.

    Returns:
        The id to put the cursor on and what to tell the person.

    Raises:
        DatesBlocked: some new dates clash or are non-working days, and ``skip_blocked`` is
            not set yet (nothing is written).
    """
    from coptui.errors import RefusedError
    from coptui.services.series_edits import edit_series, preview_series_edit

    planned = preview_series_edit(
        session,
        event_id=event_id,
        changes=changes,
        scope=scope,
        allow_non_working_day=allow_non_working_day,
    )
    if not skip_blocked:
        raise_if_blocked(planned, holidays_too=True)
    saved = edit_series(
        session,
        event_id=event_id,
        version=version,
        changes=changes,
        scope=scope,
        allow_non_working_day=allow_non_working_day,
        skip_blocked=skip_blocked,
    )
    if not saved:
        raise RefusedError(_("No occurrence of the series can take the change."))
    ids = [s.id for s in saved]
    kept = len(planned) - len(saved)
    message = ngettext("Saved {n} occurrence.", "Saved {n} occurrences.", len(saved)).format(
        n=len(saved)
    )
    if kept:
        message += " " + ngettext("{n} left as it was.", "{n} left as they were.", kept).format(
            n=kept
        )
    return (event_id if event_id in ids else ids[0]), message
