"""Entry point: parse arguments and settings, then run the app or a command.

The commands themselves live in :mod:`coptui.commands`, one module per group; this module
builds the parser from them, and turns every failure into one line and an exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from coptui.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    run_app,
    silence_stdout,
)
from coptui.config import LANGUAGES, Settings, SettingsError
from coptui.domain.text import clean
from coptui.errors import BadInputError, CoptError, RefusedError, os_reason
from coptui.i18n import _, set_language, translate_argparse
from coptui.trace import mark

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "Parser",
    "UsageError",
    "build_parser",
    "main",
]


# The arguments of this run, for the help a usage error points at.
_ARGV: list[str] = []


class UsageError(Exception):
    """Bad command-line input; the message is one line for people."""


class Parser(argparse.ArgumentParser):
    """An argument parser that reports bad input as one line instead of usage text.

    argparse's own messages (which option, which values are allowed) are kept, in the
    interface's language (see ``coptui.i18n.translate_argparse``).
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(
            _("bad arguments: {message}; see `{prog} --help`").format(
                message=message.rstrip("."), prog=self._help_prog()
            )
        )

    def _help_prog(self) -> str:
        """``coptui import ics`` when the command's first word names a kind (``ics``)."""
        positionals = [a for a in self._actions if not a.option_strings]
        first = positionals[0] if positionals else None
        if first is None or isinstance(first, argparse._SubParsersAction) or not first.choices:
            return self.prog
        name = self.prog.split()[-1]
        words = _ARGV[_ARGV.index(name) + 1 :] if name in _ARGV else []
        kind = next((w for w in words if not w.startswith("-")), None)
        return f"{self.prog} {kind}" if kind in first.choices else self.prog

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # A subcommand that does not exist is named as such, not as a bad "choice".
        if isinstance(action, argparse._SubParsersAction) and value not in (action.choices or ()):
            raise UsageError(
                _("unknown command {name}; see `{prog} --help`").format(
                    name=repr(value), prog=self.prog
                )
            )
        super()._check_value(action, value)


