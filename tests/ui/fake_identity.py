"""A stand-in for ``coptui.services.identity`` until the roles branch (r1-db) is merged.

Test-only: installed into ``sys.modules`` only when the real module is missing.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any

RIGHTS = {
    "owner": {"book", "edit_any_event", "see_cases", "manage_directory", "see_history"},
    "manager": {"book", "edit_any_event", "see_cases", "manage_directory", "see_history"},
    "coordinator": {"book", "edit_any_event", "see_cases", "manage_directory", "see_history"},
    "specialist": {"book", "edit_own_event", "see_cases", "see_history"},
    "volunteer": {"sign_up"},
}


@dataclass(frozen=True)
class Identity:
    login: str
    role: str
    staff_id: int | None
    volunteer_id: int | None
    name: str
    centre_id: int | None


def current_identity(db: Any) -> Identity:
    from coptui.services.calendar import rows

    login = rows(db, "SELECT session_user")[0][0]
    return Identity(login, "owner", None, None, login, None)


def can(identity: Identity, action: str) -> bool:
    return action in RIGHTS[identity.role]


def log_case_access(session: Any, *, case_id: int, what: str) -> None:
    pass


def install() -> None:
    try:
        import coptui.services.identity  # noqa: F401
    except ModuleNotFoundError:
        module = types.ModuleType("coptui.services.identity")
        for name in ("Identity", "current_identity", "can", "log_case_access"):
            setattr(module, name, globals()[name])
        sys.modules["coptui.services.identity"] = module
