"""``[logging]`` and ``[metrics]``: read from config.toml, refused in Indonesian naming the value, listed by
`sop config check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_engine import config_check
from sop_engine.config import load_settings
from sop_engine.config_ops import LoggingSettings, MetricsSettings
from sop_engine.errors import ConfigError

SHIPPED = Path(__file__).resolve().parent.parent / "config.toml"


def write(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_logs_text_at_info_and_keeps_metrics_off():
    settings = load_settings(SHIPPED, env={})
    assert settings.logging == LoggingSettings(level="info", format="text")
    assert settings.metrics == MetricsSettings(enabled=False)


def test_a_config_without_the_tables_gets_the_same_defaults(tmp_path: Path):
    settings = load_settings(write(tmp_path, '[office]\nsatker = "3501"\n'), env={})
    assert settings.logging == LoggingSettings() and settings.metrics == MetricsSettings()


def test_level_and_format_are_read_in_any_case(tmp_path: Path):
    path = write(tmp_path, '[logging]\nlevel = "WARNING"\nformat = "Json"\n\n[metrics]\nenabled = true\n')
    settings = load_settings(path, env={})
    assert settings.logging == LoggingSettings(level="warning", format="json")
    assert settings.metrics.enabled is True


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[logging]\nformat = "jsno"\n', "[logging] format = 'jsno' tidak dikenal. Maksud Anda 'json'?"),
        ('[logging]\nlevel = "verbose"\n', "[logging] level = 'verbose' tidak dikenal. Pilih salah satu: \"debug\""),
        ("[logging]\nlevel = 3\n", "[logging] level = 3 tidak dikenal."),
        ('[metrics]\nenabled = "ya"\n', "[metrics] enabled = 'ya'; isikan true atau false."),
        ("[logging]\nformats = 'json'\n", "kunci 'formats' di [logging] tidak dikenal. Maksud Anda 'format'?"),
        ("[metric]\nenabled = true\n", "tabel [metric] tidak dikenal. Maksud Anda 'metrics'?"),
    ],
)
def test_a_wrong_value_or_key_is_refused_naming_it(tmp_path: Path, text: str, fragment: str):
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, text), env={})
    assert fragment in refused.value.message


def test_config_check_lists_the_logging_and_metrics_settings():
    shown = dict(config_check.effective(load_settings(SHIPPED, env={})))
    assert (shown["logging.level"], shown["logging.format"], shown["metrics.enabled"]) == ("info", "text", "False")
