"""Stored text is hostile: control characters are refused at input and neutralised at output.

The rule (DESIGN, "Text safety"): C0 controls (newline allowed in notes only), DEL, C1
controls and lone surrogates never enter the database through coptui, and whatever is
already stored is made harmless on its way to a terminal, a text or CSV line, or a log.
"""

from __future__ import annotations

import re

from coptui.errors import BadInputError
from coptui.i18n import _

# Titles, names, codes, reasons: one line, at most this many characters (CHECKs agree).
MAX_NAME = 200
# Notes and descriptions: several lines, longer.
MAX_NOTES = 4000

# C0 (but TAB/LF handled below), DEL, C1, and lone surrogates (from bad decoding).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Unicode line and paragraph separators also break a line in some terminals.
_SEPARATORS = re.compile("[\u2028\u2029\x85]")

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The same pattern as a PostgreSQL regular expression, for CHECK constraints.
SQL_NO_CONTROL = "[\\x01-\\x1f\\x7f-\\x9f]"
SQL_NO_CONTROL_BUT_NEWLINE = "[\\x01-\\x09\\x0b-\\x1f\\x7f-\\x9f]"


def check_line(value: str, field: str, *, max_length: int = MAX_NAME) -> str:
    """A one-line text as typed (a title, a name, a reason), stripped; refuse control characters.

    Args:
        value: the text as typed.
        field: what it is, in the user's language, for the message («заглавието»).
        max_length: the most characters allowed.

    Returns:
        The text without surrounding spaces.

    Raises:
        BadInputError: the text holds a control character, a line break or is too long.
    """
    if _CONTROL_OR_BREAK.search(value) or _SEPARATORS.search(value):
        raise BadInputError(
            _("{field} may not contain control characters or line breaks.").format(
                field=field.capitalize()
            )
        )
    stripped = value.strip()
    if len(stripped) > max_length:
        raise BadInputError(
            _("{field} is too long: at most {limit} characters.").format(
                field=field.capitalize(), limit=max_length
            )
        )
    return stripped


def check_notes(value: str, field: str, *, max_length: int = MAX_NOTES) -> str:
    """A multi-line text (notes): newlines allowed, every other control character refused.

    Raises:
        BadInputError: the text holds a control character or is too long.
    """
    normalised = value.replace("\r\n", "\n").replace("\t", "    ")
    if _CONTROL.search(normalised):
        raise BadInputError(
            _("{field} may not contain control characters.").format(field=field.capitalize())
        )
    if len(normalised) > max_length:
        raise BadInputError(
            _("{field} is too long: at most {limit} characters.").format(
                field=field.capitalize(), limit=max_length
            )
        )
    return normalised.strip()


def clean(value: object) -> str:
    """Stored text made harmless for one line of a terminal, a text file or a log.

    Every control character, line break and lone surrogate becomes ``�`` (U+FFFD), so an
    escape sequence cannot reach the terminal and a newline cannot forge a second line.
    """
    text = value if isinstance(value, str) else str(value)
    if _CONTROL_OR_BREAK.search(text) or _SEPARATORS.search(text):
        text = _SEPARATORS.sub("\ufffd", _CONTROL_OR_BREAK.sub("\ufffd", text))
    return text


def clean_notes(value: object) -> str:
    """Stored multi-line text made harmless: newlines kept, every other control replaced."""
    text = value if isinstance(value, str) else str(value)
    return "\n".join(clean(line) for line in text.split("\n"))


def csv_cell(value: object) -> str:
    """A cell for a CSV file: harmless text that a spreadsheet shows and never runs.

    A cell that starts with ``= + - @`` is prefixed with an apostrophe (OWASP's advice for
    CSV injection); numbers typed by coptui itself are passed as numbers by the caller.
    """
    text = clean(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
