"""The generated documents of the LAKIP steps as the web makes them: one table, shared by pages and API.

Each :class:`DocumentAction` is what a ``sop surat ...`` / ``sop lakip ...`` command with
``--attach`` does, given the inputs of a form (or an API multipart body): the same service
calls in the same order, so the web front ends stay thin. Every action first checks that the
step is active and the person may do it (:func:`documents.require_attachable`), so a wrong step
or role is refused before any file is written, number taken or realisation stored.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sop_engine import cases, documents, letters
from sop_engine.artefacts import ArtefactRecord, IncomingFile
from sop_engine.cases import CaseRecord
from sop_engine.context import Context
from sop_engine.db.statuses import StepStatus
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.lakip import draft, service, workbook
from sop_engine.lakip.workbook_write import DEFAULT_DIVISIONS
from sop_engine.remedies import Field
from sop_engine.views.labels import URGENCY_LABELS
from sop_engine.web.uploads import upload_dir

#: The workflow whose steps these documents belong to.
LAKIP = "lakip"


@dataclass(frozen=True)
class Inputs:
    """What the person sent: text fields (each possibly repeated) and uploaded files."""

    fields: Mapping[str, Sequence[str]] = field(default_factory=dict)
    files: Sequence[IncomingFile] = ()

    def text(self, name: str) -> str:
        values = self.fields.get(name) or ("",)
        return values[0].strip()

    def texts(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, ()) if v.strip()]

    def optional(self, name: str) -> str | None:
        return self.text(name) or None


@dataclass(frozen=True)
class Outcome:
    """The case after the step was completed with the document, and what the page says about it."""

    case: CaseRecord
    notice: str


Run = Callable[[Context, str, str, Inputs, Path], Outcome]


@dataclass(frozen=True)
class DocumentAction:
    """One generated document: its step, its name in URLs (``disposisi``) and on the button."""

    slug: str
    step: int
    button: str
    run: Run
    #: The file kinds of the document the step works on (its input), when only those are: the workbook
    #: import of step 4 works on the .xlsx sent out, not on a receipt step 3 may have attached.
    works_on: frozenset[str] = frozenset()


def day(text: str, ctx: Context) -> date:
    """A ``YYYY-MM-DD`` date field, or today in the office zone when empty."""
    if not text:
        return ctx.clock.now().astimezone(ctx.tz).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"Tanggal surat '{text}' tidak dikenali; tulis tahun-bulan-tanggal, misalnya 2021-01-22.",
            value=text,
            field=Field.DATE,
        ) from exc


def _disposisi(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    sender = documents.signer(ctx, by)
    form = documents.DisposisiForm(
        agenda_number=given.text("agenda") or "-",
        date=day(given.text("tanggal"), ctx),
        from_=sender.title,
        to=given.text("kepada"),
        urgency=given.text("sifat") or "segera",
        instruction=given.text("isi"),
        subject=given.optional("perihal"),
        from_name=sender.name,
    )
    made = documents.make_disposisi(ctx, code, by, form, work / f"disposisi-{code}.docx", attach=True)
    assert made.case is not None
    return Outcome(made.case, "Lembar disposisi dibuat dan dilampirkan; langkah 1 selesai.")


def attachment(line: str) -> documents.Attachment:
    """One line of the Lampiran field: ``URAIAN[;BANYAKNYA[;KETERANGAN]]`` (as ``--attachment``)."""
    parts = [p.strip() for p in line.split(";")]
    defaults = documents.Attachment(parts[0])
    return documents.Attachment(
        parts[0],
        parts[1] if len(parts) > 1 and parts[1] else defaults.quantity,
        parts[2] if len(parts) > 2 and parts[2] else defaults.note,
    )


def _pengantar(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    signer = documents.signer(ctx, given.optional("penanda_tangan"))
    lines = [line for line in given.text("lampiran").splitlines() if line.strip()]
    form = documents.PengantarForm(
        date=day(given.text("tanggal"), ctx),
        to=given.text("kepada"),
        signer_name=signer.name,
        signer_title=signer.title,
        signer_nip=signer.nip,
        subject=given.optional("perihal"),
        attachments=tuple(attachment(line) for line in lines),
        to_office=given.text("instansi_tujuan"),
        to_city=given.text("tempat"),
        klasifikasi=given.optional("klasifikasi"),
    )
    made = documents.make_surat_pengantar(ctx, code, by, form, work / f"surat-pengantar-{code}.docx", attach=True)
    assert made.case is not None and made.letter is not None
    return Outcome(made.case, f"Surat pengantar nomor {made.letter.number} dibuat dan dilampirkan; langkah 10 selesai.")


def _workbook(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    year = service.report_year(ctx, code)
    documents.require_attachable(ctx, code, 2, by)
    path = workbook.generate_workbook(ctx, year, work / f"buku-kerja-{year}.xlsx", given.texts("subbagian") or None)
    record = cases.complete_step(ctx, code, 2, by, files=[IncomingFile.from_path(path)])
    return Outcome(record, f"Buku kerja tahun {year} dibuat dan dilampirkan; langkah 2 selesai.")


def _sent(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    documents.require_attachable(ctx, code, 3, by)
    sent = workbook.record_sent(ctx, code, given.texts("subbagian"), by)
    record = cases.complete_step(ctx, code, 3, by, files=list(given.files))
    return Outcome(record, f"Buku kerja tercatat dikirim ke {', '.join(sent.divisions)}; langkah 3 selesai.")


def _import(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    year = service.report_year(ctx, code)
    documents.require_attachable(ctx, code, 4, by)
    if not given.files:
        raise InvalidInput(
            "Unggah sedikitnya satu buku kerja .xlsx yang sudah diisi subbagian.", value="", field=Field.FILE
        )
    paths = []
    for number, incoming in enumerate(given.files, start=1):  # the import names each file as it was sent
        folder = work / str(number)
        folder.mkdir()
        paths.append(Path(shutil.copyfile(incoming.path, folder / Path(incoming.filename).name)))
    done = workbook.import_workbooks(ctx, year, paths, by)
    record = cases.complete_step(ctx, code, 4, by, files=list(given.files))
    missing = f" Belum kembali: {', '.join(done.missing)}." if done.missing else ""
    return Outcome(
        record,
        f"Realisasi tahun {year} disimpan ({done.indicators} indikator, {done.outputs} output); "
        f"langkah 4 selesai.{missing}",
    )


def _draft(ctx: Context, code: str, by: str, given: Inputs, work: Path) -> Outcome:
    year = service.report_year(ctx, code)
    made = draft.draft_lkj(ctx, year, work / f"draf-lkj-{year}.docx", case=code, attach_by=by)
    assert made.case is not None
    return Outcome(made.case, f"Draf LKj tahun {year} dibuat dan dilampirkan; langkah 5 selesai.")


ACTIONS: Mapping[str, DocumentAction] = {
    action.slug: action
    for action in (
        DocumentAction("disposisi", 1, "Buat dan lampirkan lembar disposisi", _disposisi),
        DocumentAction("buku-kerja", 2, "Buat dan lampirkan buku kerja", _workbook),
        DocumentAction("kirim-buku-kerja", 3, "Catat pengiriman buku kerja", _sent),
        DocumentAction("impor-buku-kerja", 4, "Impor buku kerja yang kembali", _import, frozenset({"xlsx"})),
        DocumentAction("draf-lkj", draft.DRAFT_STEP, "Buat dan lampirkan draf LKj", _draft),
        DocumentAction("pengantar", documents.PENGANTAR_STEP, "Buat surat pengantar bernomor", _pengantar),
    )
}
#: The action of each step that has one.
BY_STEP: Mapping[int, DocumentAction] = {action.step: action for action in ACTIONS.values()}


def input_documents(case: CaseRecord, no: int) -> tuple[ArtefactRecord, ...]:
    """What step ``no`` works on: the current documents (of the kinds its document action works on, if
    it names them) of the steps it waits for (its in-edges: ``setelah``, the step before, a decision's
    branch), nearest first, and back through each one done without such documents (or skipped), breadth
    first: a join takes the documents of both branches; a straight line (LAKIP), the nearest earlier step
    that has any. For a later actor of a paraf chain, the document the first actor attached to this
    step, which is what the actor confirms."""
    own = case.steps[no - 1]
    if own.paraf > 0:
        attached = tuple(a for a in own.artefacts if a.round == own.round)
        if attached:
            return attached
    action = BY_STEP.get(no) if case.workflow == LAKIP else None
    kinds = action.works_on if action is not None else frozenset()
    found: list[ArtefactRecord] = []
    queue, seen = deque(sorted(own.sources, reverse=True)), set(own.sources)
    while queue:
        record = case.steps[queue.popleft() - 1]
        current = [a for a in record.artefacts if a.round == record.round and (not kinds or a.file_kind in kinds)]
        if current and record.status == StepStatus.DONE:
            found.extend(current)
            continue
        further = [source for source in sorted(record.sources, reverse=True) if source not in seen]
        seen.update(further)
        queue.extend(further)
    return tuple(found)


def page_values(ctx: Context, case: CaseRecord) -> dict[str, object]:
    """What the case page needs to show the document forms and each step's input document."""
    lakip = case.workflow == LAKIP
    return {
        "document_actions": BY_STEP if lakip else {},
        "inputs": {record.no: input_documents(case, record.no) for record in case.steps},
        "urgencies": URGENCY_LABELS,
        "divisions": DEFAULT_DIVISIONS,
        "doc_typed": {},
        "letter_numbers": letter_numbers(ctx, case) if lakip else (),
    }


