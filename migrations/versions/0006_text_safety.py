"""Text safety: CHECKs refuse control characters and over-long text; functions resolve names
with the temporary schema last, so a role's own TEMP tables cannot stand in for coptui's.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here as they are today, not imported: a migration must not change when the app does.
MAX_LINE = 200
MAX_NOTES = 4000
# PostgreSQL bracket expressions: C0 (NUL cannot be stored anyway), DEL, C1, and for one-line
# text the Unicode line and paragraph separators; notes keep the newline.
SQL_LINE_FORBIDDEN = "[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029]"
SQL_NOTES_FORBIDDEN = "[\\x01-\\x09\\x0b-\\x1f\\x7f-\\x9f]"
_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOTES_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"

# People-facing text: titles, names, codes, reasons (one line) ...
LINE: dict[str, tuple[str, ...]] = {
    "centre": ("name", "town", "address"),
    "centre_capacity": ("note",),
    "room": ("name",),
    "holiday_override": ("note",),
    "staff": ("full_name", "email", "phone"),
    "volunteer": ("full_name", "phone", "email", "login"),
    "case_file": (
        "code",
        "child_name",
        "family_name",
        "referral_number",
        "contract_number",
        "close_reason",
    ),
    "programme": ("title",),
    "event": ("title", "cancel_reason"),
    "roster_slot": ("task",),
}
# ... notes and descriptions (several lines) ...
NOTES: dict[str, tuple[str, ...]] = {
    "room": ("notes",),
    "volunteer": ("notes",),
    "programme": ("description",),
    "event": ("notes",),
    "event_case": ("attendance_note",),
}
# ... and lists of short words (no control character in any element).
LISTS: dict[str, tuple[str, ...]] = {
    "volunteer": ("skills",),
    "case_file": ("service_types",),
}
# The columns that identify a row, and the unique constraints a neutralised value must keep.
KEYS = {"event_case": ("event_id", "case_id")}
UNIQUE_WITHIN = {
    ("centre", "name"): (),
    ("room", "name"): ("centre_id",),
    ("programme", "title"): ("centre_id",),
    ("case_file", "code"): ("centre_id",),
    ("volunteer", "login"): (),
}


def line_check(column: str) -> str:
    return f"char_length({column}) <= {MAX_LINE} AND {column} !~ '{SQL_LINE_FORBIDDEN}'"


def notes_check(column: str) -> str:
    return f"char_length({column}) <= {MAX_NOTES} AND {column} !~ '{SQL_NOTES_FORBIDDEN}'"


def list_check(column: str) -> str:
    return f"array_to_string({column}, ' ') !~ '{SQL_LINE_FORBIDDEN}'"


def _shortened(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def neutral_line(value: str, limit: int = MAX_LINE) -> str:
    """A stored one-line text the CHECK accepts: breaks and tabs become spaces, other
    controls the replacement character (as coptui's output shows them), long text is cut."""
    value = re.sub("[\t\r\n]+", " ", value)
    return _shortened(_LINE_FORBIDDEN.sub(REPLACEMENT, value), limit)


def neutral_notes(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    return _shortened(_NOTES_FORBIDDEN.sub(REPLACEMENT, value), MAX_NOTES)


def _neutralise(table: str, column: str, where: str, fix: Callable[[Any], Any]) -> None:
    """Rewrite the rows of ``table`` whose ``column`` matches ``where``, one by one."""
    connection = op.get_bind()
    keys = KEYS.get(table, ("id",))
    scope = UNIQUE_WITHIN.get((table, column))
    extra = scope or ()
    selected = ", ".join((*keys, column, *extra))
    found = connection.execute(sa.text(f"SELECT {selected} FROM {table} WHERE {where}")).all()
    match = " AND ".join(f"{key} = :{key}" for key in keys)
    for row in found:
        values = row._mapping
        new = fix(values[column])
        if scope is not None:
            # Two names that differed only by a control character must stay two names.
            same = " AND ".join(f"{c} = :{c}" for c in scope) or "true"
            taken = connection.execute(
                sa.text(
                    f"SELECT 1 FROM {table} WHERE {column} = :new AND {same} AND NOT ({match})"
                ),
                {**values, "new": new},
            ).first()
            if taken is not None:
                suffix = " #" + ":".join(str(values[k]) for k in keys)
                new = _shortened(new, MAX_LINE - len(suffix)) + suffix
        connection.execute(
            sa.text(f"UPDATE {table} SET {column} = :new WHERE {match}"),
            {**values, "new": new},
        )


def _neutral_list(values: list[str]) -> list[str]:
    return [neutral_line(v) for v in values]


def _constraints() -> dict[str, list[tuple[str, str]]]:
    """Per table, the (name, expression) of every CHECK this migration adds."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kinds, check in ((LINE, line_check), (NOTES, notes_check), (LISTS, list_check)):
        for table, columns in kinds.items():
            for column in columns:
                found.setdefault(table, []).append((f"ck_{table}_{column}_safe", check(column)))
    return found


# The audit's SECURITY DEFINER function runs with its owner's rights: every name in it is
# schema-qualified, and the temporary schema, which a caller fills, comes last in its path
# (left out of the path, PostgreSQL searches it first for tables and types).
AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION public.coptui_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_row pg_catalog.jsonb := CASE WHEN TG_OP <> 'INSERT' THEN pg_catalog.to_jsonb(OLD) END;
    new_row pg_catalog.jsonb := CASE WHEN TG_OP <> 'DELETE' THEN pg_catalog.to_jsonb(NEW) END;
    any_row pg_catalog.jsonb := coalesce(new_row, old_row);
    key_parts pg_catalog.text[] := '{}';
    i int;
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        key_parts := key_parts || (any_row ->> TG_ARGV[i]);
    END LOOP;
    INSERT INTO public.audit_log (centre_id, table_name, row_id, action, old, new)
    VALUES (
        CASE WHEN TG_TABLE_NAME = 'centre' THEN (any_row ->> 'id')::int
             ELSE (any_row ->> 'centre_id')::int END,
        TG_TABLE_NAME, pg_catalog.array_to_string(key_parts, ':'), TG_OP, old_row, new_row
    );
    RETURN NULL;
END
$$
"""

# As migration 0001 wrote it, for the downgrade.
OLD_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION coptui_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    any_row jsonb := coalesce(new_row, old_row);
    key_parts text[] := '{}';
    i int;
BEGIN
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        key_parts := key_parts || (any_row ->> TG_ARGV[i]);
    END LOOP;
    INSERT INTO audit_log (centre_id, table_name, row_id, action, old, new)
    VALUES (
        CASE WHEN TG_TABLE_NAME = 'centre' THEN (any_row ->> 'id')::int
             ELSE (any_row ->> 'centre_id')::int END,
        TG_TABLE_NAME, array_to_string(key_parts, ':'), TG_OP, old_row, new_row
    );
    RETURN NULL;
END
$$
"""

# The other functions run with the caller's rights, but a caller's TEMP table named like one
# of coptui's would still stand in for it: a TEMP `event` would swallow the people copies that
# coptui_event_people() keeps for everyone's week. The same path fixes them (every table they
# name is in public; built-in functions come from pg_catalog, first).
INVOKER_FUNCTIONS = (
    "public.coptui_notify()",
    "public.coptui_event_people()",
    "public.coptui_clashes(tstzrange, int, int[], int[], int[], int[])",
    "public.coptui_clashes_json(tstzrange, int, int[], int[], int[])",
    "public.coptui_book(int, text, text, tstzrange, int, int, int, text, int[], int[], int[],"
    " date, boolean, boolean, int)",
    "public.coptui_audit_refuse()",
)
SAFE_PATH = "pg_catalog, public, pg_temp"


def upgrade() -> None:
    for table, columns in LINE.items():
        for column in columns:
            where = f"{column} ~ '{SQL_LINE_FORBIDDEN}' OR char_length({column}) > {MAX_LINE}"
            _neutralise(table, column, where, neutral_line)
    for table, columns in NOTES.items():
        for column in columns:
            where = f"{column} ~ '{SQL_NOTES_FORBIDDEN}' OR char_length({column}) > {MAX_NOTES}"
            _neutralise(table, column, where, neutral_notes)
    for table, columns in LISTS.items():
        for column in columns:
            _neutralise(table, column, f"NOT ({list_check(column)})", _neutral_list)
    # One ALTER TABLE per table: its new CHECKs are verified in one pass over the rows.
    for table, checks in _constraints().items():
        op.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"ADD CONSTRAINT {name} CHECK ({sql})" for name, sql in checks)
        )
    op.execute(AUDIT_FUNCTION)
    for function in INVOKER_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SET search_path = {SAFE_PATH}")


def downgrade() -> None:
    for function in INVOKER_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} RESET search_path")
    op.execute(OLD_AUDIT_FUNCTION)
    for table, checks in _constraints().items():
        op.execute(
            f"ALTER TABLE {table} "
            + ", ".join(f"DROP CONSTRAINT IF EXISTS {name}" for name, _sql in checks)
        )
