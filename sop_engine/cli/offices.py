"""``sop offices add|set|list``: the offices of a central install, and the LAKIP progress of each.

``--kantor SATKER`` (or ``$SOP_KANTOR``) on any command picks the office it works in; without
either a command works in config.toml's office, as in a single install.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sop_engine import offices
from sop_engine.cli.output import short, table
from sop_engine.cli.parsing import print_json
from sop_engine.context import Context
from sop_engine.errors import InvalidInput
from sop_engine.offices import NewOffice, OfficeChange, OfficeProgress, OfficeRecord
from sop_engine.views.labels import CASE_STATUS_LABELS
from sop_engine.views.offices import late_text, office_json, progress_json


def cmd_offices_add(args: argparse.Namespace, ctx: Context) -> int:
    new = NewOffice(
        satker=args.satker,
        name=args.name,
        zone=args.zone,
        address=args.address or "",
        phone=args.phone or "",
        website=args.website or "",
        parent=args.parent,
        calendar=_calendar_table(args.calendar) if args.calendar else {},
        email=args.email or "",
        logo=Path(args.logo) if args.logo else None,
    )
    office = offices.add_office(ctx, new)
    print(
        f"Kantor {office.satker} ({office.name}, {office.zone}) ditambahkan; SOP didaftarkan. Tambahkan pegawainya "
        f"dengan `sop --kantor {office.satker} people add ...`."
    )
    return 0


def cmd_offices_set(args: argparse.Namespace, ctx: Context) -> int:
    change = OfficeChange(
        name=args.name,
        zone=args.zone,
        address=args.address,
        phone=args.phone,
        website=args.website,
        email=args.email,
        logo=Path(args.logo) if args.logo else None,
        parent=args.parent,
        no_parent=args.no_parent,
        calendar=_calendar_table(args.calendar) if args.calendar else None,
    )
    done = offices.set_office(ctx, args.satker, change)
    if not done.changes:
        print(f"Pengaturan kantor {done.satker} sudah seperti yang diberikan; tidak ada yang diubah.")
        return 0
    print(f"Pengaturan kantor {done.satker} diubah:")
    for column, (old, new) in done.changes.items():
        print(f"  {CHANGE_LABELS[column]}: {_value(old)} → {_value(new)}")
    print(
        "Perintah sop berikutnya langsung memakai pengaturan baru; layanan yang sedang berjalan (sop serve, "
        "penjadwal) memakainya mulai permintaan atau putaran berikutnya, tanpa dijalankan ulang."
    )
    if "timezone" in done.changes or "calendar" in done.changes:
        print(
            f"Tenggat langkah yang sudah ditetapkan tidak berubah; tenggat yang dihitung mulai sekarang memakai "
            f"zona {done.zone} dan kalender kantor yang baru. Untuk menghitung ulang tenggat yang masih berjalan: "
            f"`sop --kantor {done.satker} deadlines recompute`."
        )
    return 0


#: The columns of an office as ``sop offices set`` names them.
CHANGE_LABELS = {
    "name": "Nama",
    "timezone": "Zona waktu",
    "address": "Alamat",
    "phone": "Telepon",
    "website": "Situs web",
    "email": "Pos-el",
    "logo": "Logo (sha256)",
    "calendar": "Kalender",
    "parent_id": "Induk",
}


def _value(value: object) -> str:
    return "-" if value in (None, "") else str(value)


def cmd_offices_list(args: argparse.Namespace, ctx: Context) -> int:
    listed = offices.list_offices(ctx)
    if args.year is None:
        print_json([office_json(o) for o in listed]) if args.json else print(offices_table(listed))
        return 0
    rows = offices.lakip_progress(ctx, tuple(o.satker for o in listed), args.year)
    if args.json:
        print_json({"year": args.year, "offices": [progress_json(row) for row in rows]})
    else:
        print(progress_table(rows, args.year))
    return 0


def offices_table(items: Sequence[OfficeRecord]) -> str:
    """``sop offices list``: one line per office."""
    return table(
        ["Satker", "Nama", "Zona", "Induk", "Pegawai", "Pos-el", "Logo", "Pengaturan"],
        [
            [
                o.satker,
                o.name,
                o.zone,
                o.parent or "-",
                o.people,
                o.email or "-",
                o.logo_sha256[:12] if o.logo_sha256 else "-",
                "config.toml" if o.from_config else "basis data",
            ]
            for o in items
        ],
    )


def progress_table(rows: Sequence[OfficeProgress], year: int) -> str:
    """``sop offices list --year``: each office's LAKIP case, its running step and how late it is."""
    lines = [
        [
            row.satker,
            row.name,
            _case_cell(row),
            f"{row.step.no}. {row.step.role}" if row.step else "-",
            short(row.step.due_at, ZoneInfo(row.timezone)) + f" {row.zone}" if row.step else "-",
            late_text(row.late_seconds) or ("tepat waktu" if row.step else "-"),
        ]
        for row in rows
    ]
    head = f"LAKIP {year}, keterlambatan dalam jam kerja kantor masing-masing:"
    return head + "\n" + table(["Satker", "Kantor", "Kasus", "Langkah", "Tenggat", "Keterlambatan"], lines)


def _case_cell(row: OfficeProgress) -> str:
    if row.case is None:
        return "belum dimulai"
    return f"{row.case.id} ({CASE_STATUS_LABELS.get(row.case.status, row.case.status)})"


def _calendar_table(path: str) -> dict[str, Any]:
    """The ``[calendar]`` table of a TOML file (the same keys as config.toml's)."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Berkas kalender '{path}' tidak terbaca sebagai TOML: {exc}.", value=path) from exc
    found = raw.get("calendar")
    if not isinstance(found, dict):
        raise InvalidInput(
            f"Berkas kalender '{path}' tidak memuat tabel [calendar] (kunci seperti di config.toml).", value=path
        )
    return found
