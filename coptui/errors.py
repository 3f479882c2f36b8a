"""Domain errors: each carries a message for people, in the user's language."""

from __future__ import annotations

import errno
import re

from coptui.i18n import N_, _


class CoptError(Exception):
    """An error a person can act on; ``message`` says what happened and what to do.

    Messages often name stored text (a title, a person, a room), so the message and the
    title are neutralised here, whoever built them: no control character of a stored name
    reaches stderr or a screen through an error (``coptui.domain.text``).
    """

    def __init__(self, message: str, title: str | None = None) -> None:
        # Imported here: coptui.domain.text raises BadInputError, defined below.
        from coptui.domain.text import clean, clean_notes

        message = clean_notes(message)
        super().__init__(message)
        self.message = message
        self.title = clean(title) if title else _("Error")

    def __str__(self) -> str:
        return self.message


class BadInputError(CoptError):
    """Input that cannot be used (unknown name, bad date, …)."""


class NotFoundError(BadInputError):
    """A record that does not exist (any more)."""


class RefusedError(CoptError):
    """A rule refused the change: a clash, a full group, a holiday."""


class SlotTakenError(RefusedError):
    """A room or a person is already booked for part of the time."""


class CapacityError(RefusedError):
    """No place left: a session, the group room, or the centre's places."""


class HolidayError(RefusedError):
    """The day is not a working day and the change was not confirmed."""


class StaleEditError(CoptError):
    """Somebody else saved the record after it was read; nothing was overwritten."""


class PermissionDeniedError(CoptError):
    """The user's role may not do this."""


class DatabaseUnavailableError(CoptError):
    """The database cannot be reached."""


class SchemaBehindError(CoptError):
    """The shared database has an older schema than this coptui."""


# SQLSTATEs that mean the connection itself is gone: class 08, and the server shutting down.
_LOST = {"57P01", "57P02", "57P03"}
_SCHEMA_BEHIND = {"42P01", "42703", "42883", "42704", "42P02"}
_OBJECT = re.compile(r"(?:permission denied for|must be owner of) (?:\w+ )*?\"?([\w.]+)\"?$")
_POLICY = re.compile(r'violates row-level security policy(?: "[^"]*")? for table "?([\w.]+)"?')
# What a refusal of the database is about, in words for people (migration 0009's grants).
_OBJECT_NAMES = {
    "case_file": N_("the cases"),
    "event_case": N_("the children of sessions"),
    "waitlist_entry": N_("the waiting lists"),
    "case_access_log": N_("the log of opened cases"),
    "audit_log": N_("the history of changes"),
    "event": N_("the events"),
    "event_staff": N_("the staff of events"),
    "roster_slot": N_("the volunteer rosters"),
    "series": N_("the series of events"),
    "programme": N_("the programmes"),
    "staff": N_("the staff"),
    "volunteer": N_("the volunteers"),
    "room": N_("the rooms"),
    "centre": N_("the centre"),
    "centre_capacity": N_("the centre's places"),
    "holiday_override": N_("the centre's calendar"),
    "coptui_my_assignments": N_("the activities of volunteers"),
    "coptui_open_slots": N_("the open places for volunteers"),
    "coptui_book": N_("booking events"),
    "coptui_clashes": N_("booking events"),
    "coptui_clashes_json": N_("booking events"),
    "coptui_log_access": N_("the cases"),
}


def database_error(exc: BaseException, *, where: str | None = None) -> CoptError:
    """One line for people about a psycopg or SQLAlchemy error: what happened, what to do.

    Nothing of the driver's text reaches the person: no SQL, no parameter values (a DETAIL
    line such as ``Key (title)=(…)`` holds them), no English, no link to SQLAlchemy's pages.

    Args:
        exc: a SQLAlchemy ``DBAPIError`` or a psycopg ``Error``.
        where: the server being connected to (without its password), when the error came
            while connecting.

    Returns:
        A :class:`CoptError` subclass to raise ``from exc``.
    """
    orig = getattr(exc, "orig", None) or exc
    code: str | None = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    primary = str(getattr(diag, "message_primary", None) or "")
    kind = type(orig).__name__
    if where is not None:
        return DatabaseUnavailableError(
            _("Cannot connect to the database at {where}: {reason}").format(
                where=where, reason=_connect_reason(code, str(orig))
            ),
            title=_("No connection"),
        )
    if (
        getattr(exc, "connection_invalidated", False)
        or (code is None and kind in {"OperationalError", "InterfaceError"})
        or (code or "").startswith("08")
        or code in _LOST
    ):
        return DatabaseUnavailableError(
            _("The connection to the database was lost; try again in a moment."),
            title=_("No connection"),
        )
    if code == "42501":
        return _no_rights(primary)
    if code in _SCHEMA_BEHIND:
        return SchemaBehindError(_("The database is not up to date: run `coptui db upgrade`."))
    if code == "25006":
        return DatabaseUnavailableError(
            _(
                "The database accepts no changes right now; "
                "try again later or ask the administrator."
            )
        )
    if code in {"53000", "53100", "53200"}:
        return DatabaseUnavailableError(
            _("The database server is out of disk space or memory; ask the administrator.")
        )
    if code == "53300":
        return DatabaseUnavailableError(
            _("The database has no free connections; try again in a moment.")
        )
    if code in {"57014", "25P03", "55P03", "40001", "40P01"}:
        return CoptError(
            _("The database was busy and stopped the operation; try again in a moment.")
        )
    if code is not None and code.startswith("23"):
        constraint = getattr(diag, "constraint_name", None) or code
        return RefusedError(
            _(
                "The database refused the change (rule {rule}); check the data and try again."
            ).format(rule=constraint)
        )
    if code is not None and code.startswith("22"):
        return BadInputError(
            _("The database did not accept a value ({code}); check what was typed.").format(
                code=code
            )
        )
    return CoptError(
        _(
            "The database reported an error ({code}); try again, and tell the administrator "
            "if it happens again."
        ).format(code=code or kind)
    )


