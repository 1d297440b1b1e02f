"""Attached documents: content sniffing, checks, the content-addressed store, integrity.

Tests that touch the database run on SQLite and PostgreSQL (the ``ctx`` fixture); the sniffing
and checking tests need no database.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sop_engine import artefacts, audit, cases
from sop_engine.artefacts import ArtefactStore, IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.definitions import StepDef
from sop_engine.errors import IntegrityError, InvalidInput
from sop_engine.loader import load_workflow_file
from tests.helpers import docx, large_pdf, pdf, run_cli

ROOT = Path(__file__).resolve().parent.parent
LAKIP = load_workflow_file(ROOT / "workflows" / "lakip.toml")
CASE = "lakip-2021"
LIMIT = 20 * 1024 * 1024

Maker = Callable[[Path], Path]

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def step(no: int) -> StepDef:
    return LAKIP.step(no)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def zipped(folder: Path, name: str, members: dict[str, str]) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


def xlsx(folder: Path, name: str = "data.xlsx") -> Path:
    return zipped(folder, name, {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})


def opendocument(folder: Path, name: str, mimetype: str) -> Path:
    return zipped(folder, name, {"mimetype": mimetype, "content.xml": "<office:document-content/>"})


def refusal(incoming: IncomingFile, step_no: int, max_bytes: int = LIMIT) -> str:
    with pytest.raises(InvalidInput) as caught:
        artefacts.check_file(incoming, step(step_no), max_bytes)
    return caught.value.message


def store_files(settings: Settings) -> list[Path]:
    root = settings.storage.artefacts_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored_path(settings: Settings, sha256: str) -> Path:
    return settings.storage.artefacts_dir / sha256[:2] / sha256[2:4] / sha256


def start_and_attach(ctx: Context, clock: FixedClock, path: Path) -> artefacts.ArtefactRecord:
    """Start LAKIP 2021 and complete step 1 with ``path``; the stored document."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(minutes=5))
    record = cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(path)])
    (stored,) = record.steps[0].artefacts
    return stored


