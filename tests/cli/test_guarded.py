"""The CLI's last line of defence: a database error that escaped the services is one line."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from coptui.cli import _guarded
from coptui.config import Settings


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("server closed the connection unexpectedly"),
        OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")),
    ],
)
def test_a_stray_database_error_is_one_line_not_an_unexpected_error(
    error: Exception, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run() -> int:
        raise error

    code = _guarded(run, Settings(home=tmp_path))
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "неочаквана" not in err
    assert "sqlalche.me" not in err and "SELECT" not in err
    assert "Връзката с базата данни прекъсна" in err
    assert not (tmp_path / "coptui-error.log").exists()
