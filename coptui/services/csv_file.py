"""A spreadsheet's CSV file as an import reads it: its encoding and delimiter, its lines, and
which column holds which field (headers in Bulgarian or English, in the words people use)."""

from __future__ import annotations

import csv
import gettext
import io
from collections.abc import Sequence

from coptui.domain.fields import FieldSpec, fields_of
from coptui.errors import BadInputError
from coptui.i18n import DOMAIN, LOCALE_DIR, _


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in.

    UTF-8 with or without a byte-order mark; a file that is not UTF-8 is read as
    Windows-1251, what Bulgarian spreadsheets save as plain "CSV".
    """
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "Windows-1251"


def sniff_delimiter(first_line: str) -> str:
    """``;`` or ``,`` (or a tab), whichever the header line has most of."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _bulgarian() -> gettext.NullTranslations:
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=["bg"])
    except OSError:  # pragma: no cover - the catalog ships with coptui
        return gettext.NullTranslations()


def _fold(header: str) -> str:
    return " ".join(header.replace("_", " ").strip().strip("*:").split()).casefold()


def header_names(spec: FieldSpec, bulgarian: gettext.NullTranslations) -> set[str]:
    """Every header that means field ``spec``: its name, label (both languages), aliases."""
    names = {spec.name, spec.label, _(spec.label), bulgarian.gettext(spec.label), *spec.aliases}
    return {_fold(n) for n in names}


def match_columns(kind: str, header: Sequence[str]) -> tuple[dict[int, str], tuple[str, ...]]:
    """Which column holds which field; headers that are no field are ignored.

    Returns:
        column index -> field name, and the ignored headers.

    Raises:
        BadInputError: a required field has no column, or two columns mean one field.
    """
    bulgarian = _bulgarian()
    specs = fields_of(kind)
    lookup = {name: spec.name for spec in specs for name in header_names(spec, bulgarian)}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        name = lookup.get(_fold(title))
        if name is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if name in columns.values():
            raise BadInputError(
                _("Two columns mean the same field: {title!r}.").format(title=title.strip())
            )
        columns[index] = name
    for spec in specs:
        if spec.required and spec.name not in columns.values():
            raise BadInputError(
                _("The file has no column {label!r} (or {names}).").format(
                    label=_(spec.label),
                    names=", ".join(repr(a) for a in (spec.name, *spec.aliases)),
                )
            )
    return columns, tuple(ignored)


def read_lines(text: str, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty data lines, each with its line number in the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise BadInputError(_("The file is empty."))
    lines = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            lines.append((reader.line_num, cells))
    return header, lines
