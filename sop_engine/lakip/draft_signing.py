"""Who signs the draft LKj, where and when, and the kop of its cover.

The Kata Pengantar is dated from the case, not from the day the file was generated: the day step 5
(the step whose output the draft is) was completed, or, while that step is still active, the day
the draft is made for it. A draft of a bare year has "[isi: tanggal]" for the staff. The signer is
the office's Ketua by name (a Ketua is not a civil servant and has no NIP); the kop is the office
name with the letterhead line of config ``[office]`` (address, phone, website), and its logo
(``[office] logo``) in the middle of the cover.
"""

from __future__ import annotations

import re
from typing import Any

from sop_engine import cases, people
from sop_engine.context import Context
from sop_engine.docx_fill import Picture
from sop_engine.formatting import format_date

#: The LAKIP step whose output the draft is (kept here too so the date needs no import of draft).
STEP = 5
HEAD_ROLE = "ketua"
#: The width of the office's logo (config ``[office] logo``) in the middle of the cover (cm).
COVER_LOGO_WIDTH_CM = 4.0
_PLACE = re.compile(r"\b(?:Kabupaten|Kab\.|Kota|Provinsi)\s+(.+)$", re.IGNORECASE)


def signing_values(ctx: Context, case: str | None) -> dict[str, Any]:
    """``tanggal``, ``tempat_tanggal``, ``penanda_tangan``, ``kop_alamat`` and ``logo`` of the template."""
    day, logo = _day(ctx, case), ctx.settings.office.logo
    place = _place(ctx.settings.office.name)
    return {
        "tanggal": day,
        "tempat_tanggal": f"{place}, {day}",
        "penanda_tangan": _head(ctx),
        "kop_alamat": ctx.settings.office.letterhead,
        "logo": "" if logo is None else Picture(logo, COVER_LOGO_WIDTH_CM),
    }


def _day(ctx: Context, case: str | None) -> str:
    if case is None:
        return "[isi: tanggal]"
    step = cases.get_case(ctx, case).steps[STEP - 1]
    moment = step.completed_at or ctx.clock.now()
    return format_date(moment.astimezone(ctx.tz).date())


def _place(office: str) -> str:
    """ "KPU Kabupaten Bangkalan" → "Bangkalan"; "[isi: tempat]" when the name says no place."""
    match = _PLACE.search(office)
    return match.group(1).strip() if match else "[isi: tempat]"


def _head(ctx: Context) -> str:
    """The name of the office's active Ketua, or a placeholder naming what to write."""
    heads = [p for p in people.list_people(ctx) if p.active and HEAD_ROLE in p.roles]
    return heads[0].name if heads else "[isi: nama Ketua]"
