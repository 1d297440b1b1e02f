"""The letter register's tables: one counter per office and year, and every number it issued.

A number is taken by locking the counter row of the office and year (``SELECT ... FOR UPDATE``
on PostgreSQL; SQLite write transactions already begin IMMEDIATE) and writing the letter row in
the same transaction, so a rolled-back request gives its number back and two requests never
share one. The unique constraint on (office, year, seq) is the last line of defence. Letters are
never deleted: a cancelled number keeps its row, with who cancelled it, when and why (the
migration installs a trigger that refuses DELETE).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sop_engine.db.models import Base, Status, UTCDateTime
from sop_engine.db.statuses import LetterStatus


class LetterCounter(Base):
    """The last sequence number issued in one office and year; locked while a number is taken."""

    __tablename__ = "letter_counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, nullable=False)


class Letter(Base):
    """One outgoing letter number, issued or cancelled (never deleted, never reused)."""

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("office_id", "year", "seq", name="uq_letters_office_year_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    #: The number as written on the letter, formatted when it was issued (a later format change
    #: does not rewrite numbers already on paper).
    number: Mapped[str] = mapped_column(String(200), index=True)
    letter_date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    case_code: Mapped[str | None] = mapped_column(String(64), index=True)
    step_no: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[LetterStatus] = mapped_column(Status(LetterStatus))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
