"""The letter register in the JSON API: the year's numbers, taking one, cancelling one.

The same services as *Register Surat* (:mod:`.pages_letters`) and ``sop letters list|issue|cancel``
(:func:`sop_engine.letters.list_letters`, :func:`~sop_engine.letters.issue`,
:func:`~sop_engine.letters.cancel`), with the same roles: the register is read by the letter-writing
roles and the readers of everything (:data:`.pages_letters.READS_LETTERS`), and only the
letter-writing roles take or cancel a number (the service decides, 403 otherwise). Each number is
answered as ``sop letters ... --json`` prints it (:func:`views.letter_json`).
"""

from __future__ import annotations

import datetime
from typing import Annotated, TypedDict

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from sop_engine import access, letters, views
from sop_engine.config_letters import KLASIFIKASI_MAX
from sop_engine.identity import Identity
from sop_engine.textrules import LINE_PATTERN
from sop_engine.views.fields import Doc
from sop_engine.web.api_cases import Reason, WholeNumber
from sop_engine.web.api_common import AuthenticatedRoute, Caller, documented, operation_id
from sop_engine.web.api_models import model_of
from sop_engine.web.auth import context_of
from sop_engine.web.pages_letters import READS_LETTERS

router = APIRouter(route_class=AuthenticatedRoute, tags=["surat"], generate_unique_id_function=operation_id)

Year = Annotated[int, Path(ge=2000, le=2100, description="Tahun register.", examples=[2021])]
Seq = Annotated[int, Path(ge=1, le=999_999, description="Nomor urut surat dalam tahun itu.", examples=[1])]


class LetterList(TypedDict):
    """The register of one year, cancelled numbers included, in sequence order."""

    year: Annotated[int, Doc("Tahun register.")]
    letters: Annotated[list[views.LetterJson], Doc("Tiap nomor seperti pada `sop letters list --json`.")]


LetterListOut = model_of(LetterList)
LetterOut = model_of(views.LetterJson)


class IssueLetterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: WholeNumber = Field(ge=2000, le=2100, description="Tahun register.", examples=[2021])
    subject: str = Field(
        max_length=500, pattern=LINE_PATTERN, description="Perihal surat.", examples=["Penyampaian Dokumen LAKIP"]
    )
    case: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9_-]*$", max_length=80, description="Kode kasus surat ini.", examples=["lakip-2021"]
    )
    date: datetime.date | None = Field(None, description="Tanggal surat (bawaan: hari ini).")
    klasifikasi: str | None = Field(
        None,
        max_length=KLASIFIKASI_MAX,
        pattern=LINE_PATTERN,
        description="Klasifikasi surat di nomornya, misalnya PR.03-Kpt (bawaan: [letters] klasifikasi).",
        examples=["PR.03-Kpt"],
    )


class CancelLetterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


@router.get(
    "/letters",
    summary="Register surat setahun",
    description="Nomor surat keluar kantor pada tahun itu, yang dibatalkan juga, seperti `sop letters list "
    "--json`. Untuk peran penulis surat dan pembaca semua kasus.",
    responses=documented(LetterListOut, 200, 403),
)
def list_letters(
    request: Request,
    identity: Annotated[Identity, Caller],
    tahun: Annotated[int, Query(ge=2000, le=2100, description="Tahun register.", examples=[2021])],
) -> JSONResponse:
    ctx = context_of(request)
    access.require(identity, READS_LETTERS, "Register surat")
    items = letters.list_letters(ctx, tahun)
    return JSONResponse(LetterList(year=tahun, letters=[views.letter_json(item, ctx.tz) for item in items]))


@router.post(
    "/letters",
    status_code=201,
    summary="Ambil nomor surat",
    description="Nomor berikutnya tahun itu, seperti `sop letters issue`: perihal wajib, tanggal surat tidak di "
    "masa depan dan tidak sebelum nomor terakhir tahun itu, klasifikasi bila format nomornya memuatnya.",
    responses=documented(LetterOut, 201, 403, 404, 413, 415),
)
def issue_letter(body: IssueLetterIn, request: Request, identity: Annotated[Identity, Caller]) -> JSONResponse:
    ctx = context_of(request)
    record = letters.issue(
        ctx,
        body.year,
        body.subject,
        identity.username,
        case=body.case,
        letter_date=body.date,
        klasifikasi=body.klasifikasi,
    )
    return JSONResponse(views.letter_json(record, ctx.tz), status_code=201)


@router.post(
    "/letters/{year}/{seq}/cancel",
    summary="Batalkan nomor surat",
    description="Batalkan nomor yang sudah diambil, dengan alasan, seperti `sop letters cancel`: nomornya tetap "
    "tercatat di register dan tidak dipakai lagi.",
    responses=documented(LetterOut, 200, 403, 404, 409, 413, 415),
)
def cancel_letter(
    year: Year, seq: Seq, body: CancelLetterIn, request: Request, identity: Annotated[Identity, Caller]
) -> JSONResponse:
    ctx = context_of(request)
    record = letters.cancel(ctx, str(seq), identity.username, body.reason, year=year)
    return JSONResponse(views.letter_json(record, ctx.tz))
