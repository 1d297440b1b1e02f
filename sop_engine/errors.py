"""The error tree of sop-engine.

Every error a user can meet derives from :class:`SopError`. Each one carries a message in
Bahasa Indonesia that names the offending value and what is allowed, plus the structured
data (``value`` and keyword details) so front ends can render it as text or JSON. What to do
is structured too (:mod:`sop_engine.remedies`): a ``field`` detail names the input to change,
a ``hint`` the follow-up action; the command line and the web pages each say them in their
own words, so no message names a command-line flag or a ``sop`` command.

    SopError
    ├── ConfigError          config.toml or the environment is wrong
    ├── DefinitionError      a workflow file is invalid (file, step, field, value, allowed)
    ├── InvalidInput         a value given by the user cannot be used (time, duration, file)
    ├── NotFound             a case, step, person or artefact does not exist
    ├── NotAllowed           the action is not permitted (role, state, undeclared return)
    ├── Conflict             the action collides with existing state (already done, duplicate)
    ├── Busy                 the database stayed locked by other work; nothing changed, try again
    └── IntegrityError       stored data failed verification (audit chain, artefact hash)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from sop_engine.remedies import Field, Hint


class SopError(Exception):
    """Root of every error that sop-engine reports to a user."""

    #: A short machine-readable code, used by JSON front ends.
    code = "error"

    def __init__(self, message: str, value: Any = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.details = details

    @property
    def field(self) -> Field | None:
        """The input to change: the ``field`` detail when it is a :class:`Field` (a definition's is a TOML key)."""
        found = self.details.get("field")
        return found if isinstance(found, Field) else None

    @property
    def hint(self) -> Hint | None:
        """The follow-up action that resolves this error: the ``hint`` detail, a :class:`Hint`."""
        found = self.details.get("hint")
        return found if isinstance(found, Hint) else None

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready dictionary."""
        data: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.value is not None:
            data["value"] = self.value if isinstance(self.value, int | float | bool) else str(self.value)
        for key, val in self.details.items():
            if isinstance(val, Hint):
                data["remedy"] = val.as_dict()
            else:
                data[key] = val if isinstance(val, int | float | bool | None) else str(val)
        return data


class ConfigError(SopError):
    """config.toml or an environment override is missing, malformed or inconsistent."""

    code = "config"


class DefinitionError(SopError):
    """A workflow definition file is invalid; names the file, step, field, value and what is allowed."""

    code = "definition"


class InvalidInput(SopError):
    """A value supplied by the user (a time, a duration, a file) cannot be used."""

    code = "invalid"


class NotFound(SopError):
    """The case, step, person, workflow or artefact named does not exist."""

    code = "not_found"


class NotAllowed(SopError):
    """The actor may not do this, or the case is not in a state that allows it."""

    code = "not_allowed"


class Conflict(SopError):
    """The action collides with what already happened (done by someone else, duplicate case)."""

    code = "conflict"


class Busy(SopError):
    """The database stayed locked by other work past the wait; nothing changed, the caller may try again."""

    code = "busy"


class IntegrityError(SopError):
    """Stored data failed verification: a broken audit chain or an altered artefact."""

    code = "integrity"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Maksud Anda 'x'?`` for the choice closest to a mistyped ``word``, or nothing if none is close."""
    matches = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" Maksud Anda '{matches[0]}'?" if matches else ""
