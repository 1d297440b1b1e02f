"""The wheel works where it is installed, not only in the checkout: templates and examples are package data.

Builds the wheel, installs it (without dependencies) into a fresh virtual environment whose only
other packages are this environment's third-party ones, and uses it from an empty folder outside
the checkout: `sop init --demo`, a case, every document generator, and `sop serve` answering.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import docx
import httpx2
import openpyxl
import pytest

from tests.conftest import ROOT
from tests.servers import free_port

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a virtual environment with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist", ROOT)
    [wheel] = (root / "dist").glob("sop_engine-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    [site] = (venv / "lib").glob("python3*/site-packages")
    # The third-party packages of this environment, without its editable install of the checkout
    # (a path added by a .pth file is not itself scanned for .pth files).
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--quiet", wheel)
    return venv / "bin"


def office_config(folder: Path) -> Path:
    """A config.toml for an office outside the checkout, every path in ``folder`` (workflows: the shipped ones)."""
    folder.mkdir()
    path = folder / "config.toml"
    path.write_text(
        '[office]\nsatker = "3599"\nname = "KPU Kabupaten Contoh"\naddress = "Jl. Merdeka 1, Contoh"\n'
        '[database]\nurl = "sqlite:///sop.db"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import sop_engine; print(sop_engine.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(installed.parent)
    assert not Path(where.strip()).is_relative_to(ROOT)


@pytest.mark.slow
def test_init_a_case_and_every_document_from_the_wheel_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    office = tmp_path / "kantor"
    office_config(office)
    sop = installed / "sop"
    packaged = run(installed / "python", "-c", "from sop_engine import resources; print(resources.WORKFLOWS)").strip()
    (office / "config.toml").write_text(
        (office / "config.toml").read_text(encoding="utf-8") + f'[workflows]\ndir = "{packaged}"\n', encoding="utf-8"
    )
    run(sop, "init", "--demo", cwd=office)
    run(sop, "case", "start", "lakip", "--year", "2021", "--by", "sekretaris", cwd=office)
    run(sop, "surat", "disposisi", "lakip-2021", "--by", "sekretaris", "--to", "Kasubag Program",
        "--instruction", "Siapkan penyusunan LAKIP", "-o", "disposisi.docx", cwd=office)  # fmt: skip
    kop = [p.text for p in docx.Document(str(office / "disposisi.docx")).paragraphs][:2]
    assert kop == ["KPU KABUPATEN CONTOH", "Jl. Merdeka 1, Contoh"]
    run(sop, "surat", "pengantar", "lakip-2021", "--by", "kasubag", "--to", "KPU Provinsi", "-o", "pengantar.docx",
        cwd=office)  # fmt: skip
    assert "SURAT PENGANTAR" in [p.text for p in docx.Document(str(office / "pengantar.docx")).paragraphs]
    for kind, data in (("targets", "targets"), ("targets", "budget"), ("budget", "budget")):
        run(sop, "lakip", kind, "import", FIXTURES / f"{data}-2020.csv", "--year", "2020", "--by", "kasubag",
            cwd=office)  # fmt: skip
    run(sop, "lakip", "draft", "2020", "-o", "draf.docx", "--html", "draf.html", cwd=office)
    assert docx.Document(str(office / "draf.docx")).paragraphs and "<html" in (office / "draf.html").read_text("utf-8")
    run(sop, "lakip", "workbook", "generate", "--year", "2020", "-o", "buku-kerja.xlsx", cwd=office)
    assert len(openpyxl.load_workbook(office / "buku-kerja.xlsx").sheetnames) >= 4


@pytest.mark.slow
def test_sop_serve_from_the_wheel_answers(installed: Path, tmp_path: Path) -> None:
    office = tmp_path / "kantor"
    office_config(office)
    packaged = run(installed / "python", "-c", "from sop_engine import resources; print(resources.WORKFLOWS)").strip()
    with (office / "config.toml").open("a", encoding="utf-8") as config:
        config.write(f'[workflows]\ndir = "{packaged}"\n')
    run(installed / "sop", "init", "--demo", cwd=office)
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [str(installed / "sop"), "serve", "--port", str(port), "--no-scheduler"],
            cwd=office,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            page = _first_answer(f"http://127.0.0.1:{port}/masuk", proc, log)
            assert page.status_code == 200 and "KPU Kabupaten Contoh" in page.text
            assert _first_answer(f"http://127.0.0.1:{port}/static/app.css", proc, log).status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0


def _first_answer(url: str, proc: subprocess.Popen[bytes], log: Path) -> httpx2.Response:
    """The first answer at ``url`` (bounded wait for the server to listen; fail if it died)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"sop serve exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            )
        try:
            return httpx2.get(url, timeout=2.0)
        except httpx2.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"sop serve did not answer at {url}")
