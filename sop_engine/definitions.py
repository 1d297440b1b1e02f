"""Frozen records of an SOP definition, as loaded from ``workflows/*.toml``.

These records are the one shape in which the rest of the engine sees an SOP: the state machine,
the case services, the scheduler and the front ends all read a :class:`WorkflowDef`. They hold
no I/O and no validation; :mod:`sop_engine.loader` builds them and guarantees, at load time,
that every reference in them resolves (roles, durations, file rules, return targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sop_engine.durations import Duration
from sop_engine.errors import NotFound
from sop_engine.roles import DEFAULT_ROLES

#: Every role a person can hold in an office without ``[peran]`` (see :mod:`sop_engine.roles`).
ROLES: tuple[str, ...] = DEFAULT_ROLES.ids

#: The roles that can perform SOP steps by default (``inspektorat`` only reads, ``admin`` only manages).
STEP_ROLES: tuple[str, ...] = DEFAULT_ROLES.step_ids

#: The audit's name for the server's operator, who acts without an account (see :mod:`sop_engine.policy`).
SYSTEM_ACTOR = "sistem"

#: Indonesian display names of the default roles (an office's own come from its :class:`~sop_engine.roles.Roles`).
ROLE_LABELS: dict[str, str] = DEFAULT_ROLES.labels

#: The file kinds an artefact may have (checked by content when a file is attached).
FILE_KINDS: tuple[str, ...] = ("pdf", "docx", "xlsx", "odt", "ods", "jpeg", "png")


class CasePolicy(StrEnum):
    """How many cases of a workflow an office runs (``kasus`` in ``[workflow]``)."""

    YEARLY = "tahunan"  # one case per year, coded ID-YYYY
    FREE = "bebas"  # any number per year, coded ID-YYYY-NNNN


class StepKind(StrEnum):
    """What a step is in the SOP's flowchart (``jenis`` of a ``[[langkah]]``)."""

    PROCESS = "proses"  # a rectangle: work that produces the step's output
    DECISION = "keputusan"  # a diamond: the actor answers ``pertanyaan`` Ya or Tidak


class FileRule(StrEnum):
    """Whether completing a step needs a file."""

    REQUIRED = "wajib"  # a new file must be attached when completing the step (each round)
    OPTIONAL = "opsional"  # files may be attached
    NONE = "tidak"  # no file is attached at this step


@dataclass(frozen=True)
class StepDef:
    """One step (one row of the SOP table): what is done, by whom, in how long, producing what."""

    no: int
    #: Uraian prosedur, as the SOP writes it.
    name: str
    #: One of the office's step roles (:attr:`sop_engine.roles.Roles.step_ids`).
    role: str
    #: The working time the step may take (``waktu``); None only for a step that runs another SOP
    #: (``runs``) without one: it lasts that SOP's critical path (:mod:`sop_engine.critical_path`).
    budget: Duration | None
    #: Kelengkapan dan peralatan: the inputs and equipment the step needs.
    kelengkapan: tuple[str, ...]
    #: The kind of document the step produces, e.g. "Disposisi surat".
    output: str
    file_rule: FileRule
    #: File kinds allowed at this step; empty when ``file_rule`` is :attr:`FileRule.NONE`.
    file_kinds: tuple[str, ...] = FILE_KINDS
    keterangan: str = ""
    #: Earlier steps this step may send the work back to.
    returns_to: tuple[int, ...] = ()
    #: Every role that confirms the step, in order (``pelaksana = [...]``, a paraf chain): the first
    #: attaches the document, the others confirm it. Empty: ``(role,)``; when given, ``role`` is its first.
    roles: tuple[str, ...] = ()
    kind: StepKind = StepKind.PROCESS
    #: The question a decision's actor answers (``pertanyaan``); empty for a process step.
    question: str = ""
    #: Where a decision goes on Ya (``ya``) and on Tidak (``tidak``); None for a process step.
    if_yes: int | None = None
    if_no: int | None = None
    #: The steps that must be done (or skipped) before this one becomes active (``setelah``);
    #: None: the default, the step before it (none for step 1, and none after a decision, whose
    #: ``ya``/``tidak`` lead on).
    after: tuple[int, ...] | None = None
    #: The id of the workflow whose linked case this step starts (``jalankan``); the step is done
    #: when that case is done. None for an ordinary step.
    runs: str | None = None

    @property
    def actors(self) -> tuple[str, ...]:
        """The roles that confirm this step, in order: ``roles``, or just ``role``."""
        return self.roles or (self.role,)


@dataclass(frozen=True)
class SopHeader:
    """The identity block of the SOP document (the part above the step table)."""

    instansi: str
    nomor: str
    nama: str
    tanggal_pembuatan: date
    tanggal_revisi: date | None
    tanggal_pengesahan: date
    #: Who approved the SOP, by position (never a person's name).
    disahkan_oleh: str
    dasar_hukum: tuple[str, ...]
    kualifikasi_pelaksana: tuple[str, ...]
    peralatan: tuple[str, ...]
    pencatatan: tuple[str, ...]
    peringatan: tuple[str, ...]
    keterkaitan: tuple[str, ...]
    #: The signer's name and NIP (18 digits), printed under ``disahkan_oleh`` on the SOP document.
    penanda_tangan: str = ""
    nip: str = ""
    #: When the SOP takes effect; ``None``: on ``tanggal_pengesahan``.
    tanggal_efektif: date | None = None


@dataclass(frozen=True)
class WorkflowDef:
    """A whole SOP: its header and its steps numbered 1..n, plus the text it came from.

    A case is pinned to the definition it started under by :attr:`content_hash`.
    """

    #: Short id, e.g. "lakip" (lowercase letters, digits, '-' and '_').
    name: str
    title: str
    header: SopHeader
    #: Steps numbered 1..n in order; never empty when built by the loader.
    steps: tuple[StepDef, ...]
    #: The exact TOML text the definition was loaded from.
    source: str
    #: sha256 hex digest of :attr:`source` encoded as UTF-8.
    content_hash: str
    #: One case per year (the default) or any number.
    cases: CasePolicy = CasePolicy.YEARLY
    #: The roles that may start a case (``dimulai_oleh``); empty: the rule of :mod:`sop_engine.policy`.
    started_by: tuple[str, ...] = ()
    #: (month, day) in the case's year by which the case must be done (``tenggat``); None: no such deadline.
    deadline: tuple[int, int] | None = None

    @property
    def revision(self) -> date:
        """The SOP's revision date: ``tanggal_revisi``, or ``tanggal_pembuatan`` if never revised."""
        return self.header.tanggal_revisi or self.header.tanggal_pembuatan

    def step(self, no: int) -> StepDef:
        """Step number ``no``; raises :class:`NotFound` naming the steps that do exist."""
        if 1 <= no <= len(self.steps):
            return self.steps[no - 1]
        raise NotFound(
            f"Langkah {no} tidak ada di SOP {self.name}; langkah yang ada: {self.step_range}.",
            value=no,
            workflow=self.name,
            allowed=self.step_range,
        )

    @property
    def step_range(self) -> str:
        """The step numbers as people write them: "1-11" (or "1" for a one-step SOP)."""
        count = len(self.steps)
        return "1" if count == 1 else f"1-{count}"

    @property
    def first_step(self) -> StepDef:
        return self.steps[0]

    @property
    def last_step(self) -> StepDef:
        return self.steps[-1]
