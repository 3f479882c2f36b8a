"""Commands for administrators: ``demo``, ``db upgrade|url``, ``list KIND``."""

from __future__ import annotations

import argparse
from typing import Any

from coptui.commands.common import (
    EXIT_OK,
    json_text,
    open_engine,
    option_day,
    run_app,
    say,
    say_done,
)
from coptui.config import Settings
from coptui.errors import BadInputError
from coptui.i18n import _

LIST_KINDS = ("rooms", "staff", "volunteers", "cases", "programmes")
FORMATS = ("text", "json")


def register(commands: Any) -> None:
    """Add ``demo``, ``db`` and ``list`` to ``commands`` (argparse's subparsers)."""
    demo = commands.add_parser(
        "demo",
        help=_("load a demo centre and open it"),
        description=_(
            "Load a realistic demo centre (invented people) with four weeks of events around "
            "today, then open the planner. Running it again changes nothing."
        ),
    )
    demo.add_argument("--no-open", action="store_true", help=_("only load the data"))
    demo.add_argument(
        "--today", type=option_day, help=_("centre the demo on this day (DD.MM.YYYY)")
    )
    demo.set_defaults(handler=run_demo)

    db = commands.add_parser(
        "db", help=_("database administration"), description=_("Database administration.")
    )
    # Not required for argparse: a missing one gets our own message (see run_db_missing).
    db_commands = db.add_subparsers(dest="db_command", parser_class=type(db), metavar=_("COMMAND"))
    db.set_defaults(handler=run_db_missing)
    upgrade = db_commands.add_parser(
        "upgrade",
        help=_("migrate the database to this version of coptui"),
        description=_("Migrate the database (shared or embedded) to this version of coptui."),
    )
    upgrade.set_defaults(handler=run_db_upgrade)
    url = db_commands.add_parser(
        "url",
        help=_("print the database URL in use"),
        description=_(
            "Print the URL of the database coptui uses (the embedded server is started if needed)."
        ),
    )
    url.set_defaults(handler=run_db_url)

    listing = commands.add_parser(
        "list",
        help=_("list rooms, staff, volunteers, cases or programmes"),
        description=_("List rooms, staff, volunteers, cases or programmes of the centre."),
    )
    listing.add_argument(
        "what",
        choices=LIST_KINDS,
        metavar=_("KIND"),
        help=_("one of: {kinds}").format(kinds=", ".join(LIST_KINDS)),
    )
    listing.add_argument(
        "--format", choices=FORMATS, default="text", help=_("text (default) or json")
    )
    listing.set_defaults(handler=run_list)


def run_db_missing(args: argparse.Namespace, settings: Settings) -> int:
    """``coptui db`` alone: say which commands there are."""
    raise BadInputError(
        _("a command is missing: {choices}; see `{prog} --help`").format(
            choices="upgrade, url", prog="coptui db"
        )
    )


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the demo centre, then open it unless ``--no-open``."""
    from coptui.db import session_scope
    from coptui.domain.timeutil import today
    from coptui.services.demo import load_demo

    engine = open_engine(settings)
    with session_scope(engine) as session:
        result = load_demo(session, today=args.today or today())
    if result.created:
        message = _(
            "Demo centre loaded: {events} events, {cases} cases, {volunteers} volunteers."
        ).format(
            events=result.counts["events"],
            cases=result.counts["cases"],
            volunteers=result.counts["volunteers"],
        )
    else:
        message = _("The demo centre is already loaded; nothing changed.")
    say_done([message])
    engine.dispose()
    if args.no_open:
        return EXIT_OK
    # The planner opens as an installed one does: its own two connections, not this pool.
    return run_app(args, settings)


def run_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate the database to the newest schema."""
    from coptui.db import check_connection, database_url, make_engine
    from coptui.schema import current_revision, head_revision, upgrade

    url = database_url(settings.database_url, settings.home)
    engine = make_engine(url)
    check_connection(engine)
    before = current_revision(engine)
    upgrade(url)
    after = current_revision(engine)
    engine.dispose()
    if before == after:
        message = _("The database is up to date ({revision}).").format(revision=after)
    else:
        message = _("The database was migrated from {before} to {after}.").format(
            before=before or "—", after=head_revision(url)
        )
    say_done([message])
    return EXIT_OK


def run_db_url(args: argparse.Namespace, settings: Settings) -> int:
    """Print the URL in use (without the password)."""
    from coptui.db import database_url, describe_url

    url = database_url(settings.database_url, settings.home)
    say(describe_url(url))
    return EXIT_OK


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print rooms, staff, volunteers, cases or programmes."""
    from coptui.services.directory import entries, only_centre
    from coptui.services.transaction import transact

    engine = open_engine(settings)
    found = transact(engine, lambda s: entries(s, centre_id=only_centre(s), kind=args.what))
    if args.format == "json":
        records: list[dict[str, Any]] = [
            {"id": e.id, "name": e.name, "detail": e.detail, "status": e.status} for e in found
        ]
        if args.what == "cases":
            states = _case_states(engine)
            for record in records:
                record.update(states.get(record["id"], {}))
        print(json_text(records))
    else:
        for e in found:
            detail = [e.detail] if e.detail else []
            if e.status == "inactive":
                detail.append(_("out of use"))
            say(f"{e.id:>5}  {e.name}  ({'; '.join(detail)})" if detail else f"{e.id:>5}  {e.name}")
    return EXIT_OK


def _case_states(engine: Any) -> dict[int, dict[str, Any]]:
    """Each case's state for scripts: status, dates, days left, place in the queue."""
    from coptui.domain.timeutil import today
    from coptui.services.case_reads import case_rows
    from coptui.services.directory import only_centre
    from coptui.services.transaction import transact

    rows = transact(engine, lambda s: case_rows(s, centre_id=only_centre(s), today=today()))

    def day(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        r.id: {
            "status": r.status,
            "service_kind": r.service_kind,
            "active_from": day(r.active_from),
            "ends_on": day(r.ends_on),
            "days_left": r.days_left,
            "queue_position": r.queue_position,
            "closed_on": day(r.closed_on),
        }
        for r in rows
    }
