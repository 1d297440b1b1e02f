"""The ``sop`` command tree: every group, command and option, built without importing a service.

Each command names its handler as ``"module.function"`` in :mod:`sop_engine.cli`; ``main``
imports that one module after parsing, so ``sop --help`` and a usage error load no service and
``sop case show`` loads only what showing a case needs. This module registers the work on
cases (case, step, artefacts, audit), timing (plan, scheduler, notifications, deadlines) and
the archive; :mod:`.tree_office` and :mod:`.tree_documents` the rest.
"""

from __future__ import annotations

import argparse
from typing import Any

from sop_engine.cli import tree_documents, tree_office
from sop_engine.cli.parsing import Commands, Parser
from sop_engine.definitions import SYSTEM_ACTOR
from sop_engine.paging import DEFAULT_LIMIT as LIMIT

__all__ = ["build_parser"]

#: The names of ``views.audit_export.FORMATS`` (written out: the tree imports no view; a test keeps them equal).
AUDIT_EXPORT_FORMATS = ("csv", "xlsx", "csv-rfc")
MINING_EXPORT_FORMATS = ("xes", "ocel")  # whole cases as event logs (cli/quality.py)


def build_parser() -> argparse.ArgumentParser:
    """The whole ``sop`` parser."""
    common = Parser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="berkas konfigurasi (bawaan: ./config.toml)")
    common.add_argument(
        "--kantor",
        default=argparse.SUPPRESS,
        metavar="SATKER",
        help="kantor pada instalasi pusat (bawaan: $SOP_KANTOR, lalu [office] config.toml)",
    )
    parser = Parser(prog="sop", description="Mesin alur kerja SOP kantor pemerintah (LAKIP).", parents=[common])
    commands = Commands(parser, common)
    tree_office.register(commands)
    _register_casework(commands)
    _register_timing(commands)
    tree_documents.register(commands)
    _register_archive(commands)
    _register_evaluation(commands)
    return parser


def _register_evaluation(cli: Commands) -> None:
    """`sop evaluasi`: monitoring and evaluation of how an SOP is followed (handler in :mod:`.quality`)."""
    p = cli.command(
        None, "evaluasi", "quality.cmd_evaluasi", "monitoring dan evaluasi pelaksanaan SOP per langkah", json_flag=True
    )
    p.add_argument("workflow")
    p.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="kasus yang dimulai sejak tanggal ini")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="kasus yang dimulai sampai tanggal ini, termasuk")
    p.add_argument(
        "-o",
        "--output",
        metavar="BERKAS.xlsx|.pdf",
        help="tulis lembar evaluasi dan formulir monitoring (.xlsx atau .pdf)",
    )