def _no_rights(primary: str) -> PermissionDeniedError:
    """A refusal for lack of rights (a grant or a row-level security policy), naming what."""
    policy = _POLICY.search(primary)
    found = policy or _OBJECT.search(primary)
    what = found.group(1).rsplit(".", 1)[-1] if found else None
    named = _OBJECT_NAMES.get(what or "")
    if primary.startswith("must be owner"):
        message = _(
            "Only the owner of {what} may change it in the database; ask the administrator."
        ).format(what=what or "—")
    elif policy and named:
        message = _("You may not change {what}; ask the administrator.").format(what=_(named))
    elif named:
        message = _("You have no access to {what}; ask the administrator.").format(what=_(named))
    elif what:
        message = _(
            "You have no rights for this operation in the database ({what}); ask the administrator."
        ).format(what=what)
    else:
        message = _("You have no rights for this operation in the database; ask the administrator.")
    return PermissionDeniedError(message, title=_("No rights"))


def _connect_reason(code: str | None, text: str) -> str:
    """Why a connection could not be made, in words for people.

    libpq reports a refusal at login as text alone (no SQLSTATE), in the server's language:
    the English phrases are read, anything else is named by its kind.
    """
    fatal = "fatal:" in text.lower()
    # Only what the server said: the socket's path before it may hold any word.
    said = text.lower().rsplit("fatal:", 1)[-1] if fatal else ""
    if (code is not None and code.startswith("28")) or "authentication failed" in said:
        return _("the server refused the login; ask the administrator for access")
    if ("role" in said and "does not exist" in said) or "pg_hba.conf" in said:
        return _("the server refused the login; ask the administrator for access")
    if code == "3D000" or ("database" in said and "does not exist" in said):
        return _("there is no such database; check COPTUI_DATABASE_URL")
    if code == "53300" or "too many clients" in said or "remaining connection slots" in said:
        return _("the server has no free connections; try again in a moment")
    if code == "57P03" or "starting up" in said or "shutting down" in said:
        return _("the server is starting or stopping; try again in a moment")
    if code is not None or fatal:
        return _("the server refused the connection; ask the administrator")
    return _("the server does not answer; check that it runs, or try again in a moment")


# The operating system's reasons that people meet when writing or reading a file, in their
# words; any other keeps the system's own text.
_OS_REASONS = {
    errno.ENOENT: N_("there is no such file or folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.EACCES: N_("no right to write or read there"),
    errno.EPERM: N_("no right to write or read there"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("no space left on the disk"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENOTDIR: N_("part of the path is not a folder"),
    errno.EEXIST: N_("it exists already"),
}
# Reasons about the place named (choose another): bad input. Others (a full or failing disk)
# are failures.
_OS_BAD_PLACE = {
    errno.ENOENT,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.EEXIST,
    errno.ENAMETOOLONG,
}


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in the interface's language for the common cases."""
    known = _OS_REASONS.get(exc.errno or -1)
    if known is not None:
        return _(known)
    return exc.strerror or str(exc)


def os_error(text: str, exc: OSError) -> CoptError:
    """``text`` (which names :func:`os_reason`) as the error to raise ``from exc``.

    A wrong place (no such folder, no right to it) is bad input (exit 2); a full or failing
    disk is a failure (exit 1).
    """
    if exc.errno in _OS_BAD_PLACE:
        return BadInputError(text)
    return CoptError(text)
