"""Local wall-clock time in the centre's zone, weeks that start on Monday."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SOFIA = ZoneInfo("Europe/Sofia")


def local(day: date, at: time, zone: ZoneInfo = SOFIA) -> datetime:
    """The aware instant of wall-clock ``at`` on ``day`` in ``zone``."""
    return datetime.combine(day, at, tzinfo=zone)


def week_start(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


def today(zone: ZoneInfo = SOFIA) -> date:
    """Today's date in ``zone``."""
    return datetime.now(zone).date()
