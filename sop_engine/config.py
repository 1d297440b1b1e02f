"""Settings, read once at the edge.

``load_settings`` finds ``config.toml`` (``--config``, else ``$SOP_CONFIG``, else ``./config.toml``),
reads it with tomllib, applies ``SOP_*`` environment overrides and returns one frozen
:class:`Settings`. Relative paths in the file are relative to the file. Nothing else in the
package reads the environment or the config file. Some tables have their own module:
``[calendar]`` (:mod:`sop_engine.config_calendar`), ``[notifications]``
(:mod:`sop_engine.config_notifications`), ``[logging]`` and ``[metrics]`` (:mod:`sop_engine.config_ops`), ``[office]``
(:mod:`sop_engine.config_office`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sop_engine import resources
from sop_engine.config_calendar import CalendarSettings, parse_calendar
from sop_engine.config_lakip import RenstraText, parse_renstra
from sop_engine.config_letters import DEFAULT_LETTER_FORMAT, parse_klasifikasi, parse_letter_format
from sop_engine.config_notifications import NotificationSettings, parse_notifications
from sop_engine.config_office import OfficeSettings as OfficeSettings  # re-exported: the settings are read from here
from sop_engine.config_office import parse_office
from sop_engine.config_ops import LoggingSettings, MetricsSettings, parse_logging, parse_metrics
from sop_engine.config_roles import parse_roles
from sop_engine.config_toml import ReadTable, refuse_unread, resolve_path, table
from sop_engine.errors import ConfigError, did_you_mean
from sop_engine.remedies import Field
from sop_engine.roles import DEFAULT_ROLES, Roles

#: The default achievement categories (PermenPANRB scale), read as lower bounds after rounding.
DEFAULT_CATEGORY_SCALE: tuple[tuple[Decimal, str], ...] = (
    (Decimal(85), "Sangat Berhasil"),
    (Decimal(70), "Berhasil"),
    (Decimal(55), "Cukup Berhasil"),
    (Decimal(0), "Tidak Berhasil"),
)


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the database is."""

    url: str = "sqlite:///var/sop.db"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


#: ``[storage] backend``: where the documents' bytes are kept (see :mod:`sop_engine.store`).
STORAGE_BACKENDS = ("filesystem", "database")


@dataclass(frozen=True)
class StorageSettings:
    """Where artefact files are kept, how large they may be, and up to which size they are kept in the database.

    ``backend = "database"`` keeps every document in the database, whatever its size (a central
    install: the web nodes and workers share nothing but the database).
    """

    artefacts_dir: Path = Path("var/artefacts")
    max_upload_bytes: int = 20 * 1024 * 1024
    inline_max_bytes: int = 128 * 1024
    backend: str = "filesystem"

    @property
    def in_database(self) -> bool:
        """Whether every document is kept in the database (``backend = "database"``)."""
        return self.backend == "database"


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: where the pages are served and how logins and sessions behave."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: A session ends this many hours after its last use.
    session_hours: int = 12
    #: Failed logins of one account (or from one address) allowed within ``lockout_minutes``.
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    #: Addresses of reverse proxies whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Every setting of one install, loaded once."""

    path: Path | None = None
    office: OfficeSettings = field(default_factory=OfficeSettings)
    calendar: CalendarSettings = field(default_factory=lambda: parse_calendar({}, "config.toml"))
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    workflows_dir: Path = Path("workflows")
    #: The Word templates of the generated documents (``[documents] dir``; the package's by default).
    documents_dir: Path = resources.DOCUMENTS
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    #: Address of the web pages, for links in notifications (https:// makes session cookies Secure).
    base_url: str = "http://localhost:8000"
    web: WebSettings = field(default_factory=WebSettings)
    #: (month, day) read from ``[planning] submission_deadline``, kept for older config files; each
    #: workflow's own ``tenggat`` decides its deadline (:attr:`sop_engine.definitions.WorkflowDef.deadline`).
    submission_deadline: tuple[int, int] = (3, 31)
    #: The office's roles (``[peran]``): the step roles, their names and supervisor roles.
    roles: Roles = DEFAULT_ROLES
    #: Achievement categories as (lower bound in %, name), highest first (``[lakip] categories``).
    category_scale: tuple[tuple[Decimal, str], ...] = DEFAULT_CATEGORY_SCALE
    #: An indicator's achievement above this percentage is flagged as implausible (``[lakip] capaian_maksimum``).
    achievement_plausible_max: Decimal = Decimal(200)
    #: The Renstra period, visi, misi and tujuan the draft LKj states (``[lakip]``; empty: placeholders).
    renstra: RenstraText = field(default_factory=RenstraText)
    #: How outgoing letter numbers are written (``[letters] number_format``).
    letter_number_format: str = DEFAULT_LETTER_FORMAT
    #: The classification a letter takes when none is given (``[letters] klasifikasi``; None: it must be given).
    letter_klasifikasi: str | None = None
    #: Whether config.toml names its office (``[office]`` with satker and name); only the demo may not.
    office_given: bool = True
    #: How ``sop serve`` and ``sop scheduler run`` log (``[logging]``).
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    #: Whether ``GET /metrics`` answers (``[metrics]``).
    metrics: MetricsSettings = field(default_factory=MetricsSettings)


