"""The archive bundle: built on both backends from a real case, verified anywhere without a database."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from sop_engine import archive, artefacts, audit, cases, views
from sop_engine.archive_check import COMMENT_PREFIX
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.db.models import CaseStep
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.errors import IntegrityError, NotFound
from sop_engine.install import initialise
from tests.conftest import ROOT, START, make_settings
from tests.helpers import alter_document, confirm_paraf, docx, pdf, run_cli

CASE = "lakip-2021"
FIXED_MEMBERS = {
    "BACA-SAYA.txt",
    "manifest.json",
    "kasus.json",
    "audit.json",
    "audit.csv",
    "audit.xlsx",
    "audit-mesin.csv",
}
#: The documents of the case run below, by member name: (source file name, step, round).
DOCUMENTS = {
    "dokumen/langkah-01-putaran-1-disposisi.pdf": ("disposisi.pdf", 1, 1),
    "dokumen/langkah-02-putaran-1-format-pengumpulan.docx": ("format-pengumpulan.docx", 2, 1),
    "dokumen/langkah-04-putaran-1-isian-divisi.pdf": ("isian-divisi.pdf", 4, 1),
    "dokumen/langkah-05-putaran-1-draft-lakip.docx": ("draft-lakip.docx", 5, 1),
    "dokumen/langkah-06-putaran-1-lakip.docx": ("r1/lakip.docx", 6, 1),
    "dokumen/langkah-06-putaran-2-lakip.docx": ("r2/lakip.docx", 6, 2),
    "dokumen/langkah-07-putaran-2-lakip-koreksi.pdf": ("lakip-koreksi.pdf", 7, 2),  # 7 ran twice
    "dokumen/langkah-09-putaran-1-persetujuan.pdf": ("persetujuan.pdf", 9, 1),
    "dokumen/langkah-10-putaran-1-surat-pengantar.pdf": ("surat-pengantar.pdf", 10, 1),
}


def _word(folder: Path, name: str, text: str) -> Path:
    """A Word-structured file (tests.helpers.docx) made distinct by a part holding ``text``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = docx(folder, name)
    with zipfile.ZipFile(path, "a") as bundle:
        bundle.writestr("word/isi.xml", f"<isi>{text}</isi>")
    return path


def _run_case(ctx: Context, clock: FixedClock, folder: Path) -> dict[str, Path]:
    """lakip-2021 through all 11 steps; step 7 returns the work to 6 once, so step 6 has two rounds."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "disposisi.pdf": pdf(folder, "disposisi.pdf", "Disposisi penyusunan LAKIP 2020"),
        "format-pengumpulan.docx": _word(folder, "format-pengumpulan.docx", "format"),
        "isian-divisi.pdf": pdf(folder, "isian-divisi.pdf", "Isian divisi teknis"),
        "draft-lakip.docx": _word(folder, "draft-lakip.docx", "draft"),
        "r1/lakip.docx": _word(folder / "r1", "lakip.docx", "putaran 1"),
        "r2/lakip.docx": _word(folder / "r2", "lakip.docx", "putaran 2, Bab III lengkap"),
        "lakip-koreksi.pdf": pdf(folder, "lakip-koreksi.pdf", "Koreksi"),
        "persetujuan.pdf": pdf(folder, "persetujuan.pdf", "Disetujui Ketua"),
        "surat-pengantar.pdf": pdf(folder, "surat-pengantar.pdf", "Surat pengantar"),
    }
    plan: list[tuple[int, str, str | None]] = [
        (1, "sekretaris", "disposisi.pdf"),
        (2, "kasubag", "format-pengumpulan.docx"),
        (3, "staf1", None),
        (4, "staf2", "isian-divisi.pdf"),
        (5, "kasubag", "draft-lakip.docx"),
        (6, "staf1", "r1/lakip.docx"),
        (7, "kasubag", "return"),
        (6, "staf1", "r2/lakip.docx"),
        (7, "kasubag", "lakip-koreksi.pdf"),
        (8, "kasubag", None),
        (9, "ketua", "persetujuan.pdf"),
        (10, "kasubag", "surat-pengantar.pdf"),
        (11, "staf1", None),
    ]
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    for step, user, source in plan:
        clock.advance(timedelta(minutes=30))
        if source == "return":
            cases.return_step(ctx, CASE, 7, 6, user, "Bab III belum lengkap")
            continue
        incoming = [IncomingFile(files[source], files[source].name)] if source else []
        cases.complete_step(ctx, CASE, step, user, incoming)
        confirm_paraf(ctx, CASE, step)  # step 8: the Sekretaris confirms at once
    clock.advance(timedelta(minutes=30))
    return files


@pytest.fixture
def built(ctx: Context, clock: FixedClock, tmp_path: Path) -> tuple[archive.ArchiveRecord, dict[str, Path]]:
    files = _run_case(ctx, clock, tmp_path / "masuk")
    return archive.build_archive(ctx, CASE, tmp_path / "keluar" / "arsip-lakip-2021.zip"), files


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive built on SQLite, for the checks that need no database."""
    folder = tmp_path_factory.mktemp("arsip")
    clock = FixedClock(START)
    ctx = Context.open(make_settings(folder), clock=clock)
    try:
        initialise(ctx, DEMO_PEOPLE)
        _run_case(ctx, clock, folder / "masuk")
        return archive.build_archive(ctx, CASE, folder / "arsip.zip").path
    finally:
        ctx.db.dispose()


