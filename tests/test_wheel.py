"""The wheel works where it is installed, not only in the checkout: templates and examples are package data.

Builds the wheel, installs it (without dependencies) into a fresh virtual environment whose only
other packages are this environment's third-party ones, and uses it from an empty folder outside
the checkout: `sop init --demo`, a case, every document generator, and `sop serve` answering.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import docx
import httpx2
import openpyxl
import pytest

from tests.conftest import ROOT
from tests.servers import free_port, wait_for

FIXTURES = Path(__file__).parent / "fixtures"
#: What a copy of the checkout for building leaves out: environments, caches, earlier builds, data.
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "var")


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a virtual environment with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools keeps its work in the source's build/, which another test process
    # (or an earlier build) may be using.
    source = root / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist", source)
    [wheel] = (root / "dist").glob("sop_engine-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    [site] = (venv / "lib").glob("python3*/site-packages")
    # The third-party packages of this environment, without its editable install of the checkout
    # (a path added by a .pth file is not itself scanned for .pth files).
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--quiet", wheel)
    return venv / "bin"


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import sop_engine; print(sop_engine.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(installed.parent)
    assert not Path(where.strip()).is_relative_to(ROOT)


@pytest.mark.slow
def test_init_a_case_and_every_document_from_the_wheel_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    office = tmp_path / "kantor"
    office.mkdir()
    sop = installed / "sop"
    # No config.toml yet: one is written from the shipped example, and the office must be named first.
    first = subprocess.run([str(sop), "init"], cwd=office, capture_output=True, text=True, check=False)
    assert first.returncode == 1 and "config.toml dibuat" in first.stdout and "kantor belum diisi" in first.stderr
    config = office / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("# [office]\n", "[office]\n")
        .replace('# satker = "3526"', 'satker = "3599"')
        .replace('# name = "KPU Kabupaten Bangkalan"', 'name = "KPU Kabupaten Contoh"')
        .replace('# address = "Jl. Contoh Raya No. 1, Bangkalan 69100"', 'address = "Jl. Merdeka 1, Contoh"'),
        encoding="utf-8",
    )
    assert "SOP terdaftar: lakip" in run(sop, "init", cwd=office)
    assert (office / "workflows" / "lakip.toml").is_file()  # the office's own copy of the example
    run(sop, "people", "add", "sekretaris", "--name", "Sekretaris Contoh", "--role", "sekretaris", cwd=office)
    run(sop, "people", "add", "kasubag", "--name", "Kasubag Contoh", "--role", "kasubag_program", cwd=office)
    run(sop, "case", "start", "lakip", "--year", "2021", "--by", "sekretaris", cwd=office)
    run(sop, "surat", "disposisi", "lakip-2021", "--by", "sekretaris", "--to", "Kasubag Program",
        "--instruction", "Siapkan penyusunan LAKIP", "-o", "disposisi.docx", cwd=office)  # fmt: skip
    kop = [p.text for p in docx.Document(str(office / "disposisi.docx")).tables[0].cell(0, 1).paragraphs]
    assert kop == ["KPU KABUPATEN CONTOH", "Jl. Merdeka 1, Contoh", ""]  # phone, e-mail and website left commented out
    run(sop, "surat", "pengantar", "lakip-2021", "--by", "kasubag", "--to", "KPU Provinsi", "--to-city", "Surabaya",
        "-o", "pengantar.docx",
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
    office.mkdir()
    run(installed / "sop", "init", "--demo", cwd=office)  # pip install sop-engine && sop init --demo && sop serve
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [str(installed / "sop"), "serve", "--port", str(port), "--no-scheduler"],
            cwd=office,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/masuk", proc, timeout=60)
            page = httpx2.get(f"http://127.0.0.1:{port}/masuk", timeout=5)
            assert page.status_code == 200 and "KPU Kabupaten Bangkalan" in page.text, log.read_text(errors="replace")
            assert httpx2.get(f"http://127.0.0.1:{port}/static/app.css", timeout=5).status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
