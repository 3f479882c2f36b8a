"""A deactivated room or person is not booked into a new event; their history stays."""

from __future__ import annotations

import pytest

from coptui.cli import main


def test_a_deactivated_staff_member_is_refused_for_a_new_booking(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "staff"]) == 0
    first = capsys.readouterr().out.splitlines()[0].split("  ")
    name = [part for part in first if part.strip()][1].strip()
    assert main(["agenda", "--staff", name, "--from", "16.11.2026", "--days", "21"]) == 0
    history = capsys.readouterr().out
    assert main(["deactivate", "staff", name]) == 0
    capsys.readouterr()
    code = main(
        [
            "book",
            "--title",
            "Нова среща",
            "--start",
            "09.12.2026 07:00",
            "--duration",
            "30",
            "--staff",
            name,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert name in err and len(err.strip().splitlines()) == 1
    # What was booked before is still listed under their name.
    assert main(["agenda", "--staff", name, "--from", "16.11.2026", "--days", "21"]) == 0
    assert capsys.readouterr().out == history
