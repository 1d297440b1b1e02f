"""Whole-install backups: taken while steps are completed, verified offline, restored into a fresh folder.

With either document store (``[storage] backend``): the documents kept as files travel as members
of the archive, those kept in the database inside the database's snapshot; an install moved from
the folder store to the database one by a restore keeps its documents as rows.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sop_engine import backup, cases, store
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from tests.conftest import _create_database, _drop_database, _on, make_settings
from tests.helpers import Run, docx, large_pdf, run_cli, run_threads, sop_env, write_config
from tests.servers import SOP

CASE = "lakip-2021"


@pytest.fixture
def stores(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The document store backends of (the backed-up install, the restored one); both "filesystem" unless given."""
    first, second = getattr(request, "param", ("filesystem", "filesystem"))
    return str(first), str(second)


def _on_store(settings: Settings, store_backend: str) -> Settings:
    return dataclasses.replace(settings, storage=dataclasses.replace(settings.storage, backend=store_backend))


@pytest.fixture
def fresh(tmp_path: Path, backend: str, stores: tuple[str, str], request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The settings of an empty installation in a fresh folder, on the same backend (an empty PostgreSQL database)."""
    if backend != "postgresql":
        yield _on_store(make_settings(tmp_path / "pulih"), stores[1])
        return
    server = request.getfixturevalue("postgres_url")
    name = f"sop_pulih_{uuid.uuid4().hex[:12]}"
    _create_database(server, name)
    url = _on(server, name)
    yield _on_store(make_settings(tmp_path / "pulih", url), stores[1])
    _drop_database(server, url)


def _case_json(sop: Callable[..., Run], case: str) -> Any:
    shown = sop("case", "show", case, "--json")
    assert shown.code == 0, shown.err
    return json.loads(shown.out)


def _work_under_way(ctx: Context, tmp_path: Path) -> None:
    """A case with a document kept as a file (step 1) and one kept in the database (step 2), and a second case."""
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    cases.complete_step(ctx, CASE, 1, "sekretaris", [IncomingFile.from_path(large_pdf(tmp_path, "disposisi.pdf"))])
    cases.complete_step(ctx, CASE, 2, "kasubag", [IncomingFile.from_path(docx(tmp_path, "langkah-2.docx"))])
    cases.start_case(ctx, "lakip", 2022, "sekretaris")


STORES = [("filesystem", "filesystem"), ("database", "database"), ("filesystem", "database")]


@pytest.mark.parametrize("stores", STORES, indirect=True, ids=["-".join(pair) for pair in STORES])
def test_a_backup_taken_while_steps_are_completed_restores_with_the_same_cases_documents_and_chain(
    ctx: Context, sop: Callable[..., Run], clock: FixedClock, tmp_path: Path, fresh: Settings, stores: tuple[str, str]
) -> None:
    ctx.settings = _on_store(ctx.settings, stores[0])
    _work_under_way(ctx, tmp_path)
    seen = [_case_json(sop, CASE)]

    def complete_steps() -> None:
        cases.complete_step(ctx, CASE, 3, "staf1")
        seen.append(_case_json(sop, CASE))
        cases.complete_step(ctx, CASE, 4, "staf2", [IncomingFile.from_path(large_pdf(tmp_path, "langkah-4.pdf"))])
        seen.append(_case_json(sop, CASE))

    archive = tmp_path / "cadangan" / "sop.zip"
    results = run_threads({"backup": lambda: backup.create_backup(ctx, archive), "work": complete_steps})
    assert not isinstance(results["work"], BaseException), results["work"]
    record = results["backup"]
    assert isinstance(record, backup.BackupRecord), record
    assert sop("backup", "verify", str(archive)).code == 0

    assert record.manifest.documents == (0 if stores[0] == "database" else 1)  # the large PDF as a file
    restored = run_cli(["backup", "restore", str(archive)], fresh, clock)
    assert restored.code == 0, restored.err
    assert record.manifest.audit_head.split(":")[1] in restored.out
    assert "dokumen dibaca ulang: semuanya utuh." in restored.out
    if stores[1] == "database":  # every document a row of the restored database, no file
        assert not fresh.storage.artefacts_dir.exists() or not any(fresh.storage.artefacts_dir.rglob("*"))

    again = run_cli(["case", "show", CASE, "--json"], fresh, clock)
    assert json.loads(again.out) in seen
    assert json.loads(run_cli(["case", "show", "lakip-2022", "--json"], fresh, clock).out) == _case_json(
        sop, "lakip-2022"
    )
    assert run_cli(["audit", "verify", "--head", record.manifest.audit_head], fresh, clock).code == 0
    _every_document_retrievable(fresh, clock, tmp_path)


def test_a_step_completed_after_the_snapshot_is_taken_is_not_in_the_backup_and_the_rest_is_consistent(
    ctx: Context,
    sop: Callable[..., Run],
    clock: FixedClock,
    tmp_path: Path,
    fresh: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _work_under_way(ctx, tmp_path)
    cases.complete_step(ctx, CASE, 3, "staf1")
    at_snapshot = _case_json(sop, CASE)
    read_facts = backup._snapshot_facts

    def facts_while_a_step_commits(db: Any, satker: str) -> Any:
        """A writer commits step 4 (and a file) after the snapshot, before the backup reads its facts."""
        document = [IncomingFile.from_path(large_pdf(tmp_path, "langkah-4.pdf"))]
        results = run_threads({"work": lambda: cases.complete_step(ctx, CASE, 4, "staf2", document)})
        assert not isinstance(results["work"], BaseException), results["work"]
        return read_facts(db, satker)

    monkeypatch.setattr(backup, "_snapshot_facts", facts_while_a_step_commits)
    archive = tmp_path / "sop.zip"
    record = backup.create_backup(ctx, archive)
    assert _case_json(sop, CASE)["steps"][3]["status"] != at_snapshot["steps"][3]["status"]

    assert run_cli(["backup", "restore", str(archive)], fresh, clock).code == 0
    assert json.loads(run_cli(["case", "show", CASE, "--json"], fresh, clock).out) == at_snapshot
    assert record.manifest.documents == 1  # step 1's file only: step 4's came after the snapshot
    _every_document_retrievable(fresh, clock, tmp_path)


def _every_document_retrievable(fresh: Settings, clock: FixedClock, tmp_path: Path, case: str = CASE) -> set[str]:
    """Get every document of ``case`` from the restored install; their distinct sha256."""
    listed = json.loads(run_cli(["artefacts", "list", case, "--json"], fresh, clock).out)
    assert len(listed) >= 2 or case != CASE
    for item in listed:
        target = tmp_path / "ambil" / case / item["filename"]
        target.parent.mkdir(parents=True, exist_ok=True)
        got = run_cli(["artefacts", "get", case, str(item["id"]), "-o", str(target)], fresh, clock)
        assert got.code == 0, got.err
        assert target.stat().st_size == item["size"]
    return {item["sha256"] for item in listed}


PROCESS_STORES = [("filesystem", "filesystem"), ("database", "database")]


@pytest.mark.slow  # a real `sop backup create` process (pg_dump on PostgreSQL)
@pytest.mark.parametrize("stores", PROCESS_STORES, indirect=True, ids=[pair[0] for pair in PROCESS_STORES])
def test_a_backup_process_running_while_steps_are_completed_restores_a_state_each_case_really_had(
    ctx: Context, sop: Callable[..., Run], clock: FixedClock, tmp_path: Path, fresh: Settings, stores: tuple[str, str]
) -> None:
    ctx.settings = _on_store(ctx.settings, stores[0])
    codes = [f"lakip-{year}" for year in range(2000, 2015)]
    for year in range(2000, 2015):
        cases.start_case(ctx, "lakip", year, "sekretaris")
    seen = {code: [_case_json(sop, code)] for code in codes}
    work = [(code, 1, "sekretaris", large_pdf(tmp_path, f"{code}.pdf", code)) for code in codes]
    work += [(code, 2, "kasubag", docx(tmp_path, f"{code}.docx")) for code in codes]
    config = write_config(tmp_path, ctx.settings)
    text = config.read_text(encoding="utf-8").replace('backend = "filesystem"', f'backend = "{stores[0]}"')
    config.write_text(text, encoding="utf-8")
    archive = tmp_path / "cadangan.zip"
    command = [str(SOP), "--config", str(config), "backup", "create", "-o", str(archive)]
    with subprocess.Popen(command, env=sop_env(ctx.settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        overlapped = 0
        for code, no, who, document in work:  # while the backup runs (all of them, if it is slower)
            # Counted when the step begins: on SQLite a completion may wait for the backup's read of the
            # database and so end after the backup, which is the concurrency this test is about.
            running = proc.poll() is None
            cases.complete_step(ctx, code, no, who, [IncomingFile.from_path(document)])
            seen[code].append(_case_json(sop, code))
            overlapped += running
            if proc.poll() is not None:
                break
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert overlapped >= 1, "no step was begun while the backup ran"

    restored = run_cli(["backup", "restore", str(archive)], fresh, clock)
    assert restored.code == 0, restored.err
    head = next(line.split(": ", 1)[1] for line in out.decode().splitlines() if line.startswith("Kepala rantai"))
    assert run_cli(["audit", "verify", "--head", head], fresh, clock).code == 0
    behind = 0
    for code in codes:
        shown = json.loads(run_cli(["case", "show", code, "--json"], fresh, clock).out)
        assert shown in seen[code], code
        behind += shown != seen[code][-1]
    print(f"[backup-process] {overlapped} completions while the backup ran; {behind} cases restored as before the last")
    documents = set().union(*(_every_document_retrievable(fresh, clock, tmp_path, code) for code in codes))
    assert f"{len(documents)} dokumen dibaca ulang: semuanya utuh." in restored.out


def test_a_backup_lists_its_members_and_the_audit_head_in_its_manifest(
    ctx: Context, sop: Callable[..., Run], tmp_path: Path
) -> None:
    _work_under_way(ctx, tmp_path)
    archive = tmp_path / "sop.zip"
    made = sop("backup", "create", "-o", str(archive))
    assert made.code == 0, made.err
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        names = set(opened.namelist())
    assert manifest["office"] == ctx.settings.office.satker
    assert manifest["audit_head"] in made.out
    assert names == {"manifest.json", *manifest["members"]}
    assert sum(name.startswith("documents/") for name in names) == 1  # the large PDF; the docx is in the database


def test_a_tampered_backup_is_refused_by_verify_and_restore(
    ctx: Context, sop: Callable[..., Run], clock: FixedClock, tmp_path: Path, fresh: Settings
) -> None:
    _work_under_way(ctx, tmp_path)
    archive, tampered = tmp_path / "sop.zip", tmp_path / "ubah.zip"
    assert sop("backup", "create", "-o", str(archive)).code == 0
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data + b"x" if item.filename.startswith("documents/") else data)
    checked = sop("backup", "verify", str(tampered))
    assert checked.code == 1
    assert "tidak utuh" in checked.err and "documents/" in checked.err
    refused = run_cli(["backup", "restore", str(tampered)], fresh, clock)
    assert refused.code == 1 and "tidak utuh" in refused.err


def test_restore_refuses_an_installation_that_is_not_empty(
    ctx: Context, sop: Callable[..., Run], tmp_path: Path
) -> None:
    archive = tmp_path / "sop.zip"
    assert sop("backup", "create", "-o", str(archive)).code == 0
    refused = sop("backup", "restore", str(archive))
    assert refused.code == 1
    assert "tidak kosong" in refused.err


def test_a_file_that_is_not_a_zip_is_named_as_such(tmp_path: Path) -> None:
    garbage = tmp_path / "bukan.zip"
    garbage.write_text("bukan arsip", encoding="utf-8")
    checked = backup.verify_backup(garbage)
    assert not checked.ok and checked.problem is not None and checked.problem.startswith("bukan arsip .zip")


def test_a_restore_reads_every_document_back_and_fails_naming_one_that_did_not_arrive(
    ctx: Context, clock: FixedClock, tmp_path: Path, fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _work_under_way(ctx, tmp_path)
    archive = backup.create_backup(ctx, tmp_path / "sop.zip")
    (lost,) = [name.removeprefix("documents/") for name in archive.manifest.members if name.startswith("documents/")]
    monkeypatch.setattr(store.ArtefactStore, "keep", lambda *args: None)  # the document file never reaches the store
    restored = run_cli(["backup", "restore", str(archive.path)], fresh, clock)
    assert restored.code == 1
    assert "1 dari 2 dokumen tidak dapat dibaca:" in restored.err
    assert f"Berkas dengan sha256 {lost} hilang dari penyimpanan" in restored.err
