"""audit.append (sop_engine/audit.py): every event links to the head, also when the head its caller
read earlier in the transaction has moved on since (another writer appended in between)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from sop_engine import audit, cases
from sop_engine.artefacts import IncomingFile
from sop_engine.chain import GENESIS
from sop_engine.context import Context
from tests.helpers import pdf


def append(ctx: Context, action: str, head: tuple[int, str] | None = None) -> audit.AuditRecord:
    with ctx.db.write() as session:
        office_id = ctx.office(session).id
        return audit.append(
            session, office_id, actor="sistem", role="sistem", action=action, recorded_at=ctx.clock.now(), head=head
        )


def test_an_event_appended_after_a_head_read_in_time_links_to_it(ctx: Context) -> None:
    first = append(ctx, "test.first")
    second = append(ctx, "test.second", head=(first.seq, first.hash))
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert audit.verify(ctx).ok


def test_an_event_appended_after_a_stale_head_links_to_the_real_head(ctx: Context) -> None:
    first = append(ctx, "test.first")
    stale = (first.seq - 1, first.prev_hash) if first.seq > 1 else (0, GENESIS)
    second = append(ctx, "test.second", head=stale)
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert [e.action for e in audit.list_events(ctx)][-2:] == ["test.first", "test.second"]
    assert audit.verify(ctx).ok


def test_a_completion_whose_head_moved_meanwhile_records_its_document_once_and_links_to_the_real_head(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL the document's rows go with the event's first attempt (carried): they must be
    # written once whether that attempt links the event or the head has to be read under a lock.
    cases.start_case(ctx, "lakip", 2021, "sekretaris")
    real_attach = cases.attach

    def attach_after_another_event(ctx: Context, session: Session, *args: Any) -> Any:
        office_id = ctx.office(session).id
        audit.append(
            session, office_id, actor="sistem", role="sistem", action="test.between", recorded_at=ctx.clock.now()
        )
        return real_attach(ctx, session, *args)

    monkeypatch.setattr(cases, "attach", attach_after_another_event)
    document = IncomingFile.from_path(pdf(tmp_path, "disposisi.pdf"))
    record = cases.complete_step(ctx, "lakip-2021", 1, "sekretaris", [document])
    monkeypatch.undo()
    assert [a.filename for a in cases.get_case(ctx, "lakip-2021").steps[0].artefacts] == ["disposisi.pdf"]
    assert [a.filename for a in record.steps[0].artefacts] == ["disposisi.pdf"]
    events = audit.list_events(ctx)
    assert [e.action for e in events][-2:] == ["test.between", "step.completed"]
    assert events[-1].details["files"][0]["filename"] == "disposisi.pdf"
    assert audit.verify(ctx).ok
