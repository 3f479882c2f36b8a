"""The register's rules without a database: the cycle of marks and absences in a row."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coptui.domain.attendance import MARKS, absences_in_a_row, next_mark, warns


def test_space_cycles_the_four_marks_from_unmarked() -> None:
    seen = [next_mark("expected")]
    for _n in range(4):
        seen.append(next_mark(seen[-1]))
    assert seen == ["present", "absent", "excused", "late", "present"]


def test_three_absences_warn_two_do_not() -> None:
    assert not warns(["present", "absent", "absent"])
    assert warns(["present", "absent", "absent", "absent"])
    assert absences_in_a_row(["absent"] * 5) == 5


def test_a_presence_in_between_resets_the_run() -> None:
    assert not warns(["absent", "absent", "present", "absent"])
    assert not warns(["absent", "absent", "late", "absent"])


def test_excused_and_unmarked_neither_count_nor_reset() -> None:
    assert not warns(["absent", "excused", "absent"])
    assert warns(["absent", "excused", "absent", "expected", "absent"])


@given(st.lists(st.sampled_from([*MARKS, "expected"])))
def test_the_run_ends_at_the_last_presence(marks: list[str]) -> None:
    presences = [n for n, m in enumerate(marks) if m in ("present", "late")]
    tail = marks[presences[-1] + 1 :] if presences else marks
    assert absences_in_a_row(marks) == tail.count("absent")
