"""Every Indonesian word people read for a stored value: statuses, kinds, actions, detail keys.

Pure data, keyed by the StrEnums of :mod:`sop_engine.db.statuses` where the value has one (a
StrEnum member equals its text, so a lookup by the stored string finds it too). The services
may use these words in their messages; nothing here imports a service, so any module may
import this one. The roles' names are domain data and stay in :data:`sop_engine.definitions.ROLE_LABELS`.
"""

from __future__ import annotations

from sop_engine.db.statuses import CaseStatus, LetterStatus, NotificationKind, NotificationStatus, StepStatus

#: Where a case stands.
CASE_STATUS_LABELS: dict[str, str] = {
    CaseStatus.RUNNING: "berjalan",
    CaseStatus.DONE: "selesai",
    CaseStatus.CANCELLED: "dibatalkan",
}
#: Where one step of a case stands.
STEP_STATUS_LABELS: dict[str, str] = {
    StepStatus.WAITING: "menunggu",
    StepStatus.ACTIVE: "aktif",
    StepStatus.DONE: "selesai",
    StepStatus.SKIPPED: "dilewati",
}
#: A decision step's answer (``case_steps.answer``).
ANSWER_LABELS: dict[str, str] = {"ya": "Ya", "tidak": "Tidak"}
#: A case's or a step's status (the two share "done"), for a page that shows either.
STATUS_LABELS: dict[str, str] = {**STEP_STATUS_LABELS, **CASE_STATUS_LABELS}

#: What a notification is for.
NOTIFICATION_KIND_LABELS: dict[str, str] = {
    NotificationKind.REMINDER: "pengingat",
    NotificationKind.DUE: "tenggat",
    NotificationKind.ESCALATION: "eskalasi",
    NotificationKind.DIGEST: "ringkasan harian",
}
#: What became of a notification.
NOTIFICATION_STATUS_LABELS: dict[str, str] = {
    NotificationStatus.PENDING: "menunggu",
    NotificationStatus.SENT: "terkirim",
    NotificationStatus.SKIPPED: "dilewati",
    NotificationStatus.FAILED: "gagal",
    NotificationStatus.CANCELLED: "dibatalkan",
}

#: A number of the letter register.
LETTER_STATUS_LABELS: dict[str, str] = {LetterStatus.ISSUED: "terbit", LetterStatus.CANCELLED: "dibatalkan"}

#: The urgency (sifat) of a disposisi as typed, and as written on the form.
URGENCY_LABELS: dict[str, str] = {
    "biasa": "Biasa",
    "segera": "Segera",
    "sangat segera": "Sangat Segera",
    "rahasia": "Rahasia",
}

#: What a disposisi may ask of its recipient ("Dengan hormat harap"), by key as given on the command line.
DISPOSISI_REQUEST_LABELS: dict[str, str] = {
    "tanggapan dan saran": "Tanggapan dan saran",
    "proses lebih lanjut": "Proses lebih lanjut",
    "koordinasi": "Koordinasi/konfirmasi",
    "untuk diketahui": "Untuk diketahui",
    "siapkan bahan": "Siapkan bahan",
    "arsip": "Arsipkan",
}

#: Whether an API token still opens the API, keyed by the values of ``api_tokens.TokenStatus``.
TOKEN_STATUS_LABELS: dict[str, str] = {"live": "Berlaku", "expired": "Kedaluwarsa", "revoked": "Dicabut"}

#: What a file is by its content: the kinds an artefact may have (``definitions.FILE_KINDS``), then
#: what a refused file turned out to be.
FILE_KIND_LABELS: dict[str, str] = {
    "pdf": "PDF",
    "docx": "dokumen Word (DOCX)",
    "xlsx": "lembar kerja Excel (XLSX)",
    "odt": "dokumen ODT",
    "ods": "lembar kerja ODS",
    "jpeg": "gambar JPEG",
    "png": "gambar PNG",
    "elf": "program (ELF)",
    "exe": "program Windows (EXE)",
    "script": "skrip",
    "zip": "arsip ZIP",
    "bomb": "arsip yang mengembang tidak wajar (zip bomb)",
    "unknown": "jenis yang tidak dikenal",
}

