"""``coptui add|edit|deactivate KIND NAME …``: set up the centre from a script.

The options of every kind are made from ``coptui.domain.fields.FIELDS`` (``--seats`` is the
field ``seats``), so the command line, the directory's forms and the CSV import agree.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coptui.domain.fields import FIELDS, KINDS, FieldSpec
from coptui.errors import BadInputError
from coptui.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coptui.config import Settings
    from coptui.services.case_closing import FreedSessions
    from coptui.services.setup import Record

WHAT = {
    "centre": N_("the centre: name, town, capacity"),
    "room": N_("a room: the group room, an office, outdoors, off-site"),
    "staff": N_("a member of staff"),
    "volunteer": N_("a volunteer"),
    "case": N_("a case (a child and family); --from starts its service"),
    "programme": N_("a group programme"),
    "closure": N_("a day the centre is closed (or works on a holiday)"),
}
METAVAR = {"date": "DD.MM.YYYY", "int": "N", "decimal": "N,NN", "list": "A,B"}


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``add``, ``edit`` and ``deactivate`` commands to ``commands``."""
    add = commands.add_parser(
        "add",
        help=_("add a room, person, case, programme, closure or the centre"),
        description=_(
            "Add the centre, a room, a member of staff, a volunteer, a case, a programme or "
            "a closure. Names are unique in the centre."
        ),
    )
    edit = commands.add_parser(
        "edit",
        help=_("change a room, person, case, programme, closure or the centre"),
        description=_(
            "Change the fields given as options; the others keep their value. "
            "An empty value ('') clears a field."
        ),
    )
    deactivate = commands.add_parser(
        "deactivate",
        help=_("take a room, person, case or programme out of use"),
        description=_(
            "Take a record out of use: its events and history stay. A case is closed "
            "(give --reason); a closure is removed."
        ),
    )
    for parser, handler in ((add, run_add), (edit, run_edit), (deactivate, run_deactivate)):
        kinds = parser.add_subparsers(
            dest="kind", parser_class=type(parser), metavar=_("KIND"), title=_("kinds")
        )
        kinds.required = True
        for kind in KINDS:
            sub = kinds.add_parser(kind, help=_(WHAT[kind]), description=_(WHAT[kind]))
            _add_arguments(sub, kind, parser is add, parser is edit)
            if parser is deactivate:
                sub.add_argument("--reason", help=_("why (required for a case)"))
            sub.set_defaults(handler=handler)


def _metavar(spec: FieldSpec) -> str:
    return METAVAR.get(spec.type) or _(spec.label).upper().replace(" ", "_")


def _help(spec: FieldSpec) -> str:
    parts = [_(spec.label)]
    if spec.help:
        parts.append(_(spec.help))
    if spec.choices:
        parts.append(", ".join(f"{c.value} ({_(c.label)})" for c in spec.choices))
    if spec.required:
        parts.append(_("required"))
    return "; ".join(parts).replace("%", "%%")


def _add_arguments(parser: argparse.ArgumentParser, kind: str, adding: bool, editing: bool) -> None:
    first, *rest = FIELDS[kind]
    parser.add_argument(
        "record",
        metavar=_metavar(first) if first.type == "date" else _(first.label).upper(),
        nargs="?" if kind == "centre" and not adding else None,
        help=_help(first) if adding else _("the one to change (a unique part of it will do)"),
    )
    if not (adding or editing):
        return
    options = rest if adding else [first, *rest]
    for spec in options:
        parser.add_argument(
            "--" + spec.name.replace("_", "-"),
            dest="field_" + spec.name,
            metavar=_metavar(spec),
            help=_help(spec)
            if adding or spec is not first
            else _("a new {field}").format(field=_(spec.label).lower()),
        )


