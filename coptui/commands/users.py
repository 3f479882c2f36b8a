"""``coptui user add|list|role|disable``: people's logins, for the administrator."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from coptui.commands.common import EXIT_OK, json_text, say, say_done
from coptui.errors import BadInputError
from coptui.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from coptui.config import Settings
    from coptui.services.users import Change, User

# The same names as coptui.services.identity.ROLES; kept here so `coptui --help` needs no services.
ROLES = ("manager", "coordinator", "specialist", "volunteer")
FORMATS = ("text", "json")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``user`` and its commands to ``commands`` (argparse's subparsers)."""
    user = commands.add_parser(
        "user",
        help=_("people's logins and roles (for the administrator)"),
        description=_(
            "People's logins: one PostgreSQL login role per person, in one of the roles "
            "manager, coordinator, specialist, volunteer. For the database administrator "
            "(a role with CREATEROLE), against a shared server."
        ),
    )
    user.set_defaults(handler=run_user_missing)
    commands_ = user.add_subparsers(
        dest="user_command", parser_class=type(user), metavar=_("COMMAND")
    )

    add = commands_.add_parser(
        "add",
        help=_("give a person a login with a role"),
        description=_(
            "Create the login role LOGIN for a member of the team or a volunteer, with a "
            "role, and link it to the person. With peer authentication LOGIN is the "
            "person's login on this server."
        ),
    )
    add.add_argument("login", metavar="LOGIN", help=_("the new login (a-z 0-9 _ . -)"))
    _role_option(add)
    add.add_argument(
        "--person", required=True, metavar=_("NAME"), help=_("the person's name (or a unique part)")
    )
    add.set_defaults(handler=run_user_add)

    listing = commands_.add_parser(
        "list",
        help=_("list the logins: role, person, enabled"),
        description=_("List every login of coptui: its role, its person, whether it is enabled."),
    )
    listing.add_argument(
        "--format", choices=FORMATS, default="text", help=_("text (default) or json")
    )
    listing.set_defaults(handler=run_user_list)

    role = commands_.add_parser(
        "role",
        help=_("change a login's role"),
        description=_("Give a login another role (it leaves its old one)."),
    )
    role.add_argument("login", metavar="LOGIN", help=_("the login"))
    _role_option(role)
    role.set_defaults(handler=run_user_role)

    disable = commands_.add_parser(
        "disable",
        help=_("stop a login from logging in (its history stays)"),
        description=_(
            "Stop a login from logging in. Its role and its link to the person stay, so the "
            "history still names them; its open sessions are ended where the server allows."
        ),
    )
    disable.add_argument("login", metavar="LOGIN", help=_("the login"))
    disable.set_defaults(handler=run_user_disable)


def _role_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        metavar=_("ROLE"),
        help=_("one of: {roles}").format(roles=", ".join(ROLES)),
    )


def run_user_missing(args: argparse.Namespace, settings: Settings) -> int:
    """``coptui user`` alone: say which commands there are."""
    raise BadInputError(
        _("a command is missing: {choices}; see `{prog} --help`").format(
            choices="add, list, role, disable", prog="coptui user"
        )
    )


def _engine(settings: Settings) -> Engine:
    """The shared server's engine, for a role that may create roles, with a current schema.

    The right to create roles is checked first: a role with no grants at all is told that,
    not that it may not read the schema's version. The embedded server is refused: it has no
    other people to give logins to.
    """
    from sqlalchemy.exc import DBAPIError

    from coptui.db import check_connection, make_engine, normalise_url
    from coptui.errors import database_error
    from coptui.schema import require_current_schema
    from coptui.services.login_rules import require_role_admin
    from coptui.services.transaction import transact

    if settings.database_url is None:
        raise BadInputError(
            _(
                "Logins are for a shared server: set COPTUI_DATABASE_URL (the embedded "
                "database is yours alone)."
            )
        )
    engine = make_engine(normalise_url(settings.database_url))
    check_connection(engine)
    transact(engine, require_role_admin)
    try:
        require_current_schema(engine)
    except DBAPIError as exc:
        raise database_error(exc) from exc
    return engine


def _enabled(user: User) -> str:
    return _("yes") if user.enabled else _("no")


def _line(user: User) -> str:
    return _("{login}: {role}, {person}, enabled: {enabled}").format(
        login=user.login, role=user.role, person=user.person or "—", enabled=_enabled(user)
    )


def run_user_add(args: argparse.Namespace, settings: Settings) -> int:
    """Create a login for a person."""
    from coptui.services.transaction import transact
    from coptui.services.users import add_user

    engine = _engine(settings)
    change: Change = transact(
        engine, lambda s: add_user(s, login=args.login, role=args.role, person=args.person)
    )
    engine.dispose()
    say_done([_("Login created: {line}").format(line=_line(change.user))])
    return EXIT_OK


def run_user_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print every login with its role, person and state."""
    from coptui.services.transaction import transact
    from coptui.services.users import list_users

    engine = _engine(settings)
    users = transact(engine, list_users)
    engine.dispose()
    if args.format == "json":
        print(
            json_text(
                [
                    {
                        "login": u.login,
                        "role": u.role,
                        "person": u.person,
                        "kind": u.kind,
                        "enabled": u.enabled,
                    }
                    for u in users
                ]
            )
        )
        return EXIT_OK
    width = max([len(u.login) for u in users] + [5])
    for u in users:
        say(f"{u.login:<{width}}  {u.role:<11}  {_enabled(u):<3}  {u.person or '—'}")
    return EXIT_OK


def run_user_role(args: argparse.Namespace, settings: Settings) -> int:
    """Give a login another role."""
    from coptui.services.transaction import transact
    from coptui.services.users import change_role

    engine = _engine(settings)
    change: Change = transact(engine, lambda s: change_role(s, login=args.login, role=args.role))
    engine.dispose()
    if change.changed:
        say_done([_("Role changed: {line}").format(line=_line(change.user))])
    else:
        say_done([_("Nothing changed: {line}").format(line=_line(change.user))])
    return EXIT_OK


def run_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    """Stop a login from logging in, then end its open sessions where allowed."""
    from coptui.services.transaction import transact
    from coptui.services.users import disable_user, end_sessions

    engine = _engine(settings)
    change: Change = transact(engine, lambda s: disable_user(s, login=args.login))
    if not change.changed:
        engine.dispose()
        say_done([_("Nothing changed: {line}").format(line=_line(change.user))])
        return EXIT_OK
    # After the commit: a session ended now cannot log in again.
    ended = transact(engine, lambda s: end_sessions(s, login=args.login))
    engine.dispose()
    lines = [_("Login disabled: {line}").format(line=_line(change.user))]
    if ended is None:
        lines.append(
            _(
                "Its open sessions (if any) last until they close: only a superuser or a "
                "member of pg_signal_backend may end them."
            )
        )
    elif ended:
        lines.append(_("Open sessions ended: {count}.").format(count=ended))
    say_done(lines)
    return EXIT_OK
