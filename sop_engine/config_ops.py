"""``[logging]`` and ``[metrics]`` of config.toml: what the long-running processes tell their operators.

``sop serve`` and ``sop scheduler run`` configure logging from :class:`LoggingSettings` (see
:mod:`sop_engine.logs`); ``sop serve`` answers ``GET /metrics`` only when :class:`MetricsSettings`
says so. :mod:`sop_engine.config` calls the parsers while loading the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sop_engine.errors import ConfigError, did_you_mean

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")


@dataclass(frozen=True)
class LoggingSettings:
    """``[logging]``: the lowest level written, and one line of text or one JSON object per record."""

    level: str = "info"
    format: str = "text"


@dataclass(frozen=True)
class MetricsSettings:
    """``[metrics]``: whether ``GET /metrics`` answers (Prometheus text format) or is 404."""

    enabled: bool = False


def parse_logging(raw: Mapping[str, Any], where: str) -> LoggingSettings:
    """``[logging] level`` and ``format``, each one of its known words (any case)."""
    return LoggingSettings(
        level=_choice(raw, "level", LEVELS, LoggingSettings.level, where),
        format=_choice(raw, "format", FORMATS, LoggingSettings.format, where),
    )


def parse_metrics(raw: Mapping[str, Any], where: str) -> MetricsSettings:
    """``[metrics] enabled``: true or false."""
    enabled = raw.get("enabled", MetricsSettings.enabled)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: [metrics] enabled = {enabled!r}; isikan true atau false.", value=enabled)
    return MetricsSettings(enabled=enabled)


def _choice(raw: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str, where: str) -> str:
    value = raw.get(key, default)
    word = value.strip().lower() if isinstance(value, str) else None
    if word not in choices:
        suggestion = did_you_mean(str(value), choices)
        shown = ", ".join(f'"{choice}"' for choice in choices)
        raise ConfigError(
            f"{where}: [logging] {key} = {value!r} tidak dikenal.{suggestion} Pilih salah satu: {shown}.", value=value
        )
    return word
