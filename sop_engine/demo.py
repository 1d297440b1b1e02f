"""The fictional demo office and a simulated LAKIP case (``sop init --demo``, ``sop demo``).

Everyone here is invented: names, NIPs (their CPNS month is "00", which no real NIP has),
emails at kpu-bangkalan.example and phone numbers. ``run_demo`` plays a whole LAKIP 2021 case on
a simulated clock in a throw-away database, through the same services the CLI uses, and
returns the timeline a Sekretaris would read.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sop_engine import audit, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.config import DatabaseSettings, Settings
from sop_engine.config_notifications import LogChannelSettings
from sop_engine.context import Context
from sop_engine.db.models import Notification
from sop_engine.durations import parse_duration
from sop_engine.install import initialise
from sop_engine.notify.worker import Worker
from sop_engine.people import NewPerson

#: The password ``sop init --demo`` gives the demo people who have none (fictional office, local use).
DEMO_PASSWORD = "demo-sop-2021"

DEMO_PEOPLE: tuple[NewPerson, ...] = (
    NewPerson("ketua", "Hendra Wijaya, S.H.", ("ketua",), None, "ketua@kpu-bangkalan.example", "081200000001"),
    NewPerson(
        "sekretaris",
        "Dra. Ratna Kusumawati, M.M.",
        ("sekretaris",),
        "197003152000002001",
        "sekretaris@kpu-bangkalan.example",
        "081200000002",
        "ketua",
    ),
    NewPerson(
        "kasubag",
        "Bambang Setiawan, S.E.",
        ("kasubag_program",),
        "198005102000001003",
        "kasubag@kpu-bangkalan.example",
        "081200000003",
        "sekretaris",
    ),
    NewPerson(
        "staf1",
        "Dewi Lestari, A.Md.",
        ("staf",),
        "199001012000002004",
        "staf1@kpu-bangkalan.example",
        "081200000004",
        "kasubag",
    ),
    NewPerson(
        "staf2",
        "Agus Prasetyo",
        ("staf",),
        "199205202000001005",
        "staf2@kpu-bangkalan.example",
        "081200000005",
        "kasubag",
    ),
    NewPerson(
        "inspektorat",
        "Yuni Astuti, S.Ak.",
        ("inspektorat",),
        "198508082000002006",
        "inspektorat@kpu-bangkalan.example",
        "081200000006",
    ),
    NewPerson("admin", "Rudi Hartono", ("admin",), "198811112000001007", "admin@kpu-bangkalan.example", "081200000007"),
)


def minimal_pdf(text: str) -> bytes:
    """A small, valid one-page PDF showing ``text`` (ASCII), for demos and tests."""
    safe = text.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 760 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass(frozen=True)
class TimelineRow:
    """One round of one step as it happened in the simulation."""

    no: int
    name: str
    role: str
    actor: str
    budget: str
    round: int
    started: datetime
    due: datetime
    finished: datetime
    late_seconds: int
    outcome: str  # "selesai" or "dikembalikan ke langkah N"


@dataclass(frozen=True)
class SentNotice:
    """A notification the simulated scheduler sent."""

    at: datetime
    kind: str
    level: int
    step: int
    recipient: str


@dataclass(frozen=True)
class DemoResult:
    """What ``sop demo`` shows: the timeline, the case as it ended and the audit check."""

    rows: tuple[TimelineRow, ...]
    case: cases.CaseRecord
    verify: audit.VerifyResult
    tz: ZoneInfo
    jam_kerja_per_hari: float
    notices: tuple[SentNotice, ...] = ()


# (step, actor, working time spent, return-to step or 0, note or reason)
SCRIPT: tuple[tuple[int, str, str, int, str], ...] = (
    (1, "sekretaris", "5 menit", 0, "Disposisi penyusunan LKj 2020 kepada Kasubag Program"),
    (2, "kasubag", "1,5 jam", 0, "Format pengumpulan data kinerja per subbagian"),
    (3, "staf1", "40 menit", 0, "Format dikirim ke Subbag Umum, Hukum, Teknis dan Program"),
    (4, "staf2", "5 jam", 0, "Satu subbagian terlambat menyerahkan data"),
    (5, "kasubag", "3 hari", 0, "Analisis capaian indikator dan serapan anggaran"),
    (6, "staf1", "2 hari", 0, "Dokumen LKj versi 1"),
    (7, "kasubag", "4 jam", 6, "Tabel realisasi anggaran belum cocok dengan laporan keuangan; perbaiki Bab III"),
    (6, "staf1", "1 hari", 0, "Dokumen LKj versi 2, Bab III diperbaiki"),
    (7, "kasubag", "3 jam", 0, "Koreksi selesai"),
    (8, "kasubag", "30 menit", 0, "Diserahkan ke Sekretaris untuk dimintakan persetujuan Ketua"),
    (8, "sekretaris", "45 menit", 0, "Diparaf Sekretaris, diteruskan kepada Ketua"),
    (9, "ketua", "10 menit", 0, "Disetujui dan ditandatangani"),
    (10, "kasubag", "20 menit", 0, "Surat pengantar bernomor"),
    (11, "staf2", "45 menit", 0, "Dikirim, digandakan dan diarsipkan"),
)

DEMO_START = datetime.fromisoformat("2021-01-11T08:00:00+07:00")


def run_demo(settings: Settings) -> DemoResult:
    """Play a whole LAKIP 2021 case on a simulated clock in a temporary database."""
    with tempfile.TemporaryDirectory(prefix="sop-demo-") as folder:
        root = Path(folder)
        quiet = dataclasses.replace(
            settings.notifications,
            email=dataclasses.replace(settings.notifications.email, enabled=False),
            webhook=dataclasses.replace(settings.notifications.webhook, enabled=False),
            log=LogChannelSettings(enabled=True, path=root / "notifications.log"),
            digest=dataclasses.replace(settings.notifications.digest, enabled=False),
            default_channels=("log",),
        )
        demo_settings = dataclasses.replace(
            settings,
            database=DatabaseSettings(url=f"sqlite:///{root / 'demo.db'}"),
            storage=dataclasses.replace(settings.storage, artefacts_dir=root / "artefacts"),
            notifications=quiet,
        )
        clock = FixedClock(DEMO_START)
        ctx = Context.open(demo_settings, clock=clock)
        try:
            return _play(ctx, clock, root)
        finally:
            ctx.db.dispose()


def _play(ctx: Context, clock: FixedClock, root: Path) -> DemoResult:
    initialise(ctx, DEMO_PEOPLE)
    case = cases.start_case(ctx, "lakip", 2021, "sekretaris")
    worker = Worker(ctx, worker_id="demo")
    rows: list[TimelineRow] = []
    sent: list[SentNotice] = []
    for no, actor, spent, back_to, text in SCRIPT:
        step = case.steps[no - 1]
        if step.activated_at is None or step.due_at is None:
            raise RuntimeError(f"demo script out of order: step {no} is not active")
        finished = ctx.calendar.add(step.activated_at, ctx.calendar.budget_seconds(parse_duration(spent)))
        clock.set(finished)
        sent.extend(_deliver_until(ctx, worker, step.activated_at, finished))
        if back_to:
            case = cases.return_step(ctx, case.id, no, back_to, actor, text)
            outcome = f"dikembalikan ke langkah {back_to}"
        else:
            files = [] if step.file_rule == "opsional" else [_document(root, no, step.output)]
            case = cases.complete_step(ctx, case.id, no, actor, files=files, note=text)
            outcome = "selesai"
        late = max(0, ctx.calendar.working_seconds_between(step.due_at, finished))
        rows.append(
            TimelineRow(
                no,
                step.name,
                step.role,
                actor,
                step.budget,
                step.round,
                step.activated_at,
                step.due_at,
                finished,
                late,
                outcome,
            )
        )
    return DemoResult(tuple(rows), case, audit.verify(ctx), ctx.tz, ctx.calendar.jam_kerja_per_hari, tuple(sent))


def _deliver_until(ctx: Context, worker: Worker, since: datetime, until: datetime) -> list[SentNotice]:
    """Run the scheduler at every moment a notification came due in (since, until)."""
    sent: list[SentNotice] = []
    with ctx.db.read() as session:
        moments = sorted(
            set(
                session.scalars(
                    select(Notification.due_at).where(
                        Notification.status == "pending", Notification.due_at <= until, Notification.due_at >= since
                    )
                )
            )
        )
    for moment in moments:
        for outcome in worker.tick(moment).outcomes:
            if outcome.status == "sent":
                sent.append(SentNotice(moment, outcome.kind, outcome.level, outcome.step or 0, outcome.recipient))
    return sent


def _document(root: Path, no: int, output: str) -> IncomingFile:
    path = root / f"langkah-{no:02d}.pdf"
    path.write_bytes(minimal_pdf(f"LAKIP 2021 - langkah {no}: {output}"))
    return IncomingFile.from_path(path)
