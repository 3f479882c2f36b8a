"""The planner remembers whose week each person had open, in a file only its owner reads."""

from __future__ import annotations

import stat
from pathlib import Path

from coptui.screens.choice import Choice
from coptui.screens.planner_load import remember, remembered


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_file_is_private_and_remembers(tmp_path: Path) -> None:
    choice = Choice(kind="staff", id=3, name="Милена Георгиева")
    remember(tmp_path, choice)
    path = tmp_path / "planner-state.json"
    assert _mode(path) == 0o600
    assert remembered(tmp_path) == choice


def test_an_old_readable_state_file_becomes_private(tmp_path: Path) -> None:
    path = tmp_path / "planner-state.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    remember(tmp_path, Choice(kind="room", id=1, name="Групова зала"))
    assert _mode(path) == 0o600
    assert not list(tmp_path.glob("*.tmp"))
