"""``coptui import staff|volunteers|cases|rooms FILE.csv``: the first day's lists, at once.

``coptui import ics FILE --room|--staff NAME`` (outside busy times) is handed over to
:mod:`coptui.commands.calendars`.

Without ``--yes`` the command only shows what it would do (and, at a terminal, asks);
with ``--yes`` it writes. A wrong line stops the import unless ``--skip-bad``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coptui.errors import BadInputError, os_reason
from coptui.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.config import Settings
    from coptui.services.imports import ImportResult, Preview

KINDS = ("staff", "volunteers", "cases", "rooms")
SHOWN = 10  # lines listed per group in the preview
SHOWN_ERRORS = 50


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``import`` command to ``commands``."""
    parser = commands.add_parser(
        "import",
        help=_("import staff, volunteers, cases or rooms from a CSV file, or busy times (ics)"),
        description=_(
            "Import staff, volunteers, cases or rooms from a CSV file (UTF-8 with or without "
            "BOM, separated by ';' or ','; the first line names the columns, in English or "
            "Bulgarian, as the options of `coptui add`). Without --yes it only shows what "
            "would be added, what is already there and which lines are wrong; at a terminal "
            "it then asks. Nothing is written while a line is wrong, unless --skip-bad. "
            "`import ics FILE --room|--staff NAME` brings the busy times of an iCalendar "
            "file in as blocks on that calendar: without --yes it lists them and what they "
            "would clash with; a second import of the same file skips what came in before."
        ),
    )
    parser.add_argument(
        "what",
        choices=(*KINDS, "ics"),
        metavar="|".join((*KINDS, "ics")),
        help=_("what the file holds"),
    )
    parser.add_argument(
        "file", metavar=_("FILE"), help=_("the file, .csv or .ics ('-' reads stdin)")
    )
    parser.add_argument("--yes", action="store_true", help=_("write without asking (for scripts)"))
    parser.add_argument(
        "--skip-bad", action="store_true", help=_("leave the wrong lines out and add the rest")
    )
    from coptui.commands.calendars import add_import_options

    add_import_options(parser)
    parser.set_defaults(handler=run_import)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BadInputError(
            _("Cannot read {file}: {reason}").format(file=path, reason=os_reason(exc))
        ) from exc


def _progress(stage: str, done: int, total: int) -> None:
    word = _("checked") if stage == "check" else _("written")
    end = "\n" if done >= total else ""
    print(f"\r{word}: {done}/{total}", end=end, file=sys.stderr, flush=True)


def show_preview(preview: Preview) -> None:
    """Print what an import would do."""
    from coptui.domain.text import clean

    delimiter = {"\t": "TAB"}.get(preview.delimiter, preview.delimiter)
    print(
        _("{lines} lines ({encoding}, separated by “{delimiter}”); columns: {columns}.").format(
            lines=preview.lines,
            encoding=preview.encoding,
            delimiter=delimiter,
            columns=", ".join(f"{clean(k)} → {v}" for k, v in preview.columns.items()),
        )
    )
    if preview.ignored:
        print(
            _("Ignored columns: {columns}.").format(
                columns=", ".join(clean(c) for c in preview.ignored)
            )
        )
    print(_("To add: {n}").format(n=len(preview.new)))
    for line in preview.new[:SHOWN]:
        print(_("  line {line}: {name}").format(line=line.line, name=clean(line.name)))
    if len(preview.new) > SHOWN:
        print(_("  … and {n} more").format(n=len(preview.new) - SHOWN))
    if preview.duplicates:
        print(_("Already there (left out): {n}").format(n=len(preview.duplicates)))
        for dup in preview.duplicates[:SHOWN]:
            where = (
                _("already in the centre")
                if dup.same_as_line is None
                else _("the same as line {n}").format(n=dup.same_as_line)
            )
            print(
                _("  line {line}: {name} — {where}").format(
                    line=dup.line, name=clean(dup.name), where=where
                )
            )
        if len(preview.duplicates) > SHOWN:
            print(_("  … and {n} more").format(n=len(preview.duplicates) - SHOWN))
    if preview.errors:
        print(_("Wrong lines: {n}").format(n=preview.bad_lines))
        for error in preview.errors[:SHOWN_ERRORS]:
            where = f"{error.line}, {error.field}" if error.field else str(error.line)
            message = clean(error.message)
            # «ред 3, Професия: Професия: …» names the field twice: once is enough.
            message = message.removeprefix(f"{error.field}: ") if error.field else message
            print(_("  line {where}: {message}").format(where=where, message=message))
        if len(preview.errors) > SHOWN_ERRORS:
            print(_("  … and {n} more").format(n=len(preview.errors) - SHOWN_ERRORS))


def _ask(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "yes", "д", "да")


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Preview an import, then write it (``--yes``, or a yes at the terminal)."""
    if args.what == "ics":
        from coptui.commands.calendars import run_import_ics

        return run_import_ics(args, settings)
    if args.room or args.staff:
        raise BadInputError(_("--room and --staff go with `import ics`."))
    from coptui.db import open_database
    from coptui.domain.timeutil import today
    from coptui.services.imports import WrongLinesError, import_file, preview_import
    from coptui.services.setup_centre import first_centre_id
    from coptui.services.transaction import transact

    data = _read(args.file)
    day = today()
    progress = _progress if sys.stderr.isatty() else None
    engine = open_database(settings.database_url, settings.home)

    def centre_of(session: Session) -> int:
        centre = first_centre_id(session)
        if centre is None:
            raise BadInputError(
                _("There is no centre yet; add it first with `coptui add centre NAME --town T`.")
            )
        return centre

    def check(session: Session) -> Preview:
        return preview_import(
            session,
            centre_id=centre_of(session),
            kind=args.what,
            data=data,
            today=day,
            progress=progress,
        )

    def write(session: Session) -> ImportResult:
        return import_file(
            session,
            centre_id=centre_of(session),
            kind=args.what,
            data=data,
            today=day,
            skip_bad=args.skip_bad,
            progress=progress,
        )

    try:
        if args.yes:
            try:
                result = transact(engine, write)
            except WrongLinesError as exc:
                show_preview(exc.preview)
                raise
            show_preview(result.preview)
        else:
            preview = transact(engine, check)
            show_preview(preview)
            if preview.errors and not args.skip_bad:
                raise BadInputError(
                    _(
                        "{n} lines are wrong; correct them or add --skip-bad. Nothing was written."
                    ).format(n=preview.bad_lines)
                )
            if not preview.new:
                print(_("Nothing to add."))
                return 0
            interactive = sys.stdin.isatty() and sys.stdout.isatty() and args.file != "-"
            if not interactive:
                print(_("Nothing was written; run again with --yes to write."))
                return 0
            if not _ask(_("Add {n} records? [y/N] ").format(n=len(preview.new))):
                print(_("Nothing was written."))
                return 0
            result = transact(engine, write)
    finally:
        engine.dispose()
    print(
        _("Added: {added}; left out: {duplicates} already there, {bad} wrong lines.").format(
            added=result.added,
            duplicates=len(result.preview.duplicates),
            bad=result.preview.bad_lines,
        )
    )
    return 0
