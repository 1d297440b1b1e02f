"""The flow keys of a ``[[langkah]]``: who confirms it, what kind it is, what comes before and after it.

- ``pelaksana``: one role, or a list of roles in order (a paraf chain: the first attaches the
  document, the others confirm it), each one of the office's step roles, none twice;
- ``jenis``: "proses" (the default) or "keputusan"; a decision asks ``pertanyaan`` and goes on to
  step ``ya`` or ``tidak`` (existing steps, not itself, not the same, at least one after it);
- ``setelah``: the earlier steps that must be done before this one becomes active (default: the
  step before it, none after a decision);
- ``jalankan``: the id of another workflow whose linked case this step runs (checked against the
  other workflows by :func:`check_links` once all are loaded).

Every step must be reachable from step 1 (:func:`check_reachable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

from sop_engine.definitions import FileRule, StepDef, StepKind, WorkflowDef
from sop_engine.loader_policy import RoleCheck, check_role
from sop_engine.loader_tables import Place, Table, kind_of, show
from sop_engine.marking import in_edges

#: The kind of ``pelaksana``, as named to the office.
ROLE_OR_ROLES = "teks atau daftar teks"
_DECISION_KEYS = ("pertanyaan", "ya", "tidak")


class FlowKeys(TypedDict):
    """The :class:`StepDef` fields read by this module."""

    roles: tuple[str, ...]
    kind: StepKind
    question: str
    if_yes: int | None
    if_no: int | None
    after: tuple[int, ...] | None
    runs: str | None


def actors(table: Table, roles: RoleCheck) -> tuple[str, ...]:
    """``pelaksana``: one role, or the roles of a paraf chain in order (at least one, none twice)."""
    value = table.raw.get("pelaksana")
    if isinstance(value, str):
        return (check_role(table, "pelaksana", table.text("pelaksana"), roles),)
    example = 'pelaksana = "sekretaris" atau pelaksana = ["kasubag_program", "sekretaris"]'
    if not isinstance(value, list):
        message = (
            f"pelaksana = {show(value)} adalah {kind_of(value)}, padahal harus {ROLE_OR_ROLES}; contoh: {example}."
        )
        raise table.place.error("pelaksana", value, message, ROLE_OR_ROLES)
    shown = f"pelaksana = {show(value)}"
    if not value:
        message = f"{shown} kosong; sebutkan paling sedikit satu peran, contoh: {example}."
        raise table.place.error("pelaksana", [], message, "paling sedikit satu peran")
    for index, role in enumerate(value):
        if not isinstance(role, str):
            message = f"{shown}: isi ke-{index + 1} ({show(role)}) adalah {kind_of(role)}, padahal harus teks."
            raise table.place.error("pelaksana", role, message, ROLE_OR_ROLES)
        check_role(table, "pelaksana", role, roles, shown=f"{shown}: {show(role)}")
        if role in value[:index]:
            message = f"{shown}: {show(role)} disebut dua kali; setiap peran memaraf langkah ini sekali."
            raise table.place.error("pelaksana", role, message)
    return tuple(value)


def flow(table: Table, no: int, count: int, chain: tuple[str, ...], file_rule: FileRule) -> FlowKeys:
    """``jenis`` with its decision keys, ``setelah`` and ``jalankan`` of step ``no`` of ``count``."""
    kind = StepKind(table.choice("jenis", table.text("jenis") if "jenis" in table.raw else "proses", list(StepKind)))
    after = _after(table, no) if "setelah" in table.raw else None
    runs = _runs(table, chain, file_rule) if "jalankan" in table.raw else None
    if kind is StepKind.PROCESS:
        for key in _DECISION_KEYS:
            if key in table.raw:
                value = table.raw[key]
                message = (
                    f'{key} = {show(value)} hanya untuk langkah keputusan; tambahkan jenis = "keputusan" '
                    f"atau hapus {key}."
                )
                raise table.place.error(key, value, message, 'hanya dengan jenis = "keputusan"')
        return FlowKeys(roles=_chain(chain), kind=kind, question="", if_yes=None, if_no=None, after=after, runs=runs)
    _check_decision(table, chain, file_rule, runs)
    question = table.text("pertanyaan")
    yes, no_ = _branch(table, "ya", no, count), _branch(table, "tidak", no, count)
    if yes == no_:
        message = f"ya = {yes} dan tidak = {no_} menunjuk langkah yang sama; keputusan harus bercabang ke dua langkah."
        raise table.place.error("tidak", no_, message, f"selain langkah {yes}")
    if yes < no and no_ < no:
        message = (
            f"ya = {yes} dan tidak = {no_} keduanya kembali ke langkah sebelumnya; paling sedikit satu cabang "
            "harus menuju langkah sesudahnya, agar kasus dapat selesai."
        )
        raise table.place.error("ya", yes, message, f"langkah {no + 1}-{count}" if no < count else "tidak ada")
    return FlowKeys(roles=(), kind=kind, question=question, if_yes=yes, if_no=no_, after=after, runs=None)


def _chain(chain: tuple[str, ...]) -> tuple[str, ...]:
    """The ``roles`` field: empty for one actor (the definition reads as before), else the chain."""
    return chain if len(chain) > 1 else ()


def _check_decision(table: Table, chain: tuple[str, ...], file_rule: FileRule, runs: str | None) -> None:
    """A decision has its three keys, one actor, no file it must attach, no ``kembali_ke`` or ``jalankan``."""
    for key in _DECISION_KEYS:
        if key not in table.raw:
            example = table.fields[key].example
            message = f'jenis = "keputusan" memerlukan {key}; contoh: {example}.'
            raise table.place.error(key, None, message, example)
    no_file = 'langkah keputusan dijawab Ya/Tidak tanpa berkas wajib; tulis "opsional" atau "tidak"'
    no_return = "langkah keputusan kembali lewat ya atau tidak; hapus kembali_ke"
    refusals = (
        ("pelaksana", list(chain), len(chain) > 1, "langkah keputusan dijawab oleh satu peran; tulis satu peran"),
        ("berkas", file_rule.value, file_rule is FileRule.REQUIRED, no_file),
        ("kembali_ke", table.raw.get("kembali_ke"), "kembali_ke" in table.raw, no_return),
        ("jalankan", runs, runs is not None, "langkah keputusan tidak menjalankan SOP lain; hapus jalankan"),
    )  # fmt: skip
    for key, value, refused, why in refusals:
        if refused:
            raise table.place.error(key, value, f"{key} = {show(value)} tidak dapat dipakai: {why}.", why)


def _branch(table: Table, key: str, no: int, count: int) -> int:
    """``ya`` or ``tidak``: an existing step other than this one."""
    target = table.integer(key)
    span = _span(count)
    if not 1 <= target <= count:
        message = f"{key} = {target}, tetapi langkah {target} tidak ada (langkah {span})."
    elif target == no:
        message = f"{key} = {target} menunjuk langkah ini sendiri; tulis langkah lain ({span})."
    else:
        return target
    raise table.place.error(key, target, message, span)


def _after(table: Table, no: int) -> tuple[int, ...]:
    """``setelah``: earlier steps only, each once, at least one."""
    targets = table.integers("setelah")
    earlier = _span(no - 1) if no > 1 else "tidak ada"
    if not targets:
        message = "setelah = [] kosong; sebutkan langkah sebelumnya yang harus selesai dulu, atau hapus setelah."
        raise table.place.error("setelah", [], message, earlier)
    for index, target in enumerate(targets):
        if no == 1:
            message = f"setelah = {show(list(targets))}: langkah 1 adalah langkah pertama; hapus setelah."
        elif not 1 <= target < no:
            message = (
                f"setelah = {show(list(targets))}: langkah {target} bukan langkah sebelumnya; "
                f"hanya langkah {earlier} yang boleh disebut."
            )
        elif target in targets[:index]:
            message = f"setelah = {show(list(targets))}: langkah {target} disebut dua kali; hapus salah satu."
        else:
            continue
        raise table.place.error("setelah", target, message, earlier)
    return targets


def _runs(table: Table, chain: tuple[str, ...], file_rule: FileRule) -> str:
    """``jalankan``: a workflow id; the step has one actor, no file it must attach, no ``kembali_ke``."""
    runs = table.text("jalankan")
    why = f"langkah ini selesai otomatis saat kasus SOP {runs} selesai"
    refusals = (
        ("pelaksana", list(chain), len(chain) > 1, "tulis satu peran"),
        ("berkas", file_rule.value, file_rule is FileRule.REQUIRED, 'tulis "opsional" atau "tidak"'),
        ("kembali_ke", table.raw.get("kembali_ke"), "kembali_ke" in table.raw, "hapus kembali_ke"),
    )
    for key, value, refused, fix in refusals:
        if refused:
            message = f"{key} = {show(value)} tidak dapat dipakai bersama jalankan = {show(runs)}: {why}; {fix}."
            raise table.place.error(key, value, message, fix)
    return runs


def check_reachable(steps: Sequence[StepDef], file: str) -> None:
    """Every step can be reached from step 1 along ``setelah`` and the decisions' branches."""
    sources = in_edges(steps)
    reached = {1}
    for step in steps[1:]:
        if any(source in reached for source in sources[step.no]):
            reached.add(step.no)
            continue
        hint = (
            f"langkah {step.no - 1} adalah keputusan, jadi langkah sesudahnya tidak otomatis menyusul"
            if steps[step.no - 2].kind is StepKind.DECISION
            else "langkah yang disebut di setelah tidak dapat dicapai"
        )
        message = (
            f"langkah {step.no} tidak dapat dicapai dari langkah 1 ({hint}); tambahkan setelah = [...] "
            "atau arahkan ya/tidak sebuah keputusan ke langkah ini."
        )
        raise Place(file, f"langkah {step.no}", step=step.no).error("setelah", step.after, message)


