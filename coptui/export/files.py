"""Writing what coptui exports: whole files only, never one overwritten unasked."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from datetime import date
from pathlib import Path

from coptui.errors import BadInputError, CoptError, RefusedError, os_error, os_reason
from coptui.i18n import _

# Anything but letters (Cyrillic too), digits, dots and hyphens becomes one hyphen.
_NOT_IN_NAME = re.compile(r"[^\w.-]+|_+")


def _cannot_write(path: Path | str, exc: OSError) -> CoptError:
    return os_error(
        _("Cannot write {path}: {reason}").format(path=path, reason=os_reason(exc)), exc
    )


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a half-written PDF prints nothing).

    Raises:
        BadInputError: the file cannot be written there (no such folder, no right to it).
        CoptError: the disk is full or failing.
    """
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise _cannot_write(path, exc) from exc


def write_output(name: str, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to the file ``--output`` names, the way a person expects.

    - a new file is written whole (:func:`write_whole`);
    - a file that is there already is refused, unless ``force`` (then replaced whole);
    - a symlink is followed: its target is written (or refused as above), the link stays;
    - a character device or a FIFO (``/dev/null``, a printer, a pipe) is written through,
      never replaced by a file;
    - a folder, a disk (block device) or a socket is refused.

    Returns:
        The path written (a symlink's target).

    Raises:
        RefusedError: the file exists and ``force`` is not given (exit 3).
        BadInputError: not a place for a file (exit 2).
        CoptError: the disk is full or failing (exit 1).
    """
    path = Path(name)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        mode: int | None = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _cannot_write(name, exc) from exc
    if mode is None:
        write_whole(path, data)
    elif stat.S_ISDIR(mode):
        raise BadInputError(_("{path} is a folder; name a file with --output.").format(path=name))
    elif stat.S_ISREG(mode):
        if not force:
            raise RefusedError(
                _("{path} exists already; to replace it, add --force.").format(path=name)
            )
        write_whole(path, data)
    elif stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_through(path, data, name)
    else:
        raise BadInputError(_("{path} is not a file; name a file with --output.").format(path=name))
    return path


def _write_through(path: Path, data: bytes, name: str) -> None:
    """Open a device or a FIFO and write ``data`` into it (it cannot be renamed over)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise _cannot_write(name, exc) from exc
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise _cannot_write(name, exc) from exc
    finally:
        os.close(fd)


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