def require_office(settings: Settings) -> None:
    """ConfigError unless config.toml names its office (``[office]``): outside the demo, no default office."""
    if not settings.office_given:
        raise ConfigError(
            f"{settings.path or 'config.toml'}: kantor belum diisi (tabel [office] dengan satker dan name). Isi satker "
            '(kode satuan kerja, misalnya "3526"), name, timezone (Asia/Jakarta, Asia/Makassar atau Asia/Jayapura) '
            "dan baris kop surat (address, phone, website). Hanya kantor demo yang berjalan tanpa [office].",
            value="office",
        )


def find_config(explicit: str | Path | None, env: Mapping[str, str]) -> Path:
    """The config file to use: ``explicit``, else ``$SOP_CONFIG``, else ``./config.toml``."""
    if explicit:
        return Path(explicit)
    if env.get("SOP_CONFIG"):
        return Path(env["SOP_CONFIG"])
    return Path("config.toml")


def load_settings(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file and the ``SOP_*`` environment overrides into :class:`Settings`."""
    env = os.environ if env is None else env
    path = find_config(explicit, env).absolute()  # not resolved: a linked config's paths are the link's
    if not path.is_file():
        raise ConfigError(
            f"Berkas konfigurasi '{path}' tidak ditemukan. Jalankan perintah dari folder yang berisi "
            "config.toml, atau tunjuk berkasnya.",
            value=str(path),
            field=Field.CONFIG,
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: bukan TOML yang sah ({exc}). Perbaiki sintaks berkas itu.", value=str(path)
        ) from exc
    return settings_from_mapping(raw, path, env)


def settings_from_mapping(raw: Mapping[str, Any], path: Path, env: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from a parsed config mapping; paths are relative to ``path``.

    A table or key the settings do not read is refused (:func:`~sop_engine.config_toml.refuse_unread`).
    """
    read = ReadTable(raw)
    settings = _settings(read, path, env)
    refuse_unread(read, str(path))
    return settings


def _settings(raw: Mapping[str, Any], path: Path, env: Mapping[str, str]) -> Settings:
    where = str(path)
    base = path.parent
    office_raw = table(raw, "office", where)
    office = parse_office(office_raw, where, base)
    try:
        ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: [office] timezone = '{office.timezone}' tidak dikenal. "
            "Gunakan nama zona IANA: Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT).",
            value=office.timezone,
        ) from exc
    db_raw = table(raw, "database", where)
    configured_url = str(db_raw.get("url", "sqlite:///var/sop.db"))  # read even when overridden: it is known
    url = env.get("SOP_DATABASE_URL") or configured_url
    storage_raw = table(raw, "storage", where)
    return Settings(
        path=path,
        office=office,
        calendar=parse_calendar(table(raw, "calendar", where), where),
        database=DatabaseSettings(url=_resolve_sqlite(url, base)),
        storage=_parse_storage(storage_raw, where, base),
        workflows_dir=resolve_path(base, str(table(raw, "workflows", where).get("dir", "workflows"))),
        documents_dir=_documents_dir(table(raw, "documents", where), base),
        notifications=parse_notifications(table(raw, "notifications", where), where, base, env),
        base_url=str(table(raw, "web", where).get("base_url", "http://localhost:8000")).rstrip("/"),
        web=_parse_web(table(raw, "web", where), where),
        category_scale=_parse_scale(table(raw, "lakip", where).get("categories"), where),
        achievement_plausible_max=_parse_bound(table(raw, "lakip", where).get("capaian_maksimum", 200), where),
        renstra=parse_renstra(table(raw, "lakip", where), where),
        office_given={"satker", "name"} <= set(office_raw),
        letter_number_format=parse_letter_format(table(raw, "letters", where).get("number_format"), where),
        letter_klasifikasi=parse_klasifikasi(table(raw, "letters", where).get("klasifikasi"), where),
        submission_deadline=_parse_month_day(table(raw, "planning", where).get("submission_deadline", "03-31"), where),
        logging=parse_logging(table(raw, "logging", where), where),
        metrics=parse_metrics(table(raw, "metrics", where), where),
        roles=parse_roles(table(raw, "peran", where), where),
    )


def _documents_dir(raw: Mapping[str, Any], base: Path) -> Path:
    """``[documents] dir``: the office's own templates (same file names), else the package's."""
    given = raw.get("dir")
    return resources.DOCUMENTS if given is None else resolve_path(base, str(given))


