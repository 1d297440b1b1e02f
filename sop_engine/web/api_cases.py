"""The cases half of the JSON API: list, show, start, complete, return, cancel, and the documents.

A case is answered as the same document ``sop case show --json`` prints (:func:`views.case_detail_json`),
so a program can move between the command line and the API without translating. Completing a
step takes ``multipart/form-data`` (a ``note`` and any number of ``files``), streamed to disk by
:func:`sop_engine.web.uploads.receive_form` with the storage size limit, never spooled whole.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sop_engine import access, case_decisions, cases, planning, views
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.identity import Identity
from sop_engine.paging import MAX_LIMIT
from sop_engine.textrules import MAX_TEXT_CHARS, TEXT_PATTERN
from sop_engine.views.fields import Doc
from sop_engine.web import reading
from sop_engine.web.api_common import (
    AuthenticatedRoute,
    Caller,
    documented,
    errors_documented,
    operation_id,
)
from sop_engine.web.api_models import model_of
from sop_engine.web.auth import context_of
from sop_engine.web.downloads import MEDIA_TYPES, document_response
from sop_engine.web.form_data import ParsedForm
from sop_engine.web.uploads import FORM_OVERHEAD_BYTES, MAX_FILES, receive_form, upload_dir

router = APIRouter(route_class=AuthenticatedRoute, tags=["kasus"], generate_unique_id_function=operation_id)

#: Field names of the completion form.
NOTE_FIELD, FILES_FIELD = "note", "files"


CaseCode = Annotated[
    str,
    Path(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80, description="Kode kasus.", examples=["lakip-2021"]),
]
#: Cases per page of the API unless ``?limit=`` says otherwise: each is a whole case document (its
#: steps and documents), so a page holds fewer than the 50 rows of /kasus and ``sop case list``.
API_PAGE = 20
PageSize = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Banyaknya kasus per halaman (bawaan {API_PAGE}).", examples=[API_PAGE])
]
After = Annotated[
    str | None,
    Query(
        max_length=90,
        pattern=r"^[0-9]{1,4}\.[a-z][a-z0-9_-]*$",
        description="Penanda halaman: lanjutkan sesudah kasus ini (dari `next` halaman sebelumnya).",
        examples=["2021.lakip-2021"],
    ),
]
StepNo = Annotated[int, Path(ge=1, le=999, description="Nomor langkah SOP.", examples=[1])]
ArtefactId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]+$", max_length=64, description="Kode dokumen.", examples=["3f9a0c1b2d4e"])
]


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("harus bilangan bulat, bukan true/false")
    return value


#: An integer as JSON Schema has it (2021 or 2021.0), but not true/false.
WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]
Reason = Annotated[
    str, Field(max_length=MAX_TEXT_CHARS, pattern=TEXT_PATTERN, examples=["Tabel capaian belum lengkap"])
]


# --- documents of the answers (the JSON itself comes from the views) ------------------------------


class CaseList(TypedDict):
    """A page of the cases the holder of the token may see."""

    cases: Annotated[list[views.CaseJson], Doc("Tiap kasus seperti pada `sop case list --json`.")]
    next: Annotated[
        str | None, Doc("Alamat halaman berikutnya (juga pada header Link, rel=next); null pada halaman terakhir.")
    ]


CaseListOut = model_of(CaseList)
CaseDetailOut = model_of(views.CaseDetailJson)


# --- bodies of the requests ----------------------------------------------------------------------


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartCaseIn(_Document):
    workflow: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64, examples=["lakip"])
    year: WholeNumber = Field(ge=2000, le=2100, examples=[2021])


class ReturnStepIn(_Document):
    to: WholeNumber = Field(ge=1, le=999, description="Langkah tujuan pengembalian.", examples=[6])
    reason: Reason


class CancelCaseIn(_Document):
    reason: Reason


class AnswerStepIn(_Document):
    answer: Literal["ya", "tidak"] = Field(description="Jawaban keputusan.", examples=["ya"])
    note: Reason | None = Field(default=None, description="Catatan; wajib bila jawaban mengembalikan pekerjaan.")


COMPLETE_BODY: dict[str, Any] = {
    "required": False,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    NOTE_FIELD: {
                        "type": "string",
                        "maxLength": MAX_TEXT_CHARS,
                        "description": "Catatan (boleh kosong).",
                    },
                    FILES_FIELD: {
                        "type": "array",
                        "maxItems": MAX_FILES,
                        "items": {"type": "string", "format": "binary"},
                        "description": "Dokumen keluaran langkah; jenisnya diperiksa dari isinya.",
                    },
                },
            },
            "encoding": {FILES_FIELD: {"contentType": ", ".join([*MEDIA_TYPES.values(), "application/octet-stream"])}},
        }
    },
}


# --- the routes ------------------------------------------------------------------------------------


@router.get(
    "/cases",
    summary="Daftar kasus",
    description="Kasus yang boleh dilihat pemegang token, tahun terbaru dahulu lalu menurut kode, satu halaman "
    "sekali minta; tiap kasus seperti pada `sop case list --json`. Halaman berikutnya ada di `next` (dan header "
    "Link), null pada halaman terakhir.",
    responses=documented(CaseListOut),
)
def list_cases(
    request: Request, identity: Annotated[Identity, Caller], limit: PageSize = API_PAGE, after: After = None
) -> JSONResponse:
    """A page of the cases the token's holder may see, newest year first, with the address of the next."""
    ctx = context_of(request)
    page = access.visible_cases(ctx, identity, limit=limit, after=after)
    following = f"{request.url.path}?{urlencode({'limit': limit, 'after': page.next})}" if page.next else None
    return JSONResponse(
        CaseList(cases=[views.case_json(case, ctx.tz) for case in page.items], next=following),
        headers={"Link": f'<{following}>; rel="next"'} if following else None,
    )


