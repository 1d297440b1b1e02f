"""Settings: found, read once, overridden by the environment, refused with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sop_engine.cli.errors import error_text
from sop_engine.config import load_settings
from sop_engine.errors import ConfigError
from sop_engine.formatting import format_instant, format_rupiah
from sop_engine.remedies import Field

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_gives_bangkalan_defaults():
    settings = load_settings(ROOT / "config.toml", env={})
    assert settings.office.satker == "3526" and settings.office.timezone == "Asia/Jakarta"
    assert settings.calendar.jam_kerja_per_hari == 7.5
    assert settings.database.url == f"sqlite:///{ROOT / 'var' / 'sop.db'}"
    assert settings.workflows_dir == ROOT / "workflows"


def test_environment_overrides_the_database_url():
    settings = load_settings(ROOT / "config.toml", env={"SOP_DATABASE_URL": "postgresql://x@h/db"})
    assert settings.database.url == "postgresql://x@h/db"


def test_config_is_found_through_sop_config(tmp_path: Path):
    (tmp_path / "kantor.toml").write_text('[office]\nsatker = "3501"\n', encoding="utf-8")
    assert load_settings(None, env={"SOP_CONFIG": str(tmp_path / "kantor.toml")}).office.satker == "3501"


def test_missing_config_says_how_to_point_at_one(tmp_path: Path):
    with pytest.raises(ConfigError, match="tidak ditemukan") as refused:
        load_settings(tmp_path / "tidak-ada.toml", env={})
    assert refused.value.field is Field.CONFIG
    assert "(di baris perintah: --config PATH atau variabel SOP_CONFIG)." in error_text(refused.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[office]\ntimezone = "Asia/Bangkalan"\n', "Asia/Bangkalan"),
        ('[calendar.hours]\nsenin = ["07:30-12:00", "11:00-16:00"]\n', "11:00-16:00"),
        ('[calendar.hours]\nmonday = ["07:30-12:00"]\n', "'monday'"),
        ("[calendar]\njam_kerja_per_hari = 30\n", "30"),
        ('[calendar]\nextra_holidays = ["24-12-2021"]\n', "24-12-2021"),
        ("[storage]\nmax_upload_mb = 0\n", "max_upload_mb"),
        ("[office\n", "bukan TOML"),
        ('[letters]\nnumber_format = "{nomer}/SR/{tahun}"\n', "{nomer}"),
    ],
)
def test_bad_config_is_refused_naming_the_value(tmp_path: Path, text: str, fragment: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert fragment in info.value.message


def test_instants_and_money_are_written_the_indonesian_way():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    instant = datetime.fromisoformat("2021-01-11T01:00:00+00:00")
    assert format_instant(instant, ZoneInfo("Asia/Jakarta")) == "Senin, 11 Januari 2021 08.00 WIB"
    assert format_instant(instant, ZoneInfo("Asia/Jayapura")) == "Senin, 11 Januari 2021 10.00 WIT"
    assert format_rupiah(2701548000) == "Rp 2.701.548.000"


def test_category_scale_comes_from_config_and_is_checked(tmp_path: Path):
    from decimal import Decimal

    path = tmp_path / "config.toml"
    path.write_text('[lakip]\ncategories = [[90, "Istimewa"], [0, "Kurang"]]\n', encoding="utf-8")
    assert load_settings(path, env={}).category_scale == ((Decimal(90), "Istimewa"), (Decimal(0), "Kurang"))
    path.write_text('[lakip]\ncategories = [[50, "Rendah"], [80, "Tinggi"]]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="menurun"):
        load_settings(path, env={})


SHIPPED = Path(__file__).resolve().parent.parent / "config.toml"


@pytest.mark.parametrize(
    ("typo", "fragment"),
    [
        (("[calendar]\n", "[calender]\n"), "tabel [calender] tidak dikenal. Maksud Anda 'calendar'?"),
        (
            ("max_upload_mb = 20", "max_upload_mbx = 20"),
            "kunci 'max_upload_mbx' di [storage] tidak dikenal. Maksud Anda 'max_upload_mb'?",
        ),
        (
            ("[notifications.email]", "[notifications.emial]"),
            "tabel [notifications.emial] tidak dikenal. Maksud Anda 'email'?",
        ),
        (("sabtu  = []", "sabtu  = []\nsaptu = []"), "saptu"),
        (("lease_seconds = 120", "lease_second = 120"), "Maksud Anda 'lease_seconds'?"),
    ],
)
def test_a_mistyped_table_or_key_is_refused_with_the_key_meant(tmp_path: Path, typo: tuple[str, str], fragment: str):
    text = SHIPPED.read_text(encoding="utf-8")
    assert typo[0] in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(typo[0], typo[1], 1), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, env={})
    assert fragment in refused.value.message and str(path) in refused.value.message


def test_a_key_in_a_table_of_an_array_is_checked_too(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[calendar]\nextra_holidays = [{ date = 2021-12-24, nama = "Cuti" }]\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"kunci 'nama' di \[calendar.extra_holidays\] tidak dikenal. Maksud Anda 'name'\?"
    ):
        load_settings(path, env={})


def test_every_key_of_the_shipped_config_is_read_even_when_the_environment_overrides_it():
    settings = load_settings(SHIPPED, env={"SOP_DATABASE_URL": "sqlite:///elsewhere.db"})
    assert settings.database.url.endswith("elsewhere.db")


def test_the_letterhead_line_leaves_out_what_the_office_left_empty(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[office]\naddress = "Jl. Soekarno-Hatta 1, Bangkalan"\nwebsite = "kpu.example"\n', encoding="utf-8"
    )
    assert load_settings(path, env={}).office.letterhead == "Jl. Soekarno-Hatta 1, Bangkalan · kpu.example"
    path.write_text('[office]\naddress = """Jl. A\nJl. B"""\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[office\] address"):
        load_settings(path, env={})


def test_the_kop_takes_an_email_and_a_logo_file_and_refuses_a_bad_one(tmp_path: Path):
    path = tmp_path / "config.toml"
    (tmp_path / "kop").mkdir()
    (tmp_path / "kop" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path.write_text(
        '[office]\nphone = "(031) 1"\nemail = "kpu@bangkalan.example"\nlogo = "kop/logo.png"\n', encoding="utf-8"
    )
    office = load_settings(path, env={}).office
    assert office.logo == tmp_path / "kop" / "logo.png"
    assert office.contact_line == "Telepon (031) 1 · Pos-el kpu@bangkalan.example"
    for table, refused in (
        ('email = "kpu bangkalan"', r"\[office\] email = 'kpu bangkalan' bukan alamat pos-el"),
        ('email = "kpu@bangkalan"', r"bukan alamat pos-el"),
        ('logo = "kop/hilang.png"', r"\[office\] logo = 'kop/hilang.png' harus berkas gambar PNG atau JPEG yang ada"),
        ('logo = "config.toml"', r"harus berkas gambar PNG atau JPEG"),
    ):
        path.write_text(f"[office]\n{table}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=refused):
            load_settings(path, env={})


def test_a_new_office_config_must_name_the_office_and_the_demo_one_names_the_demo_office(tmp_path: Path):
    from sop_engine import starter
    from sop_engine.config import require_office

    assert starter.write_config(tmp_path / "kantor" / "config.toml", demo=False)
    unnamed = load_settings(tmp_path / "kantor" / "config.toml", env={})
    with pytest.raises(ConfigError, match=r"kantor belum diisi \(tabel \[office\] dengan satker dan name\)"):
        require_office(unnamed)
    assert starter.write_config(tmp_path / "demo" / "config.toml", demo=True)
    demo = load_settings(tmp_path / "demo" / "config.toml", env={})
    require_office(demo)
    assert demo.office.name == "KPU Kabupaten Bangkalan" and demo.database.url.endswith("/demo/var/sop.db")
    assert not starter.write_config(tmp_path / "demo" / "config.toml", demo=False)  # never over an existing one


def test_the_example_sop_is_copied_only_into_a_missing_folder(tmp_path: Path):
    from sop_engine import starter

    assert [p.name for p in starter.copy_workflows(tmp_path / "workflows")] == ["lakip.toml"]
    (tmp_path / "workflows" / "lakip.toml").write_text("# milik kantor\n", encoding="utf-8")
    assert starter.copy_workflows(tmp_path / "workflows") == []
    assert (tmp_path / "workflows" / "lakip.toml").read_text(encoding="utf-8") == "# milik kantor\n"


def test_config_check_lists_the_effective_settings_secrets_masked_and_what_would_stop_the_install(tmp_path: Path):
    from sop_engine import config_check

    path = tmp_path / "config.toml"
    path.write_text(
        '[office]\nsatker = "3599"\nname = "KPU Contoh"\n'
        '[database]\nurl = "postgresql+psycopg://sop:rahasia@127.0.0.1:1/sop"\n'
        '[notifications.email]\npassword_env = "SOP_SMTP_PASSWORD"\n'
        f'[workflows]\ndir = "{tmp_path / "tidak-ada"}"\n',
        encoding="utf-8",
    )
    settings = load_settings(path, env={"SOP_SMTP_PASSWORD": "sandi-smtp"})
    shown = dict(config_check.effective(settings))
    assert shown["office.name"] == "KPU Contoh" and shown["calendar.hours.sabtu"] == "libur"
    assert shown["database.url"] == "postgresql+psycopg://**********@127.0.0.1:1/sop"
    assert "sandi-smtp" not in repr(shown) and "rahasia" not in repr(shown)
    assert shown["notifications.email.password"].startswith("**********")
    problems = [p.message for p in config_check.problems(settings)]
    assert any("folder workflow tidak ditemukan" in p for p in problems)
    assert any(p.startswith("Basis data tidak dapat dibuka") for p in problems)  # nothing listens on port 1


def test_config_check_of_a_ready_install_finds_nothing(ctx) -> None:
    from sop_engine import config_check

    assert config_check.problems(ctx.settings) == []


def test_sop_config_check_prints_the_table_and_exits_0_on_a_ready_install(sop, ctx) -> None:
    done = sop("config", "check")
    assert done.code == 0, done.err
    assert "office.satker" in done.out and "Tidak ada masalah." in done.out
    shown = json.loads(sop("config", "check", "--json").out)
    assert shown["problems"] == [] and shown["settings"]["office.timezone"] == "Asia/Jakarta"


def test_an_eighteen_digit_nip_is_grouped_as_on_official_letters():
    from sop_engine.formatting import format_nip

    assert format_nip("197003152000032001") == "19700315 200003 2 001"
    assert format_nip(" 198512302010121003 ") == "19851230 201012 1 003"
    assert format_nip("12345") == "12345"  # not a NIP: printed as given
