"""Bulk import of staff, volunteers, cases and rooms from a spreadsheet's CSV file.

Every line is read and checked first (a preview: what will be added, what is already there,
which lines are wrong and why); then, in the same kind of transaction, everything is written
at once in batches, or nothing when a line is wrong (unless the bad lines are skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain import caserules
from coptui.domain.field_values import missing_required, parse_values
from coptui.domain.fields import field as field_spec
from coptui.domain.fields import fields_of
from coptui.errors import BadInputError
from coptui.i18n import _
from coptui.models import Case, Staff, table_of
from coptui.services import records, setup_cases
from coptui.services.csv_file import decode, match_columns, read_lines, sniff_delimiter
from coptui.services.places import start_new_cases
from coptui.services.records import TABLE_KINDS, DuplicateError

# The words of `coptui import`, and the kinds they fill.
IMPORT_KINDS = {"staff": "staff", "volunteers": "volunteer", "cases": "case", "rooms": "room"}
BATCH = 500
PROGRESS_EVERY = 250

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class LineError:
    """A wrong line: its number in the file, the field (its label) and what is wrong."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class Line:
    """A good line: its number, the record's name and the values typed (by field name)."""

    line: int
    name: str
    values: dict[str, str]


@dataclass(frozen=True)
class Duplicate:
    """A line whose record is already there (in the centre or earlier in the file)."""

    line: int
    name: str
    same_as_line: int | None  # None: already in the centre


@dataclass(frozen=True)
class Preview:
    """What an import would do; nothing has been written."""

    kind: str
    encoding: str
    delimiter: str
    columns: dict[str, str]  # header as in the file -> field name
    ignored: tuple[str, ...]  # headers that are no field
    lines: int  # data lines read (empty lines not counted)
    new: tuple[Line, ...]
    duplicates: tuple[Duplicate, ...]
    errors: tuple[LineError, ...]
    parsed: tuple[dict[str, object], ...] = field(default=(), repr=False, compare=False)

    @property
    def bad_lines(self) -> int:
        """How many lines have at least one error."""
        return len({e.line for e in self.errors})


class WrongLinesError(BadInputError):
    """Some lines are wrong, so nothing was written; ``preview`` says which and why."""

    def __init__(self, message: str, preview: Preview) -> None:
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    preview: Preview
    added: int


