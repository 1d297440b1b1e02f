"""What a user can do about a refusal, in neutral words that each front end renders its own way.

A service's error message says what is wrong, the value and what is allowed; it never names
a command-line flag or a ``sop`` command, because web users read the same message. The fix
travels beside the message as data:

- ``field=Field.REASON``: the input to change. The command line names it as
  its flag (``--reason``), a web page as the form field's label ("isian Alasan").
- ``hint=Hint(Remedy.SHOW_CASE, case="lakip-2021")``: a named follow-up action and what it
  needs. The command line writes the exact command, a web page the page or button to use.

The tables that render them are ``sop_engine/cli/errors.py`` and ``sop_engine/web/errors.py``;
the JSON API returns the neutral message with ``field`` and ``remedy`` keys
(:meth:`sop_engine.errors.SopError.as_dict`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    """An input a person gives an action, named neutrally (the value is the API's key)."""

    REASON = "reason"
    AT = "at"
    FILE = "file"
    YEAR = "year"
    BY = "by"
    NAME = "name"
    SUBJECT = "subject"
    DATE = "date"
    AGENDA = "agenda"
    SENDER = "from"
    RECIPIENT = "to"
    INSTRUCTION = "instruction"
    ATTACHMENT = "attachment"
    SIGNER = "signer"
    SIGNER_NAME = "signer_name"
    SIGNER_TITLE = "signer_title"
    TEMPLATE = "template"
    ATTACH = "attach"
    DIVISION = "division"
    DESTINATION = "to_city"
    REQUEST = "request"
    CONFIG = "config"
    KLASIFIKASI = "klasifikasi"


class Remedy(StrEnum):
    """A follow-up action that resolves a refusal (its parameters travel in a :class:`Hint`)."""

    LIST_CASES = "list_cases"
    SHOW_CASE = "show_case"  # case
    LIST_ARTEFACTS = "list_artefacts"  # case
    FIND_PERSON = "find_person"
    ACTIVATE_PERSON = "activate_person"  # user
    RESET_PASSWORD = "reset_password"
    LIST_TOKENS = "list_tokens"  # user
    INIT_DATABASE = "init_database"
    UPGRADE_DATABASE = "upgrade_database"
    VERIFY_AUDIT = "verify_audit"
    COPY_CHAIN_HEAD = "copy_chain_head"
    ATTACH_OR_CANCEL_LETTER = "attach_or_cancel_letter"  # case, step, user, path, number
    ATTACH_SCAN = "attach_scan"  # case, step, user
    LIST_LETTERS = "list_letters"  # year (optional)
    IMPORT_TARGETS = "import_targets"  # year
    IMPORT_BUDGET = "import_budget"  # year
    IMPORT_TARGETS_AND_BUDGET = "import_targets_and_budget"  # year
    DRAFT_FOR_CASE = "draft_for_case"
    LIST_OFFICES = "list_offices"


@dataclass(frozen=True)
class Hint:
    """A :class:`Remedy` with the values it needs; a front end fills its own words with them."""

    remedy: Remedy
    case: str | None = None
    step: int | None = None
    user: str | None = None
    year: int | None = None
    number: str | None = None
    path: str | None = None

    def params(self) -> dict[str, str | int]:
        """The parameters given (None left out)."""
        values = ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "remedy")
        return {name: value for name, value in values if value is not None}

    def fill(self, template: str, placeholders: Mapping[str, str]) -> str:
        """``template`` (``{case}``, ``{year}``, ...) with the parameters, ``placeholders`` for those not given."""
        return template.format_map({**placeholders, **self.params()})

    def as_dict(self) -> dict[str, str | int]:
        """The JSON shape: ``{"name": "show_case", "case": "lakip-2021"}``."""
        return {"name": str(self.remedy), **self.params()}


def explain(message: str, aside: str = "", advice: str = "") -> str:
    """``message`` as a front end shows it: ``aside`` (its name for the field) in brackets before
    the final full stop, ``advice`` (its words for the remedy) as the sentence after."""
    if aside:
        head, stop = (message[:-1], ".") if message.endswith(".") else (message, "")
        message = f"{head} ({aside}){stop}"
    return f"{message} {advice}" if advice else message
