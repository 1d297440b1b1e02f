"""Queries on the driver's cursor with rows read by name (:mod:`sop_engine.db.direct_reads`) give the rows
``Connection.execute`` gives: the same values, typed the same (aware instants, statuses), by the same
names, on both backends; the statement counts of the tests see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sop_engine import case_pages, cases
from sop_engine.context import Context
from sop_engine.db.direct_reads import DirectQuery
from sop_engine.db.models import Case
from tests.helpers import statements


def test_a_direct_query_reads_the_rows_sqlalchemy_reads_by_the_same_names(ctx: Context) -> None:
    code = cases.start_case(ctx, "lakip", 2021, "sekretaris").id
    params = {"office": ctx.settings.office.satker, "code": code}
    with ctx.db.read_rows() as conn:
        expected = conn.execute(case_pages.ONE_CASE, params).one()
        with statements(ctx) as sent:
            found = DirectQuery(case_pages.ONE_CASE).first(conn, params)
        missing = DirectQuery(case_pages.ONE_CASE).first(conn, {**params, "code": "lakip-1999"})
    assert len(sent) == 1 and missing is None
    assert found._asdict() == dict(expected._mapping)
    assert [type(value) for value in found] == [type(value) for value in expected]
    assert found.code == code and found.started_at.utcoffset() is not None and found.status == "running"


def test_a_query_whose_columns_share_a_name_is_refused() -> None:
    with pytest.raises(ValueError, match="distinct column keys"):
        DirectQuery(select(Case.id, Case.__table__.alias("other").c.id))
