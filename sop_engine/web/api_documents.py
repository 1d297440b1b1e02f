"""The generated documents in the JSON API: the same actions as the case page's document forms.

``POST /cases/{code}/steps/{no}/documents/{kind}`` makes the step's document with the services
of ``sop surat`` / ``sop lakip`` and completes the step with it (:mod:`.document_actions`); the
analysis of step 5, the archive of step 11 and the check of an archive file complete the set.
Each answer is the JSON of the matching ``sop ... --json`` command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from sop_engine import access, archive, views
from sop_engine.artefacts import IncomingFile
from sop_engine.errors import InvalidInput
from sop_engine.identity import Identity
from sop_engine.lakip import service
from sop_engine.views.labels import URGENCY_LABELS
from sop_engine.web.api_cases import CaseCode, CaseDetailOut, StepNo, case_document, has_no_body
from sop_engine.web.api_common import AuthenticatedRoute, Caller, documented, errors_documented, operation_id
from sop_engine.web.auth import context_of
from sop_engine.web.document_actions import Inputs, run_action, work_folder
from sop_engine.web.downloads import MEDIA_TYPES, ZIP_TYPE, archive_download_response, draft_download_response
from sop_engine.web.form_data import ParsedForm
from sop_engine.web.uploads import FORM_OVERHEAD_BYTES, MAX_FILES, receive_form, upload_dir

router = APIRouter(route_class=AuthenticatedRoute, tags=["dokumen"], generate_unique_id_function=operation_id)

#: The API's field names and the form fields of :mod:`.document_actions` they fill.
FIELDS = {
    "to": "kepada",
    "instruction": "isi",
    "urgency": "sifat",
    "agenda": "agenda",
    "subject": "perihal",
    "date": "tanggal",
    "to_office": "instansi_tujuan",
    "to_city": "tempat",
    "attachments": "lampiran",
    "signer": "penanda_tangan",
    "klasifikasi": "klasifikasi",
    "divisions": "subbagian",
}
FILES_FIELD = "files"

Kind = Annotated[
    Literal["disposisi", "buku-kerja", "kirim-buku-kerja", "impor-buku-kerja", "draf-lkj", "pengantar"],
    PathParam(description="Dokumen langkah itu (LAKIP).", examples=["disposisi"]),
]

_TEXT = {"type": "string", "maxLength": 4000}
DOCUMENT_BODY: dict[str, Any] = {
    "required": False,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "to": _TEXT | {"description": "disposisi: diteruskan kepada; pengantar: kepada (wajib)."},
                    "instruction": _TEXT | {"description": "disposisi: isi disposisi (wajib)."},
                    "urgency": {"type": "string", "enum": list(URGENCY_LABELS)},
                    "agenda": _TEXT | {"description": "disposisi: nomor agenda."},
                    "subject": _TEXT | {"description": "perihal (bawaan: judul SOP / Penyampaian Dokumen LAKIP)."},
                    "date": {"type": "string", "format": "date", "description": "tanggal surat (bawaan: hari ini)."},
                    "to_office": _TEXT | {"description": "pengantar: instansi tujuan, di bawah jabatan 'to'."},
                    "to_city": _TEXT
                    | {"description": "pengantar: kota tujuan (di Surabaya); kosong hanya untuk alamat di kantor ini."},
                    "attachments": _TEXT | {"description": "pengantar: satu per baris, uraian;banyaknya;keterangan."},
                    "signer": _TEXT | {"description": "pengantar: penanda tangan (nama pengguna)."},
                    "klasifikasi": _TEXT
                    | {"description": "pengantar: klasifikasi surat di nomornya, misalnya PR.03-Kpt (bawaan: kantor)."},
                    "divisions": {"type": "array", "items": {"type": "string"}, "description": "subbagian."},
                    FILES_FIELD: {
                        "type": "array",
                        "maxItems": MAX_FILES,
                        "items": {"type": "string", "format": "binary"},
                        "description": "impor-buku-kerja: buku kerja .xlsx yang sudah diisi; kirim-buku-kerja: "
                        "lampiran langkah 3 menurut aturan berkasnya (opsional).",
                    },
                },
            }
        }
    },
}
_ZIP_ANSWER = {"content": {ZIP_TYPE: {"schema": {"type": "string", "format": "binary"}}}}


@router.post(
    "/cases/{code}/steps/{no}/documents/{kind}",
    summary="Buat dokumen langkah dan selesaikan langkahnya",
    description="Seperti `sop surat disposisi|pengantar --attach`, `sop lakip workbook generate|send|import` dan "
    "`sop lakip draft --attach`: dokumennya dibuat, dilampirkan dan langkahnya diselesaikan. Langkah 1 `disposisi`, "
    "2 `buku-kerja`, 3 `kirim-buku-kerja`, 4 `impor-buku-kerja`, 5 `draf-lkj`, 10 `pengantar`.",
    responses={**documented(CaseDetailOut, 200, 403, 404, 409, 413), 400: {"description": "Formulir rusak."}},
    openapi_extra={"requestBody": DOCUMENT_BODY},
)
async def make_document(
    code: CaseCode, no: StepNo, kind: Kind, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    await run_in_threadpool(access.require_visible, ctx, identity, code)
    with await _receive(request, MAX_FILES) as form, work_folder(ctx) as work:
        given = document_inputs(form)
        outcome = await run_in_threadpool(run_action, ctx, code, no, kind, identity.username, given, Path(work))
        return JSONResponse(await run_in_threadpool(case_document, ctx, outcome.case))


@router.get(
    "/cases/{code}/analysis",
    summary="Analisis kinerja dan anggaran (langkah 5)",
    description="Dokumen yang sama dengan `sop lakip analyse KODE --json`: anggaran, indikator, temuan.",
    responses={200: {"description": "Berhasil."}, **errors_documented(404)},
)
def analysis(code: CaseCode, request: Request, identity: Annotated[Identity, Caller]) -> JSONResponse:
    ctx = context_of(request)
    case = access.visible_case(ctx, identity, code)
    return JSONResponse(service.analysis_json(service.analyse(ctx, service.report_year(ctx, case.id))))


@router.get(
    "/cases/{code}/archive",
    summary="Unduh arsip kasus (langkah 11)",
    description="Arsip .zip seperti `sop archive create`: dokumen, jejak audit, manifest bersidik (header "
    "X-Sidik-Arsip).",
    response_class=Response,
    responses={**errors_documented(404), 200: {"description": "Arsip .zip.", **_ZIP_ANSWER}},
)
def archive_download(code: CaseCode, request: Request, identity: Annotated[Identity, Caller]) -> Response:
    ctx = context_of(request)
    case = access.visible_case(ctx, identity, code)
    return archive_download_response(ctx, case.id)


@router.get(
    "/cases/{code}/draft",
    summary="Unduh draf LKj tanpa melampirkannya",
    description="Seperti `sop lakip draft KODE -o draf.docx [--html pratinjau.html]`: `format=docx` (bawaan) atau "
    "`html` (pratinjau). Untuk melampirkannya ke langkah 5 pakai `POST .../steps/5/documents/draf-lkj`.",
    response_class=Response,
    responses={
        **errors_documented(404),
        200: {
            "description": "Draf LKj.",
            "content": {
                MEDIA_TYPES["docx"]: {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
    },
)
def draft_download(
    code: CaseCode,
    request: Request,
    identity: Annotated[Identity, Caller],
    format: Annotated[Literal["docx", "html"], Query(description="docx atau html (pratinjau).")] = "docx",
) -> Response:
    ctx = context_of(request)
    case = access.visible_case(ctx, identity, code)
    return draft_download_response(ctx, case.id, preview=format == "html")


@router.post(
    "/archive/verify",
    summary="Periksa keutuhan arsip",
    description="`multipart/form-data` dengan satu berkas `file`: jawaban seperti `sop archive verify --json`.",
    responses={200: {"description": "Hasil pemeriksaan (`ok`, `problem`)."}, **errors_documented(413)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                }
            },
        }
    },
)
async def archive_verify(request: Request, identity: Annotated[Identity, Caller]) -> JSONResponse:
    with await _receive(request, 1) as form:
        upload = next((f for f in form.files if f.field == "file"), None)
        if upload is None:
            raise InvalidInput("Kirim berkas arsip .zip pada isian 'file'.", value="file")
        check = await run_in_threadpool(archive.verify_archive, upload.path)
    return JSONResponse({**views.archive_check_json(check), "path": upload.filename})


async def _receive(request: Request, files: int) -> ParsedForm:
    if has_no_body(request):
        return ParsedForm()
    ctx = context_of(request)
    limit = ctx.settings.storage.max_upload_bytes
    return await receive_form(
        request, upload_dir(ctx), max_file_bytes=limit, max_body_bytes=limit * files + FORM_OVERHEAD_BYTES
    )


def document_inputs(form: ParsedForm) -> Inputs:
    """The form's fields under the names of :mod:`.document_actions`; InvalidInput for an unknown one."""
    unknown = sorted(set(form.fields) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"Isian {', '.join(repr(name) for name in unknown)} tidak dikenal; isian dokumen: "
            f"{', '.join(FIELDS)} dan berkas pada '{FILES_FIELD}'.",
            value=unknown[0],
        )
    fields = {FIELDS[name]: values for name, values in form.fields.items()}
    files = [IncomingFile(f.path, f.filename) for f in form.files if f.field == FILES_FIELD]
    return Inputs(fields=fields, files=files)
