"""Working days: Bulgarian public holidays (the ``holidays`` package) and local overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

CLOSURE = "closure"
WORKING_DAY = "working_day"


@lru_cache(maxsize=32)
def _national_holidays(year: int, lang: str) -> Any:
    # Building a year of holidays costs milliseconds; every booking asks for it.
    return _bulgaria()(years=year, language="bg" if lang == "bg" else "en_US")


@lru_cache(maxsize=1)
def _bulgaria() -> Any:
    """The ``holidays`` package's class for Bulgaria, without every other country.

    ``holidays.country_holidays("BG")`` imports ``holidays.countries``, whose ``__init__``
    imports all ~250 countries: ~0.15 s of a command's start, for one we use. Bulgaria's
    module only needs the package's core, so it is loaded from its file alone; should a
    release of ``holidays`` move it, the public way is taken instead.
    """
    import importlib.util
    import sys

    name = "holidays.countries.bulgaria"
    loaded = sys.modules.get(name)
    if loaded is None:
        try:
            import holidays

            path = Path(holidays.__file__).parent / "countries" / "bulgaria.py"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None or not path.is_file():
                raise ImportError(name)
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            try:
                spec.loader.exec_module(loaded)
            except BaseException:
                del sys.modules[name]
                raise
        except Exception:
            import holidays

            return holidays.country_holidays("BG").__class__
    return loaded.Bulgaria


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
