"""The letter register: outgoing letter numbers per office and year, with no gaps and no duplicates.

Step 10 of the LAKIP SOP numbers the surat pengantar. A number is the office's next sequence in
the year, written with the configured format (``[letters] number_format``, default
``{nomor}/PR.04-SR/{kode_satker}/Sek-Kab/{bulan_romawi}/{tahun}``). Taking a number locks the
office's counter row for the year, so concurrent requests (threads, processes, machines) queue
and each gets the next number; the letter row and its audit event commit in the same
transaction, so a failed request gives its number back and the sequence has no gaps. A number
that must not be used is cancelled, with a reason, and stays in the register: it is never
issued again.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sop_engine import audit, policy, textrules
from sop_engine.config_letters import KLASIFIKASI_MAX, LETTER_FIELDS, is_klasifikasi
from sop_engine.context import Context
from sop_engine.db.models import Person
from sop_engine.db.models_letters import Letter, LetterCounter
from sop_engine.db.queries import find_case, find_person
from sop_engine.db.statuses import LetterStatus
from sop_engine.errors import ConfigError, Conflict, InvalidInput, NotFound
from sop_engine.formatting import format_date, format_instant
from sop_engine.policy import Permission
from sop_engine.remedies import Field, Hint, Remedy

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class LetterRecord:
    """One number of the register as the services hand it out."""

    year: int
    seq: int
    number: str
    letter_date: date
    subject: str
    case: str | None
    step: int | None
    status: LetterStatus
    issued_by: str
    issued_at: datetime
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None


def roman_month(month: int) -> str:
    """I..XII for months 1..12, as Indonesian letter numbers write them."""
    return ROMAN_MONTHS[month - 1]


def check_format(number_format: str) -> str:
    """``number_format`` if it has ``{nomor}`` and only the known fields; ConfigError otherwise."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(number_format) if name is not None}
    except ValueError:  # an unpaired { or }
        fields = set()
    if "nomor" not in fields or fields - set(LETTER_FIELDS):
        known = ", ".join("{" + f + "}" for f in LETTER_FIELDS)
        raise ConfigError(
            f"Format nomor surat '{number_format}' tidak dapat dipakai; harus memuat {{nomor}} dan hanya "
            f"memakai {known}. Perbaiki [letters] number_format di config.toml.",
            value=number_format,
        )
    return number_format


def format_number(number_format: str, *, seq: int, satker: str, letter_date: date, klasifikasi: str = "") -> str:
    """The written number, e.g. ``12/PR.04-SR/3526/Sek-Kab/I/2021`` or ``15/PR.03-Kpt/3526/KPU-Kab/VI/2021``."""
    return check_format(number_format).format(
        nomor=seq,
        klasifikasi=klasifikasi,
        kode_satker=satker,
        satker=satker,
        bulan_romawi=roman_month(letter_date.month),
        tahun=letter_date.year,
    )


def uses_klasifikasi(number_format: str) -> bool:
    """Whether numbers written with ``number_format`` carry the letter's classification."""
    return "{klasifikasi}" in number_format


# --- reading -------------------------------------------------------------------------------


def list_letters(ctx: Context, year: int) -> list[LetterRecord]:
    """Every number of the office's register in ``year``, issued and cancelled, in sequence order."""
    _check_year(year)
    with ctx.db.read() as session:
        office = ctx.office(session)
        rows = session.scalars(
            select(Letter).where(Letter.office_id == office.id, Letter.year == year).order_by(Letter.seq)
        )
        return [_record(row) for row in rows]


def get_letter(ctx: Context, number: str, year: int | None = None) -> LetterRecord:
    """One number of the register, by its written form (``year`` settles formats without a year)."""
    with ctx.db.read() as session:
        return _record(_find_letter(session, ctx.office(session).id, number, year))


# --- acting --------------------------------------------------------------------------------


def issue(
    ctx: Context,
    year: int,
    subject: str,
    by: str,
    *,
    case: str | None = None,
    step: int | None = None,
    letter_date: date | None = None,
    number_format: str | None = None,
    klasifikasi: str | None = None,
) -> LetterRecord:
    """Take the office's next number of ``year`` for a letter about ``subject``, dated ``letter_date``.

    ``letter_date`` defaults to today in the office zone and must fall in ``year``, not in the
    future and not before the last number issued in ``year`` (the register runs in date order);
    ``number_format`` defaults to the configured ``[letters] number_format``, and ``klasifikasi``
    (the classification code the number carries, e.g. PR.03-Kpt) to ``[letters] klasifikasi``.
    """
    _check_year(year)
    subject = _subject(subject)
    fmt = check_format(number_format or ctx.settings.letter_number_format)
    code = _klasifikasi(ctx, fmt, klasifikasi)
    day = _letter_date(ctx, year, letter_date)
    with ctx.db.write() as session:
        office = ctx.office(session)
        actor = find_person(session, office.id, by)
        role = _require_letter_role(ctx, actor, "Mengambil nomor surat")
        case_code = find_case(session, office.id, case).code if case is not None else None
        seq = _take_seq(ctx, session, office.id, year)
        number = format_number(fmt, seq=seq, satker=office.code, letter_date=day, klasifikasi=code)
        _check_date_order(session, office.id, year, number, day)
        now = ctx.clock.now()
        letter = Letter(
            office_id=office.id,
            year=year,
            seq=seq,
            number=number,
            letter_date=day,
            subject=subject,
            case_code=case_code,
            step_no=step,
            status=LetterStatus.ISSUED,
            issued_by=actor.username,
            issued_at=now,
        )
        session.add(letter)
        session.flush()
        _audit_issued(session, letter, role, code)
        return _record(letter)