@pytest.fixture
def copy(sample: Path, tmp_path: Path) -> Path:
    target = tmp_path / "salinan.zip"
    shutil.copyfile(sample, target)
    return target


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def _rewrite(path: Path, change: Callable[[str, bytes], bytes | None], *, refingerprint: bool = False) -> None:
    """Rewrite the zip with each member's bytes passed through ``change`` (None drops it).

    manifest.json goes through ``change`` last, so an edit can record the other members' new
    hashes; the comment is kept, or recomputed from the new manifest with ``refingerprint``.
    """
    with zipfile.ZipFile(path) as bundle:
        comment = bundle.comment
        items = [(info, bundle.read(info.filename)) for info in bundle.infolist()]
    ordered = sorted(items, key=lambda item: item[0].filename == "manifest.json")
    changed = {info.filename: change(info.filename, data) for info, data in ordered}
    if refingerprint:
        comment = (COMMENT_PREFIX + hashlib.sha256(changed["manifest.json"] or b"").hexdigest()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for info, _ in items:
            data = changed[info.filename]
            if data is not None:
                bundle.writestr(info, data)
        bundle.comment = comment


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def _edit_json(name: str, edit: Callable[[Any], None]) -> Callable[[str, bytes], bytes]:
    def change(member: str, data: bytes) -> bytes:
        if member != name:
            return data
        value = json.loads(data)
        edit(value)
        return json.dumps(value, ensure_ascii=False, indent=2).encode()

    return change


def _then(first: Callable[[str, bytes], bytes], second: Callable[[str, bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: second(name, first(name, data))


def _relist(name: str) -> Callable[[str, bytes], bytes]:
    """Make manifest.json record the current sha256 and size of ``name`` (a forger covering tracks)."""
    state: dict[str, bytes] = {}

    def change(member: str, data: bytes) -> bytes:
        if member == name:
            state["data"] = data
        return data

    def fix(manifest: Any) -> None:
        for entry in manifest["members"] + manifest["documents"]:
            if entry["path"] == name:
                entry["sha256"], entry["size"] = hashlib.sha256(state["data"]).hexdigest(), len(state["data"])

    return _then(change, _edit_json("manifest.json", fix))


def _refused(path: Path, member: str) -> archive.ArchiveCheck:
    check = archive.verify_archive(path)
    assert not check.ok and check.member == member, check
    assert check.problem is not None and check.problem.startswith(f"{member}: ")
    return check


# --- building (both backends) ---------------------------------------------------------------


def test_archive_holds_every_document_under_its_step_and_round(built, tmp_path: Path):
    record, files = built
    members = _members(record.path)
    assert set(members) == FIXED_MEMBERS | set(DOCUMENTS)
    for name, (source, _step, _round) in DOCUMENTS.items():
        assert members[name] == files[source].read_bytes(), name
    assert (record.case, record.documents, record.size) == (CASE, len(DOCUMENTS), record.path.stat().st_size)
    assert [p.name for p in record.path.parent.iterdir()] == ["arsip-lakip-2021.zip"]  # no temp file left


def test_manifest_lists_each_document_with_step_round_hash_and_uploader(built, ctx: Context):
    record, _ = built
    members = _members(record.path)
    manifest = json.loads(members["manifest.json"])
    stored = {a.id: a for a in artefacts.list_artefacts(ctx, CASE)}
    assert len(manifest["documents"]) == len(stored) == len(DOCUMENTS)
    for entry in manifest["documents"]:
        doc = stored[entry["id"]]
        _source, step, round_ = DOCUMENTS[entry["path"]]
        assert (entry["step"], entry["round"], doc.step, doc.round) == (step, round_, step, round_)
        assert (entry["kind"], entry["filename"], entry["sha256"], entry["size"]) == (
            doc.kind,
            doc.filename,
            doc.sha256,
            doc.size,
        )
        assert entry["uploaded_by"] == doc.uploaded_by
        assert datetime.fromisoformat(entry["uploaded_at"]) == doc.uploaded_at
        assert hashlib.sha256(members[entry["path"]]).hexdigest() == entry["sha256"]
    assert manifest["documents"][5]["step_name"] == "Membuat Dokumen LAKIP"
    assert manifest["documents"][5]["uploaded_by"] == "staf1"


def test_manifest_names_the_case_the_office_and_the_hash_of_every_other_member(built, ctx: Context):
    record, _ = built
    members = _members(record.path)
    manifest = json.loads(members["manifest.json"])
    case = cases.get_case(ctx, CASE)
    assert manifest["office"] == {"satker": "3526", "name": "KPU Kabupaten Bangkalan"}
    assert manifest["case"]["id"] == CASE and manifest["case"]["year"] == 2021
    assert (manifest["case"]["workflow"], manifest["case"]["status"]) == ("lakip", "done")
    assert manifest["case"]["revision"] == case.revision.isoformat()
    assert manifest["case"]["definition_sha256"] == case.definition_hash
    assert manifest["created_at"] == "2021-01-11T15:00:00+07:00"
    listed = {m["path"]: m["sha256"] for m in manifest["members"]}
    assert set(listed) == FIXED_MEMBERS - {"manifest.json"}
    assert all(hashlib.sha256(members[name]).hexdigest() == digest for name, digest in listed.items())
    with zipfile.ZipFile(record.path) as bundle:
        comment = bundle.comment.decode()
    assert comment.endswith(COMMENT_PREFIX + record.manifest_sha256)
    assert hashlib.sha256(members["manifest.json"]).hexdigest() == record.manifest_sha256


def test_audit_members_carry_the_case_events_with_their_hashes(built, ctx: Context):
    record, _ = built
    members = _members(record.path)
    events = audit.list_events(ctx, CASE)
    trail = json.loads(members["audit.json"])
    assert [(e["seq"], e["action"], e["actor"], e["prev_hash"], e["hash"]) for e in trail["events"]] == [
        (e.seq, e.action, e.actor, e.prev_hash, e.hash) for e in events
    ]
    assert [e["action"] for e in trail["events"]].count("step.returned") == 1
    assert members["audit-mesin.csv"].startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(members["audit-mesin.csv"].decode("utf-8-sig"))))
    assert [(int(r["seq"]), r["hash"]) for r in rows] == [(e.seq, e.hash) for e in events]
    assert [json.loads(r["details"]) for r in rows] == [dict(e.details) for e in events]
    assert json.loads(members["kasus.json"]) == views.case_json(cases.get_case(ctx, CASE), ctx.tz)


def test_the_people_audit_members_are_a_semicolon_csv_and_an_xlsx_in_indonesian(built, ctx: Context):
    record, _ = built
    members = _members(record.path)
    events = audit.list_events(ctx, CASE)
    assert members["audit.csv"].startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(members["audit.csv"].decode("utf-8-sig")), delimiter=";"))
    assert [(int(r["No."]), r["Hash"]) for r in rows] == [(e.seq, e.hash) for e in events]
    assert rows[0]["Tindakan"] == "Kasus dimulai" and rows[0]["Waktu dicatat (WIB)"].endswith(".00")
    sheet = load_workbook(io.BytesIO(members["audit.xlsx"])).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [e.seq for e in events]
    assert sheet.freeze_panes == "A2"


