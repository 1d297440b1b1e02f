"""Tests for sop_engine.loader (and the records of sop_engine.definitions it builds).

Bad definitions are made by editing the real workflows/lakip.toml, so each test shows the one
change an office might make by mistake and the message it gets back.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sop_engine.definitions import FILE_KINDS, FileRule, WorkflowDef
from sop_engine.durations import Duration
from sop_engine.errors import DefinitionError, NotFound
from sop_engine.loader import load_workflow_file, load_workflow_text, load_workflows_dir

LAKIP_PATH = Path(__file__).resolve().parents[1] / "workflows" / "lakip.toml"
LAKIP_TEXT = LAKIP_PATH.read_text(encoding="utf-8")
SOURCE = "workflows/lakip.toml"

# The eleven steps of the seed SOP (seed/sop-penyusunan-lakip.md): no, role, budget, output, file rule, returns.
TABLE = [
    (1, "sekretaris", "10 menit", "Disposisi surat", FileRule.REQUIRED, ()),
    (2, "kasubag_program", "2 jam", "Format penyusunan LAKIP", FileRule.REQUIRED, ()),
    (3, "staf", "1 jam", "Format penyusunan LAKIP", FileRule.OPTIONAL, ()),
    (4, "staf", "3 jam", "Format penyusunan LAKIP", FileRule.REQUIRED, ()),
    (5, "kasubag_program", "4 hari", "Draft LAKIP", FileRule.REQUIRED, ()),
    (6, "staf", "2 hari", "Dokumen LAKIP", FileRule.REQUIRED, ()),
    (7, "kasubag_program", "1 hari", "Dokumen LAKIP", FileRule.REQUIRED, (6,)),
    (8, "kasubag_program", "1 jam", "Dokumen LAKIP", FileRule.OPTIONAL, ()),
    (9, "ketua", "10 menit", "Disposisi persetujuan dokumen LAKIP", FileRule.REQUIRED, (7,)),
    (10, "kasubag_program", "15 menit", "Surat pengantar", FileRule.REQUIRED, ()),
    (11, "staf", "1 jam", "Dokumen LAKIP", FileRule.OPTIONAL, ()),
]


@pytest.fixture(scope="module")
def lakip() -> WorkflowDef:
    return load_workflow_file(LAKIP_PATH)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty office folder with a workflows/ subfolder, as the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workflows").mkdir()
    return tmp_path


def edit(old: str, new: str, *, step: int | None = None, text: str = LAKIP_TEXT) -> str:
    """The text with the first ``old`` after the comment header replaced by ``new``; with ``step``, the
    first inside that ``[[langkah]]``."""
    start = text.index(f"\nnomor = {step}\n") if step is not None else text.index("\n[workflow]\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def refusal(office: Path, text: str) -> DefinitionError:
    """The error from loading ``text`` as workflows/lakip.toml of ``office``."""
    (office / "workflows" / "lakip.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_workflow_file(Path(SOURCE))
    return info.value


def assert_names(error: DefinitionError, *parts: str, step: int | None, field: str | None, value: object) -> None:
    """The message names the file and every part; the details carry step, field and value."""
    assert str(error).startswith(f"{SOURCE}: ")
    for part in parts:
        assert part in str(error)
    assert error.details["file"] == SOURCE
    assert error.details["step"] == step
    assert error.details["field"] == field
    assert error.value == value


# --- the real LAKIP definition ---------------------------------------------------------------


def test_lakip_loads_with_eleven_steps_numbered_in_order(lakip: WorkflowDef) -> None:
    assert lakip.name == "lakip"
    assert [step.no for step in lakip.steps] == list(range(1, 12))
    assert lakip.first_step.no == 1
    assert lakip.last_step.no == 11


@pytest.mark.parametrize(("no", "role", "budget", "output", "rule", "returns"), TABLE)
def test_lakip_step_matches_the_design_table(
    lakip: WorkflowDef, no: int, role: str, budget: str, output: str, rule: FileRule, returns: tuple[int, ...]
) -> None:
    step = lakip.step(no)
    assert (step.role, str(step.budget), step.output, step.file_rule, step.returns_to) == (
        role,
        budget,
        output,
        rule,
        returns,
    )


def test_lakip_step_keeps_uraian_kelengkapan_and_keterangan_of_the_seed(lakip: WorkflowDef) -> None:
    step = lakip.step(5)
    assert step.name == "Menganalisis dan mengevaluasi data dan informasi kinerja yang telah terkumpul"
    assert step.kelengkapan == ("Format penyusunan LAKIP",)
    assert step.keterangan == "SOP perjanjian kinerja"
    assert lakip.step(4).budget == Duration(Decimal(3), "jam")
    assert lakip.step(10).kelengkapan == ("Konsep surat pengantar",)


def test_lakip_file_kinds_are_known_kinds_and_default_to_all(lakip: WorkflowDef) -> None:
    assert all(set(step.file_kinds) <= set(FILE_KINDS) and step.file_kinds for step in lakip.steps)
    assert lakip.step(4).file_kinds == FILE_KINDS


def test_lakip_header_carries_number_dates_and_approver_title(lakip: WorkflowDef) -> None:
    header = lakip.header
    assert header.nomor == "10/HK.03.1-Kpt/3526/Sek-Kab/I/2021"
    assert (header.tanggal_pembuatan, header.tanggal_revisi, header.tanggal_pengesahan) == (
        date(2021, 1, 10),
        date(2021, 1, 20),
        date(2021, 1, 22),
    )
    assert header.disahkan_oleh == "Sekretaris Komisi Pemilihan Umum Kabupaten Bangkalan"
    assert len(header.dasar_hukum) == 5
    assert len(header.kualifikasi_pelaksana) == 2
    assert len(header.peralatan) == 6
    assert header.pencatatan and header.peringatan and header.keterkaitan


def test_content_hash_is_sha256_of_the_source_text(lakip: WorkflowDef) -> None:
    assert lakip.source == LAKIP_TEXT
    assert lakip.content_hash == hashlib.sha256(LAKIP_TEXT.encode("utf-8")).hexdigest()


def test_revision_is_tanggal_revisi_or_else_tanggal_pembuatan(lakip: WorkflowDef) -> None:
    unrevised = load_workflow_text(edit("tanggal_revisi = 2021-01-20\n", ""), SOURCE)
    assert lakip.revision == date(2021, 1, 20)
    assert unrevised.header.tanggal_revisi is None
    assert unrevised.revision == date(2021, 1, 10)


def test_step_lookup_of_a_missing_step_names_the_existing_ones(lakip: WorkflowDef) -> None:
    with pytest.raises(NotFound) as info:
        lakip.step(12)
    assert str(info.value) == "Langkah 12 tidak ada di SOP lakip; langkah yang ada: 1-11."
    assert info.value.value == 12


def test_step_without_files_allows_no_file_kinds() -> None:
    text = edit('berkas = "opsional"\njenis_berkas = ["pdf", "docx", "odt"]\n', 'berkas = "tidak"\n', step=8)
    step = load_workflow_text(text, SOURCE).step(8)
    assert (step.file_rule, step.file_kinds) == (FileRule.NONE, ())


def test_file_with_byte_order_mark_loads_and_hashes_the_text_without_it(office: Path) -> None:
    (office / "workflows" / "lakip.toml").write_bytes(b"\xef\xbb\xbf" + LAKIP_TEXT.encode("utf-8"))
    assert load_workflow_file(Path(SOURCE)).source == LAKIP_TEXT


def test_workflows_dir_keys_every_definition_by_id(office: Path) -> None:
    (office / "workflows" / "lakip.toml").write_text(LAKIP_TEXT, encoding="utf-8")
    (office / "workflows" / "renja.toml").write_text(edit('id = "lakip"', 'id = "renja"'), encoding="utf-8")
    (office / "workflows" / "notes.txt").write_text("not a workflow", encoding="utf-8")
    assert sorted(load_workflows_dir(Path("workflows"))) == ["lakip", "renja"]


# --- refusals ----------------------------------------------------------------------------------


def test_bad_toml_syntax_is_refused_with_line_column_step_and_key(office: Path) -> None:
    error = refusal(office, edit('waktu = "2 hari"', 'waktu "2 hari"', step=6))
    line = LAKIP_TEXT[: LAKIP_TEXT.index('waktu = "2 hari"')].count("\n") + 1
    assert_names(
        error,
        f"baris {line}, kolom 7",
        "[[langkah]] ke-6",
        "'waktu \"2 hari\"'",
        step=6,
        field="waktu",
        value='waktu "2 hari"',
    )
    assert (error.details["line"], error.details["column"]) == (line, 7)


def test_unknown_step_key_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit("pelaksana =", "pelaksna =", step=5))
    assert_names(
        error,
        "langkah 5: kunci 'pelaksna' tidak dikenal",
        "Maksud Anda 'pelaksana'?",
        step=5,
        field="pelaksna",
        value="pelaksna",
    )


def test_unknown_header_key_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit("tanggal_revisi =", "tanggal_revsi ="))
    assert_names(
        error,
        "[sop]: kunci 'tanggal_revsi' tidak dikenal",
        "Maksud Anda 'tanggal_revisi'?",
        step=None,
        field="sop.tanggal_revsi",
        value="tanggal_revsi",
    )


def test_unknown_table_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit("[workflow]", "[workflw]"))
    assert_names(
        error, "kunci 'workflw' tidak dikenal", "Maksud Anda 'workflow'?", step=None, field="workflw", value="workflw"
    )


def test_missing_required_step_key_is_refused(office: Path) -> None:
    error = refusal(office, edit('waktu = "4 hari"\n', "", step=5))
    assert_names(
        error, "langkah 5: kunci wajib 'waktu' tidak ada", 'waktu = "10 menit"', step=5, field="waktu", value=None
    )


def test_missing_required_header_key_is_refused(office: Path) -> None:
    error = refusal(office, edit("tanggal_pengesahan = 2021-01-22\n", ""))
    assert_names(
        error,
        "[sop]: kunci wajib 'tanggal_pengesahan' tidak ada",
        step=None,
        field="sop.tanggal_pengesahan",
        value=None,
    )


def test_wrong_type_is_refused_with_an_example(office: Path) -> None:
    error = refusal(office, edit('waktu = "4 hari"', "waktu = 4", step=5))
    assert_names(
        error,
        "langkah 5: waktu = 4 adalah bilangan bulat, padahal harus teks",
        'waktu = "10 menit"',
        step=5,
        field="waktu",
        value=4,
    )


def test_wrong_type_inside_a_list_is_refused(office: Path) -> None:
    error = refusal(office, edit('kelengkapan = ["Draft LAKIP"]', 'kelengkapan = ["Draft LAKIP", 2]', step=6))
    assert_names(
        error,
        "langkah 6: kelengkapan = ['Draft LAKIP', 2]: isi ke-2 (2) adalah bilangan bulat",
        step=6,
        field="kelengkapan",
        value=2,
    )


def test_step_number_that_is_not_a_number_names_the_step_by_position(office: Path) -> None:
    error = refusal(office, edit("nomor = 5", 'nomor = "5"'))
    assert_names(
        error,
        "[[langkah]] ke-5: nomor = '5' adalah teks, padahal harus bilangan bulat",
        step=None,
        field="nomor",
        value="5",
    )


def test_unknown_role_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit('pelaksana = "kasubag_program"', 'pelaksana = "kasubag"', step=5))
    assert str(error) == (
        "workflows/lakip.toml: langkah 5: pelaksana = 'kasubag', tidak dikenal; yang diizinkan: "
        "ketua, sekretaris, kasubag_program, staf. Maksud Anda 'kasubag_program'?"
    )
    assert_names(error, step=5, field="pelaksana", value="kasubag")
    assert error.details["allowed"] == "ketua, sekretaris, kasubag_program, staf"


def test_role_that_does_no_steps_is_refused(office: Path) -> None:
    error = refusal(office, edit('pelaksana = "staf"', 'pelaksana = "admin"', step=6))
    assert_names(
        error,
        "langkah 6: pelaksana = 'admin' adalah peran yang tidak mengerjakan langkah",
        step=6,
        field="pelaksana",
        value="admin",
    )


@pytest.mark.parametrize("bad", ["4 minggu", "0 jam", "empat hari"])
def test_bad_duration_is_refused(office: Path, bad: str) -> None:
    error = refusal(office, edit('waktu = "4 hari"', f'waktu = "{bad}"', step=5))
    assert_names(error, f"langkah 5: waktu = '{bad}' tidak dapat dipakai", step=5, field="waktu", value=bad)


def test_bad_berkas_value_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit('berkas = "wajib"', 'berkas = "wajb"', step=2))
    assert_names(
        error,
        "langkah 2: berkas = 'wajb', tidak dikenal; yang diizinkan: wajib, opsional, tidak.",
        "Maksud Anda 'wajib'?",
        step=2,
        field="berkas",
        value="wajb",
    )


def test_unknown_file_kind_is_refused_with_suggestion(office: Path) -> None:
    error = refusal(office, edit('jenis_berkas = ["docx", "odt", "pdf"]', 'jenis_berkas = ["doc", "pdf"]', step=6))
    assert_names(
        error,
        "langkah 6: jenis_berkas = ['doc', 'pdf']: 'doc', tidak dikenal",
        "Maksud Anda 'docx'?",
        step=6,
        field="jenis_berkas",
        value="doc",
    )


def test_empty_file_kinds_are_refused(office: Path) -> None:
    error = refusal(office, edit('jenis_berkas = ["docx", "odt", "pdf"]', "jenis_berkas = []", step=6))
    assert_names(error, "langkah 6: jenis_berkas = [] kosong", step=6, field="jenis_berkas", value=[])


def test_file_kinds_on_a_step_without_files_are_refused(office: Path) -> None:
    error = refusal(office, edit('berkas = "opsional"', 'berkas = "tidak"', step=8))
    assert_names(
        error,
        "langkah 8: jenis_berkas = ['pdf', 'docx', 'odt'] diisi, padahal berkas = 'tidak'",
        step=8,
        field="jenis_berkas",
        value=["pdf", "docx", "odt"],
    )


def test_gap_in_step_numbers_is_refused(office: Path) -> None:
    error = refusal(office, edit("nomor = 11\n", "nomor = 12\n"))
    assert_names(
        error, "langkah 12: nomor = 12, tetapi langkah 11 tidak ada", "(1-11)", step=12, field="nomor", value=12
    )


def test_duplicate_step_number_is_refused(office: Path) -> None:
    error = refusal(office, edit("nomor = 4\n", "nomor = 3\n"))
    assert_names(error, "langkah 3: nomor = 3 sudah dipakai oleh [[langkah]] ke-3", step=3, field="nomor", value=3)


def test_steps_out_of_order_are_refused(office: Path) -> None:
    swapped = edit("nomor = 5\n", "nomor = 4\n", text=edit("nomor = 4\n", "nomor = X\n")).replace(
        "nomor = X", "nomor = 5"
    )
    error = refusal(office, swapped)
    assert_names(
        error,
        "langkah 5: nomor = 5 tidak urut",
        "urutan ke-4",
        "langkah 4 baru ditulis di urutan ke-5",
        step=5,
        field="nomor",
        value=5,
    )


def test_return_to_a_missing_step_is_refused_with_the_exact_message(office: Path) -> None:
    error = refusal(office, edit("kembali_ke = [6]", "kembali_ke = [12]", step=7))
    assert str(error) == "workflows/lakip.toml: langkah 7: kembali_ke = 12, tetapi langkah 12 tidak ada (langkah 1-11)."
    assert_names(error, step=7, field="kembali_ke", value=12)


def test_return_to_a_later_step_is_refused(office: Path) -> None:
    error = refusal(office, edit("kembali_ke = [6]", "kembali_ke = [8]", step=7))
    assert_names(
        error,
        "langkah 7: kembali_ke = 8 menunjuk langkah 8 yang datang sesudahnya",
        "(langkah 1-6)",
        step=7,
        field="kembali_ke",
        value=8,
    )


def test_return_to_the_step_itself_is_refused(office: Path) -> None:
    error = refusal(office, edit("kembali_ke = [6]", "kembali_ke = [7]", step=7))
    assert_names(error, "langkah 7: kembali_ke = 7 menunjuk langkah ini sendiri", step=7, field="kembali_ke", value=7)


def test_date_written_as_text_is_refused(office: Path) -> None:
    error = refusal(office, edit("tanggal_revisi = 2021-01-20", 'tanggal_revisi = "2021-01-20"'))
    assert_names(
        error,
        "[sop]: tanggal_revisi = '2021-01-20' adalah teks, padahal harus tanggal TOML tanpa tanda kutip",
        step=None,
        field="sop.tanggal_revisi",
        value="2021-01-20",
    )


def test_date_with_a_time_is_refused(office: Path) -> None:
    error = refusal(office, edit("tanggal_pembuatan = 2021-01-10", "tanggal_pembuatan = 2021-01-10T08:00:00"))
    assert_names(
        error,
        "[sop]: tanggal_pembuatan = 2021-01-10T08:00:00 adalah tanggal dan jam",
        step=None,
        field="sop.tanggal_pembuatan",
        value=error.value,
    )


def test_impossible_calendar_date_is_refused_at_its_line(office: Path) -> None:
    error = refusal(office, edit("tanggal_pengesahan = 2021-01-22", "tanggal_pengesahan = 2021-02-30"))
    assert_names(
        error,
        "kolom 22",
        "sintaks TOML tidak sah",
        step=None,
        field="tanggal_pengesahan",
        value="tanggal_pengesahan = 2021-02-30",
    )


def test_revision_before_creation_is_refused(office: Path) -> None:
    error = refusal(office, edit("tanggal_revisi = 2021-01-20", "tanggal_revisi = 2021-01-05"))
    assert_names(
        error,
        "[sop]: tanggal_revisi = 2021-01-05 lebih awal dari tanggal_pembuatan = 2021-01-10",
        step=None,
        field="sop.tanggal_revisi",
        value=date(2021, 1, 5),
    )


def test_definition_without_steps_is_refused(office: Path) -> None:
    error = refusal(office, LAKIP_TEXT[: LAKIP_TEXT.index("\n[[langkah]]\n")])
    assert_names(error, "tidak ada satu pun [[langkah]]", step=None, field="langkah", value=None)


@pytest.mark.parametrize("bad", ["LAKIP", "lakip 2021", "2021-lakip", ""])
def test_bad_workflow_id_is_refused(office: Path, bad: str) -> None:
    error = refusal(office, edit('id = "lakip"', f'id = "{bad}"'))
    assert_names(error, f"[workflow]: id = '{bad}'", step=None, field="workflow.id", value=bad)


def test_duplicate_workflow_id_in_a_folder_is_refused(office: Path) -> None:
    (office / "workflows" / "lakip.toml").write_text(LAKIP_TEXT, encoding="utf-8")
    (office / "workflows" / "lakip-copy.toml").write_text(LAKIP_TEXT, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_workflows_dir(Path("workflows"))
    first, second = sorted(["workflows/lakip.toml", "workflows/lakip-copy.toml"])
    assert str(info.value) == (
        f"{second}: [workflow]: id = 'lakip' sudah dipakai oleh {first}; setiap berkas workflow harus punya id sendiri."
    )
    assert (info.value.details["file"], info.value.details["field"], info.value.value) == (
        second,
        "workflow.id",
        "lakip",
    )


def test_missing_workflows_folder_is_refused(office: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load_workflows_dir(Path("nowhere"))
    assert str(info.value).startswith("nowhere: folder workflow tidak ditemukan")
    assert info.value.value == "nowhere"


def test_missing_workflow_file_is_refused(office: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        load_workflow_file(Path(SOURCE))
    assert str(info.value) == f"{SOURCE}: berkas tidak ditemukan; periksa nama dan letak berkasnya."
