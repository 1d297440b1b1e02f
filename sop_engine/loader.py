"""Workflow files (``workflows/*.toml``) into :class:`~sop_engine.definitions.WorkflowDef` records.

An office edits these files by hand, so every mistake is caught here, when the file is loaded,
and never later when a case reaches the step. Each refusal is a :class:`DefinitionError` whose
Indonesian message names the file, the step, the field, the bad value and what is allowed, e.g.
``workflows/lakip.toml: langkah 7: kembali_ke = 12, tetapi langkah 12 tidak ada (langkah 1-11).``
The same data is on the exception: ``value``, and the details ``file``, ``step``, ``field``, ``allowed``.
Each table of the file is read through a checked :class:`~sop_engine.loader_tables.Table`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from sop_engine.definitions import FILE_KINDS, STEP_ROLES, FileRule, SopHeader, StepDef, WorkflowDef
from sop_engine.errors import DefinitionError
from sop_engine.loader_flow import ROLE_OR_ROLES, actors, check_links, check_reachable, flow
from sop_engine.loader_policy import ANY_ROLE, RoleCheck, case_policy
from sop_engine.loader_signer import signer
from sop_engine.loader_tables import DATE, INT, INTS, TABLE, TABLES, TEXT, TEXTS, Field, Place, Table, kind_of, show
from sop_engine.marking import explore

__all__ = ["ANY_ROLE", "load_workflow_file", "load_workflow_text", "load_workflows_dir"]

_WORKFLOW_ID = re.compile(r"[a-z][a-z0-9_-]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_STEP_HEADER = re.compile(r"\s*\[\[\s*langkah\s*\]\]")
_KEY_AT_LINE_START = re.compile(r"\s*([A-Za-z0-9_-]+)")


_TOP_FIELDS = {
    "workflow": Field(TABLE, "[workflow]"),
    "sop": Field(TABLE, "[sop]"),
    "langkah": Field(TABLES, "[[langkah]]", required=False),
}
_WORKFLOW_FIELDS = {
    "id": Field(TEXT, 'id = "lakip"'),
    "judul": Field(TEXT, 'judul = "Penyusunan Laporan Akuntabilitas Kinerja Instansi Pemerintah (LAKIP)"'),
    "kasus": Field(TEXT, 'kasus = "tahunan"', required=False),
    "dimulai_oleh": Field(TEXTS, 'dimulai_oleh = ["sekretaris"]', required=False),
    "tenggat": Field(TEXT, 'tenggat = "03-31"', required=False),
}
_SOP_FIELDS = {
    "instansi": Field(TEXT, 'instansi = "Komisi Pemilihan Umum Kabupaten Bangkalan"'),
    "nomor": Field(TEXT, 'nomor = "10/HK.03.1-Kpt/3526/Sek-Kab/I/2021"'),
    "nama": Field(TEXT, 'nama = "Penyusunan Laporan Akuntabilitas Kinerja Instansi Pemerintah (LAKIP)"'),
    "tanggal_pembuatan": Field(DATE, "tanggal_pembuatan = 2021-01-10"),
    "tanggal_revisi": Field(DATE, "tanggal_revisi = 2021-01-20", required=False),
    "tanggal_pengesahan": Field(DATE, "tanggal_pengesahan = 2021-01-22"),
    "disahkan_oleh": Field(TEXT, 'disahkan_oleh = "Sekretaris Komisi Pemilihan Umum Kabupaten Bangkalan"'),
    "disahkan_nama": Field(TEXT, 'disahkan_nama = "Drs. Bambang Sutrisno, M.M."', required=False),
    "disahkan_nip": Field(TEXT, 'disahkan_nip = "19650412 199000 1 001"', required=False),
    "tanggal_efektif": Field(DATE, "tanggal_efektif = 2021-01-22", required=False),
    "dasar_hukum": Field(TEXTS, 'dasar_hukum = ["Peraturan ...", "Keputusan ..."]'),
    "kualifikasi_pelaksana": Field(TEXTS, 'kualifikasi_pelaksana = ["Memiliki kewenangan ..."]'),
    "peralatan": Field(TEXTS, 'peralatan = ["Renstra", "Perangkat Komputer"]'),
    "pencatatan": Field(TEXTS, 'pencatatan = ["Indikator Kinerja, target, realisasi ..."]'),
    "peringatan": Field(TEXTS, 'peringatan = ["Jika tidak dilaksanakan sesuai SOP, ..."]'),
    "keterkaitan": Field(TEXTS, 'keterkaitan = ["SOP ..."]'),
}
_STEP_FIELDS = {
    "nomor": Field(INT, "nomor = 1"),
    "uraian": Field(TEXT, 'uraian = "Memerintahkan penyusunan LAKIP"'),
    "pelaksana": Field(ROLE_OR_ROLES, 'pelaksana = "sekretaris"'),
    "waktu": Field(TEXT, 'waktu = "10 menit"', unless="jalankan"),
    "kelengkapan": Field(TEXTS, 'kelengkapan = ["Disposisi surat"]'),
    "output": Field(TEXT, 'output = "Disposisi surat"'),
    "berkas": Field(TEXT, 'berkas = "wajib"'),
    "jenis_berkas": Field(TEXTS, 'jenis_berkas = ["pdf", "docx"]', required=False),
    "keterangan": Field(TEXT, 'keterangan = "-"', required=False),
    "kembali_ke": Field(INTS, "kembali_ke = [6]", required=False),
    "jenis": Field(TEXT, 'jenis = "keputusan"', required=False),
    "pertanyaan": Field(TEXT, 'pertanyaan = "Apakah dokumen sudah benar?"', required=False),
    "ya": Field(INT, "ya = 8", required=False),
    "tidak": Field(INT, "tidak = 6", required=False),
    "setelah": Field(INTS, "setelah = [3, 4]", required=False),
    "jalankan": Field(TEXT, 'jalankan = "perjanjian-kinerja"', required=False),
}


def load_workflow_text(text: str, source_name: str, roles: RoleCheck = STEP_ROLES) -> WorkflowDef:
    """Parse and validate one workflow file's text; ``source_name`` names it in error messages.

    ``roles`` are the office's step roles (:attr:`sop_engine.roles.Roles.step_ids`) that
    ``pelaksana`` and ``dimulai_oleh`` may name; :data:`ANY_ROLE` for a stored revision, whose
    roles were checked when it was registered.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, source_name) from exc
    top = Table(document, Place(source_name), _TOP_FIELDS)
    workflow = Table(top.table("workflow"), Place(source_name, "[workflow]", table="workflow"), _WORKFLOW_FIELDS)
    name = workflow.text("id")
    if not _WORKFLOW_ID.fullmatch(name):
        allowed = "huruf kecil a-z, angka, '-' atau '_', diawali huruf"
        message = f"id = {show(name)} tidak sah; tulis dengan {allowed}, misalnya 'lakip'."
        raise workflow.place.error("id", name, message, allowed)
    title = workflow.text("judul")
    header = _header(top.table("sop"), source_name)
    steps = _steps(document.get("langkah"), source_name, roles)
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    policy = case_policy(workflow, roles)
    definition = WorkflowDef(name, title, header, steps, text, content_hash, **policy)
    try:
        explore(definition)
    except DefinitionError as exc:
        raise Place(source_name).error("langkah", exc.value, exc.message) from exc
    return definition


