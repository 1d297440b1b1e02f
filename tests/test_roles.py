"""Roles defined per office: config.toml's ``[peran]``, the workflow files that name them, the people
given them, their names on the pages, and escalation up the roles' atasan chain."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from sop_engine import cases, config_check, people
from sop_engine.config_roles import parse_roles
from sop_engine.context import Context
from sop_engine.db.models import Notification
from sop_engine.db.statuses import NotificationKind
from sop_engine.errors import ConfigError, DefinitionError, InvalidInput
from sop_engine.loader import load_workflow_file, load_workflows_dir
from sop_engine.people import NewPerson
from sop_engine.roles import DEFAULT_ROLES
from tests.conftest import make_settings
from tests.helpers import pdf, run_cli
from tests.policy_support import FIXTURE, PERAN, office_context, office_settings

WHERE = "config.toml"


def test_peran_adds_a_step_role_with_its_name_and_atasan(tmp_path: Path) -> None:
    settings = office_settings(tmp_path, make_settings(tmp_path))
    roles = settings.roles
    assert ("peran.arsiparis", "Arsiparis (atasan: sekretaris)") in config_check.effective(settings)
    assert roles.step_ids == ("ketua", "sekretaris", "kasubag_program", "staf", "arsiparis")
    assert roles.ids[-3:] == ("inspektorat", "admin", "pengawas")
    assert roles.label("arsiparis") == "Arsiparis"
    assert roles.chain("arsiparis") == ("sekretaris",)


def test_without_peran_the_office_has_the_four_lakip_roles_without_atasan(tmp_path: Path) -> None:
    roles = make_settings(tmp_path).roles
    assert roles == DEFAULT_ROLES
    assert roles.step_ids == ("ketua", "sekretaris", "kasubag_program", "staf")
    assert [roles.chain(role) for role in roles.step_ids] == [(), (), (), ()]
    assert roles.label("staf") == "Staf/JFU"


def test_a_default_role_is_renamed_and_given_an_atasan() -> None:
    roles = parse_roles({"staf": {"nama": "Pelaksana", "atasan": "kasubag_program"}}, WHERE)
    assert roles.label("staf") == "Pelaksana"
    assert roles.chain("staf") == ("kasubag_program",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"arsiparis": {"nama": "Arsiparis", "atasan": "sekretariss"}},
            "config.toml: [peran.arsiparis]: atasan = 'sekretariss' bukan peran yang dikenal; peran yang ada: "
            "ketua, sekretaris, kasubag_program, staf, arsiparis. Maksud Anda 'sekretaris'?",
        ),
        (
            {"ketua": {"atasan": "sekretaris"}, "sekretaris": {"atasan": "ketua"}},
            "config.toml: [peran.ketua]: rantai atasan berputar (ketua -> sekretaris -> ketua); "
            "putuskan salah satu atasan.",
        ),
        (
            {"admin": {"nama": "Admin"}},
            "config.toml: [peran.admin]: 'admin' adalah peran sistem yang tidak mengerjakan langkah SOP; "
            "pilih id lain.",
        ),
        (
            {"arsiparis": {"atasan": "sekretaris"}},
            'config.toml: [peran.arsiparis]: nama wajib diisi dengan teks satu baris, misalnya nama = "Arsiparis".',
        ),
    ],
)
def test_a_wrong_peran_is_refused_naming_it(raw: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_roles(raw, WHERE)
    assert str(refused.value) == message


def test_an_unknown_key_in_peran_is_refused_when_the_config_loads(tmp_path: Path) -> None:
    peran = '\n[peran.arsiparis]\nnama = "Arsiparis"\natasann = "x"\n'
    expected = r"kunci 'atasann' di \[peran.arsiparis\] tidak dikenal\. Maksud Anda 'atasan'"
    with pytest.raises(ConfigError, match=expected):
        office_settings(tmp_path, make_settings(tmp_path), peran)


# --- workflow files -----------------------------------------------------------------------------


def test_a_workflow_may_use_a_role_the_office_defines() -> None:
    definition = load_workflow_file(FIXTURE, (*DEFAULT_ROLES.step_ids, "arsiparis"))
    assert [step.role for step in definition.steps] == ["arsiparis", "sekretaris", "staf", "arsiparis"]


def test_a_role_the_office_does_not_define_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(DefinitionError) as refused:
        load_workflow_file(FIXTURE)
    assert str(refused.value) == (
        f"{FIXTURE}: langkah 1: pelaksana = 'arsiparis', tidak dikenal; yang diizinkan: "
        "ketua, sekretaris, kasubag_program, staf. Peran lain ditambahkan di tabel [peran] config.toml."
    )
    assert refused.value.details["allowed"] == "ketua, sekretaris, kasubag_program, staf"


def test_a_misspelt_role_is_answered_with_the_near_miss(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace('pelaksana = "arsiparis"', 'pelaksana = "arsipari"', 1)
    (tmp_path / "surat-masuk.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        load_workflows_dir(tmp_path, (*DEFAULT_ROLES.step_ids, "arsiparis"))
    assert str(refused.value) == (
        f"{tmp_path / 'surat-masuk.toml'}: langkah 1: pelaksana = 'arsipari', tidak dikenal; yang diizinkan: "
        "ketua, sekretaris, kasubag_program, staf, arsiparis. Maksud Anda 'arsiparis'?"
    )


def test_workflows_check_reads_the_roles_of_the_config(tmp_path: Path) -> None:
    settings = office_settings(tmp_path, make_settings(tmp_path))
    checked = run_cli(["--config", str(settings.path), "workflows", "check", str(FIXTURE)], settings)
    assert checked.code == 0, checked.err
    assert f"{FIXTURE}: sah — SOP 'surat-masuk', 4 langkah" in checked.out


# --- people, names and escalation --------------------------------------------------------------


def test_people_are_given_the_office_role_and_refused_one_it_does_not_define(ctx: Context, tmp_path: Path) -> None:
    office = office_context(ctx, tmp_path)
    added = run_cli(["people", "add", "arsip2", "--name", "Dewi Lestari", "--role", "arsiparis"], office.settings)
    assert added.code == 0, added.err
    assert "arsiparis" in next(p for p in people.list_people(office) if p.username == "arsip2").roles
    with pytest.raises(InvalidInput) as refused:
        people.add_person(ctx, NewPerson("arsip3", "Rina Marlina", ("arsiparis",)))
    assert str(refused.value) == (
        "Peran 'arsiparis' tidak dikenal; peran yang ada: ketua, sekretaris, kasubag_program, staf, inspektorat, "
        "admin, pengawas."
    )


def test_a_step_of_the_office_role_shows_its_name(ctx: Context, tmp_path: Path) -> None:
    office = office_context(ctx, tmp_path)
    cases.start_case(office, "surat-masuk", 2021, "arsip1")
    shown = run_cli(["case", "show", "surat-masuk-2021-0001"], office.settings, office.clock)
    assert shown.code == 0, shown.err
    assert "Arsiparis" in shown.out
    refused = run_cli(["step", "done", "surat-masuk-2021-0001", "1", "--by", "sekretaris"], office.settings)
    assert "hanya dapat dikerjakan oleh peran arsiparis (Arsiparis)" in refused.err


def test_a_person_without_a_supervisor_escalates_up_the_roles_chain(ctx: Context, tmp_path: Path) -> None:
    office = office_context(ctx, tmp_path)
    case = cases.start_case(office, "surat-masuk", 2021, "arsip1")
    with office.db.read() as session:
        rows = session.scalars(select(Notification).where(Notification.case_code == case.id)).all()
        escalations = [(n.level, n.recipient.username, n.cc) for n in rows if n.kind == NotificationKind.ESCALATION]
    assert escalations == [(1, "sekretaris", "arsip1")]


def test_without_atasan_a_person_without_a_supervisor_is_not_escalated(ctx: Context, tmp_path: Path) -> None:
    settings = office_settings(tmp_path, ctx.settings, '\n[peran.arsiparis]\nnama = "Arsiparis"\n')
    office = dataclasses.replace(ctx, settings=settings)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    case = cases.start_case(office, "surat-masuk", 2021, "arsip1")
    with office.db.read() as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.case_code == case.id)).all()
    assert sorted(kinds) == sorted([NotificationKind.REMINDER, NotificationKind.DUE])


def test_the_cli_names_the_next_step_and_a_refusal_with_the_office_role_names(ctx: Context, tmp_path: Path) -> None:
    renamed = PERAN + '\n[peran.sekretaris]\nnama = "Sekretaris KPU"\n'
    office = Context.open(office_settings(tmp_path, ctx.settings, renamed), clock=ctx.clock, db=ctx.db)
    people.add_person(office, NewPerson("arsip1", "Sri Wahyuni", ("arsiparis",)))
    refused = run_cli(["case", "start", "surat-masuk", "--year", "2021", "--by", "sekretaris"], office.settings)
    assert refused.code == 1
    assert "hanya untuk peran arsiparis (Arsiparis); 'sekretaris' berperan sekretaris (Sekretaris KPU)." in refused.err
    cases.start_case(office, "surat-masuk", 2021, "arsip1")
    done = run_cli(
        ["step", "done", "surat-masuk-2021-0001", "1", "--by", "arsip1", "--file", str(pdf(tmp_path))],
        office.settings,
        office.clock,
    )
    assert done.code == 0, done.err
    assert "Berikutnya: langkah 2 (Mendisposisikan surat masuk) oleh Sekretaris KPU, tenggat " in done.out
