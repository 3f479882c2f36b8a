"""Rules of the house: the core never imports Textual; importing coptui has no side effects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORE = [
    "coptui.config",
    "coptui.db",
    "coptui.errors",
    "coptui.models",
    "coptui.domain.workdays",
    "coptui.domain.timeutil",
    "coptui.services.calendar",
    "coptui.services.demo",
    "coptui.services.demo_people",
    "coptui.services.demo_events",
    "coptui.domain.fields",
    "coptui.domain.field_values",
    "coptui.services.setup",
    "coptui.services.imports",
]


def _modules_after(imports: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in imports)
    code += "print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(out.stdout.split())


def test_core_never_imports_textual() -> None:
    loaded = _modules_after(CORE)
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_cli_starts_without_the_database_stack() -> None:
    # The first frame must not wait for SQLAlchemy, SQLModel or psycopg.
    loaded = _modules_after(["coptui.cli", "coptui.app"])
    heavy = {"sqlalchemy", "sqlmodel", "psycopg", "pydantic", "alembic"}
    assert heavy.isdisjoint(loaded)


def test_catalogs_cover_every_marked_string() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "catalogs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
