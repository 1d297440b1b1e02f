"""The input documents of a step (issue #11): the documents of the steps it waits for in the SOP's graph.

A step's inputs are the current documents of its in-edges (``setelah``, the step before, a decision's
branch), nearest first, and back through each one done without documents, breadth first. With a
parallel pair joined, the join gets both branches' documents; for LAKIP (a straight line) the
result is exactly the rule before: the nearest earlier step done with documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine import cases, people
from sop_engine.artefacts import ArtefactRecord, IncomingFile
from sop_engine.cases import CaseRecord
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.people import NewPerson
from sop_engine.web.document_actions import BY_STEP, LAKIP, input_documents
from tests.flow_support import flow_context
from tests.helpers import LAKIP_PARAF, docx, pdf
from tests.policy_support import FIXTURE, PERAN

#: The fixture "SOP penerimaan surat masuk" with its steps 2 (disposisi, a file allowed) and 3 (tindak
#: lanjut) run in parallel after step 1, joined by step 4 (arsip).
PARALLEL = (
    FIXTURE.read_text(encoding="utf-8")
    .replace('output = "Disposisi"\nberkas = "tidak"', 'output = "Disposisi"\nberkas = "opsional"')
    .replace('berkas = "opsional"\nkembali_ke = [2]', 'berkas = "opsional"\nsetelah = [1]')
    .replace(
        'output = "Arsip surat masuk"\nberkas = "tidak"',
        'output = "Arsip surat masuk"\nberkas = "tidak"\nsetelah = [2, 3]',
    )
)


@pytest.fixture
def office(ctx: Context, tmp_path: Path) -> Context:
    assert PARALLEL.count("setelah") == 2
    office = flow_context(ctx, tmp_path, {"surat-masuk": PARALLEL}, PERAN)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    return office


def names(found: tuple[ArtefactRecord, ...]) -> list[str]:
    return [a.filename for a in found]


def attach(folder: Path, name: str) -> list[IncomingFile]:
    return [IncomingFile.from_path(pdf(folder, name, text=name))]


def test_the_join_of_a_parallel_pair_takes_both_branches_documents_nearest_first(
    office: Context, tmp_path: Path
) -> None:
    code = cases.start_case(office, "surat-masuk", 2021, "arsip1").id
    case = cases.complete_step(office, code, 1, "arsip1", files=attach(tmp_path, "pindaian.pdf"))
    assert case.active_steps == (2, 3)
    assert names(input_documents(case, 2)) == names(input_documents(case, 3)) == ["pindaian.pdf"]
    case = cases.complete_step(office, code, 2, "sekretaris", files=attach(tmp_path, "disposisi.pdf"))
    # Step 3 does not wait for step 2: its input stays the scan, not the lower-numbered step's disposisi.
    assert names(input_documents(case, 3)) == ["pindaian.pdf"]
    case = cases.complete_step(office, code, 3, "staf1", files=attach(tmp_path, "tindak-lanjut.pdf"))
    assert case.active_steps == (4,)
    assert names(input_documents(case, 4)) == ["tindak-lanjut.pdf", "disposisi.pdf"]


def test_a_branch_done_without_documents_is_passed_back_through_to_its_own_input(
    office: Context, tmp_path: Path
) -> None:
    code = cases.start_case(office, "surat-masuk", 2021, "arsip1").id
    cases.complete_step(office, code, 1, "arsip1", files=attach(tmp_path, "pindaian.pdf"))
    cases.complete_step(office, code, 2, "sekretaris")
    case = cases.complete_step(office, code, 3, "staf1", files=attach(tmp_path, "tindak-lanjut.pdf"))
    # Step 4 (kelengkapan: the letter and its follow-up) gets step 3's document, and through step 2 the scan.
    assert names(input_documents(case, 4)) == ["tindak-lanjut.pdf", "pindaian.pdf"]


def nearest_earlier(case: CaseRecord, no: int) -> tuple[ArtefactRecord, ...]:
    """The rule before issue #11: the nearest lower-numbered step done with documents (of the kinds
    its document action works on), or a later paraf actor's own step's document."""
    own = case.steps[no - 1]
    if own.paraf > 0:
        attached = tuple(a for a in own.artefacts if a.round == own.round)
        if attached:
            return attached
    action = BY_STEP.get(no) if case.workflow == LAKIP else None
    kinds = action.works_on if action is not None else frozenset()
    for record in reversed(case.steps[: no - 1]):
        found = tuple(a for a in record.artefacts if a.round == record.round and (not kinds or a.file_kind in kinds))
        if found and record.status == StepStatus.DONE:
            return found
    return ()


#: Who does each LAKIP step; the steps that need a file get one (PDF; step 6 a .docx), the optional
#: ones (3, 8, 11) none.
DOERS = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf2", 5: "kasubag", 6: "staf1", 7: "kasubag"}
DOERS |= {8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf2"}
WITH_FILE = {1, 2, 4, 5, 6, 7, 9, 10}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_for_lakip_the_inputs_are_exactly_the_nearest_earlier_steps_documents_at_every_moment(
    ctx: Context, tmp_path: Path
) -> None:
    code = cases.start_case(ctx, "lakip", 2021, "sekretaris").id
    returned = False
    moments = 0
    case = cases.get_case(ctx, code)
    while case.current_step is not None:
        for step in case.steps:
            assert input_documents(case, step.no) == nearest_earlier(case, step.no), (case.current_step, step.no)
        moments += 1
        no = case.current_step
        if no == 7 and not returned:
            case, returned = cases.return_step(ctx, code, 7, 6, "kasubag", "Tabel capaian belum lengkap"), True
            continue
        name = f"langkah-{no}-{case.steps[no - 1].round}"
        files = [IncomingFile.from_path(docx(tmp_path, f"{name}.docx") if no == 6 else pdf(tmp_path, f"{name}.pdf"))]
        case = cases.complete_step(ctx, code, no, DOERS[no], files=files if no in WITH_FILE else [])
        for user in LAKIP_PARAF.get(no, ()):
            assert input_documents(case, no) == nearest_earlier(case, no)
            case = cases.complete_step(ctx, code, no, user)
    assert moments == 13 and case.status == "done"
    # Step 8 was done without a file: step 9 works on the corrected draft of step 7's second round.
    assert names(input_documents(case, 8)) == names(input_documents(case, 9)) == ["langkah-7-2.pdf"]
    assert input_documents(case, 4) == ()  # it works on the workbook (.xlsx), and none was attached here