def load_workflow_file(path: Path, roles: RoleCheck = STEP_ROLES) -> WorkflowDef:
    """Load one workflow file (UTF-8; a leading BOM is dropped); errors name it as ``str(path)``."""
    place = Place(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise place.error(None, str(path), "berkas tidak ditemukan; periksa nama dan letak berkasnya.") from exc
    except OSError as exc:
        raise place.error(None, str(path), f"berkas tidak dapat dibaca ({exc.strerror}).") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"baris {line}: berkas bukan teks UTF-8; simpan ulang berkas dengan pengodean UTF-8."
        raise place.error(None, str(path), message) from exc
    return load_workflow_text(text, str(path), roles)


def load_workflows_dir(folder: Path, roles: RoleCheck = STEP_ROLES) -> dict[str, WorkflowDef]:
    """Every ``*.toml`` in ``folder``, keyed by workflow id; an empty folder gives an empty dict."""
    if not folder.is_dir():
        message = (
            "folder workflow tidak ditemukan; buat folder itu dan letakkan berkas SOP (*.toml) di dalamnya, "
            "atau atur [workflows] dir di config.toml."
        )
        raise Place(str(folder)).error(None, str(folder), message)
    found: dict[str, WorkflowDef] = {}
    origins: dict[str, Path] = {}
    for path in sorted(p for p in folder.glob("*.toml") if p.is_file()):
        workflow = load_workflow_file(path, roles)
        if workflow.name in found:
            message = (
                f"id = {show(workflow.name)} sudah dipakai oleh {origins[workflow.name]}; "
                "setiap berkas workflow harus punya id sendiri."
            )
            raise Place(str(path), "[workflow]", table="workflow").error("id", workflow.name, message)
        found[workflow.name] = workflow
        origins[workflow.name] = path
    check_links(found, origins)
    return found


def _header(raw: Mapping[str, object], file: str) -> SopHeader:
    sop = Table(raw, Place(file, "[sop]", table="sop"), _SOP_FIELDS)
    header = SopHeader(
        instansi=sop.text("instansi"),
        nomor=sop.text("nomor"),
        nama=sop.text("nama"),
        tanggal_pembuatan=sop.required_day("tanggal_pembuatan"),
        tanggal_revisi=sop.day("tanggal_revisi"),
        tanggal_pengesahan=sop.required_day("tanggal_pengesahan"),
        disahkan_oleh=sop.text("disahkan_oleh"),
        dasar_hukum=sop.texts("dasar_hukum"),
        kualifikasi_pelaksana=sop.texts("kualifikasi_pelaksana"),
        peralatan=sop.texts("peralatan"),
        pencatatan=sop.texts("pencatatan"),
        peringatan=sop.texts("peringatan"),
        keterkaitan=sop.texts("keterkaitan"),
        **signer(sop),
    )
    made = header.tanggal_pembuatan
    dates = (("tanggal_revisi", header.tanggal_revisi), ("tanggal_pengesahan", header.tanggal_pengesahan))
    for key, day in (*dates, ("tanggal_efektif", header.tanggal_efektif)):
        if day is not None and day < made:
            message = f"{key} = {show(day)} lebih awal dari tanggal_pembuatan = {show(made)}; periksa tanggalnya."
            raise sop.place.error(key, day, message, f"{made.isoformat()} atau sesudahnya")
    return header


def _steps(raw: object, file: str, roles: RoleCheck) -> tuple[StepDef, ...]:
    """All ``[[langkah]]``: structure and numbering first, then each step's fields."""
    if raw is None or raw == []:
        message = "tidak ada satu pun [[langkah]]; SOP harus punya paling sedikit satu langkah (nomor = 1)."
        raise Place(file).error("langkah", raw, message, "paling sedikit satu [[langkah]]")
    if not isinstance(raw, list):
        message = f"langkah = {show(raw)} adalah {kind_of(raw)}, padahal harus [[langkah]] (dua kurung siku)."
        raise Place(file).error("langkah", raw, message, TABLES)
    tables: list[Table] = []
    for position, item in enumerate(raw, 1):
        by_position = Place(file, f"[[langkah]] ke-{position}")
        if not isinstance(item, dict):
            message = f"langkah = {show(item)} adalah {kind_of(item)}, padahal harus tabel [[langkah]]."
            raise by_position.error("langkah", item, message, TABLES)
        nomor = item.get("nomor")
        valid = isinstance(nomor, int) and not isinstance(nomor, bool)
        place = Place(file, f"langkah {nomor}", step=nomor) if valid else by_position
        tables.append(Table(item, place, _STEP_FIELDS))
    numbers = [table.integer("nomor") for table in tables]
    _check_numbering(tables, numbers)
    steps = tuple(_step(table, no, len(numbers), roles) for table, no in zip(tables, numbers, strict=True))
    check_reachable(steps, file)
    return steps


def _check_numbering(tables: Sequence[Table], numbers: Sequence[int]) -> None:
    """Step numbers are unique, then exactly 1..n in the order written."""
    span = _span(len(numbers))
    first_at: dict[int, int] = {}
    for position, (table, no) in enumerate(zip(tables, numbers, strict=True), 1):
        if no in first_at:
            message = (
                f"nomor = {no} sudah dipakai oleh [[langkah]] ke-{first_at[no]}; "
                f"setiap langkah harus punya nomor sendiri, berurutan {span}."
            )
            raise table.place.error("nomor", no, message, span)
        first_at[no] = position
    for position, (table, no) in enumerate(zip(tables, numbers, strict=True), 1):
        if no == position:
            continue
        if position in first_at:
            message = (
                f"nomor = {no} tidak urut: langkah ini ditulis di urutan ke-{position}, padahal langkah {position} "
                f"baru ditulis di urutan ke-{first_at[position]}; susun [[langkah]] menurut nomornya ({span})."
            )
        else:
            message = (
                f"nomor = {no}, tetapi langkah {position} tidak ada; nomor langkah harus berurutan mulai 1 tanpa "
                f"loncatan ({span}), jadi [[langkah]] ke-{position} harus bernomor {position}."
            )
        raise table.place.error("nomor", no, message, str(position))


def _step(table: Table, no: int, count: int, roles: RoleCheck) -> StepDef:
    name = table.text("uraian")
    chain = actors(table, roles)
    budget = table.duration("waktu") if "waktu" in table.raw else None  # jalankan: the sub-SOP's critical path
    kelengkapan = table.texts("kelengkapan")
    output = table.text("output")
    file_rule = FileRule(table.choice("berkas", table.text("berkas"), [rule.value for rule in FileRule]))
    kinds = _file_kinds(table, file_rule)
    keterangan = table.text("keterangan", blank_ok=True)
    returns_to = _returns(table, no, count)
    keys = flow(table, no, count, chain, file_rule)
    return StepDef(no, name, chain[0], budget, kelengkapan, output, file_rule, kinds, keterangan, returns_to, **keys)


def _file_kinds(table: Table, rule: FileRule) -> tuple[str, ...]:
    """``jenis_berkas``, default every kind; a step without files (berkas = 'tidak') has none."""
    if "jenis_berkas" not in table.raw:
        return () if rule is FileRule.NONE else FILE_KINDS
    kinds = table.texts("jenis_berkas")
    shown = f"jenis_berkas = {show(list(kinds))}"
    if rule is FileRule.NONE:
        message = f"{shown} diisi, padahal berkas = 'tidak'; hapus jenis_berkas atau ubah berkas ('wajib'/'opsional')."
        raise table.place.error("jenis_berkas", list(kinds), message, "tidak ada (berkas = 'tidak')")
    if not kinds:
        allowed = ", ".join(FILE_KINDS)
        message = f"{shown} kosong; isi paling sedikit satu dari: {allowed}, atau hapus baris itu (semua jenis boleh)."
        raise table.place.error("jenis_berkas", [], message, allowed)
    for index, kind in enumerate(kinds):
        table.choice("jenis_berkas", kind, FILE_KINDS, shown=f"{shown}: {show(kind)}")
        if kind in kinds[:index]:
            raise table.place.error("jenis_berkas", kind, f"{shown}: {show(kind)} disebut dua kali; hapus salah satu.")
    return kinds


def _returns(table: Table, no: int, count: int) -> tuple[int, ...]:
    """``kembali_ke``: only existing steps before this one, each once."""
    targets = table.integers("kembali_ke")
    earlier = _span(no - 1) if no > 1 else "tidak ada"
    for index, target in enumerate(targets):
        if not 1 <= target <= count:
            message = f"kembali_ke = {target}, tetapi langkah {target} tidak ada (langkah {_span(count)})."
        elif target >= no:
            which = "langkah ini sendiri" if target == no else f"langkah {target} yang datang sesudahnya"
            before = f"langkah {earlier}" if no > 1 else "tidak ada, karena ini langkah pertama"
            message = f"kembali_ke = {target} menunjuk {which}; hanya boleh kembali ke langkah sebelumnya ({before})."
        elif target in targets[:index]:
            message = f"kembali_ke = {target} disebut dua kali; hapus salah satu."
        else:
            continue
        raise table.place.error("kembali_ke", target, message, earlier)
    return targets


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, file: str) -> DefinitionError:
    """A TOML syntax error at its line and column, with the [[langkah]] and key it falls in."""
    reason = str(exc)
    match = _TOML_POSITION.search(reason)
    if match is None:  # "(at end of document)"
        reason = reason.removesuffix(" (at end of document)")
        message = f"akhir berkas: sintaks TOML tidak sah ({reason}); periksa tanda kutip dan kurung yang belum ditutup."
        return Place(file).error(None, None, message)
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.split("\n")
    line_text = lines[line - 1].rstrip("\r") if line <= len(lines) else ""
    step = sum(1 for before in lines[: line - 1] if _STEP_HEADER.match(before)) or None
    key_match = _KEY_AT_LINE_START.match(line_text)
    key = key_match.group(1) if key_match else None
    context = ", ".join(part for part in (f"[[langkah]] ke-{step}" if step else "", key or "") if part)
    message = (
        f"baris {line}, kolom {column}{f' ({context})' if context else ''}: sintaks TOML tidak sah "
        f"({reason[: match.start()]}); baris itu: {line_text.strip()!r}. Periksa tanda kutip, '=' dan kurung siku."
    )
    return Place(file, step=step).error(key, line_text, message, line=line, column=column)


def _span(last: int) -> str:
    """Step numbers 1..last as written in messages: "1-11", or "1"."""
    return "1" if last == 1 else f"1-{last}"
