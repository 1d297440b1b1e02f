"""Small workflow files with decisions, parallel steps, paraf chains and sub-SOPs, written for the tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

HEADER = """[workflow]
id = "{id}"
judul = "SOP uji {id}"
kasus = "bebas"

[sop]
instansi = "Kantor Uji"
nomor = "1/UJI/2021"
nama = "SOP uji {id}"
tanggal_pembuatan = 2021-01-10
tanggal_pengesahan = 2021-01-12
disahkan_oleh = "Sekretaris Kantor Uji"
dasar_hukum = []
kualifikasi_pelaksana = []
peralatan = []
pencatatan = []
peringatan = []
keterkaitan = []
"""


def step_text(no: int, extra: Mapping[str, str] | None = None) -> str:
    """One ``[[langkah]]`` with plain defaults; ``extra`` adds or replaces keys (values as TOML text)."""
    keys = {
        "nomor": str(no),
        "uraian": f'"Langkah {no}"',
        "pelaksana": '"staf"',
        "waktu": '"1 jam"',
        "kelengkapan": "[]",
        "output": f'"Hasil {no}"',
        "berkas": '"tidak"',
    } | dict(extra or {})
    keys = {key: value for key, value in keys.items() if value is not None}
    return "[[langkah]]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())


def flow_text(count: int, extra: Mapping[int, Mapping[str, str]] | None = None, workflow: str = "uji") -> str:
    """A workflow ``workflow`` of ``count`` steps; ``extra[no]`` adds keys to step ``no``."""
    extra = extra or {}
    steps: Sequence[str] = [step_text(no, extra.get(no)) for no in range(1, count + 1)]
    return HEADER.format(id=workflow) + "\n" + "\n".join(steps)
