"""Who is using coptui: the login, its group role, the person behind it, and what it may do.

In a shared deployment every person connects as their own PostgreSQL login, a member of one
group role (migration 0009); the database's policies decide what they see. This module only
reads that, so that screens can offer what a role may do and the startup can refuse a login
that would bypass the policies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coptui.errors import PermissionDeniedError
from coptui.i18n import _
from coptui.services.calendar import rows

ROLES = ("manager", "coordinator", "specialist", "volunteer")
OWNER = "owner"

# One query of the catalogs: the login's attributes, whether it may act as the owner of the
# schema (the owner of table `event`), and its coptui group roles, strongest first.
_LOGIN_SQL = """
SELECT session_user, r.rolsuper, r.rolbypassrls,
       coalesce(pg_has_role(session_user, c.relowner, 'MEMBER'), false),
       array(SELECT substr(g.rolname, 8) FROM pg_roles g
              WHERE g.rolname = ANY(%(groups)s) AND pg_has_role(session_user, g.oid, 'MEMBER')
              ORDER BY array_position(%(groups)s, g.rolname::text))
  FROM pg_roles r
  LEFT JOIN pg_class c ON c.oid = to_regclass('public.event')
 WHERE r.rolname = session_user
"""
_GROUPS = [f"coptui_{role}" for role in ROLES]

# What each role may do; the owner (the embedded single-user mode) may do everything.
#   book            create events (a specialist: the events they lead)
#   edit_any_event  change or cancel any event of the centre
#   edit_own_event  change or cancel the events one leads
#   see_cases       open cases (a specialist: their own caseload)
#   manage_directory add and change staff and volunteers
#   manage_users    give people their logins and roles (`coptui user …`)
#   see_audit       read the centre's audit log (a coordinator: of events)
#   see_history     the history of an event or a case, one key away
#   take_attendance mark who came
#   sign_up         take an open place on a roster (volunteers)
ACTIONS = (
    "book",
    "edit_any_event",
    "edit_own_event",
    "see_cases",
    "manage_directory",
    "manage_users",
    "see_audit",
    "see_history",
    "take_attendance",
    "sign_up",
)
_RIGHTS: dict[str, frozenset[str]] = {
    "manager": frozenset(ACTIONS) - {"sign_up"},
    "coordinator": frozenset(
        {
            "book",
            "edit_any_event",
            "edit_own_event",
            "see_cases",
            "see_audit",
            "see_history",
            "take_attendance",
        }
    ),
    "specialist": frozenset(
        {"book", "edit_own_event", "see_cases", "see_history", "take_attendance"}
    ),
    "volunteer": frozenset({"sign_up"}),
    OWNER: frozenset(ACTIONS),
}


@dataclass(frozen=True)
class Identity:
    """The person using coptui, as the database knows them."""

    login: str  # session_user
    role: str  # "manager" | "coordinator" | "specialist" | "volunteer" | "owner"
    staff_id: int | None
    volunteer_id: int | None
    name: str  # the person's full name, else the login
    centre_id: int | None


@dataclass(frozen=True)
class _Login:
    login: str
    superuser: bool
    bypass_rls: bool
    owner: bool
    groups: tuple[str, ...]


def _login(db: Any) -> _Login:
    found = rows(db, _LOGIN_SQL, {"groups": _GROUPS})
    login, superuser, bypass, owner, groups = found[0]
    return _Login(login, bool(superuser), bool(bypass), bool(owner), tuple(groups))


def current_identity(db: Any) -> Identity:
    """Who is connected on ``db`` (a psycopg connection or a SQLAlchemy session).

    A superuser or the schema's owner is ``owner``: the embedded single-user mode.

    Raises:
        PermissionDeniedError: the login is in none of coptui's group roles.
    """
    me = _login(db)
    if me.superuser or me.owner:
        return Identity(me.login, OWNER, None, None, me.login, None)
    if not me.groups:
        raise _no_role(me.login)
    staff_id, volunteer_id, name, centre_id = rows(db, "SELECT * FROM coptui_whoami()")[0]
    return Identity(
        login=me.login,
        role=me.groups[0],
        staff_id=staff_id,
        volunteer_id=volunteer_id,
        name=name or me.login,
        centre_id=centre_id,
    )


def refuse_unsafe_login(db: Any) -> None:
    """Refuse a login that row-level security would not hold (for a shared server only).

    Raises:
        PermissionDeniedError: ``session_user`` is a superuser, has BYPASSRLS, owns the
            schema, or is in none of coptui's group roles; one line saying why.
    """
    me = _login(db)
    if me.superuser:
        reason = _(
            "{login} is a superuser of the database, and the rules of who sees what "
            "would not apply to it."
        )
    elif me.bypass_rls:
        reason = _(
            "{login} may bypass row-level security, and the rules of who sees what "
            "would not apply to it."
        )
    elif me.owner:
        reason = _(
            "{login} owns coptui's tables; it is for `coptui db upgrade`, not for daily work."
        )
    elif not me.groups:
        raise _no_role(me.login)
    else:
        return
    raise PermissionDeniedError(
        _(
            "coptui does not run as {login} on a shared database: {reason} Log in as yourself."
        ).format(login=me.login, reason=reason.format(login=me.login)),
        title=_("No rights"),
    )


def _no_role(login: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        _("{login} has no role in coptui; ask the administrator (`coptui user add`).").format(
            login=login
        ),
        title=_("No rights"),
    )


def can(identity: Identity, action: str) -> bool:
    """Whether ``identity``'s role may do ``action`` (one of :data:`ACTIONS`).

    The database enforces the same on its own; this only decides what a screen offers.

    Raises:
        ValueError: ``action`` is not one of :data:`ACTIONS` (a programming error).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return action in _RIGHTS.get(identity.role, frozenset())


def person_name(db: Any, login: str) -> str:
    """The full name behind ``login`` (of the caller's centre), else the login itself.

    For "changed by …" lines, read from the audit log's logins.
    """
    found = rows(db, "SELECT coptui_person_name(%(login)s)", {"login": login})
    return str(found[0][0]) if found and found[0][0] else login
