"""Writing what coptui exports: whole files only, and names that never overwrite one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from coptui.errors import BadInputError
from coptui.i18n import _

# Anything but letters (Cyrillic too), digits, dots and hyphens becomes one hyphen.
_NOT_IN_NAME = re.compile(r"[^\w.-]+|_+")


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a half-written PDF prints nothing).

    Raises:
        BadInputError: the file cannot be written there (no such folder, no right to it).
    """
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BadInputError(
            _("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc


def week_file(folder: Path, name: str, monday: date, suffix: str = ".pdf") -> Path:
    """A new file in ``folder`` for the week of ``name``: ``coptui-групова-зала-2026-11-23.pdf``.

    A stored name cannot reach outside the folder (``/`` and ``..`` are not kept), and a file
    that is there already gets a number after it (``…-2.pdf``) instead of being overwritten.
    """
    slug = _NOT_IN_NAME.sub("-", name.casefold()).strip("-.")[:40].strip("-.") or "week"
    stem = f"coptui-{slug}-{monday:%Y-%m-%d}"
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path
