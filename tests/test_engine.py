"""The Python API (sop_engine.Engine) on both backends: the same services, documents and errors as ``sop``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import sop_engine
from sop_engine import Engine, views
from sop_engine.clock import FixedClock
from sop_engine.config import Settings
from sop_engine.context import Context
from sop_engine.errors import ConfigError, Conflict, InvalidInput, NotAllowed, NotFound
from sop_engine.remedies import Remedy
from tests.helpers import LAKIP_PARAF, ROOT, pdf, write_config

#: Who does each step of the LAKIP SOP among the demo people.
DOERS = {1: "sekretaris", 2: "kasubag", 3: "staf1", 4: "staf2", 5: "kasubag", 6: "staf1", 7: "kasubag"}
DOERS |= {8: "kasubag", 9: "ketua", 10: "kasubag", 11: "staf2"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+07:00")


@pytest.fixture
def engine(ctx: Context, settings: Settings, clock: FixedClock, tmp_path: Path):
    """An Engine opened from a config.toml on the test's initialised database and fixed clock."""
    with Engine.open(write_config(tmp_path, settings), clock=clock) as opened:
        yield opened


def run_to(engine: Engine, clock: FixedClock, folder: Path, last: int) -> None:
    """Start lakip-2021 and complete steps 1..last, half an hour apart, each with a PDF."""
    engine.start_case("lakip", year=2021, by="sekretaris")
    for no in range(1, last + 1):
        clock.advance(timedelta(minutes=30))
        engine.complete_step("lakip-2021", no, by=DOERS[no], files=[pdf(folder, f"l{no}.pdf", f"langkah {no}")])
        for user in LAKIP_PARAF.get(no, ()):
            engine.complete_step("lakip-2021", no, by=user)


def test_a_case_read_through_the_engine_is_the_document_sop_case_show_prints(engine: Engine, clock, sop, tmp_path):
    started = engine.start_case("lakip", year=2021, by="sekretaris", at=at("2021-01-11T07:45"))
    assert (started.id, started.status, started.current_step) == ("lakip-2021", "running", 1)
    done = engine.complete_step(
        "lakip-2021", 1, by="sekretaris", files=[str(pdf(tmp_path))], note="Segera", at=at("2021-01-11T07:55")
    )
    assert done.current_step == 2 and done.steps[0].note == "Segera"
    assert [a.filename for a in done.steps[0].artefacts] == ["dokumen.pdf"]
    assert done.to_json() == json.loads(sop("case", "show", "lakip-2021", "--json").out)  # the action's own snapshot
    clock.advance(timedelta(days=3))  # step 2 overdue now, the projection later
    shown = sop("case", "show", "lakip-2021", "--json")
    assert shown.code == 0, shown.err
    assert engine.case("lakip-2021").to_json() == json.loads(shown.out) != done.to_json()


def test_return_and_cancel_change_the_case_as_the_cli_would(engine: Engine, clock, sop, tmp_path):
    run_to(engine, clock, tmp_path, 6)
    clock.advance(timedelta(hours=1))
    returned = engine.return_step("lakip-2021", 7, to=6, by="kasubag", reason="Tabel capaian belum lengkap")
    assert returned.current_step == 6 and returned.steps[5].round == 2
    cancelled = engine.cancel_case("lakip-2021", by="sekretaris", reason="Diganti SOP baru")
    assert (cancelled.status, cancelled.record.cancel_reason) == ("cancelled", "Diganti SOP baru")
    log = json.loads(sop("audit", "log", "--case", "lakip-2021", "--json").out)
    assert [e["action"] for e in log][-3:] == ["step.completed", "step.returned", "case.cancelled"]
    assert engine.case("lakip-2021").to_json() == json.loads(sop("case", "show", "lakip-2021", "--json").out)


def test_refusals_are_the_errors_and_messages_the_cli_reports(engine: Engine, sop, tmp_path):
    engine.start_case("lakip", year=2021, by="sekretaris")
    with pytest.raises(NotAllowed) as refused:
        engine.complete_step("lakip-2021", 1, by="staf1", files=[pdf(tmp_path)])
    cli = sop("step", "done", "lakip-2021", "1", "--by", "staf1", "--file", str(pdf(tmp_path)))
    assert cli.code == 1 and cli.err.strip() == f"sop: {refused.value.message}"
    with pytest.raises(Conflict, match="sudah ada"):
        engine.start_case("lakip", year=2021, by="sekretaris")
    with pytest.raises(NotFound):
        engine.case("lakip-1999")
    engine.complete_step("lakip-2021", 1, by="sekretaris", files=[pdf(tmp_path)])
    with pytest.raises(Conflict, match="sudah diselesaikan oleh sekretaris"):
        engine.complete_step("lakip-2021", 1, by="sekretaris", files=[pdf(tmp_path)])


