"""The letters a LAKIP case produces, as Word documents filled from office-editable templates.

Step 1's *disposisi* and step 10's *surat pengantar* are generated from ``documents/*.docx``
(made by ``documents/build_templates.py``; an office may edit them in Word), filled by
:mod:`sop_engine.docx_fill` under its strict rules: a tag the template uses but this module does
not provide is refused with its name, never printed blank. The values are computed here
(Indonesian dates, urgency labels, the letterhead); the templates only place them.

The ``make_*`` functions also do the step's work in one command: the surat pengantar takes its
number from the letter register, and either document can be attached to its step as the
step's output (``cases.complete_step``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sop_engine import cases, letter_parts, letters, people
from sop_engine.artefacts import IncomingFile
from sop_engine.case_checks import stated_time
from sop_engine.cases import CaseRecord
from sop_engine.context import Context
from sop_engine.db.queries import find_case, find_person
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.docx_fill import check_template, fill
from sop_engine.errors import InvalidInput, NotAllowed, SopError
from sop_engine.formatting import format_date, format_nip
from sop_engine.letter_parts import Signer as Signer
from sop_engine.letter_parts import signer as signer
from sop_engine.letters import LetterRecord
from sop_engine.remedies import Field, Hint, Remedy
from sop_engine.views.labels import STATUS_LABELS, URGENCY_LABELS
from sop_engine.workflows import definition_of

#: The templates shipped with sop-engine (``documents/`` at the top of the project).
#: The templates' file names in the documents folder (``[documents] dir``, else the package's).
DISPOSISI_TEMPLATE = "disposisi.docx"
PENGANTAR_TEMPLATE = "surat-pengantar.docx"


#: Urgency of a disposisi (sifat), as written on the form.
URGENCIES = URGENCY_LABELS

#: The LAKIP steps whose output these documents are.
DISPOSISI_STEP, PENGANTAR_STEP = 1, 10


@dataclass(frozen=True)
class Attachment:
    """One row of a surat pengantar's table: what is sent, how much of it, and a remark."""

    description: str
    quantity: str = "1 (satu) berkas"
    note: str = "Disampaikan dengan hormat"


@dataclass(frozen=True)
class DisposisiForm:
    """What a lembar disposisi says (urgency: biasa, segera, sangat segera or rahasia), and the
    incoming letter it is written on (left as blanks to fill by hand when not given)."""

    agenda_number: str
    date: date
    from_: str
    to: str
    urgency: str
    instruction: str
    subject: str | None = None  # default: the SOP's title
    from_name: str = ""
    letter_from: str = ""
    letter_number: str = ""
    letter_date: dt.date | None = None
    received: dt.date | None = None
    #: What is asked of the recipient (keys of ``letter_parts.REQUESTS``).
    requests: tuple[str, ...] = ("proses lebih lanjut",)
    #: The letterhead's address line; None: the office's, from ``[office]`` in config.toml.
    address: str | None = None
    #: Another template than the office's ``disposisi.docx``.
    template: Path | None = None


@dataclass(frozen=True)
class PengantarForm:
    """What a surat pengantar says, apart from its number (which the register gives)."""

    date: date
    to: str
    signer_name: str
    signer_title: str
    signer_nip: str = ""
    subject: str | None = None  # default: "Penyampaian Dokumen LAKIP <office>"
    attachments: tuple[Attachment, ...] = ()  # default: one row, "Dokumen LAKIP <office>"
    place: str = ""
    #: The letterhead's address line; None: the office's, from ``[office]`` in config.toml.
    address: str | None = None
    #: Another template than the office's ``surat-pengantar.docx``.
    template: Path | None = None
    #: The classification code the number carries (``{klasifikasi}``); None: ``[letters] klasifikasi``.
    klasifikasi: str | None = None
    #: The addressee's instansi (under the jabatan ``to``) and city ("di <kota>"); without a city,
    #: only an addressee of this office is written "di Tempat".
    to_office: str = ""
    to_city: str = ""


@dataclass(frozen=True)
class Generated:
    """A generated document, the register number it carries, and the case if it was attached."""

    path: Path
    letter: LetterRecord | None = None
    case: CaseRecord | None = None


def template_of(ctx: Context, form: DisposisiForm | PengantarForm) -> Path:
    """The form's own template, else the office's (``[documents] dir``, else the package's default)."""
    if form.template is not None:
        return form.template
    name = DISPOSISI_TEMPLATE if isinstance(form, DisposisiForm) else PENGANTAR_TEMPLATE
    return ctx.settings.documents_dir / name


# --- the two documents ---------------------------------------------------------------------


def disposisi(
    ctx: Context,
    case: str,
    *,
    agenda_number: str,
    date: date,
    from_: str,
    to: str,
    urgency: str,
    instruction: str,
    out_path: Path,
    from_name: str = "",
    address: str | None = None,
) -> Path:
    """The lembar disposisi of ``case`` at ``out_path`` (urgency: biasa, segera or sangat segera)."""
    form = DisposisiForm(agenda_number, date, from_, to, urgency, instruction, from_name=from_name, address=address)
    return fill(template_of(ctx, form), disposisi_values(ctx, cases.get_case(ctx, case), form), out_path)


