"""Domain errors: each carries a message for people, in the user's language."""

from __future__ import annotations

from coptui.i18n import _


class CoptError(Exception):
    """An error a person can act on; ``message`` says what happened and what to do.

    Messages often name stored text (a title, a person, a room), so the message and the
    title are neutralised here, whoever built them: no control character of a stored name
    reaches stderr or a screen through an error (``coptui.domain.text``).
    """

    def __init__(self, message: str, title: str | None = None) -> None:
        # Imported here: coptui.domain.text raises BadInputError, defined below.
        from coptui.domain.text import clean, clean_notes

        message = clean_notes(message)
        super().__init__(message)
        self.message = message
        self.title = clean(title) if title else _("Error")

    def __str__(self) -> str:
        return self.message


class BadInputError(CoptError):
    """Input that cannot be used (unknown name, bad date, …)."""


class NotFoundError(BadInputError):
    """A record that does not exist (any more)."""


class RefusedError(CoptError):
    """A rule refused the change: a clash, a full group, a holiday."""


class SlotTakenError(RefusedError):
    """A room or a person is already booked for part of the time."""


class CapacityError(RefusedError):
    """No place left: a session, the group room, or the centre's places."""


class HolidayError(RefusedError):
    """The day is not a working day and the change was not confirmed."""


class StaleEditError(CoptError):
    """Somebody else saved the record after it was read; nothing was overwritten."""


class PermissionDeniedError(CoptError):
    """The user's role may not do this."""


class DatabaseUnavailableError(CoptError):
    """The database cannot be reached."""


class SchemaBehindError(CoptError):
    """The shared database has an older schema than this coptui."""
