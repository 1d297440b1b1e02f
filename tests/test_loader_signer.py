"""The signer of an SOP in its [sop] header: name and NIP, checked when the file is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine.errors import DefinitionError
from sop_engine.loader import load_workflow_text

LAKIP = (Path(__file__).resolve().parent.parent / "sop_engine" / "defaults" / "workflows" / "lakip.toml").read_text(
    encoding="utf-8"
)
SHIPPED = 'disahkan_nip = "19650412 199000 1 001"'


def test_the_shipped_signer_is_read_with_the_nip_without_spaces() -> None:
    header = load_workflow_text(LAKIP, "lakip.toml").header
    assert (header.penanda_tangan, header.nip) == ("Drs. Bambang Sutrisno, M.M.", "196504121990001001")


def test_a_file_without_signer_still_loads() -> None:
    text = LAKIP.replace(SHIPPED, "").replace('disahkan_nama = "Drs. Bambang Sutrisno, M.M."', "")
    assert load_workflow_text(text, "lakip.toml").header.nip == ""


@pytest.mark.parametrize(
    ("nip", "problem"),
    [
        ("1965041219900010", "bukan 18 angka"),
        ("19651312 199000 1 001", "8 angka pertama (19651312) bukan tanggal lahir yang sah"),
        ("19650412 199013 1 001", "angka ke-9 sampai ke-14 (199013) bukan tahun dan bulan pengangkatan yang sah"),
    ],
)
def test_a_wrong_nip_is_refused_with_what_is_wrong(nip: str, problem: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_workflow_text(LAKIP.replace(SHIPPED, f'disahkan_nip = "{nip}"'), "lakip.toml")
    assert caught.value.message.startswith(f"lakip.toml: [sop]: disahkan_nip = '{nip}' {problem}; tulis 18 angka")


def test_a_nip_without_a_name_is_refused() -> None:
    with pytest.raises(DefinitionError, match="disahkan_nip diisi tanpa disahkan_nama"):
        load_workflow_text(LAKIP.replace('disahkan_nama = "Drs. Bambang Sutrisno, M.M."', ""), "lakip.toml")
