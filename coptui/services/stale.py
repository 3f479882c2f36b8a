"""A save that came too late: who changed the row last, and when, in words for people."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from coptui.domain.text import clean
from coptui.domain.timeutil import SOFIA
from coptui.errors import StaleEditError
from coptui.i18n import _


def stale_error(session: Session, table: str, row_id: int) -> StaleEditError:
    last = session.execute(
        text(
            # coptui_person_name: a specialist or a volunteer may not read others' logins.
            "SELECT a.login, a.at, coptui_person_name(a.login) AS full_name FROM audit_log a"
            " WHERE a.table_name = :t AND a.row_id = :id ORDER BY a.id DESC LIMIT 1"
        ),
        {"t": table, "id": str(row_id)},
    ).one_or_none()
    if last is None:
        return StaleEditError(_("Someone else changed this record; reload it and try again."))
    who = clean(last.full_name or last.login)
    when = last.at.astimezone(SOFIA).strftime("%d.%m.%Y %H:%M")
    return StaleEditError(
        _("{who} changed this record at {when}; reload it and try again.").format(
            who=who, when=when
        ),
        title=_("Changed by someone else"),
    )
