"""The views: every label covers its status, every JSON document is its declared shape, and the
API's models are those shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from sop_engine import views
from sop_engine.api_tokens import TokenRecord, TokenStatus
from sop_engine.archive import ArchiveRecord
from sop_engine.archive_check import ArchiveCheck
from sop_engine.artefacts import ArtefactRecord
from sop_engine.audit import AuditRecord
from sop_engine.calendar import Holiday
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.chain import VerifyResult
from sop_engine.db.statuses import CaseStatus, LetterStatus, NotificationKind, NotificationStatus, StepStatus
from sop_engine.deadlines import Moved
from sop_engine.definitions import FILE_KINDS
from sop_engine.documents import Generated
from sop_engine.durations import parse_duration
from sop_engine.identity import Identity
from sop_engine.letters import LetterRecord
from sop_engine.loader import load_workflow_file
from sop_engine.notify.worker import Outcome, TickReport
from sop_engine.outbox import NotificationRecord
from sop_engine.people import PersonRecord
from sop_engine.planning import Plan, PlannedStep, Projection
from sop_engine.views import labels
from sop_engine.web.api_models import model_of
from sop_engine.workflows import RevisionRecord
from tests.conftest import ROOT

WIB = ZoneInfo("Asia/Jakarta")
AT = datetime(2021, 1, 11, 1, 0, tzinfo=UTC)
LAKIP = load_workflow_file(ROOT / "workflows" / "lakip.toml")
ARTEFACT = ArtefactRecord("3f9a0c1b2d4e", "lakip-2021", 1, 1, "Disposisi surat", "pdf", "d.pdf", 582, "ab", "sek", AT)
STEP = StepRecord(
    1,
    "Memerintahkan",
    "sekretaris",
    "10 menit",
    "Disposisi",
    "required",
    StepStatus.DONE,
    1,
    AT,
    AT,
    AT,
    "sek",
    None,
    False,
    (ARTEFACT,),
)
CASE = CaseRecord(
    "lakip-2021", "lakip", "LAKIP", 2021, CaseStatus.RUNNING, AT, "sek", 2, None, None, "cd", date(2021, 1, 20), (STEP,)
)
LETTER = LetterRecord(
    2021, 1, "1/PR.04/2021", date(2021, 1, 11), "Uji", None, None, LetterStatus.ISSUED, "kasubag", AT, None, None, None
)


@pytest.mark.parametrize(
    ("mapping", "values"),
    [
        (labels.CASE_STATUS_LABELS, CaseStatus),
        (labels.STEP_STATUS_LABELS, StepStatus),
        (labels.NOTIFICATION_KIND_LABELS, NotificationKind),
        (labels.NOTIFICATION_STATUS_LABELS, NotificationStatus),
        (labels.LETTER_STATUS_LABELS, LetterStatus),
        (labels.TOKEN_STATUS_LABELS, TokenStatus),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_status_has_exactly_one_label(mapping: dict[str, str], values: Any) -> None:
    assert set(mapping) == {member.value for member in values}


def test_every_file_kind_an_artefact_may_have_has_a_label() -> None:
    assert set(FILE_KINDS) <= set(labels.FILE_KIND_LABELS)


def test_the_combined_status_labels_name_both_case_and_step_statuses() -> None:
    assert labels.STATUS_LABELS[CaseStatus.CANCELLED] == "dibatalkan"
    assert labels.STATUS_LABELS[StepStatus.WAITING] == "menunggu"
    assert labels.STATUS_LABELS["done"] == "selesai"


def documents() -> list[tuple[type, Any]]:
    """Every view with a record to show, as (its declared shape, the document it made)."""
    plan = Plan("lakip", AT, AT, AT, (PlannedStep(1, "Memerintahkan", "sekretaris", "10 menit", AT, AT),), 600)
    projection = Projection(AT, AT, -3600, (2,))
    outcome = Outcome(5, NotificationKind.DUE, 0, "lakip-2021", 1, "sek", NotificationStatus.SENT, ("log",), None)
    notification = NotificationRecord(
        5,
        NotificationKind.ESCALATION,
        1,
        "lakip-2021",
        1,
        1,
        "ketua",
        ("sek",),
        ("log",),
        AT,
        NotificationStatus.FAILED,
        3,
        "x",
        AT,
        (("log", "failed"),),
    )
    event = AuditRecord(1, AT, AT, "sek", "sekretaris", "case.started", "lakip-2021", 1, {"year": 2021}, "0", "1")
    person = PersonRecord("sek", "Sek", None, ("sekretaris",), None, None, None, True)
    revision = RevisionRecord("lakip", "LAKIP", "cd", date(2021, 1, 20), AT, 1, True)
    return [
        (views.ArtefactJson, views.artefact_json(ARTEFACT, WIB)),
        (views.StepJson, views.step_json(STEP, WIB)),
        (views.CaseJson, views.case_json(CASE, WIB)),
        (views.CaseDetailJson, views.case_detail_json(CASE, projection, WIB, 7.5)),
        (views.ProjectionJson, views.projection_json(projection, WIB, 7.5)),
        (views.PlanJson, views.plan_json(plan, WIB, 7.5)),
        (views.EventJson, views.event_json(event, WIB)),
        (views.VerifyJson, views.verify_json(VerifyResult(False, 3, 3, "1" * 64, 2, "rusak", ("a",)))),
        (views.NotificationJson, views.notification_json(notification, WIB)),
        (views.TickJson, views.tick_json(TickReport(AT, (outcome,), 1), WIB)),
        (views.MovedJson, views.moved_json(Moved("lakip-2021", 2, AT, AT, 3), WIB)),
        (views.PersonJson, views.person_json(person)),
        (views.TokenJson, views.token_json(TokenRecord("sop_ab", None, AT, None, AT, None), WIB)),
        (views.MeJson, views.me_json(Identity("sek", "Sek", ("sekretaris",)))),
        (views.RevisionJson, views.revision_json(revision, WIB)),
        (views.WorkflowJson, views.workflow_json(LAKIP)),
        (views.DueJson, views.due_json(AT, parse_duration("2 jam"), 7200, AT, WIB)),
        (views.HolidayJson, views.holiday_json(Holiday(date(2021, 3, 11), "Isra Mikraj", "libur nasional"))),
        (views.LetterJson, views.letter_json(LETTER, WIB)),
        (views.GeneratedJson, views.generated_json(Generated(Path("d.docx"), LETTER, CASE), WIB)),
        (views.ArchiveJson, views.archive_json(ArchiveRecord(Path("a.zip"), "lakip-2021", AT, 1, 2, 3, "ef"), WIB)),
        (views.ArchiveCheckJson, views.archive_check_json(ArchiveCheck(True, Path("a.zip"), "lakip-2021", 1, 2, "ef"))),
    ]


def keys_as_declared(shape: type, document: Any) -> None:
    """``document`` has the keys of ``shape`` in its order, and so has every document nested in it."""
    hints = get_type_hints(shape, include_extras=True)
    assert list(document) == list(hints), shape.__name__
    for key, hint in hints.items():
        for nested in _shapes_in(hint):
            values = document[key] if isinstance(document[key], list) else [document[key]]
            for value in values:
                if value is not None:
                    keys_as_declared(nested, value)


def _shapes_in(hint: Any) -> list[type]:
    if is_typeddict(hint):
        return [hint]
    return [shape for arg in get_args(hint) if get_origin(hint) is not None for shape in _shapes_in(arg)]


@pytest.mark.parametrize(("shape", "document"), documents(), ids=lambda value: getattr(value, "__name__", ""))
def test_every_document_has_the_keys_its_shape_declares_in_that_order(shape: type, document: Any) -> None:
    keys_as_declared(shape, document)


@pytest.mark.parametrize(("shape", "document"), documents(), ids=lambda value: getattr(value, "__name__", ""))
def test_every_document_fits_the_model_derived_from_its_shape(shape: type, document: Any) -> None:
    model = model_of(shape)
    model.model_validate(document)
    with pytest.raises(ValidationError):
        model.model_validate({**document, "extra": 1})


def test_an_artefact_has_one_shape_in_a_case_and_on_its_own() -> None:
    assert views.case_json(CASE, WIB)["steps"][0]["artefacts"] == [views.artefact_json(ARTEFACT, WIB)]


def test_the_derived_models_carry_the_names_formats_statuses_and_descriptions_of_the_shapes() -> None:
    schema = model_of(views.CaseDetailJson).model_json_schema()
    assert schema["title"] == "CaseDetailOut"
    started = schema["properties"]["started_at"]
    assert (started["type"], started["format"], started["description"]) == ("string", "date-time", "Waktu dimulai.")
    assert schema["properties"]["status"]["enum"] == ["running", "done", "cancelled"]
    assert schema["properties"]["revision"]["format"] == "date"
    assert schema["$defs"]["StepOut"]["properties"]["status"]["enum"] == ["waiting", "active", "done", "skipped"]
    assert set(schema["required"]) == set(get_type_hints(views.CaseDetailJson))
    assert model_of(views.CaseJson) is model_of(views.CaseJson)  # one model per shape, however often it is nested


def test_workflow_json_carries_the_flow_of_each_step() -> None:
    """`sop workflows show --json` says what the table's *Alur* column says: paraf chains, decisions,
    the steps waited for and a sub-SOP; a straight LAKIP step has the defaults."""
    from sop_engine.loader import ANY_ROLE, load_workflow_text
    from tests.flow_support import ALUR, flow_text

    steps = views.workflow_json(load_workflow_text(ALUR, "alur.toml", ANY_ROLE))["steps"]
    decision, paraf, joined = steps[1], steps[5], steps[8]
    assert (decision["kind"], decision["question"], decision["if_yes"], decision["if_no"]) == (
        "keputusan",
        "Berkas lengkap?",
        3,
        1,
    )
    assert (paraf["actors"], paraf["after"], paraf["kind"], paraf["question"]) == (
        ["kasubag_program", "sekretaris"],
        [4, 5],
        "proses",
        None,
    )
    assert (joined["after"], joined["actors"], joined["runs"]) == ([8], ["arsiparis"], None)
    linked = flow_text(2, {2: {"jalankan": '"lakip"'}}, workflow="induk")
    assert views.workflow_json(load_workflow_text(linked, "induk.toml", ANY_ROLE))["steps"][1]["runs"] == "lakip"
    first = views.workflow_json(LAKIP)["steps"][0]
    assert (first["actors"], first["after"], first["if_yes"], first["runs"]) == (["sekretaris"], None, None, None)
