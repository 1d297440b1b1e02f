"""Small workflow files with decisions, parallel steps, paraf chains and sub-SOPs, written for the tests."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from sop_engine.config import load_settings
from sop_engine.context import Context
from tests.helpers import ROOT, write_config

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


def flow_context(ctx: Context, folder: Path, texts: Mapping[str, str], peran: str = "") -> Context:
    """A context on ``ctx``'s database and clock whose workflows folder holds LAKIP and ``texts`` (by id),
    and whose config.toml adds ``peran`` (e.g. policy_support.PERAN)."""
    workflows = folder / "workflows"
    workflows.mkdir()
    shutil.copy(ROOT / "workflows" / "lakip.toml", workflows / "lakip.toml")
    for name, text in texts.items():
        (workflows / f"{name}.toml").write_text(text, encoding="utf-8")
    path = write_config(folder, ctx.settings)
    text = path.read_text(encoding="utf-8").replace(f'dir = "{ROOT / "workflows"}"', f'dir = "{workflows}"')
    path.write_text(text + peran, encoding="utf-8")
    return Context.open(load_settings(path, env={}), clock=ctx.clock, db=ctx.db)


#: A workflow with every new kind of step: a decision that goes back (2), a parallel pair (4, 5)
#: joined by a paraf chain (6), a decision whose Tidak skips a step (7 -> 9, 8 skipped), and a last
#: step of the office's own role arsiparis (policy_support.PERAN); ``kasus = "bebas"``.
ALUR = flow_text(
    9,
    {
        2: {
            "jenis": '"keputusan"',
            "pertanyaan": '"Berkas lengkap?"',
            "ya": "3",
            "tidak": "1",
            "pelaksana": '"kasubag_program"',
        },
        4: {"setelah": "[3]"},
        5: {"setelah": "[3]", "pelaksana": '"kasubag_program"'},
        6: {"setelah": "[4, 5]", "pelaksana": '["kasubag_program", "sekretaris"]'},
        7: {"jenis": '"keputusan"', "pertanyaan": '"Perlu revisi?"', "ya": "8", "tidak": "9", "pelaksana": '"ketua"'},
        9: {"setelah": "[8]", "pelaksana": '"arsiparis"'},
    },
    workflow="alur",
).replace('kasus = "bebas"', 'kasus = "bebas"\ndimulai_oleh = ["staf"]')