def surat_pengantar(
    ctx: Context,
    case: str,
    *,
    number: str,
    date: date,
    to: str,
    subject: str,
    attachments: Sequence[Attachment | str],
    signer_name: str,
    signer_title: str,
    out_path: Path,
    signer_nip: str = "",
    address: str | None = None,
    to_office: str = "",
    to_city: str = "",
) -> Path:
    """The surat pengantar of ``case`` carrying the register number ``number``, at ``out_path``."""
    rows = tuple(a if isinstance(a, Attachment) else Attachment(a) for a in attachments)
    form = PengantarForm(
        date,
        to,
        signer_name,
        signer_title,
        signer_nip,
        subject,
        rows,
        address=address,
        to_office=to_office,
        to_city=to_city,
    )
    values = pengantar_values(ctx, cases.get_case(ctx, case), form)
    return fill(template_of(ctx, form), {**values, "nomor": number}, out_path)


def disposisi_values(ctx: Context, case: CaseRecord, form: DisposisiForm) -> dict[str, Any]:
    """The template values of a disposisi; refuses an unknown urgency or an empty field."""
    label = URGENCIES.get(form.urgency.strip().lower())
    if label is None:
        raise InvalidInput(
            f"Sifat disposisi '{form.urgency}' tidak dikenal; pilih salah satu: {', '.join(URGENCIES)}.",
            value=form.urgency,
        )
    sender = _required(form.from_, "Pengirim disposisi", '"Sekretaris"', Field.SENDER)
    to = _required(form.to, "Penerima disposisi", '"Kasubag Program"', Field.RECIPIENT)
    held = {role for p in people.list_people(ctx) if p.active for role in p.roles}
    return _common(ctx, case, form.address, form.date, form.subject or case.title) | {
        "nomor_agenda": _required(form.agenda_number, "Nomor agenda", "012", Field.AGENDA),
        "dari": sender,
        "kepada": to,
        "sifat": label,
        "sifat_pilihan": letter_parts.unbroken(letter_parts.boxes(URGENCIES.values(), [label])),
        "diteruskan": letter_parts.forward_list(held, sender, to),
        "harap": letter_parts.requests(form.requests),
        "surat_dari": form.letter_from.strip() or letter_parts.BLANK,
        "nomor_surat": form.letter_number.strip() or letter_parts.BLANK,
        "tanggal_surat": format_date(form.letter_date) if form.letter_date else letter_parts.BLANK,
        "diterima_tanggal": format_date(form.received) if form.received else letter_parts.BLANK,
        "isi_disposisi": _required(form.instruction, "Isi disposisi", '"Siapkan penyusunan LAKIP"', Field.INSTRUCTION),
        "nama_pengirim": form.from_name,
    }


def pengantar_values(ctx: Context, case: CaseRecord, form: PengantarForm) -> dict[str, Any]:
    """The template values of a surat pengantar, all but its number; refuses empty fields."""
    office = ctx.settings.office.name
    attachments = form.attachments or (Attachment(f"Dokumen LAKIP {office}"),)
    empty = next((a for a in attachments if not a.description.strip()), None)
    if empty is not None:
        raise InvalidInput(
            'Uraian lampiran surat pengantar tidak boleh kosong; tulis misalnya "Dokumen LAKIP".',
            value=empty.description,
            field=Field.ATTACHMENT,
        )
    subject = _required(
        f"Penyampaian Dokumen LAKIP {office}" if form.subject is None else form.subject,
        "Perihal",
        '"Penyampaian Dokumen LAKIP"',
        Field.SUBJECT,
    )
    place = form.place.strip()
    to = _required(form.to, "Tujuan surat", '"Ketua KPU Provinsi Jawa Timur"', Field.RECIPIENT)
    return _common(ctx, case, form.address, form.date, subject) | {
        "tempat_tanggal": f"{place}, {format_date(form.date)}" if place else format_date(form.date),
        "kepada": to,
        "instansi_tujuan": form.to_office.strip(),
        "di_tujuan": letter_parts.destination(form.to_city, f"{to} {form.to_office}", office),
        "jumlah_lampiran": f"{len(attachments)} berkas",
        "lampiran": [
            {"uraian": a.description.strip(), "banyaknya": a.quantity, "keterangan": a.note} for a in attachments
        ],
        "jabatan_penanda_tangan": _required(
            form.signer_title, "Jabatan penanda tangan", '"Sekretaris"', Field.SIGNER_TITLE
        ),
        "nama_penanda_tangan": _required(form.signer_name, "Nama penanda tangan", '"..."', Field.SIGNER_NAME),
        "nip_penanda_tangan": format_nip(form.signer_nip),
    }


