"""A LAKIP case played on the fixed clock: each step takes the working time given, returns included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sop_engine import cases
from sop_engine.artefacts import IncomingFile
from sop_engine.clock import FixedClock
from sop_engine.context import Context
from sop_engine.demo import minimal_pdf
from sop_engine.durations import parse_duration
from tests.helpers import confirm_paraf

WIB = ZoneInfo("Asia/Jakarta")
#: Who works each LAKIP step among the demo people.
ACTORS = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf2", 5: "kasubag", 6: "staf1", 7: "kasubag"}
ACTORS |= {8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf2"}
#: Within every budget of lakip.toml.
QUICK = "10 menit"


def play_lakip(
    ctx: Context,
    clock: FixedClock,
    year: int,
    folder: Path,
    spent: Mapping[int, str] | None = None,
    returns: Sequence[tuple[int, int, str]] = (),
    until: int = 11,
) -> cases.CaseRecord:
    """Start lakip-YEAR on 11 January 08:00 (or the next working moment) and do steps 1..``until``.

    Step N takes ``spent[N]`` of working time (``QUICK`` if not given); each ``(from, to, spent)``
    of ``returns`` sends the work of step ``from`` back to ``to`` once, after ``spent``.
    """
    spent = spent or {}
    pending = list(returns)
    clock.set(ctx.calendar.next_working_moment(datetime(year, 1, 11, 8, 0, tzinfo=WIB)))
    case = cases.start_case(ctx, "lakip", year, "sekretaris")
    while case.current_step is not None and case.current_step <= until:
        no = case.current_step
        step = case.steps[no - 1]
        assert step.activated_at is not None
        back = next((item for item in pending if item[0] == no), None)
        took = back[2] if back else spent.get(no, QUICK)
        clock.set(ctx.calendar.add(step.activated_at, ctx.calendar.budget_seconds(parse_duration(took))))
        if back is not None:
            pending.remove(back)
            case = cases.return_step(ctx, case.id, no, back[1], ACTORS[no], "Perbaiki isinya")
            continue
        document = folder / f"{year}-langkah-{no:02d}-r{step.round}.pdf"
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_bytes(minimal_pdf(f"LAKIP {year} langkah {no}"))
        case = cases.complete_step(ctx, case.id, no, ACTORS[no], files=[IncomingFile.from_path(document)])
        case = confirm_paraf(ctx, case.id, no) or case
    return case
