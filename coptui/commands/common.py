"""What every command shares: exit codes, option types, the engine, safe output."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from coptui.config import Settings
from coptui.domain.text import clean
from coptui.errors import BadInputError, CoptError, os_reason
from coptui.i18n import _, with_vav

if TYPE_CHECKING:
    from sqlalchemy import Engine

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3

# The most days `agenda --days` lists at once (ten years): more is a typing error.
MAX_DAYS = 3660
# The longest event, in minutes (the booking rules allow a day).
MAX_MINUTES = 24 * 60


def _typed(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


def option_day(text: str) -> date:
    """``--from``, ``--today``: a day as the forms read it (``14.12.2026``, ``днес``, ``+2``)."""
    from coptui.domain.parse import parse_day
    from coptui.domain.timeutil import today

    try:
        return parse_day(text, today())
    except BadInputError as exc:
        raise _typed(exc.message) from exc


def option_moment(text: str) -> datetime:
    """``--start``: a day and a time (``14.12.2026 9:30``, ``14.12.2026 9``, ``утре 930``)."""
    from coptui.domain.parse import parse_moment
    from coptui.domain.timeutil import today

    try:
        return parse_moment(text, today())
    except BadInputError as exc:
        raise _typed(exc.message) from exc


def option_clock(text: str) -> time:
    """``--end``: a time of day as the form reads it (``10``, ``1030``, ``10:30``)."""
    from coptui.domain.parse import parse_time

    try:
        return parse_time(text)
    except BadInputError as exc:
        raise _typed(exc.message) from exc


def _whole_number(text: str, most: int) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d{1,9}", value) or not 1 <= int(value) <= most:
        raise _typed(
            _("expected a whole number from 1 to {most}, got {text!r}").format(most=most, text=text)
        )
    return int(value)


def option_minutes(text: str) -> int:
    """``--duration``: minutes, 1 to a day."""
    return _whole_number(text, MAX_MINUTES)


def option_days(text: str) -> int:
    """``--days``: how many days, 1 to :data:`MAX_DAYS`."""
    return _whole_number(text, MAX_DAYS)


def option_month(text: str) -> tuple[int, int]:
    """A month as MM.YYYY: (year, month) as ``services.hours.parse_month`` reads it."""
    from coptui.services.hours import parse_month

    try:
        return parse_month(text)
    except BadInputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def option_name(text: str) -> str:
    """``--room``, ``--staff``, …: a name that is not empty (an empty one would match all)."""
    if not text.strip():
        raise _typed(_("the name is empty; write the name as in the registers"))
    return text


def option_id(text: str) -> int:
    """A record's id: a positive whole number."""
    return _whole_number(text, 2**31 - 1)


def open_engine(settings: Settings) -> Engine:
    """The engine of the database in ``settings`` (embedded or shared), migrated and checked."""
    from coptui.db import open_database

    return open_database(settings.database_url, settings.home)


def say(line: str) -> None:
    """Print one line of output; stored text in it cannot reach the terminal raw."""
    print(clean(line))


def say_done(lines: Iterable[str]) -> None:
    """Print what a committed change did.

    The change stands whatever happens to stdout: a reader that has gone
    (``coptui book … | true``) is no failure, so a broken pipe here is swallowed.
    """
    try:
        for line in lines:
            print(clean(line))
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the flush at exit does not fail on a closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


# JSON allows these raw inside strings, but a terminal may act on them (C1 controls, line
# separators) or cannot print them (lone surrogates); \uXXXX is the same JSON.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def json_text(data: object) -> str:
    """``data`` as indented JSON with readable Cyrillic and nothing a terminal would run."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=1)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def run_app(args: argparse.Namespace, settings: Settings) -> int:
    """Open the planner; the database is opened after the first frame."""
    from coptui.trace import mark

    mark("import app")
    from coptui.app import CoptApp

    mark("app imported")
    app = CoptApp(settings=settings)
    app.run()  # returns the app's result; a crash or a signal is in return_code
    code = app.return_code or 0
    if app.failure:
        print(f"coptui: {clean(app.failure)}", file=sys.stderr)
        return code or EXIT_FAILED
    return code


def to_file(name: object) -> str:
    """``to r.pdf`` for a message about a file, as the language says it (в/във in Bulgarian)."""
    return with_vav(_("to {file}").format(file=name))


def add_output_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--output FILE`` (``-`` is standard output) and ``--force`` (replace a file)."""
    parser.add_argument("--output", metavar=_("FILE"), help=help_text)
    parser.add_argument(
        "--force", action="store_true", help=_("replace the --output file if it exists")
    )


def write_stdout(data: bytes, *, binary: bool = False) -> None:
    """Write ``data`` to standard output; a PDF (``binary``) never goes to a terminal.

    A reader that has gone (``| head``) is no failure; a full disk is one line, exit 1.

    Raises:
        BadInputError: ``binary`` and standard output is a terminal.
        CoptError: standard output cannot take the data.
    """
    if binary and sys.stdout.isatty():
        raise BadInputError(
            _("A PDF is not for the terminal: name a file with --output, or use --format text.")
        )
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        silence_stdout()  # the exit's flush of what is left would fail again
        raise CoptError(
            _("Cannot write to standard output: {reason}").format(reason=os_reason(exc))
        ) from exc


def deliver(args: argparse.Namespace, data: bytes, *, binary: bool = False) -> str | None:
    """Write ``data`` where ``--output`` says (standard output when absent or ``-``).

    Returns:
        The name of the file written, for the caller's message; ``None`` for standard output.
    """
    from coptui.export.files import write_output

    if args.output is None or args.output == "-":
        write_stdout(data, binary=binary)
        return None
    write_output(args.output, data, force=args.force)
    return str(args.output)