def _language_from_argv(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser() -> Parser:
    """The whole command line, with help texts in the current language.

    Each module named in ``coptui.commands.MODULES`` adds its commands through its
    ``register(commands)``.
    """
    from coptui.commands import MODULES

    translate_argparse()
    parser = Parser(
        prog="coptui",
        description=_(
            "Scheduler for community support centres (ЦОП): rooms, specialists, "
            "programmes, volunteers and cases."
        ),
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=_("language of the interface"))
    parser.add_argument("--version", action="store_true", help=_("print the version and exit"))
    parser.set_defaults(handler=run_app)
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar=_("COMMAND"))
    for name in MODULES:
        importlib.import_module(f"coptui.commands.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run coptui with ``argv`` (default: the process arguments) and return the exit code."""
    mark("cli main")
    args_list = list(sys.argv[1:] if argv is None else argv)
    # A setting that cannot be used is said in the language asked for, if that one can be.
    asked = _language_from_argv(args_list) or os.environ.get("COPTUI_LANG", "").strip().lower()
    set_language(asked if asked in LANGUAGES else "bg")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        _say_error(str(exc))
        return EXIT_BAD_INPUT
    lang = _language_from_argv(args_list) or settings.lang
    set_language(lang if lang in LANGUAGES else settings.lang)
    if not args_list:  # plain `coptui`: straight to the planner, no parser to build
        if settings.embedded:
            from coptui.embedded import start_soon

            start_soon(settings.home)
        return _guarded(lambda: run_app(argparse.Namespace(), settings), settings)
    parser = build_parser()
    _ARGV[:] = args_list
    try:
        args = parser.parse_args(args_list)
    except UsageError as exc:
        _say_error(str(exc))
        return EXIT_BAD_INPUT
    if args.version:
        from coptui import __version__

        print(f"coptui {__version__}")
        return EXIT_OK
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    return _guarded(lambda: handler(args, settings), settings)


def _say_error(message: str) -> None:
    # One line, whatever the message holds (a stored title, a name typed in an option).
    with contextlib.suppress(BrokenPipeError, ValueError):  # stderr closed: nobody to tell
        print(f"coptui: {clean(message)}", file=sys.stderr)


def _guarded(run: Callable[[], int], settings: Settings) -> int:
    """Run a command; every failure becomes one line and an exit code, never a traceback."""
    try:
        try:
            code = run()
            if sys.stdout is not None:
                sys.stdout.flush()  # a full disk under `> file` is said here, not at exit
            return code
        except Exception as exc:
            # A database error that escaped the services still becomes one line for people.
            if _is_database_error(exc):
                from coptui.errors import (
                    DatabaseUnavailableError,
                    PermissionDeniedError,
                    SchemaBehindError,
                    database_error,
                )

                mapped = database_error(exc)
                # What the person can act on is said in one line; anything else is a defect
                # and goes to the crash log below.
                actionable = (DatabaseUnavailableError, PermissionDeniedError, SchemaBehindError)
                if isinstance(mapped, actionable):
                    raise mapped from exc
            raise
    except BadInputError as exc:
        _say_error(exc.message)
        return EXIT_BAD_INPUT
    except RefusedError as exc:
        _say_error(exc.message)
        return EXIT_REFUSED
    except CoptError as exc:
        _say_error(exc.message)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `coptui agenda | head`: the reader has all it wanted. Nothing to say. A command that
        # changed something reports it with `say_done`, which never gets here.
        silence_stdout()
        return EXIT_FAILED
    except OSError as exc:
        if exc.errno not in _OUTPUT_FAILED:
            return _unexpected(settings, exc)
        # `coptui agenda > /dev/full`: standard output cannot take what was printed.
        silence_stdout()
        _say_error(_("Cannot write to standard output: {reason}").format(reason=os_reason(exc)))
        return EXIT_FAILED
    except Exception as exc:  # the last resort: one line for the person, details in a file
        return _unexpected(settings, exc)


# What a write to a full or failing standard output raises (print() fails with these).
_OUTPUT_FAILED = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _unexpected(settings: Settings, exc: BaseException) -> int:
    """A defect: one line for the person, the traceback in a file."""
    log = _write_crash_log(settings.home)
    reason = scrub(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    if log is None:
        _say_error(_("unexpected error: {reason}").format(reason=reason))
    else:
        _say_error(
            _("unexpected error: {reason} (details in {log})").format(reason=reason, log=log)
        )
    return EXIT_FAILED


def _is_database_error(exc: BaseException) -> bool:
    # Only modules already imported can have raised it; plain `coptui` never imports them.
    for module, name in (("sqlalchemy.exc", "DBAPIError"), ("psycopg", "Error")):
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(exc, getattr(loaded, name)):
            return True
    return False


# What a database error may echo of the data: the statement's parameters, and PostgreSQL's
# DETAIL line ("Key (title)=(…) already exists"). Neither belongs in a log file.
_PARAMETERS = re.compile(r"^(\s*)\[parameters: .*$", re.MULTILINE)
_DETAIL = re.compile(r"^(\s*)DETAIL: .*$", re.MULTILINE)


def scrub(text: str) -> str:
    """``text`` without the parameter values and DETAIL lines a database error carries."""
    text = _PARAMETERS.sub(r"\1[parameters: hidden]", text)
    return _DETAIL.sub(r"\1DETAIL: (hidden)", text)


def _write_crash_log(home: Path) -> Path | None:
    """Append the current traceback, scrubbed, to ``coptui-error.log`` (mode 0600).

    Returns:
        The log's path, or ``None`` when no log could be written.
    """
    report = "".join(clean(line) + "\n" for line in scrub(traceback.format_exc()).splitlines())
    candidates = [home / "coptui-error.log", Path("/tmp") / f"coptui-error-{os.getuid()}.log"]
    for log in candidates:
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        except OSError:
            continue
        try:
            os.fchmod(fd, 0o600)  # an older log may have been created 0644
            os.write(fd, report.encode("utf-8", "replace"))
        except OSError:
            continue
        finally:
            os.close(fd)
        return log
    return None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