@router.get(
    "/cases/{code}",
    summary="Detail kasus",
    description="Dokumen yang sama dengan `sop case show KODE --json`: kasus, langkah, dokumen dan proyeksi "
    "selesainya.",
    responses=documented(CaseDetailOut, 200, 404),
)
async def show_case(code: CaseCode, request: Request, identity: Annotated[Identity, Caller]) -> JSONResponse:
    """The document of ``sop case show CODE --json`` (read where :mod:`..reading` says)."""
    ctx = context_of(request)
    return JSONResponse(await reading.read(ctx, _shown_case, ctx, identity, code))


def _shown_case(ctx: Context, identity: Identity, code: str) -> views.CaseDetailJson:
    return case_document(ctx, access.visible_case(ctx, identity, code))


@router.post(
    "/cases",
    status_code=201,
    summary="Mulai kasus (sekretaris)",
    description="Mulai kasus tahunan sebuah SOP: hanya peran sekretaris, satu kasus per SOP per tahun. "
    "Jawabannya dokumen kasus, dengan alamatnya pada header Location.",
    responses=documented(CaseDetailOut, 201, 403, 404, 409, 413, 415),
)
def start_case(body: StartCaseIn, request: Request, identity: Annotated[Identity, Caller]) -> JSONResponse:
    ctx = context_of(request)
    record = cases.start_case(ctx, body.workflow, body.year, identity.username)
    return JSONResponse(case_document(ctx, record), status_code=201, headers={"Location": f"/api/v1/cases/{record.id}"})


