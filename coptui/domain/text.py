"""Stored text is hostile: control characters are refused at input and neutralised at output.

The rule (DESIGN, "Text safety"): C0 controls (newline allowed in notes only), DEL, C1
controls, lone surrogates and bidirectional controls never enter the database through coptui,
and whatever is already stored is made harmless on its way to a terminal, a text or CSV line,
or a log.

Three places keep the rule, each with the primitives here:
- input: services pass every title, name, reason and note through ``check_line`` or
  ``check_notes`` (a ``BadInputError``, exit 2, a form error);
- the database: CHECK constraints (``sql_line_check``, ``sql_notes_check``; migration 0006)
  refuse the same characters and lengths from any client (the bidirectional controls since
  migration 0014);
- output: every read model a service returns for display (``EventRow``, directory entries,
  clashes, the words of a refusal) holds text passed through ``clean``/``clean_notes``, and
  ``CoptError`` cleans its own message; CSV cells go through ``csv_cell``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from coptui.errors import BadInputError
from coptui.i18n import _

# Titles, names, codes, reasons: one line, at most this many characters (CHECKs agree).
MAX_NAME = 200
# Notes and descriptions: several lines, longer.
MAX_NOTES = 4000

# What output turns every forbidden character into (the replacement character, visible).
REPLACEMENT = "\ufffd"

# The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a
# terminal that reorders right-to-left text they show a line in another order than it is
# stored ("Trojan Source"). The marks U+200E/U+200F reorder nothing past a neutral and stay.
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 (but TAB/LF handled below), DEL, C1, lone surrogates (from bad decoding), bidi controls.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
# Unicode line and paragraph separators also break a line in some terminals.
_SEPARATORS = re.compile("[\u2028\u2029\x85]")
_FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{_BIDI}]")

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The same classes as PostgreSQL regular expressions (a bracket expression), for the CHECK
# constraints. NUL cannot be stored in a PostgreSQL text at all; surrogates cannot be either.
SQL_NO_CONTROL = "[\\x01-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]"
SQL_NO_CONTROL_BUT_NEWLINE = "[\\x01-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]"


def sql_line_check(column: str, max_length: int = MAX_NAME) -> str:
    """The CHECK expression of a one-line text column: short, no control character."""
    return f"char_length({column}) <= {max_length} AND {column} !~ '{SQL_NO_CONTROL}'"


def sql_notes_check(column: str, max_length: int = MAX_NOTES) -> str:
    """The CHECK expression of a notes column: newlines allowed, every other control not."""
    return f"char_length({column}) <= {max_length} AND {column} !~ '{SQL_NO_CONTROL_BUT_NEWLINE}'"


def _capitalised(field: str) -> str:
    # Not str.capitalize(): that would lower «ЦОП» in «името на ЦОП».
    return field[:1].upper() + field[1:]


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
    if _FORBIDDEN_IN_LINE.search(value):
        raise BadInputError(
            _("{field} may not contain control characters or line breaks.").format(
                field=_capitalised(field)
            )
        )
    stripped = value.strip()
    if len(stripped) > max_length:
        raise BadInputError(
            _("{field} is too long: at most {limit} characters.").format(
                field=_capitalised(field), limit=max_length
            )
        )
    return stripped


def check_notes(value: str, field: str, *, max_length: int = MAX_NOTES) -> str:
    """A multi-line text (notes): newlines allowed, every other control character refused.

    Windows line ends become newlines and a tab four spaces (pasted text has both), so what
    is returned is what the database accepts.

    Returns:
        The text, normalised, without surrounding blank space.

    Raises:
        BadInputError: the text holds a control character or is too long.
    """
    normalised = value.replace("\r\n", "\n").replace("\t", "    ")
    if _CONTROL.search(normalised):
        raise BadInputError(
            _("{field} may not contain control characters.").format(field=_capitalised(field))
        )
    normalised = normalised.strip()
    if len(normalised) > max_length:
        raise BadInputError(
            _("{field} is too long: at most {limit} characters.").format(
                field=_capitalised(field), limit=max_length
            )
        )
    return normalised


def clean(value: object) -> str:
    """Stored text made harmless for one line of a terminal, a text file or a log.

    Every control character, line break and lone surrogate becomes ``�`` (U+FFFD), so an
    escape sequence cannot reach the terminal and a newline cannot forge a second line.
    Everything else (Cyrillic, emoji, a non-breaking space) is kept as it is.
    """
    text = value if isinstance(value, str) else str(value)
    # isprintable() is false for every character replaced below (and for a few harmless
    # ones, which the regular expression then leaves alone); it is the fast path of a week
    # of thousands of titles.
    if text.isprintable():
        return text
    return _FORBIDDEN_IN_LINE.sub(REPLACEMENT, _SEPARATORS.sub(REPLACEMENT, text))


def clean_optional(value: str | None) -> str | None:
    """``clean`` for a column that may be NULL (``None`` stays ``None``)."""
    return None if value is None else clean(value)


def clean_notes(value: object) -> str:
    """Stored multi-line text made harmless: newlines kept, every other control replaced."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():
        return text
    return "\n".join(clean(line) for line in text.replace("\r\n", "\n").split("\n"))


def csv_cell(value: object) -> str:
    """A cell for a CSV file: harmless text that a spreadsheet shows and never runs.

    A text cell that starts with ``= + - @`` is prefixed with an apostrophe (OWASP's advice
    for CSV injection). A number (``int``, ``float``, ``Decimal``) is written as it is: a
    negative number is not a formula, and a spreadsheet should still add it up.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = clean(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
