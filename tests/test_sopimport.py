"""An SOP table as offices keep it read back into a definition (sop_engine.sopimport)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import docx
import pytest

from sop_engine.config import Settings
from sop_engine.config_roles import parse_roles
from sop_engine.errors import DefinitionError
from sop_engine.loader import load_workflow_file, load_workflow_text
from sop_engine.sopimport import import_text
from tests.helpers import run_cli
from tests.policy_support import office_settings

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sop-lakip-tabel.txt"  # the seed's identity and step tables
LAKIP = Path(__file__).resolve().parent.parent / "sop_engine" / "defaults" / "workflows" / "lakip.toml"


def test_import_of_the_seed_table_reproduces_the_steps_of_lakip_toml() -> None:
    imported = tomllib.loads(import_text(FIXTURE, "lakip").text)
    lakip = load_workflow_file(LAKIP)
    steps = imported["langkah"]
    assert [s["nomor"] for s in steps] == [step.no for step in lakip.steps]
    for got, want in zip(steps, lakip.steps, strict=True):
        assert got["uraian"] == want.name
        assert got["waktu"] == str(want.budget)
        assert tuple(got["kelengkapan"]) == want.kelengkapan
        assert got["output"] == want.output
        assert got["keterangan"] == want.keterangan
    header = imported["sop"]
    assert header["nomor"] == lakip.header.nomor and header["tanggal_revisi"] == lakip.header.tanggal_revisi
    assert tuple(header["dasar_hukum"]) == lakip.header.dasar_hukum  # items 4-5 sit in a later row of the column
    assert tuple(header["peralatan"]) == lakip.header.peralatan


def test_lost_actor_marks_are_todos_and_the_file_is_refused_until_decided() -> None:
    result = import_text(FIXTURE, "lakip")
    steps = tomllib.loads(result.text)["langkah"]
    assert steps[0]["pelaksana"] == "sekretaris"  # "MULAI" stands in the Sekretaris column
    assert [s["pelaksana"] for s in steps[1:]] == [""] * 10
    for no in range(2, 12):
        todo = f"langkah {no}: pelaksana tidak dapat ditentukan"
        assert f"# TODO: {todo}" in result.text and any(t.startswith(todo) for t in result.todos)
    with pytest.raises(DefinitionError, match="langkah 2: pelaksana = '' kosong"):
        load_workflow_text(result.text, "lakip.toml")


def _sop_docx(path: Path) -> Path:
    document = docx.Document()
    table = document.add_table(rows=5, cols=10)
    rows = [
        ["NO", "URAIAN PROSEDUR", "PELAKSANA", "", "", "MUTU BAKU", "", "", "KETERANGAN", ""],
        ["", "", "Kepala Seksi", "Operator Loket", "Kasubag Program", "Kelengkapan", "Waktu", "Output", "", ""],
        ["1.", "Menerima berkas", "", "X", "", "Formulir", "15 Menit", "Tanda terima", "-", ""],
        ["2.", "Memeriksa berkas", "X", "", "X", "Formulir\nDaftar periksa", "1 Jam", "Berkas diperiksa", "-", ""],
        ["3.", "Menyetujui", "X", "", "", "Berkas", "sebentar", "Persetujuan", "-", ""],
    ]
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    for (top, left), (bottom, right) in (((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 4)), ((0, 5), (0, 7))):
        table.cell(top, left).merge(table.cell(bottom, right))  # the heading's merged cells, as offices draw them
    document.save(str(path))
    return path


def test_a_docx_table_gives_marked_actors_and_reports_what_it_cannot_decide(tmp_path: Path) -> None:
    result = import_text(_sop_docx(tmp_path / "sop.docx"), "loket")
    steps = tomllib.loads(result.text)["langkah"]
    assert [s["pelaksana"] for s in steps] == ["operator_loket", "", "kepala_seksi"]
    assert steps[1]["kelengkapan"] == ["Formulir", "Daftar periksa"]
    assert (
        "langkah 2: beberapa kolom pelaksana bertanda (kepala_seksi, kasubag_program); tentukan pelaksananya"
        in result.todos
    )
    assert any(t.startswith("langkah 3: waktu 'sebentar' bukan durasi") for t in result.todos)
    assert any(t.startswith("[sop] nomor tidak ditemukan") for t in result.todos)


def test_cli_import_writes_the_file_and_lists_the_todos(sop, tmp_path: Path) -> None:
    out = tmp_path / "lakip.toml"
    run = sop("workflows", "import", str(FIXTURE), "-o", str(out))
    assert run.code == 1, run.err
    assert f"11 langkah dibaca, definisi ditulis ke {out}" in run.out
    assert "- langkah 11: pelaksana tidak dapat ditentukan" in run.out
    assert tomllib.loads(out.read_text(encoding="utf-8"))["workflow"]["id"] == "lakip"


def test_an_office_role_names_its_column_and_is_offered_where_no_actor_is_marked(tmp_path: Path) -> None:
    roles = parse_roles({"bendahara": {"nama": "Bendahara Pengeluaran"}}, "config.toml")
    table = tmp_path / "sop.txt"
    table.write_text(
        "NO\tURAIAN PROSEDUR\tPELAKSANA\t\tMUTU BAKU\t\t\tKETERANGAN\n"
        "\t\tBendahara Pengeluaran\tSekretaris\tKelengkapan\tWaktu\tOutput\t\n"
        "1.\tMembayar\tX\t\tKuitansi\t1 jam\tSPM\t-\n"
        "2.\tMenyetujui\t\t\tSPM\t1 jam\tPersetujuan\t-\n",
        encoding="utf-8",
    )
    result = import_text(table, "bayar", roles)
    assert tomllib.loads(result.text)["langkah"][0]["pelaksana"] == "bendahara"  # not a new id "bendahara_pengeluaran"
    assert (
        "langkah 2: pelaksana tidak dapat ditentukan (tidak ada tanda di kolom pelaksana); pilih salah satu: "
        "bendahara (Bendahara Pengeluaran), sekretaris (Sekretaris), ketua (Ketua), kasubag_program (Kasubag Program), "
        "staf (Staf/JFU)"
    ) in result.todos


def test_cli_import_in_an_office_offers_the_office_roles(tmp_path: Path, settings: Settings) -> None:
    office = office_settings(tmp_path, settings)
    out = tmp_path / "lakip.toml"
    run = run_cli(["workflows", "import", str(FIXTURE), "-o", str(out)], office)
    assert run.code == 1, run.err
    assert "- langkah 2: pelaksana tidak dapat ditentukan" in run.out
    assert "kasubag_program (Kasubag Program), staf (Staf/JFU), arsiparis (Arsiparis)\n" in run.out
