"""The tables of performance and budget data (issue 5): targets, DIPA outputs, realisations.

Every row carries ``office_id`` and ``year`` (the year reported on: the LAKIP case of 2021
reports on 2020). An import replaces the office's rows of that year and kind, and leaves a
``performance_imports`` row (file name, sha256, totals it declared) next to its audit event.
Values of indicators are kept as written ("6,0%", "WTP", "80 - 90") and parsed by
:mod:`sop_engine.lakip.targets`; amounts are whole rupiah in BIGINT columns. The data-collection
workbook of steps 3-4 keeps whom a case's workbook went to (``workbook_sends``) and, per accepted
import, which divisions came back and which are still missing (``workbook_import_divisions``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sop_engine.db.models import Base, UTCDateTime


class _Imported:
    """The columns every row here shares: the office and year it belongs to, who imported it and when."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    year: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class _Row(_Imported):
    """A row of an imported table, kept in the order of the file."""

    position: Mapped[int] = mapped_column(Integer)


class PerformanceIndicator(_Row, Base):
    """A Perjanjian Kinerja indicator of one office and year, with its target and realisation."""

    __tablename__ = "performance_indicators"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "position", name="uq_performance_indicators_position"),
        Index("ix_performance_indicators_office_year", "office_id", "year"),
    )

    code: Mapped[str | None] = mapped_column(String(32))
    sasaran: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    #: higher, lower, exact, range, opinion, grade (sop_engine.lakip.analysis.Polarity)
    polarity: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))
    output_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    realisation: Mapped[str | None] = mapped_column(String(64))
    realisation_by: Mapped[str | None] = mapped_column(String(64))
    realisation_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The signed PK it belongs to: ketua, sekretaris, or kegiatan (an RKA output indicator, in no PK).
    agreement: Mapped[str] = mapped_column(String(16), default="ketua", server_default="ketua")
    #: [[year, realisation], ...] of earlier years and [[year, target], ...] of the Renstra period (0017).
    earlier: Mapped[list[list[int | str]] | None] = mapped_column(JSON)
    renstra: Mapped[list[list[int | str]] | None] = mapped_column(JSON)


class BudgetOutput(_Row, Base):
    """A DIPA output of one office and year: code, uraian, pagu, kegiatan and program."""

    __tablename__ = "budget_outputs"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "code", name="uq_budget_outputs_code"),
        Index("ix_budget_outputs_office_year", "office_id", "year"),
    )

    code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    pagu: Mapped[int] = mapped_column(BigInteger)
    activity_code: Mapped[str] = mapped_column(String(16))
    activity_name: Mapped[str | None] = mapped_column(Text)
    program_code: Mapped[str | None] = mapped_column(String(32))
    program_name: Mapped[str | None] = mapped_column(Text)


class BudgetRealisation(_Row, Base):
    """One output's pagu and realisation of one office and year, as the finance application reports."""

    __tablename__ = "budget_realisations"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "code", name="uq_budget_realisations_code"),
        Index("ix_budget_realisations_office_year", "office_id", "year"),
    )

    code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    pagu: Mapped[int] = mapped_column(BigInteger)
    realisation: Mapped[int] = mapped_column(BigInteger)


class PerformanceImport(_Imported, Base):
    """One accepted import: which file, what it held, the totals its JUMLAH row declared."""

    __tablename__ = "performance_imports"
    __table_args__ = (Index("ix_performance_imports_office_year", "office_id", "year"),)

    #: indicators, outputs (DIPA) or budget (realisation)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    declared_pagu: Mapped[int | None] = mapped_column(BigInteger)
    declared_realisation: Mapped[int | None] = mapped_column(BigInteger)


class PerformanceYear(_Imported, Base):
    """The capaian (and absorption) of an earlier year as that year's LKj stated it (0017).

    ``year`` is the year the figures are about; an import naming that year replaces them.
    """

    __tablename__ = "performance_years"
    __table_args__ = (UniqueConstraint("office_id", "year", name="uq_performance_years_year"),)

    achievement_pct: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    absorption_pct: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))


class WorkbookSend(Base):
    """One division a case's data-collection workbook was sent to (step 3): a row per division per sending."""

    __tablename__ = "workbook_sends"
    __table_args__ = (Index("ix_workbook_sends_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    division: Mapped[str] = mapped_column(Text)
    #: The file sent, when it was named (metadata only: its name and sha256).
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    sent_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkbookImportDivision(_Imported, Base):
    """A division an accepted workbook import (step 4) named: returned with it, or still missing after it."""

    __tablename__ = "workbook_import_divisions"
    __table_args__ = (Index("ix_workbook_import_divisions_office_year", "office_id", "year"),)

    division: Mapped[str] = mapped_column(Text)
    returned: Mapped[bool] = mapped_column(Boolean)