#: The audit actions, for people reading the trail.
ACTION_LABELS: dict[str, str] = {
    "system.initialised": "Basis data disiapkan",
    "workflow.registered": "SOP didaftarkan",
    "office.changed": "Pengaturan kantor diubah",
    "person.added": "Pegawai ditambahkan",
    "person.password_set": "Kata sandi diatur",
    "person.token_issued": "Token API dibuat",
    "person.token_revoked": "Token API dicabut",
    "person.deactivated": "Akun dinonaktifkan",
    "person.activated": "Akun diaktifkan kembali",
    "person.roles_changed": "Peran diubah",
    "case.started": "Kasus dimulai",
    "step.completed": "Langkah diselesaikan",
    "step.confirmed": "Langkah diparaf",
    "step.returned": "Langkah dikembalikan",
    "case.cancelled": "Kasus dibatalkan",
    "letter.issued": "Nomor surat diterbitkan",
    "lakip.targets_imported": "Target kinerja diimpor",
    "lakip.budget_imported": "Realisasi anggaran diimpor",
    "lakip.realisations_recorded": "Realisasi indikator dicatat",
    "lakip.workbook_sent": "Buku kerja dikirim ke subbagian",
    "lakip.workbook_imported": "Buku kerja pengumpulan data diimpor",
    "letter.cancelled": "Nomor surat dibatalkan",
    "deadlines.recomputed": "Tenggat dihitung ulang",
    "notification.sent": "Notifikasi terkirim",
    "notification.retry": "Notifikasi dicoba lagi",
    "notification.failed": "Notifikasi gagal",
    "notification.skipped": "Notifikasi dilewati",
}

#: The groups of the audit filter's choices, by the action's prefix: the SOP's work first, then the
#: accounts (an auditor looks for password resets and token changes too), then the machine's own
#: events; an action of no group is listed under the last.
ACTION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Pekerjaan SOP", ("case.", "step.", "letter.", "lakip.")),
    ("Akun pegawai", ("person.",)),
    ("Sistem dan notifikasi", ("system.", "office.", "workflow.", "deadlines.", "notification.")),
)

#: The keys of an audit event's details; a key not listed is shown as it is. The page of the
#: trail shows the listed keys first, in this order.
DETAIL_LABELS: dict[str, str] = {
    "case": "kasus",
    "step": "langkah",
    "to": "ke langkah",
    "reason": "alasan",
    "note": "catatan",
    "files": "berkas",
    "file": "berkas",
    "filename": "nama berkas",
    "workflow": "alur kerja",
    "year": "tahun",
    "revision": "revisi",
    "restart_of": "memulai ulang kasus",
    "parent": "bagian dari kasus",
    "parent_step": "langkah kasus induk",
    "started_cases": "kasus yang dimulai",
    "completed_by_case": "selesai karena kasus selesai",
    "steps": "jumlah langkah",
    "late": "terlambat",
    "due_at": "tenggat",
    "first_due_at": "tenggat pertama",
    "old_due_at": "tenggat lama",
    "new_due_at": "tenggat baru",
    "round": "putaran",
    "name": "nama",
    "username": "nama pengguna",
    "nip": "NIP",
    "roles": "peran",
    "supervisor": "atasan",
    "email": "email",
    "phone": "telepon",
    "sha256": "sha256",
    "satker": "satker",
    "timezone": "zona waktu",
    "number": "nomor",
    "seq": "urutan",
    "date": "tanggal",
    "subject": "perihal",
    "klasifikasi": "klasifikasi",
    "label": "keterangan",
    "prefix": "awalan token",
    "moved": "dipindahkan",
    "notification": "notifikasi",
    "notifications": "notifikasi",
    "kind": "jenis",
    "level": "tingkat",
    "recipient": "penerima",
    "channel": "saluran",
    "address": "alamat",
    "message_id": "id pesan",
    "error": "kesalahan",
    "divisions": "subbagian",
    "size": "ukuran",
}

#: Where a declared LKj budget total was read (a consistency finding names it).
DECLARED_SOURCE_LABELS: dict[str, str] = {
    "file": "baris JUMLAH berkas realisasi",
    "dipa": "baris JUMLAH berkas DIPA",
    "narrative": "narasi laporan",
}
#: What a declared total is compared with, by the same sources.
COMPUTED_TOTAL_LABELS: dict[str, str] = {
    "file": "jumlah baris-baris berkas itu",
    "dipa": "jumlah pagu output DIPA",
    "narrative": "jumlah tabel realisasi anggaran",
}
#: The budget figures a finding compares.
BUDGET_FIELD_LABELS: dict[str, str] = {"pagu": "pagu", "realisasi": "realisasi"}
#: The kinds of imported LKj data, as the draft lists its sources.
IMPORT_KIND_LABELS: dict[str, str] = {"targets": "Target/DIPA", "budget": "Realisasi anggaran"}
