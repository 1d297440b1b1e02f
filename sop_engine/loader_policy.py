"""The roles and the case policy of a workflow file: ``pelaksana``, and ``[workflow]``'s case keys.

A role named by the file must be one of the office's step roles (config.toml's ``[peran]``, the
four LAKIP roles by default). ``[workflow]`` may say how cases of the SOP run:

- ``kasus``: "tahunan" (one case per year, coded ``lakip-2021``; the default) or "bebas" (any
  number a year, coded ``ID-YYYY-NNNN``);
- ``dimulai_oleh``: the roles that may start a case (default: the rule of :mod:`sop_engine.policy`);
- ``tenggat``: "MM-DD", the day of the case's year by which it must be done; absent, none.
"""

from __future__ import annotations

import re
from calendar import monthrange
from typing import TypedDict

from sop_engine.definitions import CasePolicy
from sop_engine.errors import did_you_mean
from sop_engine.loader_tables import Table, show
from sop_engine.roles import SYSTEM_ROLES

#: The roles a file may name: the office's step role ids, or None for any (a stored revision).
RoleCheck = tuple[str, ...] | None

#: The :data:`RoleCheck` of a revision read back from the database.
ANY_ROLE: RoleCheck = None

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


class CaseKeys(TypedDict):
    """The :class:`~sop_engine.definitions.WorkflowDef` fields read from ``[workflow]``."""

    cases: CasePolicy
    started_by: tuple[str, ...]
    deadline: tuple[int, int] | None


def check_role(table: Table, key: str, role: str, roles: RoleCheck, *, shown: str | None = None) -> str:
    """``role`` if the office's step roles hold it; an error naming it and the known ones otherwise."""
    what = shown or f"{key} = {show(role)}"
    system = {r.id for r in SYSTEM_ROLES}
    allowed = ", ".join(roles) if roles is not None else "peran langkah kantor"
    if role in system:
        message = f"{what} adalah peran yang tidak mengerjakan langkah; yang diizinkan: {allowed}."
        raise table.place.error(key, role, message, allowed)
    if roles is None or role in roles:
        return role
    suggestion = did_you_mean(role, roles) or " Peran lain ditambahkan di tabel [peran] config.toml."
    message = f"{what}, tidak dikenal; yang diizinkan: {allowed}.{suggestion}"
    raise table.place.error(key, role, message, allowed)


def case_policy(workflow: Table, roles: RoleCheck) -> CaseKeys:
    """``kasus``, ``dimulai_oleh`` and ``tenggat`` of ``[workflow]``, checked."""
    kasus = workflow.text("kasus") if "kasus" in workflow.raw else CasePolicy.YEARLY.value
    cases = CasePolicy(workflow.choice("kasus", kasus, [policy.value for policy in CasePolicy]))
    started_by = workflow.texts("dimulai_oleh")
    shown = f"dimulai_oleh = {show(list(started_by))}"
    if "dimulai_oleh" in workflow.raw and not started_by:
        message = f"{shown} kosong; sebutkan paling sedikit satu peran, atau hapus baris itu (Sekretaris)."
        raise workflow.place.error("dimulai_oleh", [], message, "paling sedikit satu peran")
    for index, role in enumerate(started_by):
        check_role(workflow, "dimulai_oleh", role, roles, shown=f"{shown}: {show(role)}")
        if role in started_by[:index]:
            message = f"{shown}: {show(role)} disebut dua kali; hapus salah satu."
            raise workflow.place.error("dimulai_oleh", role, message)
    return CaseKeys(cases=cases, started_by=started_by, deadline=_deadline(workflow))


def _deadline(workflow: Table) -> tuple[int, int] | None:
    """``tenggat = "MM-DD"`` as (month, day); 02-29 is allowed (28 February in a common year)."""
    if "tenggat" not in workflow.raw:
        return None
    text = workflow.text("tenggat")
    match = _MONTH_DAY.fullmatch(text)
    if match is not None:
        month, day = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1 <= day <= monthrange(2024, month)[1]:
            return month, day
    message = f'tenggat = {show(text)} bukan bulan-tanggal; tulis seperti "03-31" (31 Maret), atau hapus baris itu.'
    raise workflow.place.error("tenggat", text, message, "bulan-tanggal MM-DD")
