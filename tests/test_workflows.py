"""The workflows folder as sop-engine reads it (sop_engine/workflows.py): files are parsed again only
when their bytes change, and an edit is seen at once, whatever its size or timestamp."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from sop_engine import cases, workflows
from sop_engine.context import Context


def test_a_workflow_file_edited_in_place_is_seen_by_the_next_start(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "workflows"
    shutil.copytree(ctx.settings.workflows_dir, folder)
    ctx.settings = dataclasses.replace(ctx.settings, workflows_dir=folder)
    first = workflows.on_disk(ctx)["lakip"]
    assert workflows.on_disk(ctx)["lakip"] is first  # unchanged bytes: not parsed again
    path = folder / "lakip.toml"
    stat = path.stat()
    edited = path.read_text(encoding="utf-8").replace('waktu = "10 menit"', 'waktu = "20 menit"', 1)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime: only the bytes differ
    second = workflows.on_disk(ctx)["lakip"]
    assert second.content_hash != first.content_hash and str(second.step(1).budget) == "20 menit"
    record = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    assert (record.definition_hash, record.steps[0].budget) == (second.content_hash, "20 menit")
