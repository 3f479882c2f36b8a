"""Settings read from the environment (prefix ``COPTUI_``); nothing happens at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from coptui.i18n import _

ENV_PREFIX = "COPTUI_"
DEFAULT_TIMEZONE = "Europe/Sofia"
LANGUAGES = ("bg", "en")


class SettingsError(ValueError):
    """A setting in the environment has a value coptui cannot use."""


def _default_home() -> Path:
    # platformdirs is cheap to import and gives the platform's user data dir.
    import platformdirs

    return Path(platformdirs.user_data_dir("coptui", appauthor=False))


def _parse_hhmm(name: str, text: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise SettingsError(
            _("{name}: expected a time as HH:MM, not {text!r}.").format(
                name=f"{ENV_PREFIX}{name}", text=text[:20]
            )
        ) from exc


# The URL forms coptui connects with (psycopg 3 through SQLAlchemy); PostgreSQL only.
_URL_SCHEMES = ("postgresql+psycopg", "postgresql", "postgres")


def _check_database_url(text: str, setting: str = "DATABASE_URL") -> str:
    """``text`` when it is a PostgreSQL URL coptui can use; the message never echoes it (it
    may hold a password)."""
    from urllib.parse import urlsplit

    name = f"{ENV_PREFIX}{setting}"
    scheme, sep, _rest = text.partition("://")
    if not sep or not scheme:
        raise SettingsError(
            _("{name}: expected a PostgreSQL URL such as postgresql://user@host/database.").format(
                name=name
            )
        )
    if scheme not in _URL_SCHEMES:
        raise SettingsError(
            _("{name}: coptui needs PostgreSQL (postgresql://...), not {scheme!r}.").format(
                name=name, scheme=scheme[:20]
            )
        )
    try:
        urlsplit(text).port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise SettingsError(
            _("{name}: the port is not a number from 1 to 65535.").format(name=name)
        ) from exc
    return text


@dataclass(frozen=True)
class Settings:
    """Everything coptui reads from its environment.

    Attributes:
        database_url: a shared PostgreSQL server; ``None`` means the embedded one.
        listen_url: where the change feed's listener connects when reads and writes go
            through pgbouncer in transaction pooling (LISTEN needs a session of its own on
            the server); ``None``: the same as ``database_url``.
        home: where the embedded server keeps its data.
        lang: the language of the interface, ``bg`` or ``en``.
        day_start: start of the centre's working day.
        day_end: end of the centre's working day.
        open_places_warn_days: volunteer places still open this many days ahead (today
            included) are a warning on the coordinator's status line.
        idle_lock_minutes: minutes without a key before the screen locks; 0 never locks.
    """

    database_url: str | None = None
    listen_url: str | None = None
    home: Path = field(default_factory=_default_home)
    lang: str = "bg"
    day_start: time = time(8, 0)
    day_end: time = time(18, 0)
    open_places_warn_days: int = 3
    idle_lock_minutes: int = 15

    @property
    def embedded(self) -> bool:
        """True when coptui runs its own PostgreSQL server."""
        return self.database_url is None

    def listener_url(self, url: str) -> str:
        """The URL the listener connects to, given ``url``, the one reads and writes use."""
        return self.listen_url if self.listen_url and not self.embedded else url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment).

        Raises:
            SettingsError: a value cannot be used.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name, "").strip()
            return value or None

        lang = (get("LANG") or "bg").lower()
        if lang not in LANGUAGES:
            raise SettingsError(
                _("{name}: expected one of {values}.").format(
                    name=f"{ENV_PREFIX}LANG", values=", ".join(LANGUAGES)
                )
            )
        home_text = get("HOME")
        home = Path(home_text).expanduser() if home_text else _default_home()
        day_start = _parse_hhmm("DAY_START", get("DAY_START") or "08:00")
        day_end = _parse_hhmm("DAY_END", get("DAY_END") or "18:00")
        if day_end <= day_start:
            raise SettingsError(
                _("{end} must be after {start}.").format(
                    end=f"{ENV_PREFIX}DAY_END", start=f"{ENV_PREFIX}DAY_START"
                )
            )
        warn_text = get("OPEN_PLACES_WARN_DAYS") or "3"
        if not warn_text.isdigit() or int(warn_text) > 60:
            raise SettingsError(
                _("{name}: expected a number of days from 0 to 60").format(
                    name=f"{ENV_PREFIX}OPEN_PLACES_WARN_DAYS"
                )
            )
        url = get("DATABASE_URL")
        listen_url = get("LISTEN_URL")
        idle_text = get("IDLE_LOCK_MINUTES") or "15"
        try:
            idle = int(idle_text)
        except ValueError:
            idle = -1
        if not 0 <= idle <= 24 * 60:
            raise SettingsError(
                f"{ENV_PREFIX}IDLE_LOCK_MINUTES: expected minutes from 0 (never lock) to 1440"
            )
        return cls(
            database_url=_check_database_url(url) if url else None,
            listen_url=_check_database_url(listen_url, "LISTEN_URL") if listen_url else None,
            home=home,
            lang=lang,
            day_start=day_start,
            day_end=day_end,
            open_places_warn_days=int(warn_text),
            idle_lock_minutes=idle,
        )