def _common(ctx: Context, case: CaseRecord, address: str | None, day: date, subject: str) -> dict[str, Any]:
    """The letterhead and the values every letter has."""
    return letter_parts.letterhead(ctx.settings.office, address) | {
        "kasus": case.id,
        "tanggal": format_date(day),
        "perihal": subject,
    }


def _required(value: str, what: str, example: str, field: Field) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{what} wajib diisi, misalnya {example}.", value=value, field=field)
    return text


# --- one command: number, document, step ---------------------------------------------------


def make_disposisi(
    ctx: Context, case: str, by: str, form: DisposisiForm, out_path: Path, *, attach: bool, at: datetime | None = None
) -> Generated:
    """Generate the disposisi and, with ``attach``, complete step 1 with it as the step's document
    (at ``at``, for paper work recorded afterwards)."""
    values = disposisi_values(ctx, cases.get_case(ctx, case), form)
    if attach:
        require_attachable(ctx, case, DISPOSISI_STEP, by, at)
    path = fill(template_of(ctx, form), values, out_path)
    if not attach:
        return Generated(path)
    return Generated(
        path, case=cases.complete_step(ctx, case, DISPOSISI_STEP, by, files=[IncomingFile.from_path(path)], at=at)
    )


def make_surat_pengantar(
    ctx: Context, case: str, by: str, form: PengantarForm, out_path: Path, *, attach: bool, at: datetime | None = None
) -> Generated:
    """Take the next number from the register, generate the surat pengantar, and with ``attach``
    complete step 10 with it (at ``at``, for paper work recorded afterwards).

    Everything that can refuse the document or the step is checked before the number is taken.
    Should the step still be refused afterwards (someone completed it meanwhile), the number
    stays issued (the register has no gaps) and the error says how to attach or cancel it.
    """
    values = pengantar_values(ctx, cases.get_case(ctx, case), form)
    check_template(template_of(ctx, form), {**values, "nomor": ""})
    if attach:
        require_attachable(ctx, case, PENGANTAR_STEP, by, at)
    letter = letters.issue(
        ctx,
        form.date.year,
        values["perihal"],
        by,
        case=case,
        step=PENGANTAR_STEP,
        letter_date=form.date,
        klasifikasi=form.klasifikasi,
    )
    path = fill(template_of(ctx, form), {**values, "nomor": letter.number}, out_path)
    if not attach:
        return Generated(path, letter)
    try:
        record = cases.complete_step(ctx, case, PENGANTAR_STEP, by, files=[IncomingFile.from_path(path)], at=at)
    except SopError as exc:
        attach_or_cancel = Hint(
            Remedy.ATTACH_OR_CANCEL_LETTER,
            case=case,
            step=PENGANTAR_STEP,
            user=by,
            number=letter.number,
            path=str(path),
        )
        details = {key: value for key, value in exc.details.items() if key not in ("field", "hint")}
        raise type(exc)(
            f"{exc.message} Nomor {letter.number} sudah tercatat dan suratnya tersimpan di {path}.",
            exc.value,
            hint=attach_or_cancel,
            **details,
        ) from exc
    return Generated(path, letter, record)


def require_attachable(ctx: Context, case: str, step_no: int, by: str, at: datetime | None = None) -> None:
    """Refuse now what ``complete_step`` would refuse later: a case not running, the step not active,
    a role that may not do it, a step that takes no Word document, or a stated time ``at`` in the
    future or before the step began."""
    with ctx.db.read() as session:
        office = ctx.office(session)
        row = find_case(session, office.id, case)
        step = definition_of(row).step(step_no)
        actor = find_person(session, office.id, by)
        state = row.steps[step_no - 1]
        if row.status != CaseStatus.RUNNING or state.status != StepStatus.ACTIVE:
            raise NotAllowed(
                f"Langkah {step.no} ({step.name}) kasus {case} tidak sedang aktif (kasus "
                f"{STATUS_LABELS.get(row.status, row.status)}, langkah "
                f"{STATUS_LABELS.get(state.status, state.status)}); buat dokumennya tanpa melampirkannya "
                "ke langkah.",
                value=step_no,
                field=Field.ATTACH,
                hint=Hint(Remedy.SHOW_CASE, case=case),
            )
        if step.role not in actor.role_names:
            names = ctx.settings.roles
            raise NotAllowed(
                f"Langkah {step.no} ({step.name}) hanya dapat dikerjakan oleh peran {names.named(step.role)}; "
                f"'{by}' berperan {names.named_all(actor.role_names, '-')}.",
                value=by,
            )
        if "docx" not in step.file_kinds:
            raise NotAllowed(
                f"Langkah {step.no} ({step.name}) hanya menerima berkas {', '.join(step.file_kinds)}, bukan dokumen "
                'Word (kecuali "docx" ditambahkan ke jenis_berkas langkah itu di workflows/).',
                value=step_no,
                hint=Hint(Remedy.ATTACH_SCAN, case=case, step=step.no, user=by),
            )
        stated_time(ctx, at, not_before=state.activated_at, what=f"menyelesaikan langkah {step_no}")
