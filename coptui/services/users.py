"""People's logins: one PostgreSQL login role per person, in one of coptui's group roles.

An administrator's work (``coptui user add|list|role|disable``). A person's login role is a
member of exactly one group role (``coptui_manager``, ``coptui_coordinator``,
``coptui_specialist``, ``coptui_volunteer``, made by the migrations) and is linked to the
person by name: ``staff.login`` or ``volunteer.login`` holds it. A disabled login keeps its
role and its link, so the audit log's logins still name a person.

Roles are objects of the whole server, not of one database: creating one is transactional,
but it is seen by every database of the server at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.errors import BadInputError, NotFoundError, RefusedError
from coptui.i18n import _
from coptui.services.directory import Entry, only_centre, resolve
from coptui.services.login_rules import (
    GROUP_PREFIX,
    ROLES,
    check_login,
    check_role,
    group_role,
    one,
    quoted,
    require_groups,
    require_role_admin,
)


@dataclass(frozen=True)
class User:
    """A person's login as ``coptui user list`` shows it.

    Attributes:
        login: the PostgreSQL login role (and, with peer authentication, the OS login).
        role: ``manager``, ``coordinator``, ``specialist`` or ``volunteer``.
        person: the linked person's full name (cleaned for a terminal), or ``""``.
        kind: ``"staff"``, ``"volunteer"`` or ``None`` when no person is linked.
        enabled: the role may log in.
    """

    login: str
    role: str
    person: str
    kind: str | None
    enabled: bool


@dataclass(frozen=True)
class Change:
    """What a ``user`` command did: the login as it is now, and whether anything changed."""

    user: User
    changed: bool


_USERS_SQL = """
SELECT r.rolname AS login,
       r.rolcanlogin AS enabled,
       g.rolname AS grp,
       s.full_name AS staff_name,
       v.full_name AS volunteer_name
  FROM pg_roles r
  JOIN pg_auth_members m ON m.member = r.oid
  JOIN pg_roles g ON g.oid = m.roleid AND g.rolname = ANY(:groups)
  LEFT JOIN staff s ON s.login = r.rolname
  LEFT JOIN volunteer v ON v.login = r.rolname
 WHERE (CAST(:login AS text) IS NULL OR r.rolname = :login)
 ORDER BY r.rolname, array_position(CAST(:groups AS text[]), g.rolname::text)
