"""Rules of the house: the core never imports Textual; importing coptui has no side effects;
screens never import the app; no module grows past what one job needs."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORE = [
    "coptui.config",
    "coptui.db",
    "coptui.schema",
    "coptui.change_feed",
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


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top, in a function or for type checking only."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_screen_or_widget_imports_the_app() -> None:
    # Screens reach the app through ``screens.host.Host`` (a protocol) or messages.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("screens", "widgets")
        for path in sorted((ROOT / "coptui" / folder).glob("*.py"))
        if "coptui.app" in _imports(path)
    ]
    assert offenders == []


MOST_LINES = 450


def test_no_module_grows_past_one_job() -> None:
    # A module past ~400 lines does two jobs: split it along the seam its name suggests.
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "coptui").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}


def test_screens_use_the_footer_that_lets_go_of_old_keys() -> None:
    # Textual's own Footer keeps every key it ever showed while its screen lives (about a
    # megabyte per form opened): coptui.widgets.footer prunes them. bench/day.py measures it.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("screens", "widgets")
        for path in sorted((ROOT / "coptui" / folder).glob("*.py"))
        if path.name != "footer.py" and "textual.widgets.Footer" in _imports(path)
    ]
    assert offenders == []


def test_screens_build_their_tables_from_the_table_that_never_reads_markup() -> None:
    # Textual's DataTable reads a str cell as markup: a stored title «[/]» crashed the case
    # page, «[@click=app.quit]…» made a click act. coptui.widgets.table.Table shows it as typed.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("screens", "widgets")
        for path in sorted((ROOT / "coptui" / folder).glob("*.py"))
        if path.name != "table.py" and re.search(r"\bDataTable(\[[^\]]*\])?\(", path.read_text())
    ]
    assert offenders == []
