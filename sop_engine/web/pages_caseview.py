"""What the case page shows, computed before the template sees it.

The template only lays out; every decision (which documents belong to the current round, which
forms this person may use, what the step accepts, where a return's reason belongs) is made here
from the services' records and the definition the case is pinned to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from sop_engine import access, people, workflows
from sop_engine.artefacts import EXTENSIONS, ArtefactRecord
from sop_engine.cases import CaseRecord, StepRecord
from sop_engine.context import Context
from sop_engine.db.statuses import CaseStatus, StepStatus
from sop_engine.definitions import FileRule, StepDef, StepKind
from sop_engine.identity import Identity
from sop_engine.returns import list_returns
from sop_engine.views.labels import FILE_KIND_LABELS
from sop_engine.web.chart import case_chart_svg
from sop_engine.web.document_actions import page_values
from sop_engine.web.uploads import MAX_FILES

#: The fixed messages a redirect after a successful action may ask for (``?pesan=``).
NOTICES = {
    "dimulai": "Kasus telah dimulai; langkah 1 kini aktif.",
    "selesai": "Langkah telah ditandai selesai.",
    "diparaf": "Paraf telah dicatat; langkah menunggu paraf berikutnya.",
    "dikembalikan": "Pekerjaan telah dikembalikan beserta alasannya; langkah tujuan aktif kembali.",
    "dijawab": "Keputusan telah dijawab.",
    "dibatalkan": "Kasus telah dibatalkan.",
    "dokumen": "Dokumen telah dibuat dan dilampirkan; langkahnya ditandai selesai.",
}


@dataclass(frozen=True)
class Typed:
    """What the person typed into a refused form, shown again so that nothing is lost."""

    catatan: str = ""
    alasan: str = ""
    ke: str = ""
    alasan_batal: str = ""


@dataclass(frozen=True)
class ReturnNote:
    """A return of work to a step, with its reason (from :mod:`sop_engine.returns`)."""

    from_step: int
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class StepView:
    """One step of the timeline as the page shows it."""

    record: StepRecord
    definition: StepDef
    #: The documents of the step's current round, and of earlier rounds (before a return).
    documents: tuple[ArtefactRecord, ...]
    earlier_documents: tuple[ArtefactRecord, ...]
    returns_here: tuple[ReturnNote, ...]
    completed_by_name: str
    #: Working seconds to the deadline (negative when late); None unless the step is active.
    seconds_left: int | None
    #: Whether this person may complete or return the step now.
    may_act: bool
    #: The steps this one may send work back to: (number, name).
    return_targets: tuple[tuple[int, str], ...]
    #: Who confirmed each place of the step's paraf chain so far, as the page names people ("" for none yet).
    paraf_names: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        """False for a step not reached yet (or reset to waiting by a return or cancellation)."""
        return self.record.status != StepStatus.WAITING

    @property
    def takes_files(self) -> bool:
        return self.record.takes_files

    @property
    def files_required(self) -> bool:
        """A later actor of a paraf chain confirms the document the first one attached."""
        return self.definition.file_rule is FileRule.REQUIRED and self.record.paraf == 0

    @property
    def decision(self) -> bool:
        return self.definition.kind is StepKind.DECISION

    @property
    def accept(self) -> str:
        """The file input's ``accept``: the extensions of the kinds the step takes."""
        return ",".join(f".{ext}" for ext, kind in EXTENSIONS.items() if kind in self.definition.file_kinds)

    @property
    def kinds_text(self) -> str:
        return ", ".join(FILE_KIND_LABELS.get(kind, kind) for kind in self.definition.file_kinds)


def case_values(ctx: Context, identity: Identity, case: CaseRecord, now: datetime) -> dict[str, Any]:
    """The values of ``kasus.html`` for ``identity`` looking at ``case`` at ``now``."""
    definition = workflows.by_hash(ctx, case.definition_hash)
    names = {person.username: person.name for person in people.list_people(ctx)}
    returns = _returns(ctx, case, names)
    steps = [
        StepView(
            record=record,
            definition=step,
            documents=tuple(a for a in record.artefacts if _current_round(record, a)),
            earlier_documents=tuple(a for a in record.artefacts if not _current_round(record, a)),
            returns_here=tuple(returns.get(record.no, ())),
            completed_by_name=_person(names, record.completed_by),
            seconds_left=(
                ctx.calendar.working_seconds_between(now, record.due_at)
                if record.status == StepStatus.ACTIVE and record.due_at is not None
                else None
            ),
            may_act=access.may_act_on(identity, record),
            return_targets=tuple((no, definition.step(no).name) for no in step.returns_to),
            paraf_names=tuple(_person(names, paraf.by) for paraf in record.parafs),
        )
        for record, step in zip(case.steps, definition.steps, strict=True)
    ]
    return {
        "case": case,
        "steps": steps,
        "chart": Markup(case_chart_svg(ctx, case, now)),
        "started_by_name": _person(names, case.started_by),
        "may_cancel": case.status == CaseStatus.RUNNING and identity.has(*access.STARTS_CASES),
        "max_upload": ctx.settings.storage.max_upload_bytes,
        "max_files": MAX_FILES,
        **page_values(ctx, case),
    }


def _current_round(record: StepRecord, artefact: ArtefactRecord) -> bool:
    return record.status != StepStatus.WAITING and artefact.round == record.round


def _returns(ctx: Context, case: CaseRecord, names: dict[str, str]) -> dict[int, list[ReturnNote]]:
    """The returns of ``case`` by the step the work went back to, oldest first."""
    found: dict[int, list[ReturnNote]] = {}
    for back in list_returns(ctx, case.id):
        note = ReturnNote(back.from_step, _person(names, back.by), back.stated_at, back.reason)
        found.setdefault(back.to_step, []).append(note)
    return found


def _person(names: dict[str, str], username: str | None) -> str:
    if not username:
        return ""
    name = names.get(username)
    return f"{name} ({username})" if name else username
