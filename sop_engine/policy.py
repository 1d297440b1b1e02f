"""Who may do what: one table from permissions to the roles that hold them.

Every rule of the form "only the sekretaris starts a case" or "the audit trail is for the
inspektorat and the office's leaders" is a row of :data:`GRANTS`. The services resolve the actor
named by ``--by`` (or logged in) with :func:`resolve` and require the permission before they
write; the web's navigation and read rules (:mod:`sop_engine.access`) read the same table. Who
may do an SOP step is the step's own role, written in the workflow file, not here. Who may start
a case is the workflow's ``dimulai_oleh`` when it names roles, else the row of ``START_CASE``
(:func:`start_roles`).

The system actor (``sistem``) is the operator at the server's command line, who has no account:
it may manage people and import data (what ``sop init`` and an administrator's scripts do), and
the audit trail records it as role ``sistem``, never as somebody's role; in a central install it
alone adds offices.

The ``pengawas`` of an office (a provincial or national office) holds one permission: reading
the progress of the offices under it. Pengawas takes no SOP step and reads no case of its own
office, so it can read and never act.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sop_engine.definitions import STEP_ROLES, WorkflowDef
from sop_engine.definitions import SYSTEM_ACTOR as SYSTEM_ACTOR
from sop_engine.errors import NotAllowed
from sop_engine.remedies import Field
from sop_engine.roles import DEFAULT_ROLES, Roles

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class Permission(StrEnum):
    """Something a person may be allowed to do (the SOP steps themselves are the step's role)."""

    START_CASE = "case.start"
    CANCEL_CASE = "case.cancel"
    WORK_ON_STEPS = "case.work"
    READ_ALL_CASES = "case.read_all"
    READ_AUDIT = "audit.read"
    MANAGE_PEOPLE = "people.manage"
    IMPORT_DATA = "data.import"
    WRITE_LETTERS = "letters.write"
    MANAGE_CALENDAR = "calendar.manage"
    MANAGE_OFFICES = "offices.manage"
    READ_OFFICES = "offices.read"


#: The roles that hold each permission, in the order the first held one is recorded as the actor's role.
GRANTS: dict[Permission, tuple[str, ...]] = {
    Permission.START_CASE: ("sekretaris",),
    Permission.CANCEL_CASE: ("sekretaris",),
    Permission.WORK_ON_STEPS: STEP_ROLES,
    Permission.READ_ALL_CASES: ("inspektorat",),
    Permission.READ_AUDIT: ("inspektorat", "ketua", "sekretaris"),
    Permission.MANAGE_PEOPLE: ("admin",),
    Permission.IMPORT_DATA: ("kasubag_program", "staf", "sekretaris", "admin"),
    Permission.WRITE_LETTERS: ("sekretaris", "kasubag_program", "staf", "ketua"),
    Permission.MANAGE_CALENDAR: ("admin",),
    Permission.MANAGE_OFFICES: (),
    Permission.READ_OFFICES: ("pengawas",),
}

#: What the system actor may do from the server's command line.
SYSTEM_GRANTS = frozenset(
    {Permission.MANAGE_PEOPLE, Permission.IMPORT_DATA, Permission.MANAGE_CALENDAR, Permission.MANAGE_OFFICES}
)

#: What each permission is, for messages ("... hanya untuk peran admin").
LABELS: dict[Permission, str] = {
    Permission.START_CASE: "Memulai kasus",
    Permission.CANCEL_CASE: "Membatalkan kasus",
    Permission.WORK_ON_STEPS: "Mengerjakan langkah SOP",
    Permission.READ_ALL_CASES: "Membaca semua kasus",
    Permission.READ_AUDIT: "Membaca jejak audit",
    Permission.MANAGE_PEOPLE: "Mengelola pegawai dan akun",
    Permission.IMPORT_DATA: "Mengimpor data kinerja dan anggaran",
    Permission.WRITE_LETTERS: "Membuat dan mencatat surat",
    Permission.MANAGE_CALENDAR: "Menghitung ulang tenggat",
    Permission.MANAGE_OFFICES: "Menambah kantor",
    Permission.READ_OFFICES: "Membaca kemajuan kantor di bawahnya",
}


@dataclass(frozen=True)
class Actor:
    """Who acts, and the role the audit trail records for the action."""

    username: str
    role: str


def roles_for(permission: Permission, office: Roles = DEFAULT_ROLES) -> tuple[str, ...]:
    """The roles that hold ``permission`` in an office whose roles are ``office`` (config.toml's ``[peran]``).

    Every step role of the office works on steps; the other grants are the same in every office.
    """
    return office.step_ids if permission is Permission.WORK_ON_STEPS else GRANTS[permission]


def start_roles(definition: WorkflowDef) -> tuple[str, ...]:
    """The roles that may start a case of ``definition``: its ``dimulai_oleh``, else the grant of START_CASE."""
    return definition.started_by or GRANTS[Permission.START_CASE]


def may_start(roles: tuple[str, ...], definition: WorkflowDef) -> bool:
    """Whether a person holding ``roles`` may start a case of ``definition``."""
    return any(role in roles for role in start_roles(definition))


def role_for(roles: tuple[str, ...], permission: Permission, holders: tuple[str, ...] | None = None) -> str | None:
    """The first role of ``permission``'s grant (or of ``holders``, when given) that is among ``roles``, or None."""
    return next((role for role in (GRANTS[permission] if holders is None else holders) if role in roles), None)


def require(
    username: str,
    roles: tuple[str, ...],
    permission: Permission,
    what: str | None = None,
    holders: tuple[str, ...] | None = None,
    names: Roles = DEFAULT_ROLES,
) -> str:
    """The role under which ``username`` may do ``permission``; NotAllowed naming who may, otherwise.

    ``holders`` replaces the roles of ``permission``'s grant for this one check (a workflow's
    ``dimulai_oleh``, from :func:`start_roles`); ``names`` are the office's roles, to name them in the refusal.
    """
    role = role_for(roles, permission, holders)
    if role is None:
        held = names.named_all(roles)
        allowed = names.named_all(GRANTS[permission] if holders is None else holders)
        raise NotAllowed(
            f"{what or LABELS[permission]} hanya untuk peran {allowed}; '{username}' berperan {held}.",
            value=username,
            permission=str(permission),
        )
    return role


def resolve(session: Session, office_id: int, by: str, permission: Permission) -> Actor:
    """The actor named ``by`` (a username, a NIP, or the system actor), checked for ``permission``.

    NotFound if nobody has that name, NotAllowed if they do not hold the permission or their
    account is deactivated.
    """
    if by == SYSTEM_ACTOR:
        if permission not in SYSTEM_GRANTS:
            raise NotAllowed(
                f"{LABELS[permission]} harus atas nama seorang pegawai; sebutkan siapa.",
                value=by,
                field=Field.BY,
            )
        return Actor(SYSTEM_ACTOR, SYSTEM_ACTOR)
    from sop_engine.db.queries import find_person  # the rules themselves load without SQLAlchemy (sop --help)

    person = find_person(session, office_id, by)
    if not person.active:
        raise NotAllowed(
            f"Akun '{person.username}' dinonaktifkan; aktifkan kembali atau bertindak atas nama pegawai lain.",
            value=person.username,
        )
    return Actor(person.username, require(person.username, person.role_names, permission))
