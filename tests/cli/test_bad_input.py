"""Bad input is exit 2 with one line that names the option and what it accepts, in the
interface's language; argparse's own texts are translated too."""

from __future__ import annotations

import argparse

import pytest

from coptui.cli import EXIT_BAD_INPUT, EXIT_OK, build_parser, main
from coptui.i18n import set_language
from tests.cli.test_cli import run


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """Nothing here may get as far as the database: an unreachable one proves it."""
    for key in ("COPTUI_LANG", "COPTUI_DAY_START", "COPTUI_DAY_END"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("COPTUI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))


BOOK = ["book", "--title", "Х", "--room", "Групова зала"]


@pytest.mark.parametrize(
    "args",
    [
        ["agenda", "--from", "31.12.9999"],
        ["agenda", "--from", "01.01.0001"],
        ["agenda", "--from", "31.12.2100", "--days", "2"],
        ["agenda", "--days", "1000000000"],
        ["agenda", "--days", "0"],
        [*BOOK, "--start", "14.12.2026 10:00", "--duration", "1" * 31],
        [*BOOK, "--start", "14.12.2026 10:00", "--duration", "1" * 5000],
        [*BOOK, "--start", "14.12.2026 10:00", "--duration", "30", "--repeat",
         "weekly until 31.12.9999"],
        [*BOOK, "--start", "14.12.2026 10:00", "--duration", "30", "--repeat",
         "every 99999 weeks count 2"],
        [*BOOK, "--start", "31.12.9999 23:50", "--duration", "5"],
        [*BOOK, "--start", "01.01.0001 10:00", "--duration", "5"],
        ["cancel", "1" * 40, "--reason", "x"],
    ],
)  # fmt: skip
def test_out_of_range_input_is_bad_input(
    no_database: None, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "неочаквана" not in err and "Няма връзка" not in err


@pytest.mark.parametrize(
    "url", ["garbage", "mysql://user:secret@host/db", "postgresql://u@h:port/db"]
)
def test_a_database_url_that_is_not_postgresql_is_bad_input(url: str) -> None:
    result = run("agenda", env={"COPTUI_DATABASE_URL": url})
    assert result.returncode == EXIT_BAD_INPUT
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "COPTUI_DATABASE_URL" in result.stderr and "secret" not in result.stderr


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["agenda", "--format", "xml"], ["--format", "text", "json", "csv"]),
        (["list", "bogus"], ["bogus", "rooms", "programmes"]),
        (["--lang", "xx", "list", "rooms"], ["--lang", "bg", "en"]),
        (["book", "--start", "14.12.2026 10:00", "--end", "11:00"], ["--title"]),
        (["cancel", "5"], ["--reason"]),
        (["book", "--title", "Х", "--start", "14.12.2026 10:00"], ["--end", "--duration"]),
    ],
)
def test_a_bad_option_is_named_with_what_it_accepts(
    no_database: None, capsys: pytest.CaptureFixture[str], args: list[str], names: list[str]
) -> None:
    assert main(args) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "непозната команда" not in err and "липсва команда" not in err
    for name in names:
        assert name in err, (name, err)
    assert "invalid choice" not in err and "required" not in err  # argparse's, translated


def test_unknown_and_missing_commands_are_still_named_so(
    no_database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["frobnicate"]) == EXIT_BAD_INPUT
    assert "непозната команда 'frobnicate'" in capsys.readouterr().err
    assert main(["db", "frob"]) == EXIT_BAD_INPUT
    assert "непозната команда 'frob'" in capsys.readouterr().err
    assert main(["db"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "липсва команда" in err and "upgrade" in err


def test_a_bad_repetition_is_explained_in_bulgarian(
    no_database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*BOOK, "--start", "14.12.2026 10:00", "--duration", "30", "--repeat", "sometimes"]
    assert main(args) == EXIT_BAD_INPUT
    assert "Повторението 'sometimes' не може да се разчете" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["book"], ["agenda"], ["list"], ["db"], ["cancel"]])
def test_help_is_bulgarian_through_and_through(
    no_database: None, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("употреба: coptui")
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in out, english
    assert "опции:" in out


def test_help_in_english_on_request(no_database: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "en", "book", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: coptui book") and "show this help message" in out


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_option_of_every_command_has_help() -> None:
    set_language("bg")
    commands = _subcommands(build_parser())
    assert {"book", "agenda", "cancel", "list", "demo", "db"} <= set(commands)
    for name, parser in commands.items():
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, (name, action.dest)


def test_start_and_end_are_read_as_the_form_reads_them(
    demo_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*BOOK, "--start", "14.12.2026 9", "--end", "10"]
    assert main(args) == EXIT_OK, capsys.readouterr().err
    assert "14.12.2026 09:00–10:00" in capsys.readouterr().out
    assert main([*BOOK, "--start", "15.12.2026 930", "--duration", "45"]) == EXIT_OK
    assert "15.12.2026 09:30–10:15" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("env", "bulgarian", "english"),
    [
        ({"COPTUI_DATABASE_URL": "garbage"}, "очаква се адрес на PostgreSQL", "expected a"),
        ({"COPTUI_DATABASE_URL": "mysql://a@b/c"}, "само с PostgreSQL", "needs PostgreSQL"),
        ({"COPTUI_DAY_START": "8"}, "ЧЧ:ММ", "HH:MM"),
        ({"COPTUI_DAY_START": "18:00", "COPTUI_DAY_END": "08:00"}, "трябва да е след", "after"),
    ],
)
def test_a_setting_that_cannot_be_used_is_said_in_the_users_language(
    env: dict[str, str], bulgarian: str, english: str
) -> None:
    said = run("agenda", env=env)
    assert said.returncode == EXIT_BAD_INPUT
    assert bulgarian in said.stderr and len(said.stderr.splitlines()) == 1, said.stderr
    said = run("--lang", "en", "agenda", env=env)
    assert english in said.stderr and bulgarian not in said.stderr, said.stderr
    said = run("agenda", env={**env, "COPTUI_LANG": "en"})
    assert english in said.stderr, said.stderr
