"""gettext translations: Bulgarian by default, English available; msgids are English."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

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


def translate_bindings(node: Any) -> None:
    """Give a Textual node's key bindings descriptions in the current language.

    Bindings are declared once per class with English msgids (``N_``); each node translates
    its own copy, and again after a language switch (the msgids are kept on the node).
    """
    from dataclasses import replace

    msgids: dict[tuple[str, str], str] = node.__dict__.setdefault("_coptui_msgids", {})
    for key, bindings in node._bindings.key_to_bindings.items():
        translated = []
        for binding in bindings:
            msgid = msgids.setdefault((key, binding.action), binding.description)
            translated.append(replace(binding, description=_(msgid) if msgid else msgid))
        node._bindings.key_to_bindings[key] = translated
