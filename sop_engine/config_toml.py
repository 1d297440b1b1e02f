"""What every part of reading config.toml shares: a sub-table checked to be one, a path relative to the file,
and the refusal of a table or key the settings never asked for.

The parsers read config.toml through :class:`ReadTable`, which remembers every key they ask for
(present or not). Whatever is left unread afterwards is a typo or a key this version does not
know (``[calender]``, ``max_upload_mbx``): :func:`refuse_unread` names it, says where, and
suggests the key that was meant, instead of silently running on the default. The known keys are
thus exactly the ones the parsers read: there is no second list to keep in step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sop_engine.errors import ConfigError, did_you_mean


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


class ReadTable(Mapping[str, Any]):
    """A TOML table (its sub-tables and tables in arrays wrapped too) that records the keys read."""

    def __init__(self, data: Mapping[str, Any], name: str = "") -> None:
        self.name = name
        self._data = {key: _wrap(value, _join(name, key)) for key, value in data.items()}
        #: Every key asked for, present or not; iterating over the table reads all of them.
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        self.asked.update(self._data)
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def holds_table(self, key: str) -> bool:
        """Whether ``key`` is a sub-table of this table."""
        return isinstance(self._data.get(key), ReadTable)

    def unread(self) -> Iterator[tuple[ReadTable, str]]:
        """Each (table, key) never asked for, depth first, in the file's order."""
        for key, value in self._data.items():
            if key not in self.asked:
                yield self, key
                continue
            for child in value if isinstance(value, list) else (value,):
                if isinstance(child, ReadTable):
                    yield from child.unread()


def refuse_unread(root: ReadTable, where: str) -> None:
    """ConfigError naming the first table or key of ``root`` that the settings never read."""
    for found, key in root.unread():
        known = sorted(found.asked - {key})
        suggestion = did_you_mean(key, known)
        if not found.name:
            listed = ", ".join(f"[{k}]" for k in known)
            what, fix = f"tabel [{key}] tidak dikenal.{suggestion} Tabel yang dikenal: {listed}", "tabel itu"
        else:
            table_key = found.holds_table(key)
            shown = f"tabel [{_join(found.name, key)}]" if table_key else f"kunci '{key}' di [{found.name}]"
            what = f"{shown} tidak dikenal.{suggestion} Yang dikenal di [{found.name}]: {', '.join(known) or '-'}"
            fix = "tabel itu" if table_key else "kunci itu"
        raise ConfigError(f"{where}: {what}. Perbaiki namanya atau hapus {fix}.", value=_join(found.name, key))


def _wrap(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return ReadTable(value, name)
    if isinstance(value, list):
        return [_wrap(item, name) for item in value]
    return value


def _join(name: str, key: str) -> str:
    return f"{name}.{key}" if name else key
