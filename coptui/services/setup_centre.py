"""The centre itself (name, town, dated capacity) and its closures and moved working days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coptui.domain.field_values import choice_label, format_value
from coptui.domain.fields import field
from coptui.errors import BadInputError, NotFoundError, RefusedError
from coptui.i18n import _
from coptui.models import Centre, CentreCapacity, HolidayOverride, OverrideKind, table_of
from coptui.services.records import DuplicateError, Record, text_values
from coptui.services.stale import stale_error
from coptui.services.transaction import sqlstate

_CENTRE = table_of(Centre)
_CAPACITY = table_of(CentreCapacity)
_CLOSURE = table_of(HolidayOverride)


def first_centre_id(session: Session) -> int | None:
    """The centre this database serves (one database is one centre for now), or ``None``."""
    found = session.execute(sa.select(sa.func.min(_CENTRE.c.id))).scalar()
    return None if found is None else int(found)


def _capacity(session: Session, centre_id: int, today: date) -> tuple[int | None, date | None]:
    rows = session.execute(
        sa.select(_CAPACITY.c.valid_from, _CAPACITY.c.places)
        .where(_CAPACITY.c.centre_id == centre_id)
        .order_by(_CAPACITY.c.valid_from)
    ).all()
    past = [r for r in rows if r.valid_from <= today]
    chosen = past[-1] if past else (rows[0] if rows else None)
    return (chosen.places, chosen.valid_from) if chosen else (None, None)


def centre_record(session: Session, centre_id: int, today: date) -> Record:
    found = session.execute(sa.select(_CENTRE).where(_CENTRE.c.id == centre_id)).one_or_none()
    if found is None:
        raise NotFoundError(_("There is no centre yet."))
    places, since = _capacity(session, centre_id, today)
    values = {
        "name": found.name,
        "town": found.town,
        "capacity": places,
        "capacity_from": since,
        "address": found.address,
    }
    detail = found.town
    if places:
        detail = _("{town}, {n} places").format(town=found.town, n=places)
    return Record(
        kind="centre",
        id=found.id,
        name=found.name,
        detail=detail,
        active=True,
        version=found.version,
        values=text_values("centre", values),
    )


def add_centre(session: Session, parsed: dict[str, object], today: date) -> Record:
    existing = session.execute(sa.select(_CENTRE.c.name).limit(1)).scalar()
    if existing is not None:
        raise RefusedError(
            _(
                "This database already has a centre ({name}); change it with `coptui edit centre`."
            ).format(name=existing)
        )
    try:
        centre_id = session.execute(
            sa.insert(_CENTRE)
            .values(name=parsed["name"], town=parsed["town"], address=parsed.get("address") or "")
            .returning(_CENTRE.c.id)
        ).scalar_one()
    except IntegrityError as exc:  # pragma: no cover - two first runs at once
        raise DuplicateError(_("There is already a centre of that name.")) from exc
    session.execute(
        sa.insert(_CAPACITY).values(
            centre_id=centre_id,
            valid_from=parsed.get("capacity_from") or today,
            places=parsed["capacity"],
        )
    )
    return centre_record(session, centre_id, today)


def edit_centre(
    session: Session, centre_id: int, version: int, parsed: dict[str, object], today: date
) -> Record:
    record = centre_record(session, centre_id, today)
    if record.version != version:
        raise stale_error(session, "centre", centre_id)
    changes = {
        name: (parsed[name] or "") if name == "address" else parsed[name]
        for name in ("name", "town", "address")
        if name in parsed
    }
    changes = {
        k: v for k, v in changes.items() if format_value(field("centre", k), v) != record.values[k]
    }
    capacity_changed = False
    if "capacity" in parsed or "capacity_from" in parsed:
        places = parsed.get("capacity") or int(record.values["capacity"] or 0)
        since = parsed.get("capacity_from") or today
        assert isinstance(since, date)
        held = session.execute(
            sa.select(_CAPACITY.c.places).where(
                _CAPACITY.c.centre_id == centre_id, _CAPACITY.c.valid_from == since
            )
        ).scalar()
        if held != places and places:
            # A funder's order changes the capacity from a day on; the old number stays
            # for the days before it.
            statement = pg_insert(_CAPACITY).values(
                centre_id=centre_id, valid_from=since, places=places
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["centre_id", "valid_from"], set_={"places": places}
                )
            )
            capacity_changed = True
    if not changes and not capacity_changed:
        return record
    updated = session.execute(
        sa.update(_CENTRE)
        .where(_CENTRE.c.id == centre_id, _CENTRE.c.version == version)
        .values(**changes, version=_CENTRE.c.version + 1)
        .returning(_CENTRE.c.id)
    ).scalar()
    if updated is None:
        raise stale_error(session, "centre", centre_id)
    return centre_record(session, centre_id, today)


def closure_record(found: Any) -> Record:
    values = {"day": found.day, "reason": found.note, "kind": found.kind}
    return Record(
        kind="closure",
        id=found.id,
        name=f"{found.day:%d.%m.%Y}",
        detail=found.note or choice_label(field("closure", "kind"), found.kind),
        active=True,
        version=found.version,
        values=text_values("closure", values),
    )


def _closure_columns(parsed: Mapping[str, object]) -> dict[str, object]:
    names = {"day": "day", "reason": "note", "kind": "kind"}
    columns = {names[k]: v for k, v in parsed.items()}
    if "kind" in columns:
        columns["kind"] = OverrideKind(str(columns["kind"]))
    return columns


def _closure_refusal(exc: IntegrityError) -> Exception:
    if sqlstate(exc) == "23505":
        return DuplicateError(_("That day is already marked in the calendar."))
    return BadInputError(str(exc.orig).splitlines()[0])


def add_closure(session: Session, centre_id: int, parsed: dict[str, object]) -> Record:
    day = parsed["day"]
    taken = session.execute(
        sa.select(_CLOSURE.c.id).where(_CLOSURE.c.centre_id == centre_id, _CLOSURE.c.day == day)
    ).scalar()
    if taken is not None:
        raise DuplicateError(
            _("{day} is already marked in the calendar; edit it instead.").format(
                day=format_value(field("closure", "day"), day)
            )
        )
    try:
        new_id = session.execute(
            sa.insert(_CLOSURE)
            .values(centre_id=centre_id, **_closure_columns(parsed))
            .returning(_CLOSURE.c.id)
        ).scalar_one()
    except IntegrityError as exc:  # pragma: no cover - the same day added twice at once
        raise _closure_refusal(exc) from exc
    return get_closure(session, centre_id, new_id)


def edit_closure(
    session: Session, centre_id: int, record_id: int, version: int, parsed: dict[str, object]
) -> Record:
    record = get_closure(session, centre_id, record_id)
    if record.version != version:
        raise stale_error(session, "holiday_override", record_id)
    changed = {
        k: v for k, v in parsed.items() if format_value(field("closure", k), v) != record.values[k]
    }
    if not changed:
        return record
    try:
        updated = session.execute(
            sa.update(_CLOSURE)
            .where(_CLOSURE.c.id == record_id, _CLOSURE.c.version == version)
            .values(**_closure_columns(changed), version=_CLOSURE.c.version + 1)
            .returning(_CLOSURE.c.id)
        ).scalar()
    except IntegrityError as exc:
        raise _closure_refusal(exc) from exc
    if updated is None:
        raise stale_error(session, "holiday_override", record_id)
    return get_closure(session, centre_id, record_id)


def closure_records(session: Session, centre_id: int) -> list[Record]:
    """Every closure and moved working day of the centre, by day."""
    found = session.execute(
        sa.select(_CLOSURE).where(_CLOSURE.c.centre_id == centre_id).order_by(_CLOSURE.c.day)
    )
    return [closure_record(r) for r in found]


def get_closure(session: Session, centre_id: int, closure_id: int) -> Record:
    """One closure.

    Raises:
        NotFoundError: it is gone.
    """
    found = session.execute(
        sa.select(_CLOSURE).where(_CLOSURE.c.centre_id == centre_id, _CLOSURE.c.id == closure_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(_("This closure does not exist (any more)."))
    return closure_record(found)


def remove_closure(session: Session, centre_id: int, closure_id: int, version: int) -> Record:
    """Remove a closure (nothing refers to one): the day is the national calendar's again."""
    record = get_closure(session, centre_id, closure_id)
    deleted = session.execute(
        sa.delete(_CLOSURE)
        .where(_CLOSURE.c.id == closure_id, _CLOSURE.c.version == version)
        .returning(_CLOSURE.c.id)
    ).scalar()
    if deleted is None:
        raise stale_error(session, "holiday_override", closure_id)
    return Record(**{**record.__dict__, "active": False})