def check_links(found: Mapping[str, WorkflowDef], origins: Mapping[str, object]) -> None:
    """Every ``jalankan`` names another loaded workflow, and no workflow runs itself through others."""
    for name, workflow in found.items():
        for step in workflow.steps:
            if step.runs is None:
                continue
            place = Place(str(origins[name]), f"langkah {step.no}", step=step.no)
            shown = f"jalankan = {show(step.runs)}"
            allowed = ", ".join(sorted(other for other in found if other != name)) or "tidak ada SOP lain"
            if step.runs == name:
                raise place.error(
                    "jalankan", step.runs, f"{shown} menjalankan SOP ini sendiri; tulis id SOP lain.", allowed
                )
            if step.runs not in found:
                message = f"{shown}, tetapi SOP {show(step.runs)} tidak ada di folder workflow; yang ada: {allowed}."
                raise place.error("jalankan", step.runs, message, allowed)
            path = _path_back(found, step.runs, name)
            if path is not None:
                loop = " -> ".join([name, *path])
                message = (
                    f"{shown} membuat putaran SOP yang tidak pernah selesai ({loop}); putuskan salah satu jalankan."
                )
                raise place.error("jalankan", step.runs, message, allowed)


def _path_back(found: Mapping[str, WorkflowDef], start: str, goal: str) -> list[str] | None:
    """The chain of ``jalankan`` from ``start`` that leads back to ``goal`` (None if there is none)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        if name == goal:
            return path
        if name in seen or name not in found:
            continue
        seen.add(name)
        stack.extend((s.runs, [*path, s.runs]) for s in found[name].steps if s.runs is not None)
    return None


def _span(last: int) -> str:
    return "1" if last == 1 else f"1-{last}"
