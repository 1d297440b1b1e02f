"""SOP definitions in the database: registering the files of ``workflows/`` and pinning cases.

A case keeps running under the exact definition it started with: the definition's TOML text is
stored once per content hash, and a case points at it. Editing ``workflows/lakip.toml`` creates
a new revision for new cases; running cases are untouched.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from sop_engine import audit, critical_path
from sop_engine.context import Context
from sop_engine.db.models import Case, WorkflowDefinition
from sop_engine.db.queries import table
from sop_engine.definitions import StepDef, WorkflowDef
from sop_engine.errors import NotFound
from sop_engine.loader import ANY_ROLE, load_workflow_text, load_workflows_dir
from sop_engine.policy import SYSTEM_ACTOR


@dataclass(frozen=True)
class RevisionRecord:
    """One stored revision of a workflow and how many cases use it."""

    name: str
    title: str
    content_hash: str
    revision: date
    loaded_at: datetime
    cases: int
    current: bool


_parsed: dict[str, WorkflowDef] = {}
_parsed_lock = threading.Lock()


def parse_stored(row: WorkflowDefinition) -> WorkflowDef:
    """The definition stored in ``row`` (parsed once per content hash)."""
    with _parsed_lock:
        definition = _parsed.get(row.content_hash)
    return definition or _remember(row.name, row.source, row.content_hash)


def _remember(name: str, source: str, content_hash: str) -> WorkflowDef:
    """Parse a stored definition and keep it for the process (a stored revision never changes: its key
    is the hash of its text, so the record needs no invalidation)."""
    definition = load_workflow_text(source, f"<basis data: {name}>", ANY_ROLE)
    with _parsed_lock:
        return _parsed.setdefault(content_hash, definition)


def definition_of(case: Case) -> WorkflowDef:
    """The definition ``case`` is pinned to."""
    return parse_stored(case.definition)


def stored(session: Session) -> dict[int, WorkflowDef]:
    """Every stored definition by its row id, parsed once per content hash.

    Reads the ids and hashes of the revisions (a handful of rows); a revision's source is read
    only when this process has not parsed its hash yet. Readers that list cases look their
    definitions up here instead of loading one source per case.
    """
    hashes = {
        row_id: content_hash
        for row_id, content_hash in session.execute(select(WorkflowDefinition.id, WorkflowDefinition.content_hash))
    }
    with _parsed_lock:
        new = [row_id for row_id, content_hash in hashes.items() if content_hash not in _parsed]
    if new:
        for row in session.scalars(select(WorkflowDefinition).where(WorkflowDefinition.id.in_(new))):
            parse_stored(row)
    with _parsed_lock:
        return {row_id: _parsed[content_hash] for row_id, content_hash in hashes.items()}


_stored = table(WorkflowDefinition).c
_SOURCE = select(_stored.name, _stored.source).where(_stored.content_hash == bindparam("hash"))
_ID = select(_stored.id).where(_stored.content_hash == bindparam("hash"))


def pinned(conn: Connection, content_hash: str) -> WorkflowDef:
    """The stored definition with ``content_hash``: parsed once per process, its text read only then."""
    with _parsed_lock:
        definition = _parsed.get(content_hash)
    if definition is not None:
        return definition
    name, source = conn.execute(_SOURCE, {"hash": content_hash}).one()
    return _remember(name, source, content_hash)


def by_hash(ctx: Context, content_hash: str) -> WorkflowDef:
    """The stored definition with ``content_hash`` (the revision a case is pinned to)."""
    with _parsed_lock:
        parsed = _parsed.get(content_hash)
    if parsed is not None:  # a hash names one text: parsed once, it is the same definition
        return parsed
    with ctx.db.read() as session:
        row = session.scalar(select(WorkflowDefinition).where(WorkflowDefinition.content_hash == content_hash))
        if row is None:
            raise NotFound(f"Revisi SOP {content_hash[:12]}… tidak ada di basis data.", value=content_hash)
        return parse_stored(row)


_on_disk: dict[tuple[Path, tuple[str, ...]], tuple[tuple[tuple[str, bytes], ...], dict[str, WorkflowDef]]] = {}


def on_disk(ctx: Context) -> dict[str, WorkflowDef]:
    """The definitions in the workflows folder, validated.

    The files are read every time, but parsed and validated again only when their names or
    bytes differ from the last reading (an edited file is seen at once, whatever its mtime). The
    roles they name must be the office's step roles (config.toml's ``[peran]``).
    """
    folder = ctx.settings.workflows_dir
    roles = ctx.settings.roles.step_ids
    if not folder.is_dir():
        return load_workflows_dir(folder, roles)  # raises the error that names the folder
    texts = _toml_texts(folder)
    with _parsed_lock:
        known = _on_disk.get((folder, roles))
    if known is not None and known[0] == texts:
        return dict(known[1])
    found = load_workflows_dir(folder, roles)
    with _parsed_lock:
        _on_disk[(folder, roles)] = (texts, found)
    return dict(found)


def _toml_texts(folder: Path) -> tuple[tuple[str, bytes], ...]:
    """The name and bytes of each ``*.toml`` file in ``folder``, by name. Every page reads them (the
    menu's start entry, :func:`sop_engine.web.rendering.startable`): one directory scan and a plain
    read per file, without pathlib's glob (about half the CPU)."""
    base = os.fspath(folder)
    with os.scandir(base) as entries:
        names = sorted(entry.name for entry in entries if entry.name.endswith(".toml") and entry.is_file())
    texts = []
    for name in names:
        with open(os.path.join(base, name), "rb") as file:
            texts.append((name, file.read()))
    return tuple(texts)


def register(session: Session, ctx: Context, office_id: int, definition: WorkflowDef) -> WorkflowDefinition:
    """The stored row of ``definition``, inserting (and auditing) it if this revision is new."""
    row = session.scalar(select(WorkflowDefinition).where(WorkflowDefinition.content_hash == definition.content_hash))
    if row is not None:
        return row
    row = WorkflowDefinition(
        name=definition.name,
        content_hash=definition.content_hash,
        revision=definition.revision,
        source=definition.source,
        loaded_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        office_id,
        actor=SYSTEM_ACTOR,
        role="admin",
        action="workflow.registered",
        recorded_at=ctx.clock.now(),
        details={
            "workflow": definition.name,
            "sha256": definition.content_hash,
            "revision": definition.revision.isoformat(),
            "steps": len(definition.steps),
        },
    )
    return row


def current(session: Session, ctx: Context, office_id: int, name: str) -> tuple[int, WorkflowDef]:
    """The stored id and the revision of workflow ``name`` that new cases start under (the file on disk)."""
    definitions = on_disk(ctx)
    definition = definitions.get(name)
    if definition is None:
        known = ", ".join(sorted(definitions)) or "tidak ada"
        raise NotFound(f"SOP '{name}' tidak ada di {ctx.settings.workflows_dir}; SOP yang ada: {known}.", value=name)
    stored = session.connection().scalar(_ID, {"hash": definition.content_hash})
    if stored is None:
        stored = register(session, ctx, office_id, definition).id
    with _parsed_lock:  # the same text as the stored row's: its cases need not parse it again
        _parsed.setdefault(definition.content_hash, definition)
    return stored, definition


def show(ctx: Context, name: str) -> WorkflowDef:
    """The current definition of ``name`` from the workflows folder."""
    definitions = on_disk(ctx)
    if name not in definitions:
        known = ", ".join(sorted(definitions)) or "tidak ada"
        raise NotFound(f"SOP '{name}' tidak ada; SOP yang ada: {known}.", value=name)
    return definitions[name]


def lookup(ctx: Context) -> Callable[[str], WorkflowDef]:
    """The current definition of a workflow id, as :func:`show` finds it (the folder read once, on the
    first question): what a ``jalankan`` step without ``waktu`` is budgeted by."""
    found: dict[str, WorkflowDef] = {}

    def find(name: str) -> WorkflowDef:
        if not found:
            found.update(on_disk(ctx))
        if name not in found:
            return show(ctx, name)  # raises the NotFound that names the SOPs there are
        return found[name]

    return find


def budget_seconds(ctx: Context, step: StepDef) -> int:
    """The budget of ``step`` in the office's working seconds (a sub-SOP's critical path if it has no ``waktu``)."""
    return critical_path.step_seconds(ctx.calendar, step, lookup(ctx))


def budget_label(ctx: Context, step: StepDef) -> str:
    """The budget of ``step`` as people read it (:func:`sop_engine.critical_path.budget_label`)."""
    return critical_path.label_of(ctx.calendar, step, lookup(ctx))


def budget_labels(ctx: Context, definition: WorkflowDef) -> dict[int, str]:
    """:func:`budget_label` of each step of ``definition`` by its number, the SOPs looked up once: what
    ``sop workflows show`` and the SOP document write (they do not look SOPs up themselves)."""
    find = lookup(ctx)
    return {step.no: critical_path.label_of(ctx.calendar, step, find) for step in definition.steps}


def list_revisions(ctx: Context) -> list[RevisionRecord]:
    """Every stored revision, newest first per workflow, with its number of cases."""
    files = {d.content_hash for d in on_disk(ctx).values()}
    with ctx.db.read() as session:
        office = ctx.office(session)
        counts: dict[int, int] = {
            definition_id: count
            for definition_id, count in session.execute(
                select(Case.definition_id, func.count(Case.id))
                .where(Case.office_id == office.id)
                .group_by(Case.definition_id)
            )
        }
        rows = session.scalars(
            select(WorkflowDefinition).order_by(WorkflowDefinition.name, WorkflowDefinition.loaded_at.desc())
        ).all()
        return [
            RevisionRecord(
                name=row.name,
                title=parse_stored(row).title,
                content_hash=row.content_hash,
                revision=row.revision,
                loaded_at=row.loaded_at,
                cases=counts.get(row.id, 0),
                current=row.content_hash in files,
            )
            for row in rows
        ]