def test_readme_explains_the_bundle_and_how_to_check_it_in_indonesian(built):
    record, _ = built
    text = _members(record.path)["BACA-SAYA.txt"].decode("utf-8")
    assert text.startswith(f"ARSIP KASUS {CASE}") and "\r\n" in text
    assert "sop archive verify arsip-lakip-2021.zip" in text and "CARA MEMERIKSA KEUTUHAN" in text
    assert "Senin, 11 Januari 2021 15.00 WIB" in text
    assert all(name in text for name in DOCUMENTS)
    assert "sop audit verify --head " in text


def test_the_built_archive_verifies(built, ctx: Context):
    record, _ = built
    check = archive.verify_archive(record.path)
    assert (check.ok, check.case, check.documents, check.manifest_sha256) == (
        True,
        CASE,
        len(DOCUMENTS),
        record.manifest_sha256,
    )
    assert check.events == record.events == len(audit.list_events(ctx, CASE))


def test_a_case_row_forged_before_archiving_stops_the_build_naming_the_row(ctx: Context, clock, tmp_path: Path):
    """The build verifies the office's trail against the tables first: who really completed step 9."""
    _run_case(ctx, clock, tmp_path / "masuk")
    with ctx.db.engine.begin() as conn:
        conn.execute(update(CaseStep).where(CaseStep.no == 9).values(completed_by="sekretaris"))
    out = tmp_path / "keluar" / "arsip.zip"
    with pytest.raises(IntegrityError, match=r"langkah 9: diselesaikan oleh di tabel 'sekretaris'.*'ketua'"):
        archive.build_archive(ctx, CASE, out)
    assert not out.exists()


