"""Text safety: the CHECKs of migration 0006 also refuse the bidirectional controls.

The embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) show a line in another
order than it is stored where a terminal reorders right-to-left text. coptui refuses them at
input and replaces them at output; from here the database refuses them from any client too.
Rows holding one already get U+FFFD in its place (as coptui's output shows them).

Every ``ck_*_safe`` CHECK is rewritten, whichever migration added it: each names one column.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import IntegrityError

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here as written today, not imported: a migration must not change when the app does.
# Each CHECK's bracket expression ends its C1 range with this, in pg_get_constraintdef's text.
C1 = "\\x7f-\\x9f"
BIDI = "\\u202a-\\u202e\\u2066-\\u2069"
BIDI_CLASS = f"[{BIDI}]"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"
MAX_LINE = 200

CHECKS = """
SELECT c.conrelid::regclass::text, c.conname, a.attname, t.typname,
       pg_get_constraintdef(c.oid)
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.contype = 'c' AND c.conname ~ '^ck_.*_safe$'
  AND c.connamespace = 'public'::regnamespace AND cardinality(c.conkey) = 1
ORDER BY 1, 2
"""


def _checks() -> list[tuple[str, str, str, str, str]]:
    rows = op.get_bind().execute(sa.text(CHECKS)).all()
    return [(str(t), str(n), str(col), str(typ), str(d)) for t, n, col, typ, d in rows]


def _rewrite(changed: list[tuple[str, str, str]]) -> None:
    """Replace each (table, name, definition) CHECK, one ALTER TABLE per table."""
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, name, definition in changed:
        by_table.setdefault(table, []).append((name, definition))
    for table, checks in by_table.items():
        op.execute(
            f"ALTER TABLE {table} "
            + ", ".join(
                f"DROP CONSTRAINT {name}, ADD CONSTRAINT {name} {definition}"
                for name, definition in checks
            )
        )


def _replaced(value: Any) -> Any:
    if isinstance(value, list):
        return [_BIDI.sub(REPLACEMENT, v) if isinstance(v, str) else v for v in value]
    return _BIDI.sub(REPLACEMENT, value)


def _neutralise(table: str, column: str, found: str) -> None:
    """Replace the controls row by row; a name that would then equal another's (two rooms that
    differed by one control) gets « #n», as migration 0006 did."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT ctid::text, {column} FROM {table} WHERE {found}"))
    update = sa.text(f"UPDATE {table} SET {column} = :v WHERE ctid = CAST(:c AS tid)")
    for ctid, value in rows.all():
        new = _replaced(value)
        for n in range(1, 1000):
            try:
                with connection.begin_nested():
                    connection.execute(update, {"v": new, "c": ctid})
                break
            except IntegrityError:
                suffix = f" #{n}"
                new = _replaced(value)[: MAX_LINE - len(suffix)] + suffix


def upgrade() -> None:
    changed = []
    for table, name, column, type_name, definition in _checks():
        if BIDI in definition or C1 not in definition:
            continue
        if type_name.startswith("_"):  # a text array: any element
            found = f"array_to_string({column}, ' ') ~ '{BIDI_CLASS}'"
        else:
            found = f"{column} ~ '{BIDI_CLASS}'"
        _neutralise(table, column, found)
        changed.append((table, name, definition.replace(C1, C1 + BIDI)))
    _rewrite(changed)


def downgrade() -> None:
    changed = [
        (table, name, definition.replace(C1 + BIDI, C1))
        for table, name, _column, _type, definition in _checks()
        if BIDI in definition
    ]
    _rewrite(changed)