def test_a_naive_at_is_refused_before_anything_is_written(engine: Engine, tmp_path):
    with pytest.raises(InvalidInput, match="zona waktu"):
        engine.start_case("lakip", year=2021, by="sekretaris", at=datetime(2021, 1, 11, 8, 0))  # noqa: DTZ001
    assert engine.cases().items == ()
    engine.start_case("lakip", year=2021, by="sekretaris")
    with pytest.raises(InvalidInput, match="zona waktu"):
        engine.complete_step("lakip-2021", 1, by="sekretaris", files=[pdf(tmp_path)], at=datetime(2021, 1, 11, 9))  # noqa: DTZ001
    assert engine.case("lakip-2021").current_step == 1


def test_an_at_becomes_the_stated_time_and_the_future_is_refused(engine: Engine, clock, tmp_path):
    case = engine.start_case("lakip", year=2021, by="sekretaris", at=at("2021-01-11T07:30"))
    assert case.steps[0].activated_at == at("2021-01-11T07:30")
    with pytest.raises(InvalidInput, match="masa depan"):
        engine.complete_step("lakip-2021", 1, by="sekretaris", files=[pdf(tmp_path)], at=clock.now() + timedelta(1))


def test_cases_come_in_pages_of_limit_newest_year_first_with_a_next_cursor(engine: Engine):
    for year in (2023, 2019, 2021, 2020, 2022):
        engine.start_case("lakip", year=year, by="sekretaris")
    first = engine.cases(limit=2)
    assert [c.id for c in first.items] == ["lakip-2023", "lakip-2022"] and first.next == "2022.lakip-2022"
    second = engine.cases(limit=2, after=first.next)
    assert [c.id for c in second.items] == ["lakip-2021", "lakip-2020"] and second.next == "2020.lakip-2020"
    last = engine.cases(limit=2, after=second.next)
    assert [c.id for c in last.items] == ["lakip-2019"] and last.next is None
    assert [c.id for c in engine.cases(limit=5).items][-1] == "lakip-2019" and engine.cases(limit=5).next is None
    with pytest.raises(InvalidInput):
        engine.cases(limit=0)
    with pytest.raises(InvalidInput):
        engine.cases(after="lakip-2020")  # not a cursor a page gave


def test_verify_audit_is_sop_audit_verify(engine: Engine, clock, sop, tmp_path):
    run_to(engine, clock, tmp_path, 2)
    result = engine.verify_audit()
    shown = json.loads(sop("audit", "verify", "--json").out)
    assert result.ok and json.loads(json.dumps(views.verify_json(result))) == shown
    assert engine.verify_audit(head=f"{result.head_seq}:{result.head_hash}").ok


def test_open_takes_the_database_url_over_the_config_and_needs_an_initialised_database(
    ctx: Context, settings: Settings, clock, tmp_path: Path
):
    config = write_config(tmp_path, settings)
    text = config.read_text(encoding="utf-8").replace(settings.database.url, f"sqlite:///{tmp_path / 'lain.db'}")
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="belum disiapkan") as refused:
        Engine.open(config, clock=clock)
    assert refused.value.hint is not None and refused.value.hint.remedy is Remedy.INIT_DATABASE
    with Engine.open(config, database_url=settings.database.url, clock=clock) as engine:
        assert engine.start_case("lakip", year=2021, by="sekretaris").id == "lakip-2021"


def test_importing_the_package_does_not_import_the_database_stack():
    code = "import sys, sop_engine; print(sorted(m for m in ('sqlalchemy', 'fastapi') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    with pytest.raises(AttributeError, match="Mesin"):
        _ = sop_engine.Mesin  # type: ignore[attr-defined]


def readme_example() -> tuple[str, str]:
    """The code and the printed output of the README's "Python API" section."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Python API", 1)[1].split("\n## ", 1)[0]
    code, output = re.findall(r"```(?:python|text)\n(.*?)```", section, re.S)[:2]
    return code, output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_readme_python_api_example_runs_and_prints_what_it_shows(
    settings: Settings, sop_init_demo, clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    sop_init_demo(clock)
    write_config(tmp_path, settings)
    pdf(tmp_path, "disposisi.pdf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOP_DATABASE_URL", raising=False)
    code, output = readme_example()
    exec(compile(code, "README.md", "exec"), {})  # the snippet as a reader would paste it
    assert capsys.readouterr().out == output
