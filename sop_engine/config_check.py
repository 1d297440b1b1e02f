"""What an install is configured to do, and what would stop it: the service behind ``sop config check``.

:func:`effective` lists every setting as the program will use it, defaults filled in and secrets
masked; :func:`problems` looks at what the settings point to without changing anything (the office
named, the SOP files valid, the Word and message templates present, the document store writable,
the database reachable and at the schema this version needs).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import make_url

from sop_engine.config import Settings, require_office
from sop_engine.config_calendar import WEEKDAYS
from sop_engine.config_notifications import Secret
from sop_engine.db.statuses import NotificationKind
from sop_engine.errors import ConfigError, SopError
from sop_engine.remedies import Hint, Remedy

#: The templates each documents folder must hold (file names fixed by the generators).
DOCUMENT_TEMPLATES = ("disposisi.docx", "surat-pengantar.docx", "draft-lkj.docx", "draft-lkj.html.j2")
#: The message templates of each notification kind.
MESSAGE_PARTS = ("subject", "txt", "html")


def effective(settings: Settings) -> list[tuple[str, str]]:
    """Every setting as ``(dotted key, value shown)``, in the order of the settings' records."""
    return list(_rows("", settings))


def problems(settings: Settings) -> list[SopError]:
    """What would stop the install as configured, each an error that says what to fix (empty: none)."""
    found: list[SopError] = []
    try:
        require_office(settings)
    except SopError as exc:
        found.append(exc)
    found += _workflow_problems(settings.workflows_dir, settings.roles.step_ids)
    found += [
        ConfigError(f"Templat dokumen '{name}' tidak ada di {settings.documents_dir} ([documents] dir).", value=name)
        for name in DOCUMENT_TEMPLATES
        if not (settings.documents_dir / name).is_file()
    ]
    templates = settings.notifications.templates_dir
    found += [
        ConfigError(f"Templat pesan '{kind}.{part}.j2' tidak ada di {templates} ([notifications] templates_dir).")
        for kind in NotificationKind
        for part in MESSAGE_PARTS
        if not (templates / f"{kind}.{part}.j2").is_file()
    ]
    if not settings.storage.in_database:  # else the store is the database, checked next
        found += _store_problems(settings.storage.artefacts_dir)
    found += _database_problems(settings)
    return found


#: Fields of the records that are not settings (the file itself is shown above the table).
_NOT_SETTINGS = frozenset({"path", "office_given"})


def _rows(prefix: str, value: object) -> Iterator[tuple[str, str]]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type | Secret):
        for item in dataclasses.fields(value):
            if prefix or item.name not in _NOT_SETTINGS:
                yield from _rows(f"{prefix}.{item.name}" if prefix else item.name, getattr(value, item.name))
        return
    if prefix == "calendar.hours" and isinstance(value, tuple):
        for day, periods in zip(WEEKDAYS, value, strict=True):
            yield f"{prefix}.{day}", ", ".join(f"{a:%H.%M}-{b:%H.%M}" for a, b in periods) or "libur"
        return
    if prefix == "roles.step_roles" and isinstance(value, tuple):  # as [peran] writes them
        for role in value:
            yield f"peran.{role.id}", role.nama + (f" (atasan: {role.atasan})" if role.atasan else "")
        return
    if prefix == "submission_deadline" and isinstance(value, tuple):
        yield prefix, "{:02d}-{:02d}".format(*value)
        return
    yield prefix, _shown(prefix, value)


def _shown(key: str, value: object) -> str:
    if isinstance(value, Secret):
        return "********** (dari variabel lingkungan)"
    if key == "database.url" and isinstance(value, str) and "@" in value:  # user:password@host
        scheme, _, rest = value.partition("://")
        return f"{scheme}://**********@{rest.rpartition('@')[2]}"
    if isinstance(value, tuple | list):
        if any(isinstance(item, tuple | list) for item in value):  # pairs: (85, "Sangat Berhasil"), (date, name)
            return "; ".join(" ".join(_shown(key, part) for part in item) for item in value) or "-"
        return ", ".join(_shown(key, item) for item in value) or "-"
    if isinstance(value, Decimal):
        return format(value, "f")
    return "-" if value is None or value == "" else str(value)


def _workflow_problems(folder: Path, roles: tuple[str, ...]) -> list[SopError]:
    from sop_engine.loader import load_workflows_dir

    try:
        found = load_workflows_dir(folder, roles)
    except SopError as exc:
        return [exc]
    return [] if found else [ConfigError(f"Folder SOP {folder} tidak berisi berkas SOP (*.toml) ([workflows] dir).")]


def _store_problems(folder: Path) -> list[SopError]:
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):  # a file in the way too
        return [ConfigError(f"Folder dokumen {folder} tidak dapat ditulis ([storage] artefacts_dir).")]
    return []


def _database_problems(settings: Settings) -> list[SopError]:
    """The database reachable and at this version's schema; a SQLite file is never created here."""
    from sop_engine.db import migrate
    from sop_engine.db.session import Database

    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        return [ConfigError(f"Basis data {url.database} belum ada.", hint=Hint(Remedy.INIT_DATABASE))]
    database = Database(settings.database.url)
    try:
        migrate.require_current(database.engine)
    except SopError as exc:
        return [exc]
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        return [ConfigError(f"Basis data tidak dapat dibuka ({type(exc).__name__}: {first}).")]
    finally:
        database.dispose()
    return []
