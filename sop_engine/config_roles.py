"""config.toml's ``[peran]``: the office's step roles, their names and their supervisor roles.

::

    [peran.arsiparis]
    nama = "Arsiparis"
    atasan = "sekretaris"

Each sub-table is one role, keyed by its id (lowercase letters, digits and '_', as workflow files
and ``sop people add --role`` write it). A sub-table named after a default role (ketua,
sekretaris, kasubag_program, staf) renames it or changes its ``atasan``; the others add roles
after the defaults. ``atasan`` must name a step role, and following it may not come back round.
The system roles (inspektorat, admin, pengawas) cannot be defined here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sop_engine.errors import ConfigError, did_you_mean
from sop_engine.roles import DEFAULT_STEP_ROLES, SYSTEM_ROLES, RoleDef, Roles

_ROLE_ID = re.compile(r"[a-z][a-z0-9_]{1,39}")


def parse_roles(raw: Mapping[str, Any], where: str) -> Roles:
    """The :class:`Roles` of ``[peran]`` (the defaults when the table is absent or empty)."""
    defined = {role.id: role for role in DEFAULT_STEP_ROLES}
    for role_id in raw:
        defined[role_id] = _role(role_id, raw[role_id], defined.get(role_id), where)
    for role in defined.values():
        _check_atasan(role, defined, where)
    return Roles(tuple(defined.values()))


def _role(role_id: str, value: Any, default: RoleDef | None, where: str) -> RoleDef:
    place = f"{where}: [peran.{role_id}]"
    if role_id in {role.id for role in SYSTEM_ROLES}:
        raise ConfigError(
            f"{place}: '{role_id}' adalah peran sistem yang tidak mengerjakan langkah SOP; pilih id lain.",
            value=role_id,
        )
    if not _ROLE_ID.fullmatch(role_id):
        raise ConfigError(
            f"{place}: id peran tidak sah; tulis dengan huruf kecil a-z, angka atau '_', diawali huruf "
            "(misalnya arsiparis).",
            value=role_id,
        )
    if not isinstance(value, Mapping):
        raise ConfigError(f'{place} harus berupa tabel, misalnya [peran.{role_id}] nama = "...".', value=role_id)
    nama = value.get("nama", default.nama if default else None)
    if not isinstance(nama, str) or not nama.strip() or "\n" in nama:
        raise ConfigError(f'{place}: nama wajib diisi dengan teks satu baris, misalnya nama = "Arsiparis".', value=nama)
    atasan = value.get("atasan", default.atasan if default else None)
    if atasan is not None and not isinstance(atasan, str):
        message = f'{place}: atasan = {atasan!r}; tulis id peran atasan, misalnya atasan = "sekretaris".'
        raise ConfigError(message, value=atasan)
    return RoleDef(role_id, nama.strip(), atasan or None)


def _check_atasan(role: RoleDef, defined: Mapping[str, RoleDef], where: str) -> None:
    """``atasan`` names a defined step role, and its chain does not come back to ``role``."""
    place = f"{where}: [peran.{role.id}]"
    if role.atasan is None:
        return
    if role.atasan not in defined:
        known = ", ".join(defined)
        raise ConfigError(
            f"{place}: atasan = '{role.atasan}' bukan peran yang dikenal; peran yang ada: {known}."
            f"{did_you_mean(role.atasan, defined)}",
            value=role.atasan,
        )
    seen = [role.id]
    current: str | None = role.atasan
    while current is not None:
        if current in seen:
            loop = " -> ".join([*seen, current])
            raise ConfigError(f"{place}: rantai atasan berputar ({loop}); putuskan salah satu atasan.", value=role.id)
        seen.append(current)
        current = defined[current].atasan
