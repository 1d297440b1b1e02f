"""How records are shown: the Indonesian labels and the JSON documents, declared once.

- :mod:`~sop_engine.views.labels`: every Indonesian word people read for a stored value (case and
  step statuses, notification kinds, audit actions and detail keys, ...). Pure data: the services
  may use it in their messages, and it is the only part of this package they import.
- The JSON documents of the services' records, one function each (``case_json(record, tz)``),
  their shapes declared once as ``TypedDict`` s with a :class:`~sop_engine.views.fields.Doc` per
  field: :mod:`.cases` (case, step, artefact, projection, plan), :mod:`.audit` (event, chain
  check), :mod:`.notify` (notification, scheduler pass, moved deadline), :mod:`.office` (people,
  tokens, SOP revisions and definitions, calendar) and :mod:`.documents` (letters, generated
  documents, archives). The command line prints them with ``--json``, the API answers them, and
  the API's response models are derived from the same declarations (``web/api_models.py``).

Layering: the front ends (``cli``, ``web``) and the document producers (``archive.py``) import
views; views import only the services' record types, and those for type checking alone, so that
a service importing :mod:`.labels` never runs into an import cycle.
"""

from __future__ import annotations

from sop_engine.views.audit import EventJson, VerifyJson, event_json, verify_json
from sop_engine.views.cases import (
    ArtefactJson,
    CaseDetailJson,
    CaseJson,
    PlanJson,
    ProjectionJson,
    StepJson,
    artefact_json,
    case_detail_json,
    case_json,
    plan_json,
    projection_json,
    step_json,
)
from sop_engine.views.documents import (
    ArchiveCheckJson,
    ArchiveJson,
    GeneratedJson,
    LetterJson,
    archive_check_json,
    archive_json,
    generated_json,
    letter_json,
)
from sop_engine.views.notify import MovedJson, NotificationJson, TickJson, moved_json, notification_json, tick_json
from sop_engine.views.office import (
    DueJson,
    HolidayJson,
    MeJson,
    PersonJson,
    RevisionJson,
    TokenJson,
    WorkflowJson,
    due_json,
    holiday_json,
    me_json,
    person_json,
    revision_json,
    token_json,
    workflow_json,
)

__all__ = [
    "ArchiveCheckJson",
    "ArchiveJson",
    "ArtefactJson",
    "CaseDetailJson",
    "CaseJson",
    "DueJson",
    "EventJson",
    "GeneratedJson",
    "HolidayJson",
    "LetterJson",
    "MeJson",
    "MovedJson",
    "NotificationJson",
    "PersonJson",
    "PlanJson",
    "ProjectionJson",
    "RevisionJson",
    "StepJson",
    "TickJson",
    "TokenJson",
    "VerifyJson",
    "WorkflowJson",
    "archive_check_json",
    "archive_json",
    "artefact_json",
    "case_detail_json",
    "case_json",
    "due_json",
    "event_json",
    "generated_json",
    "holiday_json",
    "letter_json",
    "me_json",
    "moved_json",
    "notification_json",
    "person_json",
    "plan_json",
    "projection_json",
    "revision_json",
    "step_json",
    "tick_json",
    "token_json",
    "verify_json",
    "workflow_json",
]
