"""What the picker offers; kept apart so the planner loads without the dialogs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """Something the picker offers: a room, a person, a case, a programme, the centre."""

    kind: str | None  # None: the whole centre
    id: int | None
    name: str
    detail: str = ""