def test_an_altered_stored_document_stops_the_build_and_leaves_no_zip(ctx: Context, clock, tmp_path: Path):
    files = _run_case(ctx, clock, tmp_path / "masuk")
    alter_document(ctx, hashlib.sha256(files["r2/lakip.docx"].read_bytes()).hexdigest(), _flip)
    out = tmp_path / "keluar" / "arsip.zip"
    with pytest.raises(IntegrityError, match=r"langkah 6 putaran 2 'lakip.docx'.*Arsip tidak dibuat"):
        archive.build_archive(ctx, CASE, out)
    assert list(out.parent.iterdir()) == []


def test_an_unknown_case_is_refused_naming_the_known_ones(ctx: Context, clock, tmp_path: Path):
    _run_case(ctx, clock, tmp_path / "masuk")
    with pytest.raises(NotFound, match=CASE):
        archive.build_archive(ctx, "lakip-2020", tmp_path / "arsip.zip")
    assert not (tmp_path / "arsip.zip").exists()


# --- verifying (no database) ------------------------------------------------------------------


@pytest.mark.slow
def test_archive_verifies_on_a_clean_machine(sample: Path, tmp_path: Path):
    elsewhere = tmp_path / "komputer-lain"
    elsewhere.mkdir()
    shutil.copyfile(sample, elsewhere / "arsip.zip")
    script = (
        "import json, sys\n"
        "from sop_engine.archive import verify_archive\n"
        "c = verify_archive(sys.argv[1])\n"
        "print(json.dumps({'ok': c.ok, 'case': c.case, 'documents': c.documents, 'problem': c.problem}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOP_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", script, "arsip.zip"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True, "case": CASE, "documents": len(DOCUMENTS), "problem": None}
    assert sorted(p.name for p in elsewhere.iterdir()) == ["arsip.zip"]  # no config, no database created


