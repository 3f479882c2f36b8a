"""gettext translations: Bulgarian by default, English available; msgids are English."""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "coptui"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: gettext.NullTranslations | None = None
_language = "bg"


def set_language(lang: str) -> None:
    """Switch every later ``_()`` call to ``lang`` (``bg`` or ``en``)."""
    global _translation, _language
    if lang == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    _language = lang


def language() -> str:
    """The language currently in use."""
    return _language


def _current() -> gettext.NullTranslations:
    # Loaded on first use, not at import, so importing coptui stays free of side effects.
    if _translation is None:
        set_language(_language)
    assert _translation is not None
    return _translation


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form chosen by ``n``."""
    return _current().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message
