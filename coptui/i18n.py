"""gettext translations: Bulgarian by default, English available; msgids are English."""

from __future__ import annotations

import gettext
import re
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
    if not message:  # argparse asks for its optional texts too; gettext("") is the header
        return message
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form chosen by ``n``."""
    return _current().ngettext(singular, plural, n)


# «в» before a word that starts with в or ф is «във» in Bulgarian («във вторник», «във файла»).
_V_BEFORE_V = re.compile(r"(?<![^\W\d_])([вВ]) (?=[вВфФ])")


def with_vav(text: str) -> str:
    """``text`` (translated and filled in) with «във» where Bulgarian says it instead of «в»."""
    return _V_BEFORE_V.sub(r"\1ъв ", text) if _language == "bg" else text


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


# argparse's own texts (Python 3.11–3.13), marked here so that they are extracted into our
# catalog; argparse looks them up through its module-level ``_`` (gettext domain "argparse",
# which no system ships in Bulgarian), so :func:`translate_argparse` points that at ours.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def translate_argparse() -> None:
    """Give argparse's own texts (usage, «options», its error messages) our language.

    Idempotent; call it before building a parser, as argparse translates some texts (the
    help option's) when a parser is created.
    """
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