def _values(args: argparse.Namespace, kind: str, *, adding: bool) -> dict[str, str]:
    values = {
        spec.name: getattr(args, "field_" + spec.name)
        for spec in FIELDS[kind]
        if getattr(args, "field_" + spec.name, None) is not None
    }
    if adding:
        values[FIELDS[kind][0].name] = args.record
    return values


def _engine(settings: Settings) -> Any:
    from coptui.db import open_database

    return open_database(settings.database_url, settings.home)


def _centre(session: Session) -> int:
    from coptui.services.setup_centre import first_centre_id

    centre = first_centre_id(session)
    if centre is None:
        raise BadInputError(
            _("There is no centre yet; add it first with `coptui add centre NAME --town T`.")
        )
    return centre


def _say(done: str, record: Record) -> None:
    from coptui.domain.text import clean

    what = _(_WHAT_SHORT[record.kind])
    detail = f"; {clean(record.detail)}" if record.detail else ""
    name = clean(record.name)
    quoted = name if "„" in name or '"' in name else f"„{name}“"
    print(f"{done}: {what} {quoted} (№ {record.id}{detail}).")


_WHAT_SHORT = {
    "centre": N_("centre"),
    "room": N_("room"),
    "staff": N_("staff member"),
    "volunteer": N_("volunteer"),
    "case": N_("case"),
    "programme": N_("programme"),
    "closure": N_("closure"),
}


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add one record from the command line."""
    from coptui.domain.timeutil import today
    from coptui.services.setup import add_record
    from coptui.services.transaction import transact

    kind: str = args.kind
    values = _values(args, kind, adding=True)
    engine = _engine(settings)

    def work(session: Session) -> Record:
        centre = None if kind == "centre" else _centre(session)
        return add_record(session, centre_id=centre, kind=kind, values=values, today=today())

    _say(_("Added"), transact(engine, work))
    engine.dispose()
    return 0


def run_edit(args: argparse.Namespace, settings: Settings) -> int:
    """Change the given fields of one record."""
    from coptui.domain.timeutil import today
    from coptui.services.setup import edit_record, find_record
    from coptui.services.transaction import transact

    kind: str = args.kind
    values = _values(args, kind, adding=False)
    if not values:
        raise BadInputError(
            _(
                "Nothing to change: give a field, e.g. --{option}; see `coptui edit {kind} --help`."
            ).format(option=FIELDS[kind][1].name.replace("_", "-"), kind=kind)
        )
    engine = _engine(settings)

    def work(session: Session) -> tuple[Record, Record]:
        centre = _centre(session)
        day = today()
        found = find_record(session, centre_id=centre, kind=kind, name=args.record or "", today=day)
        edited = edit_record(
            session,
            centre_id=centre,
            kind=kind,
            record_id=found.id,
            version=found.version,
            values=values,
            today=day,
        )
        return found, edited

    before, after = transact(engine, work)
    _say(_("Changed") if after.version != before.version else _("Nothing changed"), after)
    engine.dispose()
    return 0


def run_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    """Take one record out of use."""
    from coptui.domain.timeutil import today
    from coptui.services.case_closing import freed_text
    from coptui.services.setup import close_case_record, deactivate_record, find_record
    from coptui.services.transaction import transact

    kind: str = args.kind
    engine = _engine(settings)

    def work(session: Session) -> tuple[Record, FreedSessions | None]:
        centre = _centre(session)
        day = today()
        found = find_record(session, centre_id=centre, kind=kind, name=args.record or "", today=day)
        if kind == "case":
            return close_case_record(
                session,
                case_id=found.id,
                version=found.version,
                today=day,
                reason=args.reason or "",
            )
        record = deactivate_record(
            session,
            centre_id=centre,
            kind=kind,
            record_id=found.id,
            version=found.version,
            today=day,
            reason=args.reason or "",
        )
        return record, None

    record, freed = transact(engine, work)
    _say(_("Removed") if kind == "closure" else _("Deactivated"), record)
    if freed is not None:
        print(freed_text(freed))
    engine.dispose()
    return 0