def _audit_issued(session: Session, letter: Letter, role: str, klasifikasi: str) -> None:
    """The ``letter.issued`` event of a number just taken, in the same transaction."""
    details = {"number": letter.number, "year": letter.year, "seq": letter.seq, "date": letter.letter_date.isoformat()}
    audit.append(
        session,
        letter.office_id,
        actor=letter.issued_by,
        role=role,
        action="letter.issued",
        recorded_at=letter.issued_at,
        case=letter.case_code,
        step=letter.step_no,
        details={**details, "subject": letter.subject, **({"klasifikasi": klasifikasi} if klasifikasi else {})},
    )


def cancel(ctx: Context, number: str, by: str, reason: str, *, year: int | None = None) -> LetterRecord:
    """Cancel an issued number, with a reason; it stays in the register and is never issued again."""
    reason = textrules.text(reason or "", "Alasan pembatalan nomor")
    if not reason:
        raise InvalidInput(
            'Alasan pembatalan nomor wajib diisi, misalnya "Salah perihal, diganti nomor baru".',
            value=reason,
            field=Field.REASON,
        )
    with ctx.db.write() as session:
        office = ctx.office(session)
        actor = find_person(session, office.id, by)
        role = _require_letter_role(ctx, actor, "Membatalkan nomor surat")
        letter = _find_letter(session, office.id, number, year, for_update=True)
        if letter.status == LetterStatus.CANCELLED and letter.cancelled_at is not None:
            raise Conflict(
                f"Nomor {letter.number} sudah dibatalkan oleh {letter.cancelled_by} pada "
                f"{format_instant(letter.cancelled_at, ctx.tz)} (alasan: {letter.cancel_reason}).",
                value=letter.number,
            )
        now = ctx.clock.now()
        letter.status, letter.cancelled_by, letter.cancelled_at, letter.cancel_reason = (
            LetterStatus.CANCELLED,
            actor.username,
            now,
            reason,
        )
        audit.append(
            session,
            office.id,
            actor=actor.username,
            role=role,
            action="letter.cancelled",
            recorded_at=now,
            case=letter.case_code,
            step=letter.step_no,
            details={"number": letter.number, "year": letter.year, "seq": letter.seq, "reason": reason},
        )
        session.flush()
        return _record(letter)


# --- the named steps of the actions --------------------------------------------------------


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput(
            f"Tahun {year} tidak masuk akal; isikan tahun empat angka, misalnya 2021.", value=year, field=Field.YEAR
        )


def _subject(subject: str) -> str:
    subject = textrules.line(subject or "", "Perihal surat", 500)
    if not subject:
        raise InvalidInput(
            'Perihal surat wajib diisi, misalnya "Penyampaian Dokumen LAKIP".', value=subject, field=Field.SUBJECT
        )
    return subject