def _register_casework(cli: Commands) -> None:
    """Cases, steps, documents and the audit trail (handlers in :mod:`.casework`)."""
    sub = cli.group("case", "kasus: satu per tahun (SOP tahunan) atau banyak per tahun (SOP bebas)")
    p = cli.command(sub, "start", "casework.cmd_case_start", "mulai kasus (peran dimulai_oleh SOP itu)", json_flag=True)
    p.add_argument("workflow")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--at", help="waktu kejadian bila dicatat belakangan (ISO 8601)")
    p = cli.command(sub, "list", "casework.cmd_case_list", "daftar kasus, tahun terbaru dahulu, per halaman", True)
    p.add_argument("--limit", type=int, default=LIMIT, metavar="N", help=f"kasus per halaman (bawaan {LIMIT})")
    p.add_argument("--after", metavar="PENANDA", help="halaman sesudah penanda ini (dicetak di akhir halaman)")
    p = cli.command(sub, "show", "casework.cmd_case_show", "tampilkan kasus", json_flag=True)
    p.add_argument("case")
    p = cli.command(sub, "cancel", "casework.cmd_case_cancel", "batalkan kasus (sekretaris)", json_flag=True)
    p.add_argument("case")
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--at")

    _add_archive_create(cli, sub, "archive")

    sub = cli.group("step", "langkah SOP")
    p = cli.command(sub, "done", "casework.cmd_step_done", "selesaikan langkah yang aktif", json_flag=True)
    p.add_argument("case")
    p.add_argument("step", type=int)
    p.add_argument("--by", required=True)
    p.add_argument("--file", action="append", default=[], help="dokumen keluaran (boleh diulang)")
    p.add_argument("--note")
    p.add_argument("--at")
    p = cli.command(sub, "jawab", "casework.cmd_step_answer", "jawab langkah keputusan: ya atau tidak", json_flag=True)
    p.add_argument("case")
    p.add_argument("step", type=int)
    p.add_argument("answer", metavar="ya|tidak")
    p.add_argument("--by", required=True)
    p.add_argument("--catatan", help="catatan jawaban (wajib bila jawaban mengembalikan pekerjaan)")
    p.add_argument("--at")
    p = cli.command(
        sub, "return", "casework.cmd_step_return", "kembalikan pekerjaan ke langkah sebelumnya", json_flag=True
    )
    p.add_argument("case")
    p.add_argument("step", type=int)
    p.add_argument("--to", type=int, required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--at")

    sub = cli.group("artefacts", "dokumen kasus")
    p = cli.command(sub, "list", "casework.cmd_artefacts_list", "daftar dokumen kasus", json_flag=True)
    p.add_argument("case")
    p = cli.command(sub, "get", "casework.cmd_artefacts_get", "ambil dokumen (hash diperiksa)")
    p.add_argument("case")
    p.add_argument("artefact")
    p.add_argument("-o", "--output", required=True)

    _register_audit(cli)


def _register_audit(cli: Commands) -> None:
    sub = cli.group("audit", "jejak audit")
    p = cli.command(sub, "log", "casework.cmd_audit_log", "tampilkan jejak audit", json_flag=True)
    _add_audit_filter_options(p)
    p = cli.command(sub, "verify", "casework.cmd_audit_verify", "periksa keutuhan rantai hash", json_flag=True)
    p.add_argument("--head", help="kepala rantai yang dicatat sebelumnya, NOMOR:HASH (harus masih ada)")
    p = cli.command(sub, "export", "casework.cmd_audit_export", "ekspor jejak audit")
    p.add_argument(
        "--format",
        choices=(*AUDIT_EXPORT_FORMATS, *MINING_EXPORT_FORMATS),
        required=True,
        help="csv: untuk dibaca orang (pemisah ';', waktu kantor); xlsx: lembar kerja Excel; "
        "csv-rfc: bentuk mesin (koma, waktu UTC, JSON, hash); xes, ocel: log peristiwa untuk process mining",
    )
    p.add_argument("-o", "--output", required=True)
    _add_audit_filter_options(p)


def _add_audit_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--case", metavar="KASUS", help="hanya peristiwa kasus ini, misalnya lakip-2021")
    p.add_argument("--actor", metavar="PENGGUNA", help="hanya peristiwa oleh pengguna ini (nama pengguna, persis)")
    p.add_argument("--action", metavar="TINDAKAN", help="hanya tindakan ini (persis), misalnya step.completed")
    p.add_argument(
        "--since", metavar="YYYY-MM-DD", help="sejak tanggal ini, termasuk (waktu kantor, menurut waktu kejadian)"
    )
    p.add_argument(
        "--until", metavar="YYYY-MM-DD", help="sampai tanggal ini, termasuk (waktu kantor, menurut waktu kejadian)"
    )


def _register_timing(cli: Commands) -> None:
    """Planning, the scheduler, notifications and deadlines (handlers in :mod:`.timing`)."""
    p = cli.command(
        None, "plan", "timing.cmd_plan", "rencana mundur: kapan tiap langkah paling lambat dimulai", json_flag=True
    )
    p.add_argument("workflow")
    p.add_argument("--deadline", required=True, help="batas akhir seluruh kasus (ISO 8601)")

    sub = cli.group("scheduler", "penjadwal pengingat dan eskalasi")
    cli.command(sub, "run", "timing.cmd_scheduler_run", "jalankan penjadwal terus-menerus")
    p = cli.command(
        sub, "tick", "timing.cmd_scheduler_tick", "satu putaran: kirim yang sudah jatuh tempo", json_flag=True
    )
    p.add_argument("--now", help="anggap sekarang waktu ini (ISO 8601), untuk uji dan simulasi")

    sub = cli.group("notifications", "notifikasi")
    p = cli.command(sub, "list", "timing.cmd_notifications_list", "semua notifikasi dan nasibnya", json_flag=True)
    p.add_argument("--case")

    sub = cli.group("deadlines", "tenggat")
    p = cli.command(
        sub,
        "recompute",
        "timing.cmd_deadlines_recompute",
        "hitung ulang tenggat setelah hari libur berubah",
        json_flag=True,
    )
    p.add_argument("--by", default=SYSTEM_ACTOR, help="siapa yang meminta (untuk jejak audit)")


def _add_archive_create(cli: Commands, sub: Any, name: str) -> None:
    """Add the build command as ``name`` to the group ``sub`` (``sop archive create``, ``sop case archive``)."""
    p = cli.command(
        sub, name, "archive.cmd_archive_create", "buat arsip kasus (.zip): dokumen, manifest, jejak audit", True
    )
    p.add_argument("case")
    p.add_argument("-o", "--output", required=True, help="berkas .zip yang ditulis")


def _register_archive(cli: Commands) -> None:
    """The case bundle and its check (handlers in :mod:`.archive`); the check needs no database or config."""
    sub = cli.group("archive", "arsip kasus (.zip) dan pemeriksaan keutuhannya")
    _add_archive_create(cli, sub, "create")
    p = cli.command(
        sub, "verify", "archive.cmd_archive_verify", "periksa keutuhan arsip (tanpa basis data)", json_flag=True
    )
    p.add_argument("path")
    p.set_defaults(needs_context=False)
