"""What the printed week's PDF and text share: the words of its header, its days, its hours.

No drawing here: which days are shown (an empty weekend folds away), which hours (the centre's,
widened to every event), each event's local times, and who and where in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from coptui.domain.timeutil import SOFIA, clock_span
from coptui.domain.whose import WHOSE
from coptui.i18n import N_, _

if TYPE_CHECKING:
    from coptui.services.calendar import EventRow
    from coptui.services.printed_week import PrintedDay, PrintedWeek

DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


@dataclass(frozen=True)
class Piece:
    """An event's part on one day, in local wall-clock minutes from that day's midnight."""

    event: EventRow
    day: date
    start_minute: int
    end_minute: int
    start: datetime  # local (Europe/Sofia)
    end: datetime  # local

    @property
    def times(self) -> str:
        """«09:00–10:30» (the real start and end, even when the event crosses midnight)."""
        return clock_span(self.start, self.end)

    @property
    def start_text(self) -> str:
        """«09:00» (when the start and end do not both fit)."""
        return f"{self.start:%H:%M}"


def pieces(week: PrintedWeek) -> dict[date, list[Piece]]:
    """Each day's events, cut at midnight, by start."""
    found: dict[date, list[Piece]] = {d.day: [] for d in week.days}
    last_day = week.monday + timedelta(days=6)
    for event in week.events:
        start, end = event.start.astimezone(SOFIA), event.end.astimezone(SOFIA)
        day = max(start.date(), week.monday)
        while day <= min(end.date(), last_day):
            begin = _minute(start) if day == start.date() else 0
            finish = _minute(end) if day == end.date() else 24 * 60
            if finish > begin:  # an event that ends at midnight has no piece on the next day
                found[day].append(Piece(event, day, begin, finish, start, end))
            day += timedelta(days=1)
    for day_pieces in found.values():
        day_pieces.sort(key=lambda p: (p.start_minute, p.end_minute, p.event.id))
    return found


def _minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def where_who(piece: Piece, week: PrintedWeek) -> str:
    """«Кабинет 1 · Мария Петрова»: the room and the staff, less the one whose week it is."""
    room = piece.event.room or ""
    staff = list(piece.event.staff)
    if week.kind == "room" and room == week.name:
        room = ""
    if week.kind == "staff" and week.name in staff:
        staff.remove(week.name)
    return " · ".join(p for p in (room, ", ".join(staff)) if p)


def shown_days(week: PrintedWeek, by_day: dict[date, list[Piece]]) -> list[PrintedDay]:
    """Monday to Sunday, or to Friday when nothing happens at the weekend."""
    if any(by_day[d.day] for d in week.days[5:]):
        return list(week.days)
    return list(week.days[:5])


def hours(by_day: dict[date, list[Piece]], day_start: time, day_end: time) -> tuple[int, int]:
    """The first and last minute of the grid: whole hours around the day and every event."""
    first = day_start.hour * 60 + day_start.minute
    last = day_end.hour * 60 + day_end.minute
    for day_pieces in by_day.values():
        for piece in day_pieces:
            first = min(first, piece.start_minute)
            last = max(last, piece.end_minute)
    first = first // 60 * 60
    last = min(-(-last // 60) * 60, 24 * 60)
    return first, max(last, first + 60)


def day_name(day: date) -> str:
    """«Понеделник» (in the language in use)."""
    return _(DAY_NAMES[day.weekday()])


def whose(week: PrintedWeek) -> str:
    """«Зала: Голяма зала»."""
    return f"{_(WHOSE.get(week.kind, N_('Centre')))}: {week.name}"


def week_words(week: PrintedWeek) -> str:
    """«Седмица 30.11 – 06.12.2026»."""
    last = week.monday + timedelta(days=6)
    return _("Week {start} – {end}").format(start=f"{week.monday:%d.%m}", end=f"{last:%d.%m.%Y}")


def printed_words(printed: datetime) -> str:
    """«Отпечатано на 24.11.2026 в 14:05»."""
    local = printed.astimezone(SOFIA)
    return _("Printed on {day} at {time}").format(day=f"{local:%d.%m.%Y}", time=f"{local:%H:%M}")


def folded_words() -> str:
    """The note that says the weekend was left out."""
    return _("Saturday and Sunday: nothing planned.")
