"""The parts every generated letter shares, computed once: the kop surat, the check boxes of a
lembar disposisi, and the address block of a letter sent out.

:mod:`sop_engine.documents` puts these values into its templates, dated by default the day the
case reached the letter's step (:func:`step_day`); the kop comes from ``[office]``
in config.toml (name, address, telephone, e-mail, website, logo), or for an office added with
``sop offices add`` from its row (:mod:`sop_engine.config_offices`), never from a constant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sop_engine import cases, people
from sop_engine.config_office import OfficeSettings
from sop_engine.context import Context
from sop_engine.definitions import ROLE_LABELS
from sop_engine.docx_fill import Picture
from sop_engine.errors import InvalidInput, NotFound
from sop_engine.remedies import Field
from sop_engine.views.labels import DISPOSISI_REQUEST_LABELS as REQUESTS

#: The boxes of a lembar disposisi: ticked and empty.
TICKED, EMPTY = "☒", "☐"


#: The roles a disposisi can go on to, in the order of the form (highest first).
FORWARD_ROLES = ("ketua", "sekretaris", "kasubag_program", "staf")

#: A blank to be filled in by hand, where the letter has no value.
BLANK = "...................."

#: The logo's width on the kop (cm).
LOGO_WIDTH_CM = 2.2


def letterhead(office: OfficeSettings, address: str | None) -> dict[str, Any]:
    """The kop surat's values: name, logo (or empty), address line, contacts line, and both on one line."""
    street = office.address if address is None else address
    return {
        "kantor": office.name,
        "logo": Picture(office.logo, LOGO_WIDTH_CM) if office.logo is not None else "",
        "alamat_kantor": street,
        "kontak": office.contact_line,
        "alamat": office.letterhead if address is None else address,
    }


def boxes(labels: Iterable[str], ticked: Iterable[str]) -> list[dict[str, str]]:
    """One row per label, its box ticked if the label is among ``ticked``."""
    chosen = set(ticked)
    return [{"tanda": TICKED if label in chosen else EMPTY, "label": label} for label in labels]


def unbroken(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """``rows`` with their labels kept on one line (no-break spaces), for boxes written side by side."""
    return [row | {"label": row["label"].replace(" ", "\u00a0")} for row in rows]


def requests(keys: Sequence[str]) -> list[dict[str, str]]:
    """The "Dengan hormat harap" boxes, ``keys`` ticked; an unknown key is refused with the choices."""
    unknown = [key for key in keys if key.strip().lower() not in REQUESTS]
    if unknown:
        raise InvalidInput(
            f"Permintaan disposisi '{unknown[0]}' tidak dikenal; pilih dari: {', '.join(REQUESTS)}.",
            value=unknown[0],
            field=Field.REQUEST,
        )
    return boxes(REQUESTS.values(), (REQUESTS[key.strip().lower()] for key in keys))


def forward_list(held_roles: Iterable[str], sender: str, to: str) -> list[dict[str, str]]:
    """The "Diteruskan kepada" boxes: the office's roles below the sender's (all when the sender holds
    none), ``to`` ticked (added as its own row when it names none of them)."""
    held = set(held_roles)
    own = next((i for i, r in enumerate(FORWARD_ROLES) if _names(sender, ROLE_LABELS[r])), -1)
    labels = [ROLE_LABELS[r] for r in FORWARD_ROLES[own + 1 :] if r in held]
    ticked = [label for label in labels if _names(to, label)]
    if not ticked:
        labels.append(to)
        ticked = [to]
    return boxes(labels, ticked[:1])


def destination(to_place: str, addressee: str, own_office: str) -> str:
    """Where a letter goes ("di ..."): its city, or "Tempat" only for an addressee of this office
    (``addressee``, the jabatan and instansi, names it); refused when neither is known."""
    place = to_place.strip()
    if place:
        return place
    if own_office.strip().lower() in addressee.lower():
        return "Tempat"
    raise InvalidInput(
        f"Kota tujuan surat kepada {addressee.strip()} wajib diisi, misalnya Surabaya; "
        f'"di Tempat" hanya untuk penerima di {own_office} sendiri.',
        value=to_place,
        field=Field.DESTINATION,
    )


def step_day(ctx: Context, case: str, step_no: int) -> date:
    """The day a letter of step ``step_no`` is dated by default: when the case reached the step
    (a case entered after the fact keeps its own dates), today if it has not."""
    state = cases.get_case(ctx, case).steps[step_no - 1]
    at = state.completed_at or state.activated_at or ctx.clock.now()
    return at.astimezone(ctx.tz).date()


def _names(text: str, label: str) -> bool:
    """Whether ``text`` (a title such as "Sekretaris KPU Kabupaten Bangkalan") names the role ``label``."""
    return text.strip().lower().startswith(label.lower())


@dataclass(frozen=True)
class Signer:
    """Who signs a letter, as the letter writes it."""

    name: str
    title: str
    nip: str


#: The roles whose holder can sign for the office, highest first (the title names the first held).
_TITLE_ROLES = ("ketua", "sekretaris", "kasubag_program", "staf")


def signer(
    ctx: Context,
    username: str | None = None,
    *,
    role: str = "sekretaris",
    name: str | None = None,
    title: str | None = None,
    nip: str | None = None,
) -> Signer:
    """Who signs: ``name``/``title``/``nip`` as given, the rest from ``username`` (or else the
    office's first active ``role`` holder), the title being their role and the office's name."""
    if name and title:
        return Signer(name, title, nip or "")
    listed = [p for p in people.list_people(ctx) if p.active]
    chosen = next((p for p in listed if username in (p.username, p.nip)), None) if username else None
    if chosen is None and username is None:
        chosen = next((p for p in listed if role in p.roles), None)
    if chosen is None:
        who = f"Pengguna '{username}'" if username else f"Pegawai aktif berperan {ctx.settings.roles.named(role)}"
        raise NotFound(
            f"{who} tidak ada di kantor ini; sebutkan penanda tangan lain, atau nama dan jabatannya.",
            value=username or role,
            field=Field.SIGNER,
        )
    held = next((r for r in _TITLE_ROLES if r in chosen.roles), chosen.roles[0] if chosen.roles else "")
    return Signer(
        name or chosen.name,
        title or f"{ctx.settings.roles.label(held)} {ctx.settings.office.name}".strip(),
        (chosen.nip or "") if nip is None else nip,
    )
