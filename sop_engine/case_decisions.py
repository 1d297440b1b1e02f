"""Answering a decision step (``jenis = "keputusan"``): Ya or Tidak, with a note, in one transaction.

The answer leads the case to the step the SOP names for it (``ya``/``tidak``). A branch to a later
step settles the decision and marks the steps of the branch not taken as skipped; a branch to an
earlier step is a return: that step starts a new round, recorded like a ``kembali_ke`` return, and
the note (then required) says what must be redone.
"""

from __future__ import annotations

from datetime import datetime

from sop_engine import case_links, textrules
from sop_engine.case_checks import stated_time
from sop_engine.case_moves import active_step, advance, audit_step, finish, fire, iso, record_return
from sop_engine.case_records import CaseRecord
from sop_engine.cases import finished_record, step_transaction
from sop_engine.context import Context
from sop_engine.definitions import StepKind
from sop_engine.errors import InvalidInput, NotAllowed
from sop_engine.machine import answer_trigger
from sop_engine.remedies import Field

#: The answers as people type them.
ANSWERS = {"ya": True, "tidak": False}


def parse_answer(text: str) -> bool:
    """``ya`` or ``tidak`` (any case) as True/False; InvalidInput naming both otherwise."""
    found = ANSWERS.get(text.strip().lower())
    if found is None:
        raise InvalidInput(f"Jawaban '{text}' tidak dikenal; jawab 'ya' atau 'tidak'.", value=text, allowed="ya, tidak")
    return found


def answer_decision(
    ctx: Context, code: str, step_no: int, by: str, yes: bool, note: str | None = None, at: datetime | None = None
) -> CaseRecord:
    """Answer the active decision ``step_no`` of case ``code``: on to its Ya or Tidak step."""
    note = textrules.optional_text(note, "Catatan")
    with step_transaction(ctx, code, step_no) as session:
        act = active_step(ctx, session, code, step_no, by)
        step = act.step
        if step.kind is not StepKind.DECISION:
            raise NotAllowed(
                f"Langkah {step.no} ({step.name}) bukan keputusan; langkah ini ditandai selesai, tidak dijawab.",
                value=step.no,
            )
        target = step.if_yes if yes else step.if_no
        assert target is not None  # a decision has both (the loader checks it)
        going_back = target < step.no
        if going_back and not (note and note.strip()):
            raise InvalidInput(
                f"Catatan wajib diisi bila jawaban mengembalikan pekerjaan ke langkah {target}; tulis apa yang "
                'harus diperbaiki, misalnya "Lampiran belum lengkap".',
                value=note,
                field=Field.REASON,
            )
        when = stated_time(ctx, at, not_before=act.row.activated_at, what=f"menjawab langkah {step_no}")
        new_state, after = fire(act, answer_trigger(step_no, yes))
        answer = "ya" if yes else "tidak"
        if not going_back:  # the answer is kept in its column, the note is the person's (case_steps.answer)
            finish(act.row, act.actor.username, when, note, answer)
        due_at, late = iso(act.row.due_at), bool(act.row.due_at and when > act.row.due_at)
        moved = advance(ctx, session, act, new_state, after, when, restart=target if going_back else None)
        kept_note = note if going_back else act.row.note  # the row's note, as the audit replays it
        details = {"answer": answer, "note": kept_note, "round": act.row.round, "due_at": due_at, "late": late}
        details |= moved.details() | case_links.start_children(
            ctx, session, case_links.Starter.of(act, when), act.case, act.definition, moved.activated
        )
        if going_back:
            reason = (note or "").strip()
            record_return(ctx, session, act, target, reason, when)
            restarted = act.case.steps[target - 1]
            details |= {"to": target, "reason": reason, "round": restarted.round, "due_at": iso(restarted.due_at)}
        audit_step(ctx, session, act, "step.returned" if going_back else "step.completed", when, new_state, details)
        case_links.finish_parent(ctx, session, act.case, when)
        return finished_record(ctx, act.case, act.definition)
