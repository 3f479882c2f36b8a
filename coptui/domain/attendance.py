"""The attendance register's rules: the order Space cycles marks in, and absences in a row."""

from __future__ import annotations

from collections.abc import Iterable

# What a register row can be marked as; "expected" is a row nobody has marked yet.
MARKS = ("present", "absent", "excused", "late")
MARKED = frozenset(MARKS)
# Marks that carry a short reason (an absence, excused or not).
WITH_REASON = frozenset({"absent", "excused"})
# This many unexcused absences in a row, in one programme, warn the case's key worker.
ABSENCES_IN_A_ROW = 3


def next_mark(mark: str) -> str:
    """The mark after ``mark`` when Space is pressed: present → absent → excused → late → …

    An unmarked row (``expected``) becomes present first.
    """
    if mark not in MARKED:
        return MARKS[0]
    return MARKS[(MARKS.index(mark) + 1) % len(MARKS)]


def absences_in_a_row(marks: Iterable[str]) -> int:
    """How many unexcused absences end the run of ``marks`` (oldest first).

    Presence (on time or late) ends a run; an excused absence or a session nobody marked is
    passed over: it neither counts nor breaks the run (a child who was ill and said so is not
    a warning sign, nor does it hide the absences around it).
    """
    run = 0
    for mark in marks:
        if mark == "absent":
            run += 1
        elif mark in ("present", "late"):
            run = 0
    return run


def warns(marks: Iterable[str]) -> bool:
    """True when ``marks`` (oldest first) end in :data:`ABSENCES_IN_A_ROW` absences or more."""
    return absences_in_a_row(marks) >= ABSENCES_IN_A_ROW