def letter_numbers(ctx: Context, case: CaseRecord) -> tuple[str, ...]:
    """The register numbers of the case's surat pengantar (step 10 done), not cancelled ones."""
    step = case.steps[documents.PENGANTAR_STEP - 1] if len(case.steps) >= documents.PENGANTAR_STEP else None
    if step is None or step.status != StepStatus.DONE or step.completed_at is None:
        return ()
    year = step.completed_at.astimezone(ctx.tz).year
    return tuple(
        letter.number
        for letter in letters.list_letters(ctx, year)
        if letter.case == case.id and letter.step == documents.PENGANTAR_STEP and letter.cancelled_at is None
    )


def action_for(case: CaseRecord, no: int, slug: str) -> DocumentAction:
    """The action ``slug`` of step ``no`` of ``case``; NotFound when that step makes no such document."""
    action = ACTIONS.get(slug)
    if case.workflow != LAKIP or action is None or action.step != no:
        offered = BY_STEP.get(no) if case.workflow == LAKIP else None
        what = f"; langkah itu membuat: {offered.button.lower()}" if offered else ""
        raise NotFound(
            f"Langkah {no} kasus {case.id} tidak membuat dokumen '{slug}'{what}.",
            value=slug,
        )
    return action


def run_action(ctx: Context, code: str, no: int, slug: str, by: str, given: Inputs, work: Path) -> Outcome:
    """Generate the document of step ``no`` and complete the step with it, as ``by``."""
    action = action_for(cases.get_case(ctx, code), no, slug)
    return action.run(ctx, code, by, given, work)


def work_folder(ctx: Context) -> tempfile.TemporaryDirectory[str]:
    """A temp folder for a generated document, beside the uploads (the same disk as the store)."""
    folder = upload_dir(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix="dokumen-", dir=folder)
