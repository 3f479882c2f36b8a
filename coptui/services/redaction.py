"""The redactor of one centre: its children's and families' names (and codes) as typed text
must not carry them out of the building (``coptui.domain.privacy``)."""

from __future__ import annotations

from typing import Any

from coptui.domain.privacy import Redactor
from coptui.services.calendar import rows


def centre_redactor(db: Any, centre_id: int, *, codes: bool) -> Redactor:
    """A redactor for the names of every case of the centre the caller can read.

    Args:
        db: a psycopg connection or a SQLAlchemy session (the caller's policies decide which
            cases are read: none for a volunteer, who then has no names to leak either).
        codes: blank the case codes too (a calendar file); a report or a printed week shows
            codes, the centre's own way of naming a case without naming a child.
    """
    found = rows(
        db,
        "SELECT code, coalesce(child_name, ''), coalesce(family_name, '')"
        " FROM case_file WHERE centre_id = %(c)s",
        {"c": centre_id},
    )
    return Redactor(
        (name for _code, child, family in found for name in (child, family)),
        (code for code, _child, _family in found) if codes else (),
    )
