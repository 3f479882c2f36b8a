"""Recurrence: dateutil RRULEs expanded in the centre's zone, and the ``--repeat`` syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from coptui.domain.timeutil import check_day, local_checked
from coptui.errors import BadInputError
from coptui.i18n import N_, _, ngettext, with_vav

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_WORDS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "нд": 6,
}  # fmt: skip
MAX_OCCURRENCES = 400
MAX_INTERVAL = 52


class RecurrenceError(ValueError):
    """A rule that cannot be used; the message says why, in the user's language."""


@dataclass(frozen=True)
class Recurrence:
    """A repetition: weekly (every ``interval`` weeks, on ``weekdays``) or monthly.

    Exactly one of ``count`` and ``until`` ends it. Monthly repeats on the same date, or
    with ``by_weekday`` on the same weekday of the month (e.g. the second Tuesday).
    """

    freq: str = "weekly"
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    by_weekday: bool = False
    count: int | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.freq not in ("weekly", "monthly"):
            raise RecurrenceError(_("A series repeats weekly or monthly."))
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise RecurrenceError(
                _("A series repeats every 1 to {most} weeks or months.").format(most=MAX_INTERVAL)
            )
        if (self.count is None) == (self.until is None):
            raise RecurrenceError(_("Give either a number of times or an end date."))
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise RecurrenceError(
                _("A series has between 1 and {most} occurrences.").format(most=MAX_OCCURRENCES)
            )
        if self.until is not None:
            try:
                check_day(self.until)
            except BadInputError as exc:
                raise RecurrenceError(exc.message) from exc

    def rrule(self, first: datetime) -> str:
        """The RRULE text for a series whose first occurrence is the local ``first``."""
        parts = [f"FREQ={self.freq.upper()}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.freq == "weekly":
            days = self.weekdays or (first.weekday(),)
            parts.append("BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in sorted(set(days))))
        elif self.by_weekday:
            nth = (first.day - 1) // 7 + 1
            parts.append(f"BYDAY=+{nth}{WEEKDAY_CODES[first.weekday()]}")
        else:
            parts.append(f"BYMONTHDAY={first.day}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        else:
            assert self.until is not None
            parts.append(f"UNTIL={self.until:%Y%m%d}T235959")
        return ";".join(parts)


def expand(rule: str, first: datetime, zone: ZoneInfo) -> list[datetime]:
    """Every occurrence of ``rule`` from the local wall-clock ``first``, as aware instants.

    Expansion happens in wall-clock time, so a weekly 10:00 stays 10:00 across a
    daylight-saving change. Each instant carries its fixed UTC offset (see
    ``coptui.domain.timeutil``), so adding a duration to it adds elapsed time.

    Raises:
        RecurrenceError: the rule cannot be parsed, gives too many occurrences, goes past
            2100, or meets a time that does not exist (skipped when the clocks go forward).
    """
    naive = first.replace(tzinfo=None)
    try:
        rule_set = rrulestr(rule, dtstart=naive, forceset=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RecurrenceError(
            _("The repetition cannot be read: {reason}").format(reason=exc)
        ) from exc
    result: list[datetime] = []
    try:
        for occurrence in rule_set:
            if len(result) >= MAX_OCCURRENCES:
                raise RecurrenceError(
                    _("The series has more than {most} occurrences.").format(most=MAX_OCCURRENCES)
                )
            result.append(local_checked(occurrence.date(), occurrence.time(), zone))
    except BadInputError as exc:
        raise RecurrenceError(exc.message) from exc
    except OverflowError:  # dateutil stepping past the year 9999
        pass
    return result


# The same syntax in Bulgarian, as the event form offers it: "всяка седмица 10 пъти",
# "всеки 2 седмици в пн,чт до 30.06.2027", "всеки месец по ден от седмицата 6 пъти".
_BULGARIAN = (
    (r"всяка седмица", "weekly"),
    (r"всеки месец по ден от седмицата", "monthly by weekday"),
    (r"всеки месец", "monthly"),
    (r"(?:на )?всеки (\d+) седмици", r"every \1 weeks"),
    (r"(?:на )?всеки (\d+) месеца", r"every \1 months"),
    (r"\bв (?=[а-я]{2}\b)", "on "),
    (r"(\d+) пъти", r"count \1"),
    (r"\bдо (?=\d)", "until "),
)


def _from_bulgarian(text: str) -> str:
    for pattern, replacement in _BULGARIAN:
        text = re.sub(pattern, replacement, text)
    return text


def parse_repeat(text: str) -> Recurrence:
    """Parse the scripting syntax of ``coptui book --repeat``.

    Examples: ``weekly count 3``, ``weekly until 30.06.2027``,
    ``every 2 weeks on mon,thu until 30.06.2027``, ``monthly count 4``,
    ``monthly by weekday count 6``.

    Raises:
        RecurrenceError: the text does not follow the syntax.
    """
    words = _from_bulgarian(text.lower()).replace(",", " , ").split()
    source = " ".join(words)
    match = re.fullmatch(
        r"(?:(?P<weekly>weekly)|(?P<monthly>monthly)(?P<bywd> by weekday)?"
        r"|every (?P<n>\d{1,6}) (?P<unit>weeks?|months?))"
        r"(?: on (?P<days>[a-zа-я]+(?: , [a-zа-я]+)*))?"
        r" (?:count (?P<count>\d{1,6})|until (?P<until>\d{1,2}\.\d{1,2}\.\d{4}))",
        source,
    )
    if not match:
        raise RecurrenceError(
            _(
                "Cannot read the repetition {text!r}; for example: 'weekly count 3', "
                "'every 2 weeks on mon,thu until 30.06.2027', 'monthly count 4'."
            ).format(text=text)
        )
    unit = match["unit"] or ""
    freq = "monthly" if match["monthly"] or unit.startswith("month") else "weekly"
    weekdays: tuple[int, ...] = ()
    if match["days"]:
        if freq != "weekly":
            raise RecurrenceError(_("Weekdays go with a weekly repetition."))
        try:
            weekdays = tuple(_WEEKDAY_WORDS[d[:3]] for d in match["days"].split(" , "))
        except KeyError as exc:
            raise RecurrenceError(
                _("Unknown weekday {day!r}; write mon, tue, wed, thu, fri, sat or sun.").format(
                    day=exc.args[0]
                )
            ) from exc
    until = None
    if match["until"]:
        day, month, year = (int(x) for x in match["until"].split("."))
        try:
            until = date(year, month, day)
        except ValueError as exc:
            raise RecurrenceError(_("There is no date {day}.").format(day=match["until"])) from exc
    return Recurrence(
        freq=freq,
        interval=int(match["n"] or 1),
        weekdays=weekdays,
        by_weekday=bool(match["bywd"]),
        count=int(match["count"]) if match["count"] else None,
        until=until,
    )


def local_start(day: date, at: time) -> datetime:
    """A naive wall-clock start, as series store it."""
    return datetime.combine(day, at)


_DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def rule_words(rule: str) -> str:
    """A stored RRULE in the user's words: «всяка седмица в ср, 8 пъти».

    Parts it does not know are left out rather than guessed; an unreadable rule is given as
    it is stored.
    """
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    interval = int(parts.get("INTERVAL", "1")) if parts.get("INTERVAL", "1").isdigit() else 1
    freq = parts.get("FREQ", "")
    if freq == "WEEKLY":
        words = [
            _("every week")
            if interval == 1
            else ngettext("every {n} week", "every {n} weeks", interval).format(n=interval)
        ]
    elif freq == "MONTHLY":
        words = [
            _("every month")
            if interval == 1
            else ngettext("every {n} month", "every {n} months", interval).format(n=interval)
        ]
    else:
        return rule
    days = []
    for code in parts.get("BYDAY", "").split(","):
        match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", code)
        if match and match[2] in WEEKDAY_CODES:
            name = _(_DAY_NAMES[WEEKDAY_CODES.index(match[2])]).lower()
            days.append(
                _("the {n}. {day} of the month").format(n=int(match[1]), day=name)
                if match[1]
                else name
            )
    if days:
        words.append(with_vav(_("on {days}").format(days=", ".join(days))))
    if parts.get("BYMONTHDAY", "").isdigit():
        words.append(_("on day {n}").format(n=int(parts["BYMONTHDAY"])))
    if parts.get("COUNT", "").isdigit():
        count = int(parts["COUNT"])
        words.append(ngettext("{n} time", "{n} times", count).format(n=count))
    until = re.match(r"(\d{4})(\d{2})(\d{2})", parts.get("UNTIL", ""))
    if until:
        words.append(_("until {day}").format(day=f"{until[3]}.{until[2]}.{until[1]}"))
    return " ".join(words[:2]) + "".join(", " + w for w in words[2:])
