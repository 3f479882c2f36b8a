"""Programmes, recurring series, events and the link rows that carry each event's range."""

from datetime import date, datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Range
from sqlmodel import Field, SQLModel

from coptui.models.base import (
    LIVE_EVENT,
    created_at_column,
    during_column,
    enum_column,
    line_checks,
    no_overlap,
    notes_checks,
    range_checks,
    version_column,
)
from coptui.models.enums import (
    Attendance,
    EventKind,
    EventStatus,
    ProgrammeKind,
    SlotStatus,
)

BLOCK_IS_BUSY_TIME = (
    "kind <> 'block' OR (case_ids = '{}' AND programme_id IS NULL AND status <> 'held')"
)


def people_column() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        postgresql.ARRAY(sa.Integer()), nullable=False, server_default=sa.text("'{}'::integer[]")
    )


def _event_link(ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    # The link row copies the event's range and status; the cascade keeps the copy exact,
    # so the exclusion constraints on the link rows see every move and every cancel.
    return sa.ForeignKeyConstraint(
        ["event_id", "centre_id", "during", "event_status"],
        ["event.id", "event.centre_id", "event.during", "event.status"],
        onupdate="CASCADE",
        ondelete=ondelete,
    )


class Programme(SQLModel, table=True):
    """A group programme: арт ателие, еко ваканция, младежка инициатива, кампания, …"""

    __tablename__ = "programme"
    __table_args__ = (
        *line_checks("title"),
        *notes_checks("description"),
        sa.UniqueConstraint("centre_id", "title"),
        sa.UniqueConstraint("id", "centre_id"),
        sa.ForeignKeyConstraint(["lead_id", "centre_id"], ["staff.id", "staff.centre_id"]),
        sa.ForeignKeyConstraint(["room_id", "centre_id"], ["room.id", "room.centre_id"]),
        sa.CheckConstraint("title <> ''", name="title_not_blank"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("volunteers_per_session >= 0", name="volunteers_not_negative"),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"
        ),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    kind: ProgrammeKind = Field(
        sa_column=enum_column(ProgrammeKind, "programme_kind", nullable=False)
    )
    title: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    description: str = Field(
        default="", sa_column=sa.Column(sa.Text, nullable=False, server_default="")
    )
    lead_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    # Where its sessions usually happen (migration 0008).
    room_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    capacity: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    starts_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    ends_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    volunteers_per_session: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    # A programme that ended is deactivated, never deleted: its sessions keep it (0008).
    active: bool = Field(
        default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    )
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class Series(SQLModel, table=True):
    """A recurring series: the RRULE text and its local start; occurrences are events."""

    __tablename__ = "series"
    __table_args__ = (
        sa.UniqueConstraint("id", "centre_id"),
        sa.CheckConstraint("rrule <> ''", name="rrule_not_blank"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    rrule: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    timezone: str = Field(
        default="Europe/Sofia",
        sa_column=sa.Column(sa.Text, nullable=False, server_default="Europe/Sofia"),
    )
    # First occurrence as wall-clock time in ``timezone``; expansion happens in that zone.
    local_start: datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=False), nullable=False))
    duration_minutes: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class Event(SQLModel, table=True):
    """One occurrence on the calendar: a time range with a room, people, a programme."""

    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    __tablename__ = "event"
    __table_args__ = (
        sa.UniqueConstraint("id", "centre_id", "during", "status"),
        sa.UniqueConstraint("id", "centre_id"),
        sa.ForeignKeyConstraint(["room_id", "centre_id"], ["room.id", "room.centre_id"]),
        sa.ForeignKeyConstraint(
            ["programme_id", "centre_id"], ["programme.id", "programme.centre_id"]
        ),
        sa.ForeignKeyConstraint(
            ["series_id", "centre_id"], ["series.id", "series.centre_id"], ondelete="SET NULL"
        ),
        *range_checks(),
        sa.CheckConstraint("title <> ''", name="title_not_blank"),
        *line_checks("title", "cancel_reason"),
        *notes_checks("notes"),
        sa.CheckConstraint(
            "status <> 'cancelled' OR coalesce(cancel_reason, '') <> ''",
            name="cancel_has_reason",
        ),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint(
            "upper(during) - lower(during) <= interval '1 day'", name="at_most_a_day"
        ),
        # Busy time is no work of the centre (migration 0013): no case, no programme, never
        # marked held (so it never counts in hours).
        sa.CheckConstraint(BLOCK_IS_BUSY_TIME, name="block_is_busy_time"),
        sa.Index("ix_event_during", "during", postgresql_using="gist"),
        sa.Index("ix_event_series_id", "series_id"),
        # The centre's week, by start (migration 0005).
        sa.Index("ix_event_centre_start", "centre_id", sa.text("lower(during)"), "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    centre_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("centre.id", ondelete="CASCADE"), nullable=False)
    )
    kind: EventKind = Field(sa_column=enum_column(EventKind, "event_kind", nullable=False))
    title: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    during: Range[datetime] = Field(sa_column=during_column())
    room_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    programme_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    series_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    status: EventStatus = Field(
        default=EventStatus.PLANNED,
        sa_column=enum_column(
            EventStatus, "event_status", nullable=False, server_default="planned"
        ),
    )
    cancel_reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    notes: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    version: int = Field(default=1, sa_column=version_column())
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
    updated_at: datetime | None = Field(default=None, sa_column=created_at_column())
    # Copies of the link tables for the week's read (lead first, then by id), kept by the
    # coptui_event_people() trigger (migration 0004); never written by the app.
    staff_ids: list[int] = Field(default_factory=list, sa_column=people_column())
    case_ids: list[int] = Field(default_factory=list, sa_column=people_column())
    # The start the series' rule gave this occurrence, kept when it is moved (an export's
    # RECURRENCE-ID); set on insert by a trigger (migration 0011), never by the app.
    occurrence_start: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True))
    )


