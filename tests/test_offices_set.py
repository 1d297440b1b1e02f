"""`sop offices set` changes an office's settings; `add` takes --email and --logo; the logo reaches documents."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from sop_engine import cases, deadlines, documents, offices, people
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.db.models import Office
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.lakip import draft
from sop_engine.offices import OfficeChange
from tests.helpers import run_cli
from tests.offices_support import OTHER, PROVINCE, add_other_office, add_province
from tests.test_documents import disposisi_form, png_logo
from tests.test_lakip_draft import imported


def listed(settings: Settings, clock: FixedClock, satker: str = OTHER) -> dict:
    rows = json.loads(run_cli(["offices", "list", "--json"], settings, clock).out)
    return next(row for row in rows if row["satker"] == satker)


def changed_events(settings: Settings, clock: FixedClock, satker: str = OTHER) -> list[dict]:
    trail = json.loads(run_cli(["--kantor", satker, "audit", "log", "--json"], settings, clock).out)
    events = trail["events"] if isinstance(trail, dict) else trail
    return [e for e in events if e["action"] == "office.changed"]


def version(ctx: Context, satker: str = OTHER) -> int:
    """The ``settings_version`` of office ``satker``'s row."""
    with ctx.db.read() as session:
        found = session.scalar(select(Office.settings_version).where(Office.code == satker))
    assert found is not None
    return found


def test_set_changes_only_what_is_given_and_records_old_and_new(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    add_other_office(ctx)
    add_province(ctx)
    logo = png_logo(tmp_path / "logo.png")
    args = ["offices", "set", OTHER, "--name", "KPU Kab. Sampang", "--email", "kpu@sampang.example"]
    run = run_cli([*args, "--logo", str(logo), "--parent", PROVINCE, "--zone", "WIB"], settings, clock)
    assert run.code == 0, run.err
    assert "Nama: KPU Kabupaten Sampang → KPU Kab. Sampang" in run.out
    assert "Induk: - → 3500" in run.out
    assert "Tenggat langkah yang sudah ditetapkan tidak berubah" in run.out and "zona WIB" in run.out
    row = listed(settings, clock)
    sha = hashlib.sha256(logo.read_bytes()).hexdigest()
    assert (row["name"], row["email"], row["logo_sha256"], row["parent"], row["zone"]) == (
        "KPU Kab. Sampang",
        "kpu@sampang.example",
        sha,
        PROVINCE,
        "WIB",
    )
    assert row["address"] == "Jl. Fiktif 2, Sampang"  # not given: unchanged
    [event] = changed_events(settings, clock)
    assert event["details"]["changed"] == {
        "name": {"old": "KPU Kabupaten Sampang", "new": "KPU Kab. Sampang"},
        "timezone": {"old": "Asia/Makassar", "new": "Asia/Jakarta"},
        "email": {"old": "", "new": "kpu@sampang.example"},
        "logo": {"old": None, "new": sha},
        "parent_id": {"old": None, "new": PROVINCE},
    }
    assert ctx.for_office(OTHER).settings.office.phone == ""  # kept by this process from now on
    offices.set_office(ctx, OTHER, OfficeChange(phone="(0323) 2"))
    office = ctx.for_office(OTHER).settings.office  # the kept context was dropped by the change
    assert (office.name, office.email, office.phone) == ("KPU Kab. Sampang", "kpu@sampang.example", "(0323) 2")
    assert office.timezone == "Asia/Jakarta"
    # the same values again: nothing changes, no event
    again = run_cli(["offices", "set", OTHER, "--name", "KPU Kab. Sampang"], settings, clock)
    assert again.code == 0 and "tidak ada yang diubah" in again.out
    assert len(changed_events(settings, clock)) == 2  # the name and the phone above
    assert version(ctx) == 3  # 1 at add, moved on by each change (running services rebuild on it), not by this
    cleared = run_cli(["offices", "set", OTHER, "--no-parent", "--email", ""], settings, clock)
    assert cleared.code == 0, cleared.err
    assert (listed(settings, clock)["parent"], listed(settings, clock)["email"]) == (None, "")
    assert run_cli(["--kantor", OTHER, "audit", "verify"], settings, clock).code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["9999", "--name", "X"], "'9999' tidak ada. Lihat kantor yang ada dengan `sop offices list`."),
        ([OTHER], "sebutkan sedikitnya satu: nama, zona"),
        ([OTHER, "--name", " "], "Nama kantor wajib diisi"),
        ([OTHER, "--zone", "UTC"], "WIB, WITA atau WIT"),
        ([OTHER, "--email", "kpu sampang"], "bukan alamat pos-el"),
        ([OTHER, "--parent", OTHER], "tidak bisa menjadi induk kantor 3527"),
        ([OTHER, "--parent", "4000"], "induk dengan kode satker '4000' tidak ada"),
        ([PROVINCE, "--parent", OTHER], "berada di bawahnya"),
        (["3526", "--name", "KPU Lain"], "kantor config.toml"),
    ],
)
def test_set_refuses_bad_input_and_changes_nothing(
    ctx: Context, settings: Settings, clock: FixedClock, args: list[str], message: str
) -> None:
    add_province(ctx)
    add_other_office(ctx, parent=PROVINCE)
    before = json.loads(run_cli(["offices", "list", "--json"], settings, clock).out)
    valid = ["--address", "Jl. Baru 1"] if len(args) > 1 else []  # a good change beside the bad one is not made
    run = run_cli(["offices", "set", *args, *valid], settings, clock)
    assert run.code == 1
    assert message in run.err
    assert json.loads(run_cli(["offices", "list", "--json"], settings, clock).out) == before
    assert changed_events(settings, clock) == []


