"""Small helpers shared by the tests (documents, CLI runs, migrations, processes, threads, password hashing)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, inspect, select, update

from sop_engine import artefacts
from sop_engine.cli import main
from sop_engine.clock import Clock
from sop_engine.config import Settings, StorageSettings
from sop_engine.context import Context
from sop_engine.db import migrate
from sop_engine.db.models import ArtefactBlob
from sop_engine.demo import minimal_pdf

ROOT = Path(__file__).resolve().parent.parent
BARRIER_TIMEOUT = 20  # seconds; a mistake in the synchronisation fails the test instead of hanging it

#: Argon2id at the lowest cost the library accepts: the tests hash and verify passwords all the time,
#: and the production parameters are checked once (tests/test_password_cost.py).
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def need(reason: str) -> None:
    """Skip for ``reason``, or fail under CI, where every real component must be installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def pdf(folder: Path, name: str = "dokumen.pdf", text: str = "dokumen") -> Path:
    path = folder / name
    path.write_bytes(minimal_pdf(text))
    return path


def large_pdf(folder: Path, name: str = "dokumen.pdf", text: str = "dokumen") -> Path:
    """A PDF larger than the documents kept in the database (``[storage] inline_max_kb``): it is kept
    as a file in the artefacts folder."""
    path = folder / name
    path.write_bytes(minimal_pdf(text) + b"%" + b"0" * StorageSettings().inline_max_bytes + b"\n")
    return path


def alter_document(ctx: Context, sha256: str, change: Callable[[bytes], bytes]) -> None:
    """Change a stored document's bytes behind the engine's back (a disk fault, an intruder), wherever it
    is kept: its file in the artefacts folder, else its row in the database."""
    path = artefacts.store_for(ctx).path_for(sha256)
    if path.is_file():
        path.write_bytes(change(path.read_bytes()))
        return
    blobs = ArtefactBlob.__table__.c
    with ctx.db.engine.begin() as conn:
        content = conn.scalar(select(blobs.content).where(blobs.sha256 == sha256))
        assert content is not None, f"no stored document {sha256}"
        conn.execute(update(ArtefactBlob).where(blobs.sha256 == sha256).values(content=change(bytes(content))))


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The SQL statements ``ctx``'s database is sent inside the block (SQLAlchemy's ``before_cursor_execute``;
    an ``executemany`` counts once)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def docx(folder: Path, name: str = "dokumen.docx") -> Path:
    """A minimal file with the structure of a Word document (enough for content sniffing)."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(args: list[str], settings: Settings, clock: Clock | None = None) -> Run:
    """Run ``sop ARGS`` in-process against ``settings``; returns exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(args, clock=clock, settings=settings)
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def upgrade_from(ctx: Context, revision: str, dropped: tuple[str, ...] = ()) -> None:
    """Take the database back to schema ``revision`` (``dropped`` tables must be gone), then upgrade it again."""
    migrate.downgrade(ctx.db.engine, revision)
    assert not set(dropped) & set(inspect(ctx.db.engine).get_table_names())
    migrate.upgrade(ctx.db.engine)


# --- real processes and threads ------------------------------------------------------------


def write_config(folder: Path, settings: Settings) -> Path:
    """The project's config.toml with absolute paths: this test's database, artefact store and workflows."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    replacements = {
        'url = "sqlite:///var/sop.db"': f'url = "{settings.database.url}"',
        'artefacts_dir = "var/artefacts"': f'artefacts_dir = "{settings.storage.artefacts_dir}"',
        'dir = "workflows"': f'dir = "{ROOT / "workflows"}"',
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"config.toml no longer contains {old!r}"
        text = text.replace(old, new)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def sop_env(settings: Settings) -> dict[str, str]:
    """The environment of a ``sop`` process on ``settings``'s database."""
    env = {k: v for k, v in os.environ.items() if k != "SOP_CONFIG"}
    env["SOP_DATABASE_URL"] = settings.database.url
    return env


def run_threads(targets: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each target in its own thread; returns what each returned or raised."""
    results: dict[str, Any] = {}

    def runner(label: str, target: Callable[[], Any]) -> None:
        try:
            results[label] = target()
        except BaseException as exc:  # collected and asserted on by the test
            results[label] = exc

    threads = [threading.Thread(target=runner, args=item) for item in targets.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a racing thread did not finish"
    return results


#: The later actors of LAKIP's paraf chains among the demo people: step 8 is confirmed by the
#: Sekretaris after the Kasubag Program hands it over (lakip.toml: pelaksana = [kasubag_program, sekretaris]).
LAKIP_PARAF: dict[int, tuple[str, ...]] = {8: ("sekretaris",)}


def confirm_paraf(ctx: Context, code: str, no: int, at: Any = None) -> Any:
    """Confirm LAKIP step ``no`` by its later paraf actors, if it has any (after its first actor completed
    it); the case record after the last confirmation, or None when the step has no chain."""
    from sop_engine import cases

    record = None
    for user in LAKIP_PARAF.get(no, ()):
        record = cases.complete_step(ctx, code, no, user, at=at)
    return record


def own_profile(folder: Path) -> str:
    """The soffice option that gives one conversion its own LibreOffice profile in ``folder``: two
    conversions at once (pytest-xdist workers) on the shared default profile make soffice exit 1."""
    return f"-env:UserInstallation={(folder / 'libreoffice-profile').resolve().as_uri()}"


#: The LibreOffice package that opens each kind of document, named when a conversion cannot be made.
OFFICE_PACKAGES = {".docx": "libreoffice-writer-nogui", ".xlsx": "libreoffice-calc-nogui"}


def to_pdf(sources: Sequence[Path], outdir: Path, timeout: int = 180) -> list[Path]:
    """Convert ``sources`` to PDF in ``outdir`` with one LibreOffice run on its own profile (own_profile);
    the PDFs, in the order of ``sources``.

    Without soffice the test is skipped (or fails under CI, see need). soffice exits 0 even when it wrote
    nothing: a missing spreadsheet PDF means LibreOffice Calc is not installed (need again), any other
    missing PDF fails the test with what soffice said.
    """
    packages = " ".join(sorted({OFFICE_PACKAGES.get(source.suffix, "libreoffice-nogui") for source in sources}))
    soffice = shutil.which("soffice")
    if soffice is None:
        need(f"LibreOffice is not installed (apt-get install {packages})")
    command = [str(soffice), own_profile(outdir), "--headless", "--convert-to", "pdf", "--outdir", str(outdir)]
    run = subprocess.run([*command, *map(str, sources)], check=True, capture_output=True, text=True, timeout=timeout)
    made = [outdir / f"{source.stem}.pdf" for source in sources]
    missing = [source for source, path in zip(sources, made, strict=True) if not path.is_file()]
    if any(source.suffix == ".xlsx" for source in missing):
        need(f"LibreOffice Calc is not installed (apt-get install {OFFICE_PACKAGES['.xlsx']})")
    assert not missing, f"soffice wrote no PDF for {[s.name for s in missing]}: {run.stdout}{run.stderr}"
    return made