def _letter_date(ctx: Context, year: int, given: date | None) -> date:
    """The letter's date: ``given`` or today (office zone), in ``year`` and not in the future."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    day = given or today
    if day > today:
        raise InvalidInput(
            f"Tanggal surat {format_date(day)} ada di masa depan; nomor diambil pada hari surat ditandatangani. "
            f"Kosongkan tanggal surat atau isikan tanggal paling lambat {format_date(today)}.",
            value=day.isoformat(),
            field=Field.DATE,
        )
    if day.year != year:
        hint = (
            "isikan tanggal surat di tahun itu"
            if given
            else f"surat bertanggal hari ini ({format_date(today)}); isikan tanggal surat"
        )
        raise InvalidInput(
            f"Tanggal surat {format_date(day)} tidak jatuh pada tahun {year}; nomor tahun {year} hanya untuk surat "
            f"bertanggal {year} ({hint}, atau ubah tahunnya menjadi {day.year}).",
            value=day.isoformat(),
            field=Field.DATE,
            year=year,
        )
    return day


def _klasifikasi(ctx: Context, number_format: str, given: str | None) -> str:
    """The classification the number carries: ``given`` or ``[letters] klasifikasi``; required by a format with it."""
    text = (given or "").strip() or ctx.settings.letter_klasifikasi or ""
    if text and not is_klasifikasi(text):
        raise InvalidInput(
            f"Klasifikasi surat '{textrules.scrub_line(text[:60])}' tidak sah; tulis kodenya seperti PR.03-Kpt "
            "(huruf, angka, titik dan tanda hubung; tanpa garis miring, paling banyak "
            f"{KLASIFIKASI_MAX} karakter).",
            value=text,
            field=Field.KLASIFIKASI,
        )
    if not text and uses_klasifikasi(number_format):
        raise InvalidInput(
            f"Nomor surat kantor ini memuat klasifikasi surat ({number_format}); isikan klasifikasinya, "
            "misalnya PR.03-Kpt, atau tetapkan [letters] klasifikasi di config.toml.",
            value=number_format,
            field=Field.KLASIFIKASI,
        )
    return text


def _check_date_order(session: Session, office_id: int, year: int, number: str, day: date) -> None:
    """Refuse a letter dated before the last issued number of the year (the register runs in date order).

    Called with the counter row locked, so no other number of the year is being issued meanwhile; a
    cancelled number does not count (its date may be why it was cancelled).
    """
    last = session.scalars(
        select(Letter)
        .where(Letter.office_id == office_id, Letter.year == year, Letter.status == LetterStatus.ISSUED)
        .order_by(Letter.seq.desc())
        .limit(1)
    ).first()
    if last is None or day >= last.letter_date:
        return
    raise InvalidInput(
        f"Tanggal surat {format_date(day)} lebih awal dari nomor terakhir tahun {year}, {last.number} bertanggal "
        f"{format_date(last.letter_date)}; nomor {number} tidak boleh bertanggal sebelum itu. Isikan tanggal "
        f"{format_date(last.letter_date)} atau sesudahnya, atau batalkan nomor {last.number} bila tanggalnya salah. "
        "Tidak ada yang diubah.",
        value=day.isoformat(),
        field=Field.DATE,
        hint=Hint(Remedy.LIST_LETTERS, year=year),
    )


def _require_letter_role(ctx: Context, person: Person, what: str) -> str:
    return policy.require(person.username, person.role_names, Permission.WRITE_LETTERS, what, names=ctx.settings.roles)


def _take_seq(ctx: Context, session: Session, office_id: int, year: int) -> int:
    """The next sequence of the office and year, with the counter row locked until commit.

    The counter row is created if missing without a race (``INSERT ... ON CONFLICT DO NOTHING``:
    a concurrent creator makes this one wait, then skip), then locked with ``SELECT ... FOR
    UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already lets one writer in at a time.
    """
    values = {"office_id": office_id, "year": year, "last_seq": 0}
    if ctx.db.is_postgresql:
        session.execute(pg_insert(LetterCounter).values(**values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(LetterCounter).values(**values).on_conflict_do_nothing())
    counter = session.scalars(
        select(LetterCounter)
        .where(LetterCounter.office_id == office_id, LetterCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last_seq += 1
    session.flush()
    return counter.last_seq


_SEQ_ONLY = re.compile(r"^\d+$")


def _find_letter(
    session: Session, office_id: int, number: str, year: int | None, *, for_update: bool = False
) -> Letter:
    """The letter written ``number`` (or, with ``year``, the plain sequence ``number``)."""
    text = number.strip()
    matches = Letter.number == text
    if year is not None and _SEQ_ONLY.match(text):
        matches = matches | (Letter.seq == int(text))
    query = select(Letter).where(Letter.office_id == office_id, matches)
    if year is not None:
        query = query.where(Letter.year == year)
    rows = session.scalars(query.with_for_update() if for_update else query).all()
    if not rows:
        where = f" tahun {year}" if year is not None else ""
        raise NotFound(
            f"Nomor surat '{text}' tidak ada di register{where}; tulis nomor lengkapnya, atau urutannya saja "
            "bersama tahunnya.",
            value=text,
            field=Field.YEAR,
            hint=Hint(Remedy.LIST_LETTERS, year=year),
        )
    if len(rows) > 1:
        years = ", ".join(str(r.year) for r in rows)
        raise InvalidInput(
            f"Nomor surat '{text}' ada di beberapa tahun ({years}); sebutkan tahunnya.", value=text, field=Field.YEAR
        )
    return rows[0]


def _record(row: Letter) -> LetterRecord:
    return LetterRecord(
        year=row.year,
        seq=row.seq,
        number=row.number,
        letter_date=row.letter_date,
        subject=row.subject,
        case=row.case_code,
        step=row.step_no,
        status=row.status,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        cancelled_by=row.cancelled_by,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )
