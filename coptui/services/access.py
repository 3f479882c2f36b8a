"""The case access log: who opened which case's page, and when (GDPR Art. 5(2), 32)."""

from __future__ import annotations

from typing import Any

from coptui.domain.text import check_line
from coptui.errors import database_error
from coptui.i18n import _
from coptui.services.calendar import rows


def log_case_access(db: Any, *, case_id: int, what: str) -> None:
    """Record that the caller opened case ``case_id`` to see ``what`` (e.g. "case page").

    Through ``coptui_log_access()`` (migration 0009): the row names ``session_user`` and
    nobody can change it. On a psycopg connection in autocommit it is written at once; in a
    session it is part of the caller's transaction.

    Raises:
        PermissionDeniedError: the caller may not see this case (the database refused).
        BadInputError: ``what`` is not one short line.
    """
    import psycopg
    from sqlalchemy.exc import DBAPIError

    what = check_line(what, _("what was opened"))
    try:
        rows(db, "SELECT coptui_log_access(%(c)s, %(w)s)", {"c": case_id, "w": what})
    except (psycopg.Error, DBAPIError) as exc:
        raise database_error(exc) from exc
