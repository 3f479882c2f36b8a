"""What a login and a role may be, and what the ``user`` commands need of the server: the
right to create roles, and coptui's four group roles (made by the migrations)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.errors import BadInputError, PermissionDeniedError, SchemaBehindError
from coptui.i18n import _
from coptui.services.identity import ROLES as ROLES  # the roles, the most rights first

GROUP_PREFIX = "coptui_"

# The same rule as the CHECK on staff.login: also a name sshd and useradd accept.
LOGIN_FORMAT = re.compile(r"^[a-z_][a-z0-9_.-]*$")
# PostgreSQL cuts names at 63 bytes: a longer login would silently become another one.
MAX_LOGIN = 63
# Names PostgreSQL keeps for itself (pg_*) and coptui for its own roles (coptui_*).
RESERVED_PREFIXES = ("pg_", GROUP_PREFIX)


def group_role(role: str) -> str:
    """The group role of ``role``: ``coptui_volunteer`` for ``volunteer``."""
    return GROUP_PREFIX + role


def check_login(login: str) -> str:
    """``login`` if it can name a person's login role; else a :class:`BadInputError`."""
    if not LOGIN_FORMAT.match(login) or len(login.encode()) > MAX_LOGIN:
        raise BadInputError(
            _(
                "A login is up to {most} small Latin letters, digits and _ . - and starts "
                "with a letter or _; got {login!r}."
            ).format(most=MAX_LOGIN, login=login)
        )
    if login.startswith(RESERVED_PREFIXES):
        raise BadInputError(
            _("Logins starting with {prefixes} are kept for PostgreSQL and coptui.").format(
                prefixes=" ".join(RESERVED_PREFIXES)
            )
        )
    return login


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`; else a :class:`BadInputError`."""
    if role not in ROLES:
        raise BadInputError(
            _("No role is called {role!r}; the roles are: {roles}.").format(
                role=role, roles=", ".join(ROLES)
            )
        )
    return role


def one(session: Session, sql: str, params: dict[str, Any] | None = None) -> Any:
    """The first row of ``sql``, or None."""
    return session.execute(text(sql), params or {}).first()


def quoted(session: Session, name: str) -> str:
    """``name`` as a quoted SQL identifier (a login may hold ``.`` and ``-``)."""
    return session.get_bind().dialect.identifier_preparer.quote_identifier(name)


def require_role_admin(session: Session) -> None:
    """Refuse, in one line, a connection whose role may not create roles.

    Raises:
        PermissionDeniedError: the current role has neither CREATEROLE nor SUPERUSER.
    """
    row = one(
        session,
        "SELECT rolcreaterole OR rolsuper, current_user FROM pg_roles WHERE rolname = current_user",
    )
    if row is None or not row[0]:
        raise PermissionDeniedError(
            _(
                "you have no right to create roles in the database ({login} lacks CREATEROLE); "
                "run this as the database administrator"
            ).format(login=row[1] if row else "—"),
            title=_("No rights"),
        )


def require_groups(session: Session) -> None:
    """Refuse to work on a database whose migrations made no group roles yet."""
    found = {
        r[0]
        for r in session.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:names)"),
            {"names": [group_role(r) for r in ROLES]},
        )
    }
    missing = [group_role(r) for r in ROLES if group_role(r) not in found]
    if missing:
        raise SchemaBehindError(
            _(
                "The database has no group role {roles}; run `coptui db upgrade` as the "
                "owner of the database."
            ).format(roles=", ".join(missing))
        )
