"""Dates and times as people type them: 03.12.2026, 3.12, днес, утре, петък, +2; 9, 930, 9:30."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from coptui.domain.timeutil import check_day, local_checked
from coptui.errors import BadInputError
from coptui.i18n import _

# Words for days, Bulgarian and English, any case; a weekday means its next occurrence
# (today included).
_RELATIVE = {
    "днес": 0,
    "today": 0,
    "утре": 1,
    "tomorrow": 1,
    "вдругиден": 2,
}
_WEEKDAYS = {
    "понеделник": 0,
    "пон": 0,
    "пн": 0,
    "monday": 0,
    "mon": 0,
    "вторник": 1,
    "вт": 1,
    "tuesday": 1,
    "tue": 1,
    "сряда": 2,
    "ср": 2,
    "wednesday": 2,
    "wed": 2,
    "четвъртък": 3,
    "чт": 3,
    "thursday": 3,
    "thu": 3,
    "петък": 4,
    "пт": 4,
    "friday": 4,
    "fri": 4,
    "събота": 5,
    "сб": 5,
    "saturday": 5,
    "sat": 5,
    "неделя": 6,
    "нд": 6,
    "sunday": 6,
    "sun": 6,
}
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?\.?$")
_OFFSET = re.compile(r"^\+(\d{1,3})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?$")


def parse_day(text: str, today: date) -> date:
    """A day as typed: ``03.12.2026``, ``3.12`` (this year), ``днес``, ``утре``, ``петък``, ``+2``.

    Raises:
        BadInputError: the text is not a day, or the day is outside 2000–2100.
    """
    value = text.strip().casefold()
    if value in _RELATIVE:
        return check_day(today + timedelta(days=_RELATIVE[value]))
    if value in _WEEKDAYS:
        return check_day(today + timedelta(days=(_WEEKDAYS[value] - today.weekday()) % 7))
    if match := _OFFSET.match(value):
        return check_day(today + timedelta(days=int(match.group(1))))
    if match := _DATE.match(value):
        day, month, year = match.groups()
        full_year = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
        try:
            found = date(full_year, int(month), int(day))
        except ValueError:
            pass
        else:
            return check_day(found)
    raise BadInputError(
        _(
            "{text!r} is not a date; write it as 03.12.2026, 3.12, today, tomorrow, friday or +2."
        ).format(text=text.strip())
    )


def parse_time(text: str) -> time:
    """A time of day as typed: ``9``, ``930``, ``9:30``, ``09.30``, ``14``.

    Raises:
        BadInputError: the text is not a time.
    """
    value = text.strip()
    match = _TIME.match(value)
    if match:  # "930" reads as 9:30, "14" as 14:00
        hours, minutes = match.groups()
        try:
            return time(int(hours), int(minutes or 0))
        except ValueError:
            pass
    raise BadInputError(_("{text!r} is not a time; write it as 9, 930 or 9:30.").format(text=value))


def parse_minutes(text: str) -> int:
    """A duration in minutes: ``45``, ``90``, ``1:30`` (hours and minutes), ``2ч``.

    Raises:
        BadInputError: the text is not a duration.
    """
    value = text.strip().casefold().replace(" ", "")
    if match := re.fullmatch(r"(\d{1,2}):(\d{2})", value):
        minutes = int(match.group(1)) * 60 + int(match.group(2))
    elif match := re.fullmatch(r"(\d{1,2})(ч|h)", value):
        minutes = int(match.group(1)) * 60
    elif match := re.fullmatch(r"(\d{1,4})(мин|min|m)?", value):
        minutes = int(match.group(1))
    else:
        minutes = 0
    if not 0 < minutes <= 24 * 60:
        raise BadInputError(
            _("{text!r} is not a duration; write minutes (45) or hours (1:30).").format(
                text=text.strip()
            )
        )
    return minutes


def parse_moment(text: str, today: date) -> datetime:
    """A day and a time of day as typed: ``14.12.2026 9:30``, ``14.12 930``, ``утре 9``.

    The day is read as :func:`parse_day` reads it, the time as :func:`parse_time`; the result
    is checked against the clock changes (see ``coptui.domain.timeutil.local_checked``).

    Raises:
        BadInputError: either part cannot be read, or the time does not exist that day.
    """
    parts = text.strip().rsplit(maxsplit=1)
    if len(parts) != 2:
        raise BadInputError(
            _("{text!r} is not a day and a time; write it as 14.12.2026 9:30.").format(
                text=text.strip()
            )
        )
    return local_checked(parse_day(parts[0], today), parse_time(parts[1]))
