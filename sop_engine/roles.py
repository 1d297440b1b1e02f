"""The roles of an office: who does SOP steps, what each is called, and whom each answers to.

The four roles of the LAKIP SOP (ketua, sekretaris, kasubag_program, staf) are every office's
default step roles; config.toml's ``[peran]`` table renames them or adds the office's own (an
``arsiparis``, a ``bendahara``), each with its ``atasan``, the role one level up. Three system
roles stay fixed and do no SOP step: the inspektorat reads, the admin manages, the pengawas
watches the offices below. :class:`Roles` is the one place that answers "is this a role", "what
is it called" and "who is above it"; :mod:`sop_engine.config_roles` builds it from config.toml.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleDef:
    """One role: its id (as workflow files and ``--role`` write it), its name, its supervisor role."""

    id: str
    nama: str
    #: The role one level up the escalation chain; None at the top.
    atasan: str | None = None


#: The step roles of every office unless its ``[peran]`` says otherwise (those of the LAKIP SOP). They
#: have no ``atasan`` by default: escalation follows the people's own supervisors until an office
#: configures the roles' chain.
DEFAULT_STEP_ROLES: tuple[RoleDef, ...] = (
    RoleDef("ketua", "Ketua"),
    RoleDef("sekretaris", "Sekretaris"),
    RoleDef("kasubag_program", "Kasubag Program"),
    RoleDef("staf", "Staf/JFU"),
)

#: The roles that take no SOP step; an office cannot redefine them.
SYSTEM_ROLES: tuple[RoleDef, ...] = (
    RoleDef("inspektorat", "Inspektorat"),
    RoleDef("admin", "Admin"),
    RoleDef("pengawas", "Pengawas"),
)


@dataclass(frozen=True)
class Roles:
    """The roles of one office: its step roles (defaults first, then its own) and the system roles."""

    step_roles: tuple[RoleDef, ...] = DEFAULT_STEP_ROLES

    @property
    def step_ids(self) -> tuple[str, ...]:
        """The ids of the roles that may perform SOP steps."""
        return tuple(role.id for role in self.step_roles)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every role a person can hold: the step roles, then the system roles."""
        return (*self.step_ids, *(role.id for role in SYSTEM_ROLES))

    @property
    def labels(self) -> dict[str, str]:
        """The Indonesian name of each role."""
        return {role.id: role.nama for role in (*self.step_roles, *SYSTEM_ROLES)}

    def label(self, role: str) -> str:
        """The name of ``role``; the id itself for a role the office does not define."""
        return self.labels.get(role, role)

    def named(self, role: str) -> str:
        """``role`` as a message names it for people: its id and its name, "kasubag_program (Kasubag Program)"."""
        label = self.label(role)
        return role if label == role else f"{role} ({label})"

    def named_all(self, roles: Iterable[str], none: str = "tanpa peran") -> str:
        """Each of ``roles`` :meth:`named`, joined by commas; ``none`` when there is none."""
        return ", ".join(self.named(role) for role in roles) or none

    def atasan(self, role: str) -> str | None:
        """The supervisor role of ``role`` (None at the top, or for a role not defined here)."""
        return next((r.atasan for r in self.step_roles if r.id == role), None)

    def chain(self, role: str) -> tuple[str, ...]:
        """The roles above ``role``, nearest first (the configuration refuses a loop)."""
        above: list[str] = []
        current = self.atasan(role)
        while current is not None and current not in above and current != role:
            above.append(current)
            current = self.atasan(current)
        return tuple(above)


#: The roles of an office without ``[peran]``.
DEFAULT_ROLES = Roles()
