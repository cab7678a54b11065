"""Errors the write path raises, for forms, the API and imports to show to people."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Rejected(ValidationError):
    """Input a write refuses (a count, a status, an extension, a baseline, an account): nothing was written.

    `message_dict` maps each field to its translated messages, so forms, the API and imports show them in place.
    """


class CountConflict(Exception):
    """The record changed since the caller read it (its version moved on); nothing was written."""

    def __init__(self, current):
        self.current = current
        super().__init__("The record was changed by someone else.")


class ImportRejected(Exception):
    """A file that cannot be imported; `errors` lists (line, column, message) and nothing was written."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {message}" for line, _column, message in errors))


class WriteContended(Exception):
    """Another save of the same districts kept winning (a deadlock or serialisation failure, retried); nothing was written."""

    @property
    def message(self) -> str:
        # Translated when shown, in the language of whoever asked.
        return _("Another save of the same districts was in progress, so nothing was saved. Try again.")

    def __str__(self):
        return "Another save of the same districts was in progress; nothing was saved."


class Implausible(Rejected):
    """An entry the plausibility checks refuse unless it is confirmed with a reason; `checks` says which and with what figures."""

    def __init__(self, message_dict, checks):
        self.checks = checks
        super().__init__(message_dict)
