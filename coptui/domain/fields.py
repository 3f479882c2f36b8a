"""What a centre's manager fills in for each kind of record: one table of fields per kind.

One table (centre, room, staff, volunteer, case, programme, closure) serves the directory's
forms, the ``add``/``edit`` options of the command line and the columns of a CSV import, so the
three always agree; ``field_values`` turns typed text into values of these fields and back.
Pure: no database, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from coptui.errors import BadInputError
from coptui.i18n import N_, _

KINDS = ("centre", "room", "staff", "volunteer", "case", "programme", "closure")
TYPES = ("text", "notes", "int", "decimal", "date", "choice", "list", "staff", "room")


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field."""

    value: str
    label: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One field of a kind: its name (CLI option, CSV column), label, type and rules.

    ``default`` is the text a new form starts with; ``minimum``/``maximum`` bound numbers.
    """

    name: str
    label: str
    type: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    help: str = ""
    default: str = ""
    minimum: int | None = None
    maximum: int | None = None


ROOM_KINDS = (
    Choice("group_room", N_("group room"), ("group", "групова", "групова зала", "зала")),
    Choice("office", N_("office"), ("кабинет", "стая")),
    Choice("outdoor", N_("outdoors"), ("outside", "открито", "на открито", "двор")),
    Choice("off_site", N_("off-site"), ("offsite", "off site", "извън центъра", "на терен")),
)
PROFESSIONS = (
    Choice("psychologist", N_("psychologist"), ("психолог",)),
    Choice("social_worker", N_("social worker"), ("социален работник", "соц. работник")),
    Choice("pedagogue", N_("pedagogue"), ("педагог", "teacher", "учител")),
    Choice("speech_therapist", N_("speech therapist"), ("логопед",)),
    Choice("manager", N_("manager"), ("управител", "ръководител")),
    Choice("other", N_("other"), ("друг", "друго", "друга")),
)
STAFF_ROLES = (
    Choice("specialist", N_("specialist"), ("специалист",)),
    Choice("coordinator", N_("coordinator"), ("координатор",)),
    Choice("manager", N_("manager"), ("управител", "ръководител")),
)
SERVICE_KINDS = (
    Choice(
        "general_access",
        N_("general access"),
        ("general", "общодостъпна", "общодостъпни", "обща"),
    ),
    Choice("specialised", N_("specialised"), ("specialized", "специализирана", "специализирани")),
)
REFERRALS = (
    Choice("ozd", N_("child protection department (ОЗД)"), ("озд", "закрила на детето")),
    Choice("dsp", N_("social assistance directorate (ДСП)"), ("дсп", "социално подпомагане")),
    Choice("other_institution", N_("another institution"), ("other", "друга институция")),
    Choice("self", N_("self-referral"), ("self-referral", "самонасочване", "сам", "лично")),
)
PROGRAMME_KINDS = (
    Choice("art_studio", N_("art studio"), ("art", "арт", "арт ателие", "ателие")),
    Choice("eco_holiday", N_("eco holiday"), ("eco", "еко", "еко ваканция")),
    Choice("youth_initiative", N_("youth initiative"), ("youth", "младежка инициатива")),
    Choice("campaign", N_("campaign"), ("кампания",)),
    Choice("volunteering", N_("volunteering"), ("доброволчество",)),
    Choice("training", N_("training"), ("обучение",)),
    Choice("other", N_("other"), ("друга", "друго", "друг")),
)
CLOSURE_KINDS = (
    Choice("closure", N_("closed"), ("closure", "затворено", "почивен", "почивен ден")),
    Choice("working_day", N_("working day"), ("working", "работен", "работен ден")),
)

_NAME_ALIASES = ("full_name", "име", "имена", "име и фамилия", "трите имена")

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "centre": (
        FieldSpec("name", N_("Name"), "text", True, aliases=("име", "наименование")),
        FieldSpec("town", N_("Town"), "text", True, aliases=("град", "населено място")),
        FieldSpec(
            "capacity",
            N_("Capacity"),
            "int",
            True,
            aliases=("места", "капацитет"),
            help=N_("places for service users, as the funder set them"),
            minimum=1,
            maximum=10000,
        ),
        FieldSpec(
            "capacity_from",
            N_("Capacity from"),
            "date",
            aliases=("капацитет от",),
            help=N_("the day the capacity applies from (default: today)"),
        ),
        FieldSpec("address", N_("Address"), "text", aliases=("адрес",)),
    ),
    "room": (
        FieldSpec("name", N_("Name"), "text", True, aliases=("име", "зала", "стая")),
        FieldSpec("kind", N_("Kind"), "choice", True, ROOM_KINDS, ("вид", "тип")),
        FieldSpec(
            "seats",
            N_("Seats"),
            "int",
            aliases=("места", "max_people"),
            help=N_("the most people at once"),
            minimum=1,
            maximum=10000,
        ),
        FieldSpec(
            "area",
            N_("Area"),
            "decimal",
            aliases=("площ", "area_m2", "кв.м"),
            help=N_("square metres, e.g. 48,30"),
            minimum=0,
            maximum=9999,
        ),
        FieldSpec("notes", N_("Notes"), "notes", aliases=("бележки",)),
    ),
    "staff": (
        FieldSpec("name", N_("Name"), "text", True, aliases=_NAME_ALIASES),
        FieldSpec(
            "profession",
            N_("Profession"),
            "choice",
            True,
            PROFESSIONS,
            ("професия", "длъжност", "специалност"),
        ),
        FieldSpec(
            "role",
            N_("Role"),
            "choice",
            choices=STAFF_ROLES,
            aliases=("роля",),
            help=N_("what they may do in coptui (default: specialist)"),
            default="specialist",
        ),
        FieldSpec(
            "login",
            N_("Login"),
            "text",
            aliases=("потребител", "потребителско име"),
            help=N_("their user name (default: made from the name)"),
        ),
        FieldSpec("email", N_("Email"), "text", aliases=("имейл", "e-mail", "ел. поща")),
        FieldSpec("phone", N_("Phone"), "text", aliases=("телефон", "тел.")),
    ),
    "volunteer": (
        FieldSpec("name", N_("Name"), "text", True, aliases=_NAME_ALIASES),
        FieldSpec(
            "skills",
            N_("Skills"),
            "list",
            aliases=("умения", "интереси"),
            help=N_("separated by commas"),
        ),
        FieldSpec("phone", N_("Phone"), "text", aliases=("телефон", "тел.")),
        FieldSpec("email", N_("Email"), "text", aliases=("имейл", "e-mail", "ел. поща")),
        FieldSpec(
            "agreement_date",
            N_("Agreement signed"),
            "date",
            aliases=("договор", "дата на договора", "договор от"),
        ),
        FieldSpec("agreement_ends", N_("Agreement ends"), "date", aliases=("договор до",)),
        FieldSpec(
            "criminal_record_date",
            N_("Criminal record certificate"),
            "date",
            aliases=("свидетелство за съдимост", "съдимост"),
            help=N_("the date of the certificate"),
        ),
        FieldSpec("notes", N_("Notes"), "notes", aliases=("бележки",)),
    ),
    "case": (
        FieldSpec("code", N_("Code"), "text", True, aliases=("код", "номер")),
        FieldSpec("child", N_("Child"), "text", aliases=("дете", "child_name", "име на детето")),
        FieldSpec("family", N_("Family"), "text", aliases=("семейство", "family_name")),
        FieldSpec(
            "birth_year",
            N_("Birth year"),
            "int",
            aliases=("година на раждане", "роден", "родена"),
            minimum=1990,
            maximum=2100,
        ),
        FieldSpec(
            "service",
            N_("Service"),
            "choice",
            True,
            SERVICE_KINDS,
            ("услуга", "вид услуга", "service_kind"),
        ),
        FieldSpec(
            "service_types",
            N_("Service types"),
            "list",
            aliases=("видове услуги", "дейности"),
            help=N_("separated by commas"),
        ),
        FieldSpec(
            "referral",
            N_("Referral"),
            "choice",
            choices=REFERRALS,
            aliases=("насочване", "насочен от", "referral_source"),
        ),
        FieldSpec(
            "referral_number", N_("Referral number"), "text", aliases=("номер на направление",)
        ),
        FieldSpec("referral_date", N_("Referral date"), "date", aliases=("дата на направление",)),
        FieldSpec("contract_number", N_("Contract number"), "text", aliases=("номер на договор",)),
        FieldSpec("contract_start", N_("Contract from"), "date", aliases=("договор от",)),
        FieldSpec("contract_end", N_("Contract to"), "date", aliases=("договор до",)),
        FieldSpec(
            "key_worker",
            N_("Key worker"),
            "staff",
            aliases=("водещ", "водещ специалист", "отговорник"),
        ),
        FieldSpec(
            "from",
            N_("Service from"),
            "date",
            aliases=("от", "начало", "start_on"),
            help=N_("start the service on this day (active, or waiting when the centre is full)"),
        ),
    ),
    "programme": (
        FieldSpec("name", N_("Title"), "text", True, aliases=("име", "заглавие", "title")),
        FieldSpec("kind", N_("Kind"), "choice", True, PROGRAMME_KINDS, ("вид", "тип")),
        FieldSpec(
            "seats",
            N_("Seats"),
            "int",
            aliases=("места", "capacity"),
            help=N_("participants per session"),
            minimum=1,
            maximum=10000,
        ),
        FieldSpec("lead", N_("Lead"), "staff", aliases=("водещ", "ръководител")),
        FieldSpec("room", N_("Room"), "room", aliases=("зала", "стая")),
        FieldSpec("starts_on", N_("Starts"), "date", aliases=("начало", "от")),
        FieldSpec("ends_on", N_("Ends"), "date", aliases=("край", "до")),
        FieldSpec(
            "volunteers_per_session",
            N_("Volunteers per session"),
            "int",
            aliases=("доброволци",),
            minimum=0,
            maximum=100,
        ),
        FieldSpec("description", N_("Description"), "notes", aliases=("описание",)),
    ),
    "closure": (
        FieldSpec("day", N_("Day"), "date", True, aliases=("дата", "ден")),
        FieldSpec("reason", N_("Reason"), "text", True, aliases=("причина", "note")),
        FieldSpec(
            "kind",
            N_("Kind"),
            "choice",
            choices=CLOSURE_KINDS,
            aliases=("вид",),
            help=N_("closed, or a working day on a holiday (default: closed)"),
            default="closure",
        ),
    ),
}

# Pairs of date fields where the second may not come before the first.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "volunteer": (("agreement_date", "agreement_ends"),),
    "case": (("contract_start", "contract_end"),),
    "programme": (("starts_on", "ends_on"),),
}


def field(kind: str, name: str) -> FieldSpec:
    """The spec of field ``name`` of ``kind``.

    Raises:
        BadInputError: no such kind or field.
    """
    for spec in fields_of(kind):
        if spec.name == name:
            return spec
    raise BadInputError(_("{kind} has no field {name!r}.").format(kind=kind, name=name))


def fields_of(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of ``kind``, the name first.

    Raises:
        BadInputError: ``kind`` is not a kind of record.
    """
    try:
        return FIELDS[kind]
    except KeyError:
        raise BadInputError(
            _("Unknown kind {kind!r}; one of: {kinds}.").format(kind=kind, kinds=", ".join(KINDS))
        ) from None