def preview_import(
    session: Session,
    *,
    centre_id: int,
    kind: str,
    data: bytes,
    today: date,
    progress: Progress | None = None,
) -> Preview:
    """Read and check every line of a CSV file; write nothing.

    Args:
        kind: "staff", "volunteers", "cases" or "rooms" (the words of ``coptui import``).
        data: the file's bytes.

    Raises:
        BadInputError: the file cannot be read as a table of ``kind`` (the lines' own
            errors are in the preview, not raised).
    """
    record_kind = IMPORT_KINDS.get(kind, kind)
    if record_kind not in ("staff", "volunteer", "case", "room"):
        raise BadInputError(
            _("Cannot import {kind!r}; one of: {kinds}.").format(
                kind=kind, kinds=", ".join(IMPORT_KINDS)
            )
        )
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    header, lines = read_lines(text, delimiter)
    columns, ignored = match_columns(record_kind, header)
    taken = _existing_names(session, centre_id, record_kind)
    staff = _active_staff(session, centre_id) if record_kind == "case" else {}
    logins = _logins(session) if record_kind == "staff" else set()
    specs = {spec.name: spec for spec in fields_of(record_kind)}
    name_field = fields_of(record_kind)[0].name
    new: list[Line] = []
    parsed_lines: list[dict[str, object]] = []
    duplicates: list[Duplicate] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for count, (number, cells) in enumerate(lines, 1):
        if progress and count % PROGRESS_EVERY == 0:
            progress("check", count, len(lines))
        if len(cells) > len(header):
            errors.append(
                LineError(
                    number,
                    "",
                    _("{n} cells, but the header has {m}.").format(n=len(cells), m=len(header)),
                )
            )
            continue
        values = {name: cells[i] if i < len(cells) else "" for i, name in columns.items()}
        parsed, problems = parse_values(record_kind, values, today=today)
        problems = {**missing_required(record_kind, parsed, partial=False), **problems}
        worker = parsed.get("key_worker")
        if worker is not None and str(worker).casefold() not in staff:
            problems["key_worker"] = _(
                "{field}: no active staff member is called {name!r}."
            ).format(field=_(field_spec(record_kind, "key_worker").label), name=worker)
        if record_kind == "case":
            problems.update(case_problems(parsed))
        login = parsed.get("login")
        if login and str(login) in logins:
            problems["login"] = _("{field}: {login!r} is taken.").format(
                field=_(field_spec(record_kind, "login").label), login=login
            )
        if problems:
            errors.extend(
                LineError(number, _(specs[name].label) if name in specs else name, message)
                for name, message in problems.items()
            )
            continue
        name = str(parsed[name_field])
        folded = name.casefold()
        if folded in taken:
            duplicates.append(Duplicate(number, name, None))
        elif folded in seen:
            duplicates.append(Duplicate(number, name, seen[folded]))
        else:
            seen[folded] = number
            if login:
                logins.add(str(login))
            new.append(Line(number, name, values))
            if worker is not None:
                parsed["key_worker"] = staff[str(worker).casefold()]
            parsed_lines.append(parsed)
    if progress and lines:
        progress("check", len(lines), len(lines))
    return Preview(
        kind=record_kind,
        encoding=encoding,
        delimiter=delimiter,
        columns={header[i].strip(): name for i, name in columns.items()},
        ignored=ignored,
        lines=len(lines),
        new=tuple(new),
        duplicates=tuple(duplicates),
        errors=tuple(errors),
        parsed=tuple(parsed_lines),
    )


