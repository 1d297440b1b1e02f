"""The tables of performance and budget data (issue 5): targets, DIPA outputs, realisations.

Every row carries ``office_id`` and ``year`` (the year reported on: the LAKIP case of 2021
reports on 2020). An import replaces the office's rows of that year and kind, and leaves a
``performance_imports`` row (file name, sha256, totals it declared) next to its audit event.
Values of indicators are kept as written ("6,0%", "WTP", "80 - 90") and parsed by
:mod:`sop_engine.lakip.targets`; amounts are whole rupiah in BIGINT columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