def test_a_logo_must_be_a_small_png_or_jpeg_by_its_content(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    add_other_office(ctx)
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"%PDF-1.4 not an image")
    big = tmp_path / "besar.png"
    big.write_bytes(png_logo(tmp_path / "kecil.png").read_bytes() + b"\0" * (1024 * 1024))
    refused = run_cli(["offices", "set", OTHER, "--logo", str(fake)], settings, clock)
    assert refused.code == 1 and "berisi PDF, bukan gambar PNG atau JPEG" in refused.err
    refused = run_cli(["offices", "set", OTHER, "--logo", str(big)], settings, clock)
    assert refused.code == 1 and "melebihi batas 1048576 bait (1 MB)" in refused.err
    refused = run_cli(["offices", "add", "3528", "--name", "KPU Kota Surabaya", "--logo", str(fake)], settings, clock)
    assert refused.code == 1 and "bukan gambar PNG atau JPEG" in refused.err
    assert listed(settings, clock)["logo_sha256"] is None
    assert "3528" not in run_cli(["offices", "list"], settings, clock).out


def test_add_takes_the_email_and_logo_and_the_documents_show_them(
    ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    logo = png_logo(tmp_path / "logo.png")
    args = ["offices", "add", OTHER, "--name", "KPU Kabupaten Sampang", "--email", "kpu@sampang.example"]
    added = run_cli([*args, "--logo", str(logo), "--phone", "(0323) 1"], settings, clock)
    assert added.code == 0, added.err
    text = run_cli(["offices", "list"], settings, clock).out
    assert "kpu@sampang.example" in text and hashlib.sha256(logo.read_bytes()).hexdigest()[:12] in text
    other = ctx.for_office(OTHER)
    assert other.settings.office.contact_line == "Telepon (0323) 1 · Pos-el kpu@sampang.example"
    for person in DEMO_PEOPLE:
        people.add_person(other, dataclasses.replace(person, email=None))
    # a letter's kop
    cases.start_case(other, "lakip", 2021, "sekretaris")
    form = disposisi_form()
    letter = documents.make_disposisi(other, "lakip-2021", "sekretaris", form, tmp_path / "d.docx", attach=False)
    assert logo.read_bytes() in _images(letter.path)
    # the draft LKj's cover
    imported(other)
    drafted = draft.draft_lkj(other, 2020, tmp_path / "draf.docx").path
    assert logo.read_bytes() in _images(drafted)
    # a new logo reaches the next document
    second = png_logo(tmp_path / "baru.png", size=32)
    changed = run_cli(["offices", "set", OTHER, "--logo", str(second)], settings, clock)
    assert changed.code == 0 and "tanpa dijalankan ulang" in changed.out
    ctx.forget_office(OTHER)  # as a process started after the change (another process keeps what it read)
    other = ctx.for_office(OTHER)
    again = documents.make_disposisi(other, "lakip-2021", "sekretaris", form, tmp_path / "d2.docx", attach=False)
    assert second.read_bytes() in _images(again.path) and logo.read_bytes() not in _images(again.path)


def _images(path: Path) -> list[bytes]:
    """The image parts of a .docx."""
    package = docx.Document(str(path)).part.package
    return [part.blob for part in package.iter_parts() if part.content_type.startswith("image/")]


def test_a_new_zone_keeps_the_deadlines_set_and_recompute_moves_them(
    ctx: Context, settings: Settings, clock: FixedClock
) -> None:
    other = add_other_office(ctx)  # WITA
    clock.set(datetime.fromisoformat("2021-01-11T15:55:00+07:00"))  # 16:55 WITA: after its working day
    cases.start_case(other, "lakip", 2021, "sekretaris")
    due = cases.get_case(other, "lakip-2021").steps[0].due_at
    changed = offices.set_office(ctx, OTHER, OfficeChange(zone="WIB"))
    assert changed.changes == {"timezone": ("Asia/Makassar", "Asia/Jakarta")}
    other = ctx.for_office(OTHER)
    assert cases.get_case(other, "lakip-2021").steps[0].due_at == due  # a deadline already set stays
    [moved] = deadlines.recompute(other)
    assert cases.get_case(other, "lakip-2021").steps[0].due_at == moved.new_due != due
