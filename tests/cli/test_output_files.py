"""Where `--output` writes (`report month`, `print week`, `export ics`): never over a file
unasked, `-` is standard output, a device or a FIFO is written through, a symlink followed;
the operating system's reasons and the messages around the files in plain Bulgarian."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coptui.cli import main

WEEK = ["--week", "25.11.2026"]
# One command of each kind that writes --output, and what its file starts with.
COMMANDS = {
    "report": (["report", "month", "11.2026", "--format", "csv"], b"report,"),
    "print": (["print", "week", "--room", "Групова", *WEEK, "--format", "text"], b"\xd0"),
    "export": (["export", "ics", "--room", "Групова", "--from", "23.11.2026"], b"BEGIN:VCALENDAR"),
}


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report of 11.2026 needs the month begun."""
    from datetime import date

    monkeypatch.setattr("coptui.domain.timeutil.today", lambda zone=None: date(2026, 11, 24))


def _env(demo_env: str, home: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("COPTUI_")},
        "COPTUI_AS_OWNER": "1",
        "COPTUI_DATABASE_URL": demo_env,
        "COPTUI_HOME": str(home),
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_existing_file_is_refused_unless_force(
    demo_env: str, today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    args, start = COMMANDS[command]
    target = tmp_path / "отчет.pdf"
    target.write_bytes(b"%PDF-1.4 the manager's own file")
    assert main([*args, "--output", str(target)]) == 3
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert "вече съществува" in err and "--force" in err
    assert target.read_bytes() == b"%PDF-1.4 the manager's own file"
    assert main([*args, "--output", str(target), "--force"]) == 0
    assert target.read_bytes().startswith(start)
    assert f"в {target}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["отчет.pdf"]  # no .part left


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_symlink_is_followed_and_kept(
    demo_env: str, today: None, tmp_path: Path, command: str
) -> None:
    args, start = COMMANDS[command]
    (tmp_path / "shared").mkdir()
    link = tmp_path / "последен"
    link.symlink_to(tmp_path / "shared" / "файл")  # dangling: the target is made
    assert main([*args, "--output", str(link)]) == 0
    assert link.is_symlink() and (tmp_path / "shared" / "файл").read_bytes().startswith(start)
    assert main([*args, "--output", str(link)]) == 3  # the target exists now
    assert main([*args, "--output", str(link), "--force"]) == 0
    assert link.is_symlink()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_dash_is_standard_output(
    demo_env: str,
    today: None,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    args, start = COMMANDS[command]
    monkeypatch.chdir(tmp_path)
    assert main([*args, "--output", "-"]) == 0
    assert capsysbinary.readouterr().out.startswith(start)
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["report", "month", "11.2026", "--format", "pdf", "--output", "-"],
        ["print", "week", "--room", "Групова", *WEEK, "--output", "-"],
    ],
)
def test_a_pdf_goes_to_standard_output_only_when_it_is_no_terminal(
    demo_env: str,
    today: None,
    capsysbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    assert main(args) == 0
    assert capsysbinary.readouterr().out.startswith(b"%PDF-")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(args) == 2
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and "--output" in captured.err.decode()


def _device(path: Path, minor: int) -> Path:
    """A character device of our own (1,3 is null, 1,7 is full): a test that fails can
    replace it, never the machine's /dev/null."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_device_is_written_through_never_replaced(
    demo_env: str, today: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    args, _start = COMMANDS[command]
    null, full = _device(tmp_path / "null", 3), _device(tmp_path / "full", 7)
    assert main([*args, "--output", str(null)]) == 0
    assert stat.S_ISCHR(os.stat(null).st_mode)
    capsys.readouterr()
    assert main([*args, "--output", str(full), "--force"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [
        f"coptui: Файлът {full} не може да бъде записан: дискът е пълен"
    ]
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_fifo_is_written_through(demo_env: str, today: None, tmp_path: Path) -> None:
    fifo = tmp_path / "към-принтера"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code = main([*COMMANDS["export"][0], "--output", str(fifo)])
    reader.join(timeout=30)
    if reader.is_alive():  # nothing was written into it: let the reader go
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert code == 0
    assert got and got[0].startswith(b"BEGIN:VCALENDAR")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize(
    "args",
    [
        ["agenda", "--from", "23.11.2026"],
        ["export", "ics", "--room", "Групова", "--output", "-"],
        ["print", "week", "--room", "Групова", *WEEK, "--format", "text"],
    ],
)
def test_a_full_standard_output_is_one_line_exit_1(
    demo_env: str, tmp_path: Path, args: list[str]
) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "coptui", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env=_env(demo_env, tmp_path),
            timeout=120,
        )
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert err.splitlines() == ["coptui: Не може да се пише на стандартния изход: дискът е пълен"]


@pytest.mark.parametrize(
    "args",
    [
        ["print", "week", "--room", "", *WEEK, "--format", "text"],
        ["print", "week", "--staff", " ", *WEEK, "--format", "text"],
        ["print", "week", "--programme", "", *WEEK, "--format", "text"],
        ["agenda", "--room", ""],
        ["agenda", "--case", ""],
        ["export", "ics", "--volunteer", ""],
        ["import", "ics", "-", "--room", ""],
    ],
)
def test_an_empty_name_is_bad_input(
    demo_env: str, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert "името е празно" in err and "неочаквана" not in err


def test_the_reasons_of_the_system_are_in_bulgarian(
    demo_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = COMMANDS["export"][0]
    assert main([*args, "--output", str(tmp_path / "няма" / "к.ics")]) == 2
    assert capsys.readouterr().err.endswith(": няма такъв файл или папка\n")
    (tmp_path / "файл").write_text("")
    assert main([*args, "--output", str(tmp_path / "файл" / "к.ics")]) == 2
    assert capsys.readouterr().err.endswith(": част от пътя не е папка\n")
    assert main(["import", "ics", str(tmp_path / "няма.ics"), "--room", "Групова"]) == 2
    assert capsys.readouterr().err.endswith(": няма такъв файл или папка\n")


@pytest.mark.parametrize(
    "number",
    [
        errno.ENOENT,
        errno.EISDIR,
        errno.EACCES,
        errno.ENOSPC,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EEXIST,
    ],
)
def test_each_common_reason_has_bulgarian_words(number: int) -> None:
    from coptui.errors import os_reason
    from coptui.i18n import set_language

    set_language("bg")
    reason = os_reason(OSError(number, os.strerror(number)))
    assert reason != os.strerror(number) and any("а" <= c <= "я" for c in reason)
    assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == (
        "Invalid cross-device link"
    )


def test_v_or_vav_by_the_next_word_and_plural_forms(
    demo_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    one = ["export", "ics", "--room", "Групова", "--from", "23.11.2026", "--days", "1"]
    assert main([*one, "--output", "вход.ics"]) == 0
    assert capsys.readouterr().out == "Записано е 1 събитие във вход.ics.\n"
    assert main([*COMMANDS["export"][0], "--output", "r.ics"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Записани са ") and out.endswith(" събития в r.ics.\n")
    assert main([*COMMANDS["print"][0], "--output", "фиш.txt"]) == 0
    assert capsys.readouterr().out == "Седмицата е записана във фиш.txt.\n"


def test_a_bad_month_is_said_once(demo_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "month", "13.2026"]) == 2
    err = capsys.readouterr().err
    assert err == "coptui: Напишете месеца като ММ.ГГГГ, напр. 11.2026.\n"


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["export", "ics"], "`coptui export ics --help`"),
        (["import", "ics"], "`coptui import ics --help`"),
        (["import", "ics", "--room", "Групова"], "`coptui import ics --help`"),
        (["import", "staff"], "`coptui import staff --help`"),
        (["report", "month"], "`coptui report month --help`"),
    ],
)
def test_the_hint_names_the_help_of_the_kind(
    demo_env: str, capsys: pytest.CaptureFixture[str], args: list[str], hint: str
) -> None:
    assert main(args) == 2
    assert hint in capsys.readouterr().err


def test_no_centre_says_how_to_set_one_up(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("COPTUI_LANG", raising=False)
    monkeypatch.setenv("COPTUI_DATABASE_URL", database_url)
    monkeypatch.setenv("COPTUI_HOME", str(tmp_path))
    assert main(["agenda"]) == 2
    err = capsys.readouterr().err
    assert "`coptui add centre --help`" in err and "`coptui demo`" in err
