"""What every part of reading config.toml shares: a sub-table checked to be one, a path relative to the file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sop_engine.errors import ConfigError


def table(raw: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    """``raw[name]`` (empty if absent); ConfigError if it is not a TOML table."""
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{name}] harus berupa tabel TOML.", value=name)
    return value


def resolve_path(base: Path, value: str) -> Path:
    """``value`` as a path, relative ones taken from ``base`` (the config file's folder)."""
    path = Path(value)
    return path if path.is_absolute() else (base / path)
