"""How text typed into a field of the directory becomes a value, and a value text again.

The fields themselves are in ``fields`` (one table per kind of record). Pure: no database, no
Textual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from coptui.domain.fields import DATE_ORDER, Choice, FieldSpec, fields_of
from coptui.domain.parse import parse_day
from coptui.domain.text import check_line, check_notes
from coptui.errors import BadInputError
from coptui.i18n import _, language

_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")


def choice_words(choice: Choice) -> set[str]:
    """Every spelling that means ``choice``, folded: its code, labels and other words."""
    words = {choice.value, choice.value.replace("_", " "), choice.value.replace("_", "-")}
    words |= {choice.label, _(choice.label), *choice.words}
    return {w.casefold() for w in words}


def parse_value(spec: FieldSpec, text: str, *, today: date) -> object:
    """The value of ``text`` typed into field ``spec``.

    Args:
        spec: the field.
        text: what was typed (a CLI argument, a form input, a CSV cell).
        today: the day relative dates (``утре``, ``+2``) count from.

    Returns:
        ``None`` for an empty text (``()`` for a list); else a ``str``, ``int``, ``Decimal``,
        ``date`` (for dates), the choice's code (for choices) or a tuple of ``str`` (lists).
        Staff and room fields stay names: the services find who or what they name.

    Raises:
        BadInputError: the text is not a value of the field; the message names the field.
    """
    label = _(spec.label)
    if spec.type == "notes":
        value = check_notes(text, label)
        return value or None
    if spec.type == "list":
        items: list[str] = []
        for part in re.split(r"[,;]", text):
            item = check_line(part, label)
            if item and item.casefold() not in {i.casefold() for i in items}:
                items.append(item)
        return tuple(items)
    stripped = check_line(text, label)
    if not stripped:
        return None
    if spec.type in ("text", "staff", "room"):
        return stripped
    if spec.type == "int":
        return _parse_int(spec, label, stripped)
    if spec.type == "decimal":
        return _parse_decimal(spec, label, stripped)
    if spec.type == "date":
        try:
            return parse_day(stripped, today)
        except BadInputError as exc:
            raise BadInputError(f"{label}: {exc.message}") from None
    if spec.type == "choice":
        folded = stripped.casefold()
        for choice in spec.choices:
            if folded in choice_words(choice):
                return choice.value
        raise BadInputError(
            _("{field}: {text!r} is not one of: {choices}.").format(
                field=label,
                text=stripped,
                choices=", ".join(f"{_(c.label)} ({c.value})" for c in spec.choices),
            )
        )
    raise AssertionError(f"unknown field type {spec.type}")


def _bounds(spec: FieldSpec, label: str, value: int | Decimal, text: str) -> None:
    if spec.minimum is not None and value < spec.minimum:
        if spec.minimum == 1:
            message = _("{field}: expected a positive number, got {text!r}.")
        else:
            message = _("{field}: {text!r} is less than {limit}.")
        raise BadInputError(message.format(field=label, text=text, limit=spec.minimum))
    if spec.maximum is not None and value > spec.maximum:
        raise BadInputError(
            _("{field}: {text!r} is more than {limit}.").format(
                field=label, text=text, limit=spec.maximum
            )
        )


def _parse_int(spec: FieldSpec, label: str, text: str) -> int:
    compact = _NUMBER_SPACES.sub("", text)
    if not re.fullmatch(r"[+-]?\d{1,9}", compact):
        raise BadInputError(
            _("{field}: expected a whole number, got {text!r}.").format(field=label, text=text)
        )
    value = int(compact)
    _bounds(spec, label, value, text)
    return value


def _parse_decimal(spec: FieldSpec, label: str, text: str) -> Decimal:
    compact = _NUMBER_SPACES.sub("", text)
    if not re.fullmatch(r"[+-]?(\d{1,9}([.,]\d*)?|[.,]\d+)", compact):
        raise BadInputError(
            _("{field}: expected a number such as 48,30, got {text!r}.").format(
                field=label, text=text
            )
        )
    try:
        value = Decimal(compact.replace(",", ".")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        raise BadInputError(
            _("{field}: expected a number such as 48,30, got {text!r}.").format(
                field=label, text=text
            )
        ) from None
    if spec.minimum == 0 and value <= 0:
        raise BadInputError(
            _("{field}: expected a positive number, got {text!r}.").format(field=label, text=text)
        )
    _bounds(spec, label, value, text)
    return value


def format_value(spec: FieldSpec, value: object) -> str:
    """``value`` as text a form shows and :func:`parse_value` reads back (dates dd.mm.yyyy)."""
    if value is None:
        return ""
    if spec.type == "date" and isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if spec.type == "decimal" and isinstance(value, Decimal | float | int):
        shown = f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):f}"
        return shown.replace(".", ",") if language() == "bg" else shown
    if spec.type == "list" and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if spec.type == "choice":
        return str(getattr(value, "value", value))
    return str(value)


def choice_label(spec: FieldSpec, value: object) -> str:
    """The label of the choice coded ``value``, in the current language (the code if unknown)."""
    code = str(getattr(value, "value", value))
    for choice in spec.choices:
        if choice.value == code:
            return _(choice.label)
    return code


def parse_values(
    kind: str, values: Mapping[str, str], *, today: date
) -> tuple[dict[str, object], dict[str, str]]:
    """Parse every given field of ``kind``; return the values and the errors by field name.

    Unknown field names are errors; a field missing from ``values`` is simply not in the result.
    """
    specs = {spec.name: spec for spec in fields_of(kind)}
    parsed: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, text in values.items():
        spec = specs.get(name)
        if spec is None:
            errors[name] = _("Unknown field {name!r}.").format(name=name)
            continue
        try:
            parsed[name] = parse_value(spec, text, today=today)
        except BadInputError as exc:
            errors[name] = exc.message
    for first, second in DATE_ORDER.get(kind, ()):
        start, end = parsed.get(first), parsed.get(second)
        if isinstance(start, date) and isinstance(end, date) and end < start:
            errors.setdefault(
                second,
                _("{field}: {end} is before {start}.").format(
                    field=_(specs[second].label), end=f"{end:%d.%m.%Y}", start=f"{start:%d.%m.%Y}"
                ),
            )
    return parsed, errors


def missing_required(kind: str, parsed: Mapping[str, object], *, partial: bool) -> dict[str, str]:
    """Errors for required fields that are empty (or, unless ``partial``, not given at all)."""
    errors: dict[str, str] = {}
    for spec in fields_of(kind):
        if not spec.required:
            continue
        empty = parsed[spec.name] in (None, ()) if spec.name in parsed else not partial
        if empty:
            errors[spec.name] = _("{field} is required.").format(field=_(spec.label))
    return errors


_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Bulgarian text in Latin letters (the official streamlined system), lower case."""
    return "".join(_LATIN.get(ch, ch) for ch in text.casefold())


def login_from_name(name: str) -> str:
    """A login made from a full name: the first name's initial and the last name.

    ``Мария Петрова`` → ``mpetrova``; what is left is ``[a-z0-9]`` only (``staff`` if nothing).
    """
    words = [re.sub(r"[^a-z0-9]", "", transliterate(w)) for w in name.split()]
    words = [w for w in words if w]
    if not words:
        return "staff"
    login = words[0] if len(words) == 1 else words[0][0] + words[-1]
    return login if login[0].isalpha() else "u" + login
