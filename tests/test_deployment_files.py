"""The deployment files agree with the program: ``Dockerfile``, ``compose.yaml`` and the README's units.

No image is built here (no container engine in the test environment). What can be checked is:
compose.yaml parses and describes PostgreSQL, two web nodes and one worker on the database
backend; the config it carries loads (config.toml fails closed, so a misspelled key would fail
here); every ``sop`` command the files and the README name exists with the options given; the
Dockerfile's ENTRYPOINT is the installed script, it runs as a user other than root, checks
``/healthz``, and its step that copies the example SOP works.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from sop_engine.config import DatabaseSettings, Settings, load_settings
from tests.conftest import ROOT
from tests.helpers import run_cli

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def instruction(name: str) -> list[str]:
    """The JSON (exec) form of the Dockerfile's last ``name`` instruction."""
    (*_, found) = re.findall(rf"^{name} (\[.*\])$", DOCKERFILE, flags=re.MULTILINE)
    value = json.loads(found)
    assert isinstance(value, list)
    return [str(item) for item in value]


def check_sop_command(args: list[str]) -> None:
    """``sop ARGS`` names a real command and each of its --options is one that command has."""
    words = [a for a in args if not a.startswith("-")]
    for depth in range(len(words), 0, -1):  # the longest prefix of words that is a command
        shown = run_cli([*words[:depth], "--help"], load_settings(ROOT / "config.toml", env={}))
        if shown.code == 0 and shown.out.startswith("penggunaan: sop " + " ".join(words[:depth])):
            break
    else:
        pytest.fail(f"`sop {' '.join(args)}` is not a sop command")
    usage = shown.out.splitlines()[0]
    assert "PERINTAH" not in usage, f"`sop {' '.join(args)}`: `sop {' '.join(words[:depth])}` needs a sub-command"
    for option in (a.split("=")[0] for a in args if a.startswith("--")):
        assert option in shown.out, f"`sop {' '.join(words[:depth])}` has no option {option}"


def test_compose_describes_postgresql_two_web_nodes_and_one_worker_on_the_database_store(tmp_path: Path) -> None:
    services = compose()["services"]
    commands = {name: service.get("command") for name, service in services.items()}
    assert services["postgres"]["image"].startswith("postgres:")
    web = [name for name, command in commands.items() if command and command[0] == "serve"]
    assert len(web) == 2 and all("--no-scheduler" in commands[name] for name in web)
    assert [name for name, command in commands.items() if command == ["scheduler", "run"]] == ["worker"]
    for name, command in commands.items():
        if name != "postgres":
            assert services[name]["build"] == "." and command, name
            check_sop_command(command)

    settings = compose_settings(tmp_path)
    assert settings.storage.in_database and settings.office_given
    assert [item["target"] for item in services["web-a"]["configs"]] == ["/srv/sop/config.toml"]
    database = services["web-a"]["environment"]["SOP_DATABASE_URL"]
    postgres = services["postgres"]["environment"]
    assert database.startswith(f"postgresql+psycopg://{postgres['POSTGRES_USER']}:")
    assert database.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")


def compose_settings(folder: Path) -> Settings:
    """The settings of the config compose.yaml gives its containers."""
    config = folder / "config.toml"
    config.write_text(compose()["configs"]["sop-config"]["content"], encoding="utf-8")
    return load_settings(config, env={})


def test_the_init_service_of_compose_may_run_at_every_start(tmp_path: Path) -> None:
    """``sop init`` with compose's config makes the office, and does nothing harmful the next time."""
    settings = dataclasses.replace(
        compose_settings(tmp_path),
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'sop.db'}"),
        workflows_dir=tmp_path / "workflows",
    )
    first, again = (run_cli(["init"], settings) for _ in range(2))
    assert (first.code, again.code) == (0, 0), first.err + again.err
    assert run_cli(["config", "check"], settings).code == 0


def test_the_dockerfile_runs_the_installed_sop_script_as_a_user_other_than_root() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert instruction("ENTRYPOINT") == ["sop"] and "sop" in scripts
    check_sop_command(instruction("CMD"))
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "ENV SOP_CONFIG=/srv/sop/config.toml" in DOCKERFILE
    (healthcheck,) = re.findall(r"^HEALTHCHECK .*\n\s+CMD (\[.*\])$", DOCKERFILE, flags=re.MULTILINE)
    assert "http://127.0.0.1:8000/healthz" in json.loads(healthcheck)[-1]
    assert "--port 8000" in " ".join(instruction("CMD"))


def test_the_dockerfile_step_that_copies_the_example_sop_works(tmp_path: Path) -> None:
    (step,) = re.findall(r'^RUN python -c "(.*)" \\$', DOCKERFILE, flags=re.MULTILINE)
    subprocess.run([sys.executable, "-c", step], cwd=tmp_path, check=True)
    assert (tmp_path / "workflows" / "lakip.toml").read_bytes() == (ROOT / "workflows" / "lakip.toml").read_bytes()


def test_the_readme_units_and_cron_line_name_real_sop_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operations = readme.split("## Operations", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"ExecStart=/opt/sop/bin/sop ([^`\n]+)", operations)
    named += re.findall(r"/opt/sop/bin/sop (backup [^&\n]+?) &&", operations)
    assert len(named) == 3, named  # the web unit, the worker unit, the backup
    for command in named:
        check_sop_command(shlex.split(command.replace("$(date +\\%F)", "DATE")))