"""


def _users(session: Session, login: str | None = None) -> list[User]:
    found = session.execute(
        text(_USERS_SQL), {"groups": [group_role(r) for r in ROLES], "login": login}
    )
    users: dict[str, User] = {}
    for row in found:
        if row.login in users:  # in two groups (made by hand): the one with more rights shows
            continue
        kind = "staff" if row.staff_name else "volunteer" if row.volunteer_name else None
        users[row.login] = User(
            login=row.login,
            role=row.grp.removeprefix(GROUP_PREFIX),
            person=clean(row.staff_name or row.volunteer_name or ""),
            kind=kind,
            enabled=bool(row.enabled),
        )
    return list(users.values())


def list_users(session: Session) -> list[User]:
    """Every login role in one of coptui's group roles, by login.

    Raises:
        PermissionDeniedError: the connecting role may not create roles.
    """
    require_role_admin(session)
    return _users(session)


def _user(session: Session, login: str) -> User:
    check_login(login)
    found = _users(session, login)
    if not found:
        exists = one(session, "SELECT 1 FROM pg_roles WHERE rolname = :l", {"l": login})
        if exists:
            raise RefusedError(
                _("{login} is not a coptui login (it is in none of coptui's roles).").format(
                    login=login
                )
            )
        raise NotFoundError(_("There is no login {login!r}.").format(login=login))
    return found[0]


def _find_person(session: Session, *, name: str, role: str) -> tuple[str, Entry]:
    """The person called ``name`` who may have ``role``: ("staff" | "volunteer", entry)."""
    centre = only_centre(session)
    wanted = "volunteers" if role == "volunteer" else "staff"
    other = "staff" if role == "volunteer" else "volunteers"
    try:
        return ("volunteer" if role == "volunteer" else "staff"), resolve(
            session, centre_id=centre, kind=wanted, name=name
        )
    except BadInputError as missing:
        try:
            found = resolve(session, centre_id=centre, kind=other, name=name)
        except BadInputError:
            raise missing from None
    if role == "volunteer":
        raise RefusedError(
            _(
                "{name} is a member of the team, not a volunteer: give them the role "
                "manager, coordinator or specialist."
            ).format(name=found.name)
        )
    raise RefusedError(
        _("{name} is a volunteer; a volunteer can only have the role volunteer.").format(
            name=found.name
        )
    )


def _role_exists(session: Session, login: str | None) -> bool:
    if not login:
        return False
    return one(session, "SELECT 1 FROM pg_roles WHERE rolname = :l", {"l": login}) is not None


def _link(session: Session, *, kind: str, person_id: int, login: str, role: str) -> None:
    if kind == "staff":
        # The staff record's role follows the login's, so the team list says what they may do.
        session.execute(
            text("UPDATE staff SET login = :l, role = :r, version = version + 1 WHERE id = :i"),
            {"l": login, "r": role, "i": person_id},
        )
    else:
        session.execute(
            text("UPDATE volunteer SET login = :l, version = version + 1 WHERE id = :i"),
            {"l": login, "i": person_id},
        )


def add_user(session: Session, *, login: str, role: str, person: str) -> Change:
    """Create ``login`` for the person called ``person``, as a member of ``role``'s group.

    Args:
        login: the new login role; with peer authentication, the person's OS login.
        role: one of :data:`ROLES`; ``volunteer`` for a volunteer, another for the team.
        person: the person's name as typed (a unique part of it is enough).

    Returns:
        The new login, linked to the person (``staff.login`` or ``volunteer.login``).

    Raises:
        PermissionDeniedError: the connecting role may not create roles.
        BadInputError: a bad login, an unknown role or person.
        RefusedError: the login exists, the person has a login already, or the person is of
            the wrong kind for the role.
        SchemaBehindError: the group roles are missing.
    """
    require_role_admin(session)
    check_login(login)
    check_role(role)
    require_groups(session)
    if _role_exists(session, login):
        raise RefusedError(
            _(
                "The login {login} exists already; choose another, or see `coptui user list`."
            ).format(login=login)
        )
    kind, found = _find_person(session, name=person, role=role)
    table = "staff" if kind == "staff" else "volunteer"
    current = session.execute(
        text(f"SELECT login FROM {table} WHERE id = :i"), {"i": found.id}
    ).scalar()
    if current != login and _role_exists(session, current):
        raise RefusedError(
            _(
                "{name} has the login {login} already; change its role with "
                "`coptui user role {login} --role …`."
            ).format(name=found.name, login=current)
        )
    # A login is one person's: the other table's unique constraint cannot see this one.
    holder = one(
        session,
        "SELECT full_name FROM staff WHERE login = :l AND NOT (:k = 'staff' AND id = :i)"
        " UNION ALL SELECT full_name FROM volunteer WHERE login = :l"
        " AND NOT (:k = 'volunteer' AND id = :i)",
        {"l": login, "k": kind, "i": found.id},
    )
    if holder is not None:
        raise RefusedError(
            _("The login {login} is linked to {name} already.").format(
                login=login, name=clean(holder[0])
            )
        )
    name = quoted(session, login)
    session.execute(
        text(
            f"CREATE ROLE {name} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE"
            " NOREPLICATION NOBYPASSRLS"
        )
    )
    session.execute(text(f"GRANT {quoted(session, group_role(role))} TO {name}"))
    _link(session, kind=kind, person_id=found.id, login=login, role=role)
    return Change(user=_user(session, login), changed=True)


def change_role(session: Session, *, login: str, role: str) -> Change:
    """Move ``login`` into ``role``'s group role (out of any other of coptui's).

    Raises:
        PermissionDeniedError: the connecting role may not create roles.
        BadInputError: a bad or unknown login, an unknown role.
        RefusedError: the login is not coptui's, or its person is of the wrong kind.
    """
    require_role_admin(session)
    check_role(role)
    require_groups(session)
    user = _user(session, login)
    if user.kind == "volunteer" and role != "volunteer":
        raise RefusedError(
            _("{name} is a volunteer; a volunteer can only have the role volunteer.").format(
                name=user.person
            )
        )
    if user.kind == "staff" and role == "volunteer":
        raise RefusedError(
            _(
                "{name} is a member of the team, not a volunteer: give them the role "
                "manager, coordinator or specialist."
            ).format(name=user.person)
        )
    groups = session.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
            " JOIN pg_roles r ON r.oid = m.member"
            " WHERE r.rolname = :l AND g.rolname = ANY(:groups)"
        ),
        {"l": login, "groups": [group_role(r) for r in ROLES]},
    ).scalars()
    held = set(groups)
    if held == {group_role(role)}:
        return Change(user=user, changed=False)
    name = quoted(session, login)
    for group in sorted(held - {group_role(role)}):
        session.execute(text(f"REVOKE {quoted(session, group)} FROM {name}"))
    if group_role(role) not in held:
        session.execute(text(f"GRANT {quoted(session, group_role(role))} TO {name}"))
    if user.kind == "staff":
        session.execute(
            text(
                "UPDATE staff SET role = :r, version = version + 1 WHERE login = :l AND role <> :r"
            ),
            {"l": login, "r": role},
        )
    return Change(user=_user(session, login), changed=True)


def disable_user(session: Session, *, login: str) -> Change:
    """Take away ``login``'s right to log in; its role and its link stay, for the history.

    Sessions already open are not ended here: end them after this commits
    (:func:`end_sessions`), so that none can log in again in between.

    Raises:
        PermissionDeniedError: the connecting role may not create roles.
        BadInputError: a bad or unknown login.
        RefusedError: the login is not coptui's.
    """
    require_role_admin(session)
    user = _user(session, login)
    if not user.enabled:
        return Change(user=user, changed=False)
    session.execute(text(f"ALTER ROLE {quoted(session, login)} NOLOGIN"))
    return Change(user=_user(session, login), changed=True)


def end_sessions(session: Session, *, login: str) -> int | None:
    """End the open sessions of ``login`` (after it was disabled).

    Returns:
        How many were ended; ``None`` when the connecting role may not end them (only a
        superuser or a member of ``pg_signal_backend`` may): they last until they close.
    """
    may_signal = session.execute(
        text(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')"
            " FROM pg_roles WHERE rolname = current_user"
        )
    ).scalar()
    if not may_signal:
        return None
    ended = session.execute(
        text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
            " FROM pg_stat_activity WHERE usename = :l AND pid <> pg_backend_pid()"
        ),
        {"l": login},
    ).scalar()
    return int(ended or 0)