def test_a_changed_byte_in_any_member_fails_verify_naming_that_member(sample: Path, tmp_path: Path):
    names = list(_members(sample))
    assert set(names) == FIXED_MEMBERS | set(DOCUMENTS)
    for name in names:
        target = tmp_path / f"{names.index(name)}.zip"
        shutil.copyfile(sample, target)
        _rewrite(target, lambda member, data, name=name: _flip(data) if member == name else data)
        check = _refused(target, name)
        assert "isi berubah" in (check.problem or "")


def test_a_corrupted_byte_inside_the_zip_fails_verify_naming_that_member(sample: Path, tmp_path: Path):
    with zipfile.ZipFile(sample) as bundle:
        infos = bundle.infolist()
    for info in infos:
        raw = bytearray(sample.read_bytes())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        raw[start + info.compress_size // 2] ^= 0x10
        target = tmp_path / "rusak.zip"
        target.write_bytes(bytes(raw))
        _refused(target, info.filename)


def test_a_removed_member_fails_verify_naming_it(copy: Path):
    _rewrite(copy, lambda member, data: None if member == "dokumen/langkah-09-putaran-1-persetujuan.pdf" else data)
    check = _refused(copy, "dokumen/langkah-09-putaran-1-persetujuan.pdf")
    assert "tidak ada di arsip" in (check.problem or "")


def test_an_added_member_fails_verify_naming_it(copy: Path):
    with zipfile.ZipFile(copy, "a") as bundle:
        bundle.writestr("dokumen/langkah-06-putaran-3-lakip.docx", b"sisipan")
    check = _refused(copy, "dokumen/langkah-06-putaran-3-lakip.docx")
    assert "tidak tercantum di manifest.json" in (check.problem or "")


def test_a_duplicated_member_name_fails_verify_naming_it(copy: Path):
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(copy, "a") as bundle:
        bundle.writestr("audit.json", b"{}")
    _refused(copy, "audit.json")


def _step_9_completed_by_sekretaris(case: Any) -> None:
    case["steps"][8]["completed_by"] = "sekretaris"


def test_kasus_json_rewritten_against_its_audit_excerpt_fails_verify_naming_the_step(copy: Path):
    edit = _then(_edit_json("kasus.json", _step_9_completed_by_sekretaris), _relist("kasus.json"))
    _rewrite(copy, edit, refingerprint=True)
    check = _refused(copy, "kasus.json")
    assert "langkah 9: diselesaikan oleh 'sekretaris', padahal menurut audit.json 'ketua'" in (check.problem or "")


def _first_document_sha(manifest: Any) -> None:
    manifest["documents"][0]["sha256"] = "0" * 64


def test_an_edited_manifest_fails_verify_naming_the_manifest(copy: Path):
    _rewrite(copy, _edit_json("manifest.json", _first_document_sha))
    check = _refused(copy, "manifest.json")
    assert "komentar arsip" in (check.problem or "")


def test_an_edited_manifest_with_a_recomputed_fingerprint_fails_naming_the_document(copy: Path):
    _rewrite(copy, _edit_json("manifest.json", _first_document_sha), refingerprint=True)
    check = _refused(copy, "dokumen/langkah-01-putaran-1-disposisi.pdf")
    assert f"≠ {'0' * 64} di manifest.json" in (check.problem or "")


def _actor_of_fourth_event(trail: Any) -> None:
    trail["events"][3]["actor"] = "staf2"


def test_an_edited_audit_event_fails_verify_naming_the_audit_trail(copy: Path, tmp_path: Path):
    naive = tmp_path / "naif.zip"
    shutil.copyfile(copy, naive)
    _rewrite(naive, _edit_json("audit.json", _actor_of_fourth_event))
    assert "isi berubah" in (_refused(naive, "audit.json").problem or "")
    edit = _then(_edit_json("audit.json", _actor_of_fourth_event), _relist("audit.json"))
    _rewrite(copy, edit, refingerprint=True)
    check = _refused(copy, "audit.json")
    assert "hash tidak cocok dengan isinya" in (check.problem or "")


def test_reordered_audit_events_fail_verify_even_with_every_hash_recomputed(copy: Path):
    def swap(trail: Any) -> None:
        trail["events"][2], trail["events"][3] = trail["events"][3], trail["events"][2]

    _rewrite(copy, _then(_edit_json("audit.json", swap), _relist("audit.json")), refingerprint=True)
    assert "urutan tidak naik" in (_refused(copy, "audit.json").problem or "")


def test_a_replaced_document_fails_against_the_audit_trail_even_with_every_hash_recomputed(copy: Path, tmp_path):
    name = "dokumen/langkah-06-putaran-2-lakip.docx"
    forged = _word(tmp_path, "palsu.docx", "isi lain").read_bytes()
    replace = _then(lambda member, data: forged if member == name else data, _relist(name))
    _rewrite(copy, replace, refingerprint=True)
    check = _refused(copy, name)
    assert "tercatat di audit.json" in (check.problem or "")


def test_a_file_that_is_not_a_zip_is_named(tmp_path: Path):
    bogus = tmp_path / "arsip.zip"
    bogus.write_bytes(b"bukan zip")
    _refused(bogus, "arsip.zip")
    assert archive.verify_archive(tmp_path / "tidak-ada.zip").member == str(tmp_path / "tidak-ada.zip")


# --- command line ------------------------------------------------------------------------------


def _sop(args: list[str], ctx: Context | None, folder: Path) -> tuple[int, str, str]:
    """``sop ARGS`` through the real command line, on ``ctx``'s database and clock.

    Without ``ctx`` the settings name a database that does not exist in ``folder``: a command that
    opened it would be refused, so exit 0 shows the command needs none.
    """
    run = run_cli(args, ctx.settings, ctx.clock) if ctx else run_cli(args, make_settings(folder / "tanpa-basis-data"))
    return run.code, run.out, run.err


@pytest.fixture
def cli_case(ctx: Context, clock, tmp_path: Path) -> Iterator[Context]:
    _run_case(ctx, clock, tmp_path / "masuk")
    yield ctx


def test_cli_creates_an_archive_and_prints_its_fingerprint(cli_case: Context, tmp_path: Path):
    out = tmp_path / "arsip.zip"
    code, stdout, _ = _sop(["archive", "create", CASE, "-o", str(out)], cli_case, tmp_path)
    fingerprint = hashlib.sha256(_members(out)["manifest.json"]).hexdigest()
    assert code == 0 and f"Sidik arsip (sha256 manifest.json): {fingerprint}" in stdout
    assert f"{len(DOCUMENTS)} dokumen" in stdout
    again = tmp_path / "lagi" / "arsip.zip"  # same clock, same name: the same bytes, the same fingerprint
    code, stdout, _ = _sop(["archive", "create", CASE, "-o", str(again), "--json"], cli_case, tmp_path)
    assert code == 0 and json.loads(stdout)["manifest_sha256"] == fingerprint
    assert again.read_bytes() == out.read_bytes()


def test_cli_create_refuses_an_altered_document_with_exit_1(cli_case: Context, tmp_path: Path):
    first = cases.get_case(cli_case, CASE).steps[0].artefacts[0]
    alter_document(cli_case, first.sha256, lambda _: b"diubah")
    code, _, stderr = _sop(["archive", "create", CASE, "-o", str(tmp_path / "arsip.zip")], cli_case, tmp_path)
    assert code == 1 and "telah berubah" in stderr and not (tmp_path / "arsip.zip").exists()


def test_cli_verify_needs_no_database_and_exits_1_naming_the_file(copy: Path, tmp_path: Path):
    code, stdout, _ = _sop(["archive", "verify", str(copy)], None, tmp_path)
    assert code == 0 and stdout.startswith(f"{copy}: utuh. Kasus {CASE}, {len(DOCUMENTS)} dokumen")
    name = "dokumen/langkah-06-putaran-2-lakip.docx"
    _rewrite(copy, lambda member, data: _flip(data) if member == name else data)
    code, _, stderr = _sop(["archive", "verify", str(copy)], None, tmp_path)
    assert code == 1 and f"{name}: isi berubah (sha256 " in stderr
    code, stdout, _ = _sop(["archive", "verify", str(copy), "--json"], None, tmp_path)
    data = json.loads(stdout)
    assert code == 1 and (data["ok"], data["member"]) == (False, name)
