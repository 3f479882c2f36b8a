"""SQLModel tables of coptui; importing this package declares the whole schema."""

from coptui.models.base import NAMING_CONVENTION, metadata, table_of  # isort: skip
from coptui.models.audit import AuditEntry, CaseAccess
from coptui.models.cases import Case
from coptui.models.centre import Centre, CentreCapacity, HolidayOverride, Room
from coptui.models.enums import (
    Attendance,
    CaseStatus,
    EventKind,
    EventStatus,
    OverrideKind,
    Profession,
    ProgrammeKind,
    ReferralSource,
    RoomKind,
    ServiceKind,
    SlotStatus,
    StaffRole,
)
from coptui.models.events import (
    Event,
    EventCase,
    EventStaff,
    Programme,
    RosterSlot,
    Series,
    WaitlistEntry,
)
from coptui.models.ical import EventImport
from coptui.models.people import Staff, Volunteer

__all__ = [
    "NAMING_CONVENTION",
    "Attendance",
    "AuditEntry",
    "Case",
    "CaseAccess",
    "CaseStatus",
    "Centre",
    "CentreCapacity",
    "Event",
    "EventCase",
    "EventImport",
    "EventKind",
    "EventStaff",
    "EventStatus",
    "HolidayOverride",
    "OverrideKind",
    "Profession",
    "Programme",
    "ProgrammeKind",
    "ReferralSource",
    "Room",
    "RoomKind",
    "RosterSlot",
    "Series",
    "ServiceKind",
    "SlotStatus",
    "Staff",
    "StaffRole",
    "Volunteer",
    "WaitlistEntry",
    "metadata",
    "table_of",
]
