"""The closed vocabularies, re-exported for the models (they live in ``coptui.domain``)."""

from coptui.domain.enums import (
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

__all__ = [
    "Attendance",
    "CaseStatus",
    "EventKind",
    "EventStatus",
    "OverrideKind",
    "Profession",
    "ProgrammeKind",
    "ReferralSource",
    "RoomKind",
    "ServiceKind",
    "SlotStatus",
    "StaffRole",
]