class EventStaff(SQLModel, table=True):
    """A staff member taking part in an event."""

    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    __tablename__ = "event_staff"
    __table_args__ = (
        _event_link(),
        sa.ForeignKeyConstraint(["staff_id", "centre_id"], ["staff.id", "staff.centre_id"]),
        sa.Index("ix_event_staff_staff_id", "staff_id"),
    )

    event_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    staff_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    during: Range[datetime] = Field(sa_column=during_column())
    event_status: EventStatus = Field(
        sa_column=enum_column(EventStatus, "event_status", nullable=False)
    )
    is_lead: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false())
    )


class EventCase(SQLModel, table=True):
    """A case (child or family) in an event, with their attendance."""

    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    __tablename__ = "event_case"
    __table_args__ = (
        _event_link(),
        sa.ForeignKeyConstraint(["case_id", "centre_id"], ["case_file.id", "case_file.centre_id"]),
        sa.CheckConstraint("version > 0", name="version_positive"),
        *notes_checks("attendance_note"),
        sa.Index("ix_event_case_case_id", "case_id"),
    )

    event_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    case_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    during: Range[datetime] = Field(sa_column=during_column())
    event_status: EventStatus = Field(
        sa_column=enum_column(EventStatus, "event_status", nullable=False)
    )
    attendance: Attendance = Field(
        default=Attendance.EXPECTED,
        sa_column=enum_column(Attendance, "attendance", nullable=False, server_default="expected"),
    )
    attendance_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # A place freed in the session and held for the first child of its waiting list, until
    # the key worker confirms it with the family (migration 0010).
    offered_at: datetime | None = Field(
        default=None, sa_column=sa.Column(sa.DateTime(timezone=True))
    )
    version: int = Field(default=1, sa_column=version_column())


class RosterSlot(SQLModel, table=True):
    """A volunteer place in an event: open, or held by one volunteer."""

    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    __tablename__ = "roster_slot"
    __table_args__ = (
        _event_link(),
        sa.ForeignKeyConstraint(
            ["volunteer_id", "centre_id"], ["volunteer.id", "volunteer.centre_id"]
        ),
        sa.CheckConstraint(
            "(status = 'open') = (volunteer_id IS NULL)", name="open_iff_no_volunteer"
        ),
        *line_checks("task"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.Index("ix_roster_slot_event_id", "event_id"),
        sa.Index("ix_roster_slot_volunteer_id", "volunteer_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    during: Range[datetime] = Field(sa_column=during_column())
    event_status: EventStatus = Field(
        sa_column=enum_column(EventStatus, "event_status", nullable=False)
    )
    volunteer_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer))
    status: SlotStatus = Field(
        default=SlotStatus.OPEN,
        sa_column=enum_column(SlotStatus, "slot_status", nullable=False, server_default="open"),
    )
    task: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))
    version: int = Field(default=1, sa_column=version_column())


_event = Event.__table__  # type: ignore[attr-defined]
_event.append_constraint(
    no_overlap(_event, "ex_event_room", "room_id", "status <> 'cancelled' AND room_id IS NOT NULL")
)
for _link, _key, _where in (
    (EventStaff.__table__, "staff_id", LIVE_EVENT),  # type: ignore[attr-defined]
    (EventCase.__table__, "case_id", LIVE_EVENT),  # type: ignore[attr-defined]
    (
        RosterSlot.__table__,  # type: ignore[attr-defined]
        "volunteer_id",
        f"{LIVE_EVENT} AND volunteer_id IS NOT NULL AND status <> 'declined'",
    ),
):
    for _check in range_checks():
        _link.append_constraint(_check)
    _link.append_constraint(no_overlap(_link, f"ex_{_link.name}_no_overlap", _key, _where))


class WaitlistEntry(SQLModel, table=True):
    """A case waiting for a place in a full session; the first in line is offered the next place."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["event_id", "centre_id"], ["event.id", "event.centre_id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["case_id", "centre_id"], ["case_file.id", "case_file.centre_id"]),
        sa.UniqueConstraint("event_id", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    case_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    centre_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
