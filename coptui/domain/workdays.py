"""Working days: Bulgarian public holidays (the ``holidays`` package) and local overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

CLOSURE = "closure"
WORKING_DAY = "working_day"


@lru_cache(maxsize=32)
def _national_holidays(year: int, lang: str) -> Any:
    # Building a year of holidays costs milliseconds; every booking asks for it.
    import holidays

    return holidays.country_holidays("BG", years=year, language="bg" if lang == "bg" else "en_US")


@dataclass
class WorkCalendar:
    """Which days the centre works on.

    Args:
        overrides: local corrections by date: ``closure`` (closed on a working day, with a
            note as its name) or ``working_day`` (open on a holiday or weekend).
        lang: language of holiday names (``bg`` or ``en``).
    """

    overrides: Mapping[date, tuple[str, str]] = field(default_factory=dict)
    lang: str = "bg"

    def _national(self, year: int) -> Any:
        return _national_holidays(year, self.lang)

    def holiday_name(self, day: date) -> str | None:
        """The name of the public holiday or local closure on ``day``, if any.

        Returns:
            ``None`` when ``day`` is an ordinary day (working day or plain weekend).
        """
        kind, note = self.overrides.get(day, ("", ""))
        if kind == CLOSURE:
            return note or None
        if kind == WORKING_DAY:
            return None
        name = self._national(day.year).get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        """True when the centre works on ``day``."""
        kind, _note = self.overrides.get(day, ("", ""))
        if kind == WORKING_DAY:
            return True
        if kind == CLOSURE:
            return False
        national = self._national(day.year)
        if day in getattr(national, "weekend_workdays", set()):
            return True
        return day.weekday() < 5 and day not in national