def _resolve_sqlite(url: str, base: Path) -> str:
    """Make a relative ``sqlite:///file`` URL relative to the config file's folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(base / url[len(prefix) :])
    return url


def _parse_storage(raw: Mapping[str, Any], where: str, base: Path) -> StorageSettings:
    max_mb = raw.get("max_upload_mb", 20)
    if not isinstance(max_mb, int | float) or isinstance(max_mb, bool) or max_mb <= 0:
        raise ConfigError(f"{where}: [storage] max_upload_mb = {max_mb!r}; isikan angka MB lebih dari 0.", value=max_mb)
    inline_kb = raw.get("inline_max_kb", 128)
    if not isinstance(inline_kb, int) or isinstance(inline_kb, bool) or inline_kb < 0:
        raise ConfigError(
            f"{where}: [storage] inline_max_kb = {inline_kb!r}; isikan bilangan bulat KB, 0 atau lebih "
            "(0: semua dokumen disimpan sebagai berkas di artefacts_dir).",
            value=inline_kb,
        )
    backend = raw.get("backend", "filesystem")
    if backend not in STORAGE_BACKENDS:
        raise ConfigError(
            f"{where}: [storage] backend = {backend!r} tidak dikenal.{did_you_mean(str(backend), STORAGE_BACKENDS)} "
            "Pilih 'filesystem' (dokumen besar sebagai berkas di artefacts_dir) atau 'database' (semua dokumen "
            "di basis data, untuk beberapa server web yang berbagi satu basis data).",
            value=backend,
        )
    return StorageSettings(
        artefacts_dir=resolve_path(base, str(raw.get("artefacts_dir", "var/artefacts"))),
        max_upload_bytes=int(max_mb * 1024 * 1024),
        inline_max_bytes=inline_kb * 1024,
        backend=str(backend),
    )


def _parse_web(raw: Mapping[str, Any], where: str) -> WebSettings:
    defaults = WebSettings()
    numbers: dict[str, int] = {}
    for key, low, high in (
        ("port", 1, 65535),
        ("session_hours", 1, 24 * 30),
        ("max_failed_logins", 1, 1000),
        ("lockout_minutes", 1, 24 * 60),
    ):
        value = raw.get(key, getattr(defaults, key))
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                f"{where}: [web] {key} = {value!r}; isikan bilangan bulat {low} sampai {high}.", value=value
            )
        numbers[key] = value
    host = raw.get("host", defaults.host)
    if not isinstance(host, str) or not host.strip():
        raise ConfigError(f'{where}: [web] host = {host!r}; isikan alamat, misalnya "127.0.0.1".', value=host)
    return WebSettings(
        host=host.strip(), trusted_proxies=_parse_proxies(raw.get("trusted_proxies", []), where), **numbers
    )


def _parse_proxies(value: Any, where: str) -> tuple[str, ...]:
    """``[web] trusted_proxies``: IP addresses or networks (CIDR) of the reverse proxies."""
    hint = 'isikan daftar alamat IP proksi, misalnya ["127.0.0.1"] atau ["10.0.0.0/24"]'
    if not isinstance(value, list):
        raise ConfigError(f"{where}: [web] trusted_proxies = {value!r}; {hint}.", value=value)
    proxies = []
    for item in value:
        try:
            proxies.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        except ValueError as exc:
            raise ConfigError(
                f"{where}: [web] trusted_proxies berisi {item!r}, bukan alamat IP; {hint}.", value=item
            ) from exc
    return tuple(proxies)


def _parse_month_day(value: Any, where: str) -> tuple[int, int]:
    match = re.match(r"^(\d{1,2})-(\d{1,2})$", str(value))
    month, day = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    try:
        date(2024, month, day)
    except ValueError as exc:
        raise ConfigError(
            f"{where}: [planning] submission_deadline = '{value}'; tulis bulan-tanggal seperti \"03-31\".",
            value=value,
        ) from exc
    return month, day


def _parse_bound(value: Any, where: str) -> Decimal:
    """``[lakip] capaian_maksimum``: a number above 100 (percent)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 100:
        raise ConfigError(
            f"{where}: [lakip] capaian_maksimum = {value!r} tidak sah; tulis angka persen di atas 100, misalnya 200.",
            value=value,
        )
    return Decimal(str(value))


def _parse_scale(value: Any, where: str) -> tuple[tuple[Decimal, str], ...]:
    if value is None:
        return DEFAULT_CATEGORY_SCALE
    example = 'categories = [[85, "Sangat Berhasil"], [70, "Berhasil"], [55, "Cukup Berhasil"], [0, "Tidak Berhasil"]]'
    scale: list[tuple[Decimal, str]] = []
    try:
        for bound, name in value:
            scale.append((Decimal(str(bound)), str(name).strip()))
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ConfigError(
            f"{where}: [lakip] categories = {value!r} tidak sah; tulis seperti {example}.", value=value
        ) from exc
    bounds = [b for b, _ in scale]
    if not scale or any(a <= b for a, b in pairwise(bounds)) or any(not n for _, n in scale):
        raise ConfigError(
            f"{where}: [lakip] categories = {value!r}: batas bawah harus menurun dari yang tertinggi dan setiap "
            f"kategori bernama; tulis seperti {example}.",
            value=value,
        )
    return tuple(scale)
