"""A demo centre shared by the in-process command tests of one module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from coptui import db
from tests.conftest import _create_copy, _drop, _with_database


@pytest.fixture(scope="module")
def demo_url(admin_url: str, template_name: str) -> Iterator[str]:
    """A migrated database holding the demo centre (around 22.11.2026), for one module."""
    from coptui.services.demo import load_demo

    name = _create_copy(admin_url, template_name)
    url = _with_database(admin_url, name)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        load_demo(session, today=date(2026, 11, 22))
    engine.dispose()
    yield url
    _drop(admin_url, name)


@pytest.fixture
def demo_env(demo_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> str:
    """The process environment pointed at the demo database, for ``main([...])`` in-process."""
    for key in ("COPTUI_LANG", "COPTUI_DAY_START", "COPTUI_DAY_END"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("COPTUI_DATABASE_URL", demo_url)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    return demo_url