# --- sniffing by content -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda d: pdf(d, "a.bin"), "pdf"),
        (lambda d: write(d, "b.bin", PNG), "png"),
        (lambda d: write(d, "c.bin", JPEG), "jpeg"),
        (lambda d: docx(d, "d.bin"), "docx"),
        (lambda d: xlsx(d, "e.bin"), "xlsx"),
        (lambda d: opendocument(d, "f.bin", "application/vnd.oasis.opendocument.text"), "odt"),
        (lambda d: opendocument(d, "g.bin", "application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        (lambda d: write(d, "h.bin", ELF), "elf"),
        (lambda d: write(d, "i.bin", MZ), "exe"),
        (lambda d: zipped(d, "j.bin", {"readme.txt": "isi"}), "zip"),
        (lambda d: write(d, "k.bin", b"PK\x03\x04 not really a zip"), "unknown"),
        (lambda d: write(d, "l.bin", b"just some text"), "unknown"),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx", "odt", "ods", "elf", "mz", "plain-zip", "broken-zip", "text"],
)
def test_sniff_kind_recognises_content_regardless_of_name(tmp_path: Path, make: Maker, kind: str) -> None:
    assert artefacts.sniff_kind(make(tmp_path)) == kind


def test_sniff_kind_reads_content_not_extension(tmp_path: Path) -> None:
    assert artefacts.sniff_kind(write(tmp_path, "laporan.pdf", ELF)) == "elf"
    assert artefacts.sniff_kind(pdf(tmp_path, "laporan.docx")) == "pdf"


# --- checking an incoming file -------------------------------------------------------------


@pytest.mark.parametrize(
    ("step_no", "make", "kind"),
    [
        (1, lambda d: pdf(d, "disposisi.pdf"), "pdf"),
        (1, lambda d: write(d, "pindaian.jpg", JPEG), "jpeg"),
        (1, lambda d: write(d, "pindaian.PNG", PNG), "png"),
        (2, lambda d: docx(d, "format.docx"), "docx"),
        (2, lambda d: xlsx(d, "format.xlsx"), "xlsx"),
        (2, lambda d: opendocument(d, "format.odt", "application/vnd.oasis.opendocument.text"), "odt"),
        (2, lambda d: opendocument(d, "format.ods", "application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    ],
    ids=["pdf", "jpg", "PNG", "docx", "xlsx", "odt", "ods"],
)
def test_check_file_accepts_genuine_document_of_an_allowed_kind(
    tmp_path: Path, step_no: int, make: Maker, kind: str
) -> None:
    path = make(tmp_path)
    checked = artefacts.check_file(IncomingFile.from_path(path), step(step_no), LIMIT)
    assert checked.file_kind == kind
    assert checked.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert checked.size == path.stat().st_size


def test_check_file_refuses_missing_file_naming_it(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(tmp_path / "tidak-ada.pdf"), 1)
    assert "tidak-ada.pdf" in message
    assert "tidak ditemukan" in message


def test_check_file_refuses_elf_program_renamed_to_pdf_saying_it_is_a_program(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(write(tmp_path, "laporan.pdf", ELF)), 1)
    assert "'laporan.pdf'" in message
    assert "program" in message
    assert "bukan PDF" in message


def test_check_file_refuses_windows_program_renamed_to_pdf_saying_it_is_a_program(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(write(tmp_path, "laporan.pdf", MZ)), 1)
    assert "'laporan.pdf'" in message
    assert "program" in message


def test_check_file_refuses_docx_that_is_really_a_pdf(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(pdf(tmp_path, "format.docx")), 2)
    assert "'format.docx'" in message
    assert "isinya PDF" in message


def test_check_file_refuses_exe_extension_naming_file_and_allowed_kinds(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(write(tmp_path, "setup.exe", MZ)), 1)
    assert "'setup.exe'" in message
    assert "tidak diterima untuk langkah 1" in message
    assert "pdf, docx, jpeg, png" in message


def test_check_file_refuses_xlsx_on_step_1(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(xlsx(tmp_path, "data.xlsx")), 1)
    assert "'data.xlsx'" in message
    assert "tidak diterima untuk langkah 1" in message


def test_check_file_refuses_file_without_extension(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(pdf(tmp_path, "disposisi")), 1)
    assert "'disposisi'" in message
    assert "tidak diterima" in message


@pytest.mark.parametrize("name", ["disposisi", ".pdf"])
def test_a_file_without_an_extension_is_told_so_not_called_type_dot(tmp_path: Path, name: str) -> None:
    message = refusal(IncomingFile.from_path(pdf(tmp_path, name)), 1)
    assert "tidak berakhiran jenis berkas (misalnya .pdf)" in message
    assert "berjenis '.'" not in message


def test_check_file_refuses_empty_file(tmp_path: Path) -> None:
    message = refusal(IncomingFile.from_path(write(tmp_path, "kosong.pdf", b"")), 1)
    assert "'kosong.pdf'" in message
    assert "kosong (0 bait)" in message


def test_check_file_refuses_file_above_size_limit(tmp_path: Path) -> None:
    path = pdf(tmp_path, "besar.pdf")
    limit = path.stat().st_size - 1
    with pytest.raises(InvalidInput) as caught:
        artefacts.check_file(IncomingFile.from_path(path), step(1), limit)
    assert "'besar.pdf'" in caught.value.message
    assert "melebihi batas" in caught.value.message
    assert caught.value.details["limit"] == limit


def test_check_file_accepts_file_exactly_at_size_limit(tmp_path: Path) -> None:
    path = pdf(tmp_path, "pas.pdf")
    assert artefacts.check_file(IncomingFile.from_path(path), step(1), path.stat().st_size).size == path.stat().st_size


def test_check_file_names_the_users_filename_not_the_temporary_path(tmp_path: Path) -> None:
    """A web upload lands at a temporary path; the message names what the user chose."""
    incoming = IncomingFile(write(tmp_path, "upload-7f3a.tmp", ELF), "Laporan Kinerja.pdf")
    message = refusal(incoming, 1)
    assert "'Laporan Kinerja.pdf'" in message
    assert "upload-7f3a" not in message


# --- the content-addressed store -----------------------------------------------------------


def test_store_put_refuses_bytes_that_do_not_match_the_hash_and_leaves_no_temp_file(tmp_path: Path) -> None:
    store = ArtefactStore(tmp_path / "store")
    source = pdf(tmp_path, "a.pdf")
    wrong = "ab" * 32
    with pytest.raises(InvalidInput):
        store.put(source, wrong)
    assert not store.path_for(wrong).exists()
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []


def test_store_read_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IntegrityError) as caught:
        ArtefactStore(tmp_path / "store").read("cd" * 32)
    assert "hilang" in caught.value.message


def test_same_bytes_attached_twice_are_stored_once(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    original = large_pdf(tmp_path, "disposisi.pdf", "sama")
    first = start_and_attach(ctx, clock, original)
    copy = write(tmp_path, "format-salinan.pdf", original.read_bytes())
    clock.advance(timedelta(minutes=5))
    record = cases.complete_step(ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(copy)])
    (second,) = record.steps[1].artefacts
    assert first.id != second.id
    assert first.sha256 == second.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert store_files(settings) == [stored_path(settings, first.sha256)]
    assert stored_path(settings, first.sha256).read_bytes() == original.read_bytes()
    assert {a.filename for a in artefacts.list_artefacts(ctx, CASE)} == {"disposisi.pdf", "format-salinan.pdf"}


def test_different_bytes_are_stored_under_their_own_hashes(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    first = start_and_attach(ctx, clock, large_pdf(tmp_path, "disposisi.pdf", "satu"))
    clock.advance(timedelta(minutes=5))
    record = cases.complete_step(
        ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(large_pdf(tmp_path, "format.pdf"))]
    )
    (second,) = record.steps[1].artefacts
    assert first.sha256 != second.sha256
    assert store_files(settings) == sorted([stored_path(settings, first.sha256), stored_path(settings, second.sha256)])


def test_storing_leaves_no_temporary_incoming_files(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    original = large_pdf(tmp_path, "disposisi.pdf")
    start_and_attach(ctx, clock, original)
    clock.advance(timedelta(minutes=5))
    other = large_pdf(tmp_path, "format.pdf", "format")
    cases.complete_step(
        ctx, CASE, 2, "kasubag", files=[IncomingFile.from_path(original), IncomingFile.from_path(other)]
    )
    root = settings.storage.artefacts_dir
    assert len(store_files(settings)) == 2
    assert list(root.rglob(".incoming-*")) == []
    assert all(p.name == hashlib.sha256(p.read_bytes()).hexdigest() for p in store_files(settings))


def test_stored_file_metadata_matches_the_upload(ctx: Context, clock: FixedClock, tmp_path: Path) -> None:
    original = pdf(tmp_path, "Disposisi Sekretaris.pdf")
    stored = start_and_attach(ctx, clock, original)
    (listed,) = artefacts.list_artefacts(ctx, CASE)
    assert listed == stored
    assert (listed.filename, listed.size, listed.file_kind, listed.kind) == (
        "Disposisi Sekretaris.pdf",
        original.stat().st_size,
        "pdf",
        "Disposisi surat",
    )
    assert (listed.step, listed.round, listed.uploaded_by, listed.uploaded_at) == (1, 1, "sekretaris", clock.now())


# --- getting a document back ---------------------------------------------------------------


def test_cli_artefacts_get_writes_exactly_the_uploaded_bytes(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    original = pdf(tmp_path, "disposisi.pdf", "isi asli")
    stored = start_and_attach(ctx, clock, original)
    target = tmp_path / "unduh" / "salinan.pdf"
    run = run_cli(["artefacts", "get", CASE, stored.id, "-o", str(target)], settings, clock)
    assert run.code == 0, run.err
    assert target.read_bytes() == original.read_bytes()
    assert stored.id in run.out


def test_get_artefact_raises_integrity_error_when_stored_file_was_altered(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    stored = start_and_attach(ctx, clock, large_pdf(tmp_path, "disposisi.pdf"))
    on_disk = stored_path(settings, stored.sha256)
    on_disk.write_bytes(on_disk.read_bytes().replace(b"dokumen", b"DOKUMEN"))
    target = tmp_path / "salinan.pdf"
    with pytest.raises(IntegrityError) as caught:
        artefacts.get_artefact(ctx, CASE, stored.id, target)
    assert stored.sha256 in caught.value.message
    assert "telah berubah" in caught.value.message
    assert not target.exists()


def test_cli_artefacts_get_exits_1_and_writes_nothing_when_stored_file_was_altered(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    stored = start_and_attach(ctx, clock, large_pdf(tmp_path, "disposisi.pdf"))
    with stored_path(settings, stored.sha256).open("ab") as handle:
        handle.write(b"% disisipkan\n")
    target = tmp_path / "salinan.pdf"
    run = run_cli(["artefacts", "get", CASE, stored.id, "-o", str(target)], settings, clock)
    assert run.code == 1
    assert "telah berubah" in run.err
    assert stored.sha256 in run.err
    assert run.out == ""
    assert not target.exists()


def test_get_artefact_raises_integrity_error_when_stored_file_is_missing(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    stored = start_and_attach(ctx, clock, large_pdf(tmp_path, "disposisi.pdf"))
    stored_path(settings, stored.sha256).unlink()
    target = tmp_path / "salinan.pdf"
    with pytest.raises(IntegrityError) as caught:
        artefacts.get_artefact(ctx, CASE, stored.id, target)
    assert "hilang" in caught.value.message
    assert not target.exists()


def test_cli_artefacts_get_of_unknown_id_exits_1_naming_the_known_ids(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    stored = start_and_attach(ctx, clock, pdf(tmp_path, "disposisi.pdf"))
    target = tmp_path / "salinan.pdf"
    run = run_cli(["artefacts", "get", CASE, "000000000000", "-o", str(target)], settings, clock)
    assert run.code == 1
    assert "000000000000" in run.err
    assert stored.id in run.err
    assert not target.exists()


# --- a refused completion changes nothing --------------------------------------------------


def _case_json(settings: Settings, clock: FixedClock) -> dict[str, Any]:
    run = run_cli(["case", "show", CASE, "--json"], settings, clock)
    assert run.code == 0, run.err
    shown: dict[str, Any] = json.loads(run.out)
    return shown


def test_refused_completion_with_disguised_program_leaves_case_and_store_unchanged(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(minutes=5))
    before = _case_json(settings, clock)
    events = audit.list_events(ctx)
    bad = write(tmp_path, "disposisi.pdf", ELF)
    with pytest.raises(InvalidInput, match=r"disposisi\.pdf"):
        cases.complete_step(ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(bad)])
    assert artefacts.list_artefacts(ctx, CASE) == []
    assert _case_json(settings, clock) == before
    assert audit.list_events(ctx) == events
    assert store_files(settings) == []


def test_refused_completion_with_one_good_and_one_bad_file_stores_neither(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(minutes=5))
    before = _case_json(settings, clock)
    good, bad = pdf(tmp_path, "disposisi.pdf"), xlsx(tmp_path, "lampiran.xlsx")
    with pytest.raises(InvalidInput, match=r"lampiran\.xlsx"):
        cases.complete_step(
            ctx, CASE, 1, "sekretaris", files=[IncomingFile.from_path(good), IncomingFile.from_path(bad)]
        )
    assert artefacts.list_artefacts(ctx, CASE) == []
    assert _case_json(settings, clock) == before
    assert store_files(settings) == []


def test_cli_step_done_with_bad_file_exits_1_and_leaves_case_show_unchanged(
    ctx: Context, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    clock.advance(timedelta(minutes=5))
    before = _case_json(settings, clock)
    bad = write(tmp_path, "kosong.pdf", b"")
    run = run_cli(["step", "done", CASE, "1", "--by", "sekretaris", "--file", str(bad)], settings, clock)
    assert run.code == 1
    assert "kosong.pdf" in run.err
    assert _case_json(settings, clock) == before
    assert json.loads(run_cli(["artefacts", "list", CASE, "--json"], settings, clock).out) == []
