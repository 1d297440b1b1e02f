"""Zip bombs (hardening finding 1): refused by the type check and by every importer, bounded in memory.

The bombs are real: a 1 MB .odt whose ``mimetype`` member inflates to 1 GiB, a 0.5 MB .xlsx whose
shared strings inflate to 512 MiB, a document with more members than any real one. They are built
once per session (a few seconds) and reused.
"""

from __future__ import annotations

import sqlite3
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from sop_engine import artefacts, cases, safezip
from sop_engine.artefacts import IncomingFile
from sop_engine.context import Context
from sop_engine.db.models import Artefact
from sop_engine.errors import InvalidInput
from sop_engine.lakip import service
from sop_engine.lakip.tables import ImportRefused
from sop_engine.lakip.workbook import import_workbooks
from sop_engine.lakip.workbook_read import WorkbookProblem
from sop_engine.loader import load_workflow_file
from tests.helpers import pdf

ROOT = Path(__file__).resolve().parent.parent
LAKIP = load_workflow_file(ROOT / "workflows" / "lakip.toml")
CASE = "lakip-2021"
MiB = 1024 * 1024


def _bomb(path: Path, members: dict[str, bytes], big: str, prefix: bytes, inflated_mib: int) -> Path:
    """A zip with ``members`` plus ``big``: ``prefix`` followed by zeros up to ``inflated_mib`` MiB, deflated."""
    chunk = b"\0" * MiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo(big)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(prefix)
            for _ in range(inflated_mib):
                stream.write(chunk)
    return path


@pytest.fixture(scope="session")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("bombs")
    odt = _bomb(
        folder / "laporan.odt",
        {"content.xml": b"<office:document-content/>"},
        "mimetype",
        b"application/vnd.oasis.opendocument.text",
        1024,
    )
    xlsx = _bomb(
        folder / "anggaran.xlsx",
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
        "xl/sharedStrings.xml",
        b"<sst><si><t>",
        512,
    )
    many = folder / "banyak.docx"
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for number in range(safezip.MAX_MEMBERS + 10):
            archive.writestr(f"word/media/{number}.xml", "")
    yield {"odt": odt, "xlsx": xlsx, "many": many}


def test_the_bomb_files_are_small_on_disk(bombs: dict[str, Path]) -> None:
    assert bombs["odt"].stat().st_size < 2 * MiB
    assert bombs["xlsx"].stat().st_size < MiB


def test_a_zip_bomb_odt_is_named_a_bomb_by_the_type_check(bombs: dict[str, Path]) -> None:
    assert artefacts.sniff_kind(bombs["odt"]) == "bomb"


def test_the_type_check_of_a_bomb_allocates_under_ten_megabytes(bombs: dict[str, Path]) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput):
            artefacts.check_file(IncomingFile.from_path(bombs["odt"]), LAKIP.step(2), 20 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * MiB


def test_a_zip_bomb_upload_is_refused_naming_the_file_and_the_reason(bombs: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput) as caught:
        artefacts.check_file(IncomingFile.from_path(bombs["odt"]), LAKIP.step(2), 20 * MiB)
    assert "'laporan.odt'" in caught.value.message
    assert "zip bomb" in caught.value.message
    assert "Lampirkan dokumen ODT yang asli" in caught.value.message


def test_a_document_with_thousands_of_members_is_refused_as_a_bomb(bombs: dict[str, Path]) -> None:
    assert artefacts.sniff_kind(bombs["many"]) == "bomb"


def test_the_member_count_is_read_from_the_tail_without_parsing_the_directory(bombs: dict[str, Path]) -> None:
    assert safezip.member_count(bombs["many"]) == safezip.MAX_MEMBERS + 12


def test_a_genuine_odt_with_an_ordinary_mimetype_still_passes(tmp_path: Path) -> None:
    path = tmp_path / "laporan.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>" + " " * 50_000)
    assert artefacts.sniff_kind(path) == "odt"


def test_a_truncated_zip_is_unknown_not_an_error(tmp_path: Path, bombs: dict[str, Path]) -> None:
    path = tmp_path / "rusak.docx"
    path.write_bytes(bombs["many"].read_bytes()[:5000])
    assert artefacts.sniff_kind(path) == "unknown"


# --- the upload: refused, checked before the write transaction, the case unchanged --------------


def test_a_bomb_upload_leaves_the_case_and_the_store_unchanged(
    ctx: Context, tmp_path: Path, bombs: dict[str, Path]
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))])
    before = cases.get_case(ctx, CASE)
    with pytest.raises(InvalidInput, match="zip bomb"):
        cases.complete_step(ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(bombs["odt"])])
    assert cases.get_case(ctx, CASE) == before
    with ctx.db.read() as session:
        assert session.scalar(select(func.count(Artefact.id))) == 1


@pytest.mark.parametrize("backend", ["sqlite"])
def test_files_are_read_before_the_write_transaction_opens(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a file is sniffed and hashed, another connection can still take the write lock."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    database = ctx.settings.database.url.removeprefix("sqlite:///")
    lock_free: list[bool] = []
    real_sniff = artefacts.sniff_kind

    def sniff_and_probe(path: Path) -> str:
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            probe.close()
        return real_sniff(path)

    monkeypatch.setattr(artefacts, "sniff_kind", sniff_and_probe)
    cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))])
    assert lock_free == [True]


# --- the importers --------------------------------------------------------------------------


def test_the_budget_importer_refuses_the_bomb_xlsx_before_opening_it(ctx: Context, bombs: dict[str, Path]) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as caught:
            service.import_budget(ctx, bombs["xlsx"], 2021)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "'anggaran.xlsx'" in caught.value.message and "mengembang" in caught.value.message
    assert peak < 10 * MiB


def test_the_targets_importer_refuses_the_bomb_xlsx(ctx: Context, bombs: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match="tidak dapat diimpor"):
        service.import_targets(ctx, bombs["xlsx"], 2021)


def test_the_workbook_importer_refuses_the_bomb_xlsx_naming_the_file(ctx: Context, bombs: dict[str, Path]) -> None:
    with pytest.raises(ImportRefused) as caught:
        import_workbooks(ctx, 2021, [bombs["xlsx"]], "kasubag")
    (problem,) = caught.value.problems
    assert isinstance(problem, WorkbookProblem)
    assert problem.file == "anggaran.xlsx" and "mengembang" in problem.reason


def test_an_importer_refuses_a_cell_longer_than_the_limit_naming_it(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "anggaran.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DIPA"
    sheet.append(["Kode", "Uraian", "Pagu"])
    sheet.append(["3526.001", "x" * (safezip.MAX_CELL_CHARS + 1), 1000])
    book.save(path)
    with pytest.raises(InvalidInput) as caught:
        service.import_budget(ctx, path, 2021)
    assert "anggaran.xlsx:DIPA!B2" in caught.value.message
    assert f"melebihi batas {safezip.MAX_CELL_CHARS}" in caught.value.message


def test_an_importer_refuses_a_csv_larger_than_the_import_limit(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safezip, "MAX_IMPORT_BYTES", 1000)
    path = tmp_path / "anggaran.csv"
    path.write_text("kode;uraian;pagu\n" + "3526.001;Belanja;1000\n" * 100)
    with pytest.raises(InvalidInput, match="melebihi batas impor"):
        service.import_budget(ctx, path, 2021)
