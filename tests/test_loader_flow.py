"""The flow keys of a [[langkah]]: pelaksana chains, decisions, setelah, jalankan; each refusal exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine.definitions import StepKind
from sop_engine.errors import DefinitionError
from sop_engine.loader import load_workflow_file, load_workflow_text, load_workflows_dir
from tests.flow_support import flow_text

SOURCE = "uji.toml"
LAKIP = Path(__file__).resolve().parents[1] / "workflows" / "lakip.toml"


def refusal(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_workflow_text(text, SOURCE)
    return caught.value


def test_a_paraf_chain_keeps_its_roles_in_order_and_the_first_is_the_role():
    step = load_workflow_text(flow_text(1, {1: {"pelaksana": '["kasubag_program", "sekretaris"]'}}), SOURCE).step(1)
    assert step.roles == ("kasubag_program", "sekretaris")
    assert step.role == "kasubag_program"
    assert step.actors == ("kasubag_program", "sekretaris")


def test_one_role_reads_as_before():
    step = load_workflow_text(flow_text(2), SOURCE).step(2)
    assert (step.roles, step.actors, step.kind, step.after, step.runs) == ((), ("staf",), StepKind.PROCESS, None, None)


@pytest.mark.parametrize(
    ("value", "message", "field"),
    [
        (
            "[]",
            "uji.toml: langkah 1: pelaksana = [] kosong; sebutkan paling sedikit satu peran, contoh: "
            'pelaksana = "sekretaris" atau pelaksana = ["kasubag_program", "sekretaris"].',
            "pelaksana",
        ),
        (
            '["staf", "staf"]',
            "uji.toml: langkah 1: pelaksana = ['staf', 'staf']: 'staf' disebut dua kali; setiap "
            "peran memaraf langkah ini sekali.",
            "pelaksana",
        ),
        (
            '["staf", "bendahara"]',
            "uji.toml: langkah 1: pelaksana = ['staf', 'bendahara']: 'bendahara', tidak dikenal; "
            "yang diizinkan: ketua, sekretaris, kasubag_program, staf. "
            "Peran lain ditambahkan di tabel [peran] config.toml.",
            "pelaksana",
        ),
        (
            '["staf", 3]',
            "uji.toml: langkah 1: pelaksana = ['staf', 3]: isi ke-2 (3) adalah bilangan bulat, padahal harus teks.",
            "pelaksana",
        ),
        (
            "7",
            "uji.toml: langkah 1: pelaksana = 7 adalah bilangan bulat, padahal harus teks atau "
            'daftar teks; contoh: pelaksana = "sekretaris" atau pelaksana = ["kasubag_program", "sekretaris"].',
            "pelaksana",
        ),
    ],
)
def test_a_bad_pelaksana_is_refused_naming_it(value: str, message: str, field: str):
    error = refusal(flow_text(1, {1: {"pelaksana": value}}))
    assert error.message == message
    assert error.details["field"] == field
    assert error.details["step"] == 1


def test_a_decision_goes_to_ya_or_tidak():
    text = flow_text(4, {2: {"jenis": '"keputusan"', "pertanyaan": '"Lengkap?"', "ya": "3", "tidak": "1"}})
    step = load_workflow_text(text, SOURCE).step(2)
    assert (step.kind, step.question, step.if_yes, step.if_no) == (StepKind.DECISION, "Lengkap?", 3, 1)


DECISION = {"jenis": '"keputusan"', "pertanyaan": '"Lengkap?"', "ya": "3", "tidak": "1"}


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"pertanyaan": None},
            'jenis = "keputusan" memerlukan pertanyaan; contoh: pertanyaan = "Apakah dokumen sudah benar?".',
            "pertanyaan",
        ),
        ({"ya": None}, 'jenis = "keputusan" memerlukan ya; contoh: ya = 8.', "ya"),
        ({"ya": "9"}, "ya = 9, tetapi langkah 9 tidak ada (langkah 1-4).", "ya"),
        ({"tidak": "2"}, "tidak = 2 menunjuk langkah ini sendiri; tulis langkah lain (1-4).", "tidak"),
        (
            {"tidak": "3"},
            "ya = 3 dan tidak = 3 menunjuk langkah yang sama; keputusan harus bercabang ke dua langkah.",
            "tidak",
        ),
        ({"ya": "1", "tidak": "0"}, "tidak = 0, tetapi langkah 0 tidak ada (langkah 1-4).", "tidak"),
        ({"jenis": '"pilihan"'}, "jenis = 'pilihan', tidak dikenal; yang diizinkan: proses, keputusan.", "jenis"),
        (
            {"pelaksana": '["staf", "ketua"]'},
            "pelaksana = ['staf', 'ketua'] tidak dapat dipakai: langkah keputusan dijawab oleh satu "
            "peran; tulis satu peran.",
            "pelaksana",
        ),
        (
            {"berkas": '"wajib"'},
            "berkas = 'wajib' tidak dapat dipakai: langkah keputusan dijawab Ya/Tidak tanpa berkas "
            'wajib; tulis "opsional" atau "tidak".',
            "berkas",
        ),
        (
            {"kembali_ke": "[1]"},
            "kembali_ke = [1] tidak dapat dipakai: langkah keputusan kembali lewat ya atau tidak; hapus kembali_ke.",
            "kembali_ke",
        ),
    ],
)
def test_a_bad_decision_is_refused_naming_it(change: dict[str, str | None], message: str, field: str):
    error = refusal(flow_text(4, {2: DECISION | change, 4: {"setelah": "[3]"}}))
    assert error.message == f"uji.toml: langkah 2: {message}"
    assert error.details["field"] == field


def test_a_decision_whose_branches_both_go_back_is_refused():
    error = refusal(flow_text(3, {3: DECISION | {"ya": "1", "tidak": "2"}}))
    assert error.message == (
        "uji.toml: langkah 3: ya = 1 dan tidak = 2 keduanya kembali ke langkah sebelumnya; paling sedikit satu "
        "cabang harus menuju langkah sesudahnya, agar kasus dapat selesai."
    )


@pytest.mark.parametrize("key", ["pertanyaan", "ya", "tidak"])
def test_decision_keys_on_a_process_step_are_refused(key: str):
    value = {"pertanyaan": '"Lengkap?"', "ya": "3", "tidak": "1"}[key]
    error = refusal(flow_text(3, {2: {key: value}}))
    shown = {"pertanyaan": "'Lengkap?'", "ya": "3", "tidak": "1"}[key]
    assert error.message == (
        f"uji.toml: langkah 2: {key} = {shown} hanya untuk langkah keputusan; tambahkan jenis = "
        f'"keputusan" atau hapus {key}.'
    )


def test_setelah_lists_the_steps_a_join_waits_for():
    text = flow_text(4, {3: {"setelah": "[1]"}, 4: {"setelah": "[2, 3]"}})
    definition = load_workflow_text(text, SOURCE)
    assert [definition.step(no).after for no in (1, 2, 3, 4)] == [None, None, (1,), (2, 3)]


@pytest.mark.parametrize(
    ("step", "value", "message"),
    [
        (3, "[]", "setelah = [] kosong; sebutkan langkah sebelumnya yang harus selesai dulu, atau hapus setelah."),
        (3, "[3]", "setelah = [3]: langkah 3 bukan langkah sebelumnya; hanya langkah 1-2 yang boleh disebut."),
        (3, "[4]", "setelah = [4]: langkah 4 bukan langkah sebelumnya; hanya langkah 1-2 yang boleh disebut."),
        (3, "[1, 1]", "setelah = [1, 1]: langkah 1 disebut dua kali; hapus salah satu."),
        (1, "[2]", "setelah = [2]: langkah 1 adalah langkah pertama; hapus setelah."),
    ],
)
def test_a_bad_setelah_is_refused(step: int, value: str, message: str):
    error = refusal(flow_text(4, {step: {"setelah": value}}))
    assert error.message == f"uji.toml: langkah {step}: {message}"
    assert error.details["field"] == "setelah"


def test_a_step_after_a_decision_that_nothing_leads_to_is_unreachable():
    error = refusal(flow_text(4, {2: DECISION | {"ya": "4", "tidak": "1"}}))
    assert error.message == (
        "uji.toml: langkah 3: langkah 3 tidak dapat dicapai dari langkah 1 (langkah 2 adalah keputusan, jadi "
        "langkah sesudahnya tidak otomatis menyusul); tambahkan setelah = [...] atau arahkan ya/tidak sebuah "
        "keputusan ke langkah ini."
    )
    assert error.details["step"] == 3


def test_jalankan_refuses_a_file_it_must_attach_and_a_chain():
    error = refusal(flow_text(2, {2: {"jalankan": '"lain"', "berkas": '"wajib"'}}))
    assert error.message == (
        "uji.toml: langkah 2: berkas = 'wajib' tidak dapat dipakai bersama jalankan = 'lain': langkah ini selesai "
        'otomatis saat kasus SOP lain selesai; tulis "opsional" atau "tidak".'
    )
    error = refusal(flow_text(2, {2: {"jalankan": '"lain"', "pelaksana": '["staf", "ketua"]'}}))
    assert error.details["field"] == "pelaksana"


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def test_jalankan_must_name_another_loaded_workflow(tmp_path: Path):
    write(tmp_path, "a", flow_text(2, {2: {"jalankan": '"b"'}}, workflow="a"))
    with pytest.raises(DefinitionError) as caught:
        load_workflows_dir(tmp_path)
    assert caught.value.message == (
        f"{tmp_path / 'a.toml'}: langkah 2: jalankan = 'b', tetapi SOP 'b' tidak ada di folder workflow; "
        "yang ada: tidak ada SOP lain."
    )
    write(tmp_path, "b", flow_text(1, workflow="b"))
    assert load_workflows_dir(tmp_path)["a"].step(2).runs == "b"


def test_jalankan_refuses_itself_and_a_loop(tmp_path: Path):
    write(tmp_path, "a", flow_text(2, {2: {"jalankan": '"a"'}}, workflow="a"))
    with pytest.raises(DefinitionError) as caught:
        load_workflows_dir(tmp_path)
    assert caught.value.message.endswith("langkah 2: jalankan = 'a' menjalankan SOP ini sendiri; tulis id SOP lain.")
    write(tmp_path, "a", flow_text(2, {2: {"jalankan": '"b"'}}, workflow="a"))
    write(tmp_path, "b", flow_text(2, {1: {"jalankan": '"a"'}}, workflow="b"))
    with pytest.raises(DefinitionError) as caught:
        load_workflows_dir(tmp_path)
    assert caught.value.message == (
        f"{tmp_path / 'a.toml'}: langkah 2: jalankan = 'b' membuat putaran SOP yang tidak pernah selesai "
        "(a -> b -> a); putuskan salah satu jalankan."
    )


def test_lakip_step_8_is_a_paraf_chain_and_every_other_step_reads_as_before():
    lakip = load_workflow_file(LAKIP)
    assert lakip.step(8).actors == ("kasubag_program", "sekretaris")
    for step in lakip.steps:
        assert step.kind is StepKind.PROCESS and step.after is None and step.runs is None
        assert step.roles == (() if step.no != 8 else ("kasubag_program", "sekretaris"))