def import_file(
    session: Session,
    *,
    centre_id: int,
    kind: str,
    data: bytes,
    today: date,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every line, then add every new record in one transaction (in batches).

    Duplicates are left out; a wrong line stops the whole import (nothing is written)
    unless ``skip_bad``, which adds the good lines only.

    Raises:
        BadInputError: the file cannot be read.
        WrongLinesError: a line is wrong and not ``skip_bad`` (nothing was written).
        DuplicateError: a record of the same name was added by someone else meanwhile.
    """
    preview = preview_import(
        session, centre_id=centre_id, kind=kind, data=data, today=today, progress=progress
    )
    if preview.errors and not skip_bad:
        raise WrongLinesError(
            _("{n} lines are wrong; correct them or add --skip-bad. Nothing was written.").format(
                n=preview.bad_lines
            ),
            preview,
        )
    total = len(preview.parsed)
    added = 0
    if preview.kind == "case":
        added = _write_cases(session, centre_id, preview.parsed, today, progress)
    else:
        kind_of_table = TABLE_KINDS[preview.kind]
        taken = _logins(session) if preview.kind == "staff" else set()
        rows: list[dict[str, Any]] = []
        for parsed in preview.parsed:
            values = _with_defaults(preview.kind, parsed)
            if preview.kind == "staff" and not values.get("login"):
                values["login"] = records.free_login(session, str(values["name"]), taken)
                taken.add(str(values["login"]))
            rows.append(records.column_values(kind_of_table, values))
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            records.insert_rows(session, kind=kind_of_table, centre_id=centre_id, rows=batch)
            added += len(batch)
            if progress:
                progress("write", added, total)
    return ImportResult(preview=preview, added=added)


def case_problems(parsed: Mapping[str, object]) -> dict[str, str]:
    """What the case register would refuse in a line, by field (the preview names the line).

    A specialised service needs a referral from an institution; to start it (``from``) also
    the referral's number and date and a contract that covers the first day.
    """
    if parsed.get("service") != "specialised":
        return {}
    problems: dict[str, str] = {}
    if parsed.get("referral") in (None, "self"):
        problems["referral"] = _(
            "A specialised service needs a referral from ОЗД, ДСП or another institution."
        )
    start = parsed.get("from")
    if not isinstance(start, date):
        return problems
    arguments = setup_cases.arguments(parsed)
    missing = caserules.missing_for_specialised(
        caserules.Referral(
            referral_source=str(arguments.get("referral_source") or ""),
            referral_number=str(arguments.get("referral_number") or ""),
            referral_date=arguments.get("referral_date"),  # type: ignore[arg-type]
            contract_number=str(arguments.get("contract_number") or ""),
            contract_start=arguments.get("contract_start"),  # type: ignore[arg-type]
            contract_end=arguments.get("contract_end"),  # type: ignore[arg-type]
        )
    )
    by_field = {v: k for k, v in setup_cases.CASE_FIELDS.items()}
    if missing:
        labels = ", ".join(_(field_spec("case", by_field[m]).label) for m in missing)
        problems["from"] = _("A specialised service starts only with {missing}.").format(
            missing=labels
        )
    else:
        first, last = parsed["contract_start"], parsed["contract_end"]
        assert isinstance(first, date) and isinstance(last, date)
        if not first <= start <= last:
            problems["from"] = _("The service starts within the contract ({first}–{last}).").format(
                first=f"{first:%d.%m.%Y}", last=f"{last:%d.%m.%Y}"
            )
    return problems


def _write_cases(
    session: Session,
    centre_id: int,
    lines: Sequence[Mapping[str, object]],
    today: date,
    progress: Progress | None,
) -> int:
    """All cases in batches as waiting, then each that starts through the register's queue."""
    table = table_of(Case)
    rows: list[dict[str, Any]] = []
    starts: list[date | None] = []
    for parsed in lines:
        arguments = setup_cases.arguments(parsed)
        starts.append(arguments.pop("start_on", None))  # type: ignore[arg-type]
        if arguments.get("referral_source") is None:
            arguments["referral_source"] = "self"  # general access (specialised: refused above)
        arguments["service_types"] = list(arguments.get("service_types") or ())  # type: ignore[call-overload]
        rows.append({"centre_id": centre_id, "registered_on": today, **arguments})
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        try:
            ids.extend(session.execute(statement, rows[start : start + BATCH]).scalars())
        except IntegrityError as exc:
            raise DuplicateError(
                _("A case of the file was added by someone else meanwhile; import again.")
            ) from exc
        if progress:
            progress("write", len(ids), len(rows))
    start_new_cases(
        session,
        centre_id=centre_id,
        starts=[(i, on) for i, on in zip(ids, starts, strict=True) if on is not None],
    )
    return len(ids)


def _with_defaults(kind: str, parsed: Mapping[str, object]) -> dict[str, object]:
    values = dict(parsed)
    for spec in fields_of(kind):
        if values.get(spec.name) is None and spec.default:
            values[spec.name] = spec.default
    return values


def _existing_names(session: Session, centre_id: int, kind: str) -> set[str]:
    if kind == "case":
        query = sa.text("SELECT code FROM case_file WHERE centre_id = :c")
        return {str(n).casefold() for n in session.execute(query, {"c": centre_id}).scalars()}
    table_kind = TABLE_KINDS[kind]
    found = session.execute(
        sa.select(table_kind.name_column).where(table_kind.table.c.centre_id == centre_id)
    )
    return {str(n).casefold() for n in found.scalars()}


def _active_staff(session: Session, centre_id: int) -> dict[str, int]:
    staff = table_of(Staff)
    found = session.execute(
        sa.select(staff.c.full_name, staff.c.id).where(
            staff.c.centre_id == centre_id, staff.c.active
        )
    )
    return {name.casefold(): staff_id for name, staff_id in found}


def _logins(session: Session) -> set[str]:
    return set(session.execute(sa.select(table_of(Staff).c.login)).scalars())
