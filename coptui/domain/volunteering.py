"""Rules of volunteering: when a volunteer's papers are in date, and whether a skill fits a place.

Pure functions (stdlib and dateutil), tested without a database.

Papers. A volunteer works with children only with both papers in date on the day of the
session:
- the volunteering agreement (договор за доброволчество): signed (``agreement_date``) and not
  ended (``agreement_ends`` is its last day; no end date means it runs until ended);
- the certificate of no criminal record (свидетелство за съдимост): in date for
  :data:`CERTIFICATE_MONTHS` months from the day it was issued (``criminal_record_date``);
  its last day is the day before the same date six months on.
A paper that ends within :data:`WARN_DAYS` days from today (its last day at most 30 days
away) is warned about; a paper missing or out of date on the session's day rules the
volunteer out.

Skills. The skill a place asks for is the words of its task (``roster_slot.task``) together
with the skills that go with its programme's kind (:data:`KIND_SKILLS`). A volunteer's skill
fits when one of its words and one asked word share a stem: the first five letters (the whole
word if shorter), case and ё/е ignored; words of fewer than four letters and general words
(«помощ», «деца», …) never match on their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

CERTIFICATE_MONTHS = 6
WARN_DAYS = 30
STEM = 5

# What each kind of programme needs from its volunteers, in the words volunteers' skills are
# written in (the directory's «Умения»).
KIND_SKILLS: dict[str, tuple[str, ...]] = {
    "art_studio": ("рисуване", "изкуство", "приложно изкуство", "керамика", "фотография", "art"),
    "eco_holiday": ("туризъм", "природа", "екология", "първа помощ", "спорт", "игри"),
    "youth_initiative": ("младежки инициативи", "компютри", "доброволчество", "театър"),
    "campaign": ("кампании", "беседи", "фотография", "компютри"),
    "volunteering": ("доброволчество",),
    "training": ("обучение", "четене", "английски език", "компютри"),
    "other": (),
}
# Words that say nothing about a skill: «помощ при занимания» asks for no skill in particular.
_GENERAL = frozenset(
    {"помощ", "помагане", "занимания", "занимание", "деца", "дете", "работа", "help", "with"}
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Paper:
    """One of a volunteer's papers: its last day in date (``None``: missing)."""

    kind: str  # "agreement" or "certificate"
    last_day: date | None
    missing: bool = False
    first_day: date | None = None


def certificate_last_day(issued: date | None) -> date | None:
    """The last day a certificate of no criminal record issued on ``issued`` is in date."""
    if issued is None:
        return None
    return issued + relativedelta(months=CERTIFICATE_MONTHS) - timedelta(days=1)


def papers(
    *,
    agreement_date: date | None,
    agreement_ends: date | None,
    criminal_record_date: date | None,
) -> tuple[Paper, Paper]:
    """The agreement and the certificate of a volunteer, with their last days in date."""
    return (
        Paper(
            "agreement",
            agreement_ends if agreement_date else None,
            agreement_date is None,
            agreement_date,
        ),
        Paper(
            "certificate",
            certificate_last_day(criminal_record_date),
            criminal_record_date is None,
            criminal_record_date,
        ),
    )


def in_date(paper: Paper, on: date) -> bool:
    """Whether ``paper`` is there and in date on ``on``."""
    if paper.missing or (paper.first_day is not None and on < paper.first_day):
        return False
    return paper.last_day is None or on <= paper.last_day


def ends_soon(paper: Paper, today: date) -> bool:
    """Whether ``paper`` is in date today and its last day is at most :data:`WARN_DAYS` away."""
    if paper.missing or paper.last_day is None:
        return False
    return today <= paper.last_day <= today + timedelta(days=WARN_DAYS)


def _stems(texts: Iterable[str]) -> set[str]:
    stems = set()
    for text in texts:
        for word in _WORD.findall(text.casefold().replace("ё", "е")):
            if len(word) >= 4 and word not in _GENERAL:
                stems.add(word[:STEM])
    return stems


def asked_skills(task: str, programme_kind: str | None) -> tuple[str, ...]:
    """What a place asks for: its task's words and its programme kind's skills."""
    kind = KIND_SKILLS.get(programme_kind or "", ())
    return tuple(t for t in (task.strip(), *kind) if t)


def matching_skills(skills: Sequence[str], asked: Sequence[str]) -> tuple[str, ...]:
    """The volunteer's skills that fit what is asked (see the module), in their order."""
    wanted = _stems(asked)
    return tuple(skill for skill in skills if _stems([skill]) & wanted)