@router.post(
    "/cases/{code}/steps/{no}/complete",
    summary="Selesaikan langkah yang aktif",
    description=f"`multipart/form-data`: `{NOTE_FIELD}` (boleh tidak ada) dan `{FILES_FIELD}` (0 sampai {MAX_FILES} "
    "berkas). Tanpa isi sama sekali juga boleh, untuk langkah yang tidak memerlukan dokumen.",
    responses={**documented(CaseDetailOut, 200, 403, 404, 409, 413), 400: {"description": "Formulir rusak."}},
    openapi_extra={"requestBody": COMPLETE_BODY},
)
async def complete_step(
    code: CaseCode, no: StepNo, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    await run_in_threadpool(access.require_visible, ctx, identity, code)
    with await _receive_completion(request, ctx) as form:
        files, note = completion_input(form)
        record = await run_in_threadpool(cases.complete_step, ctx, code, no, identity.username, files, note)
        return JSONResponse(await run_in_threadpool(case_document, ctx, record))


@router.post(
    "/cases/{code}/steps/{no}/return",
    summary="Kembalikan pekerjaan ke langkah sebelumnya",
    description="Kembalikan pekerjaan langkah yang aktif ke langkah yang diatur SOP (`kembali_ke`), dengan alasan; "
    "langkah tujuan mulai lagi dengan putaran baru.",
    responses=documented(CaseDetailOut, 200, 403, 404, 409, 413, 415),
)
def return_step(
    code: CaseCode, no: StepNo, body: ReturnStepIn, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    access.require_visible(ctx, identity, code)
    record = cases.return_step(ctx, code, no, body.to, identity.username, body.reason)
    return JSONResponse(case_document(ctx, record))


@router.post(
    "/cases/{code}/steps/{no}/answer",
    summary="Jawab langkah keputusan",
    description='Jawab Ya atau Tidak langkah keputusan yang aktif (`jenis = "keputusan"`), dengan catatan; kasus '
    "berlanjut ke langkah `ya` atau `tidak` SOP, langkah cabang lain ditandai dilewati.",
    responses=documented(CaseDetailOut, 200, 403, 404, 409, 413, 415),
)
def answer_step(
    code: CaseCode, no: StepNo, body: AnswerStepIn, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    access.require_visible(ctx, identity, code)
    yes = body.answer == "ya"
    record = case_decisions.answer_decision(ctx, code, no, identity.username, yes, body.note)
    return JSONResponse(case_document(ctx, record))


@router.post(
    "/cases/{code}/cancel",
    summary="Batalkan kasus (sekretaris)",
    description="Batalkan kasus yang sedang berjalan, dengan alasan: hanya peran sekretaris.",
    responses=documented(CaseDetailOut, 200, 403, 404, 409, 413, 415),
)
def cancel_case(
    code: CaseCode, body: CancelCaseIn, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    access.require_visible(ctx, identity, code)
    record = cases.cancel_case(ctx, code, identity.username, body.reason)
    return JSONResponse(case_document(ctx, record))


@router.get(
    "/cases/{code}/artefacts/{artefact_id}",
    summary="Unduh dokumen",
    description="Isi dokumen, dengan jenis isi menurut jenis berkasnya dan nama berkas aslinya (Content-Disposition).",
    response_class=Response,
    responses={
        **errors_documented(404),
        200: {
            "description": "Isi dokumen (hash sha256-nya diperiksa ulang sebelum dikirim).",
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()},
        },
    },
)
def download_artefact(
    code: CaseCode, artefact_id: ArtefactId, request: Request, identity: Annotated[Identity, Caller]
) -> Response:
    ctx = context_of(request)
    return document_response(ctx, access.visible_artefact(ctx, identity, code, artefact_id))


# --- helpers -----------------------------------------------------------------------------------------


def case_document(ctx: Context, record: cases.CaseRecord) -> views.CaseDetailJson:
    """The document of ``sop case show --json``: the case and its projected finish."""
    projection = planning.case_projection(ctx, record)
    return views.case_detail_json(record, projection, ctx.tz, ctx.calendar.jam_kerja_per_hari)


async def _receive_completion(request: Request, ctx: Context) -> ParsedForm:
    if has_no_body(request):
        return ParsedForm()
    limit = ctx.settings.storage.max_upload_bytes
    return await receive_form(
        request,
        upload_dir(ctx),
        max_file_bytes=limit,
        max_body_bytes=limit * MAX_FILES + FORM_OVERHEAD_BYTES,
        max_fields=MAX_FILES + 1,
    )


def has_no_body(request: Request) -> bool:
    headers = request.headers
    return (
        "content-type" not in headers
        and headers.get("content-length", "0").strip() == "0"
        and "transfer-encoding" not in headers
    )


def completion_input(form: ParsedForm) -> tuple[list[IncomingFile], str | None]:
    """The files and the note of a completion form; InvalidInput for anything else in it."""
    if FILES_FIELD in form.fields:
        raise InvalidInput(
            f"Isian '{FILES_FIELD}' dikirim sebagai teks; kirim dokumen sebagai berkas "
            f"(bagian multipart dengan filename=...).",
            value=FILES_FIELD,
        )
    unknown = sorted(set(form.fields) - {NOTE_FIELD})
    if unknown:
        raise InvalidInput(
            f"Isian {', '.join(repr(name) for name in unknown)} tidak dikenal; formulir penyelesaian langkah hanya "
            f"berisi '{NOTE_FIELD}' dan berkas pada '{FILES_FIELD}'.",
            value=unknown[0],
        )
    for received in form.files:
        if received.field != FILES_FIELD:
            raise InvalidInput(
                f"Berkas '{received.filename}' dikirim pada isian '{received.field}'; kirim berkas pada isian "
                f"'{FILES_FIELD}'.",
                value=received.filename,
            )
    notes = form.fields.get(NOTE_FIELD, [])
    if len(notes) > 1:
        raise InvalidInput(
            f"Isian '{NOTE_FIELD}' dikirim {len(notes)} kali; kirim satu catatan saja.", value=len(notes)
        )
    note = notes[0] if notes else None
    return [IncomingFile(received.path, received.filename) for received in form.files], note
