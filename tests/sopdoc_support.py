"""A sample SOP with every kind of flowchart element, built as records (the loader learns the keys
separately): a decision whose Tidak skips ahead, two parallel steps forked from one and joined into
a paraf chain of two actors, a sub-SOP step, a return, and a role of the office's own.

``python -m tests.sopdoc_support sop.pdf`` writes its SOP document (the page images in docs/images/
are drawn from it with ``pdftoppm -r 100 -png sop.pdf sop-contoh``).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from sop_engine.definitions import FileRule, StepDef, StepKind, WorkflowDef
from sop_engine.durations import parse_duration
from sop_engine.loader import load_workflow_file
from sop_engine.roles import DEFAULT_STEP_ROLES, RoleDef, Roles
from sop_engine.sopdoc import Names
from tests.helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "sop-surat-masuk.toml"

#: The office's roles: the LAKIP four (one renamed) and an arsiparis.
ROLES = Roles(
    (
        *(RoleDef(r.id, "Kepala Subbagian Program") if r.id == "kasubag_program" else r for r in DEFAULT_STEP_ROLES),
        RoleDef("arsiparis", "Arsiparis", "sekretaris"),
    )
)

#: The document's names of those roles and of the SOP the sample runs as a step.
NAMES = Names(ROLES, {"pengarsipan": "Pengarsipan Dokumen"})

QUESTION = "Apakah surat perlu dijawab?"


def _step(no: int, name: str, role: str, waktu: str, output: str, **extra: object) -> StepDef:
    step = StepDef(no, name, role, parse_duration(waktu), ("Surat masuk",), output, FileRule.NONE, ())
    return replace(step, **extra)  # type: ignore[arg-type]


def sample_sop() -> WorkflowDef:
    """The fixture "Penerimaan Surat Masuk" grown to nine steps of every kind (see the module)."""
    base = load_workflow_file(FIXTURE, (*ROLES.step_ids,))
    steps = (
        _step(1, "Menerima dan mencatat surat masuk di buku agenda", "arsiparis", "30 menit", "Agenda surat"),
        _step(2, "Mendisposisikan surat masuk", "ketua", "2 jam", "Disposisi"),
        _step(
            3,
            "Menilai surat",
            "sekretaris",
            "1 jam",
            "Keputusan",
            kind=StepKind.DECISION,
            question=QUESTION,
            if_yes=4,
            if_no=8,
        ),
        _step(4, "Menyusun konsep jawaban", "staf", "1 hari", "Konsep jawaban", returns_to=()),
        _step(5, "Menyiapkan salinan lampiran", "arsiparis", "2 jam", "Salinan lampiran", after=(4,)),
        _step(6, "Menghitung biaya tindak lanjut", "kasubag_program", "4 jam", "Rincian biaya", after=(4,)),
        _step(
            7,
            "Memaraf konsep jawaban",
            "kasubag_program",
            "2 jam",
            "Konsep berparaf",
            roles=("kasubag_program", "sekretaris"),
            after=(5, 6),
        ),
        _step(8, "Mengarsipkan surat dan jawaban", "arsiparis", "1 hari", "Arsip", runs="pengarsipan", after=(7,)),
        _step(9, "Menutup agenda surat", "arsiparis", "30 menit", "Agenda tertutup"),
    )
    return replace(base, steps=steps)


if __name__ == "__main__":
    from sop_engine.sopdoc.render import write_document

    write_document(sample_sop(), Path(sys.argv[1]), "a4", NAMES)
