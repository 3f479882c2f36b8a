"""The closed vocabularies of the schema; values are stored as the English codes."""

import enum


class RoomKind(enum.StrEnum):
    GROUP_ROOM = "group_room"
    OFFICE = "office"
    OUTDOOR = "outdoor"
    OFF_SITE = "off_site"


class Profession(enum.StrEnum):
    SOCIAL_WORKER = "social_worker"
    PSYCHOLOGIST = "psychologist"
    PEDAGOGUE = "pedagogue"
    SPEECH_THERAPIST = "speech_therapist"
    MANAGER = "manager"
    OTHER = "other"


class StaffRole(enum.StrEnum):
    MANAGER = "manager"
    COORDINATOR = "coordinator"
    SPECIALIST = "specialist"


class ReferralSource(enum.StrEnum):
    OZD = "ozd"  # Отдел „Закрила на детето“
    DSP = "dsp"  # Дирекция „Социално подпомагане“
    OTHER_INSTITUTION = "other_institution"
    SELF = "self"


class ServiceKind(enum.StrEnum):
    GENERAL_ACCESS = "general_access"
    SPECIALISED = "specialised"


class CaseStatus(enum.StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


class ProgrammeKind(enum.StrEnum):
    ART_STUDIO = "art_studio"
    ECO_HOLIDAY = "eco_holiday"
    YOUTH_INITIATIVE = "youth_initiative"
    CAMPAIGN = "campaign"
    VOLUNTEERING = "volunteering"
    TRAINING = "training"
    OTHER = "other"


class EventKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    PROGRAMME_SESSION = "programme_session"
    MEETING = "meeting"
    MOBILE_WORK = "mobile_work"
    # Outside busy time (an .ics import, or typed by hand): it holds a room or a person
    # against double booking, and is no work of the centre (no cases, never in a report).
    BLOCK = "block"


class EventStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    EXPECTED = "expected"
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    LATE = "late"


class SlotStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class OverrideKind(enum.StrEnum):
    CLOSURE = "closure"  # a day the centre is closed although it is a working day
    WORKING_DAY = "working_day"  # a holiday (or moved day) on which the centre works
