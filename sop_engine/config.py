"""Settings, read once at the edge.

``load_settings`` finds ``config.toml`` (``--config``, else ``$SOP_CONFIG``, else ``./config.toml``),
reads it with tomllib, applies ``SOP_*`` environment overrides and returns one frozen
:class:`Settings`. Relative paths in the file are relative to the file. Nothing else in the
package reads the environment or the config file.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sop_engine.errors import ConfigError
from sop_engine.remedies import Field

#: Weekday keys of ``[calendar.hours]``, Monday first (``date.weekday()`` order).
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")

DEFAULT_HOURS: dict[str, list[str]] = {
    "senin": ["07:30-12:00", "13:00-16:00"],
    "selasa": ["07:30-12:00", "13:00-16:00"],
    "rabu": ["07:30-12:00", "13:00-16:00"],
    "kamis": ["07:30-12:00", "13:00-16:00"],
    "jumat": ["07:30-11:30", "13:00-16:30"],
    "sabtu": [],
    "minggu": [],
}

Period = tuple[time, time]

#: The default achievement categories (PermenPANRB scale), read as lower bounds after rounding.
DEFAULT_CATEGORY_SCALE: tuple[tuple[Decimal, str], ...] = (
    (Decimal(85), "Sangat Berhasil"),
    (Decimal(70), "Berhasil"),
    (Decimal(55), "Cukup Berhasil"),
    (Decimal(0), "Tidak Berhasil"),
)

#: The default number of an outgoing letter, e.g. 12/PR.04-SR/3526/Sek-Kab/I/2021.
DEFAULT_LETTER_FORMAT = "{nomor}/PR.04-SR/{kode_satker}/Sek-Kab/{bulan_romawi}/{tahun}"
LETTER_FIELDS = ("nomor", "kode_satker", "bulan_romawi", "tahun")


@dataclass(frozen=True)
class OfficeSettings:
    """The office (satuan kerja) this install serves."""

    satker: str = "3526"
    name: str = "KPU Kabupaten Bangkalan"
    timezone: str = "Asia/Jakarta"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class CalendarSettings:
    """Office hours per weekday, the working-day length and holiday adjustments."""

    #: Working periods per weekday, index 0 = Senin ... 6 = Minggu; each a tuple of (start, end).
    hours: tuple[tuple[Period, ...], ...] = ()
    #: Length of one ``hari`` of budget, in working hours.
    jam_kerja_per_hari: float = 7.5
    #: Categories of the ``holidays`` package: public holidays and cuti bersama.
    holiday_categories: tuple[str, ...] = ("public", "government")
    #: Extra closed days (SKB changes, office closures), with their names.
    extra_holidays: tuple[tuple[date, str], ...] = ()
    #: Days that are working days although the holidays package says otherwise.
    extra_workdays: tuple[date, ...] = ()


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the database is."""

    url: str = "sqlite:///var/sop.db"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@dataclass(frozen=True)
class StorageSettings:
    """Where artefact files are kept and how large they may be."""

    artefacts_dir: Path = Path("var/artefacts")
    max_upload_bytes: int = 20 * 1024 * 1024


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
class Secret:
    """A credential read from the environment; never shown by repr or str."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True)
class EmailSettings:
    """``[notifications.email]``: SMTP delivery."""

    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    sender: str = "sop-engine@localhost"
    username: str | None = None
    password: Secret | None = None
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class WebhookSettings:
    """``[notifications.webhook]``: a JSON POST signed with HMAC-SHA256 (WhatsApp/Telegram gateways)."""

    enabled: bool = False
    url: str = ""
    secret: Secret | None = None
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class LogChannelSettings:
    """``[notifications.log]``: every message appended to a file as one JSON line."""

    enabled: bool = True
    path: Path = Path("var/notifications.log")


@dataclass(frozen=True)
class DigestSettings:
    """``[notifications.digest]``: each person's active and late steps at the start of a working day."""

    enabled: bool = True
    time: time = time(7, 30)


@dataclass(frozen=True)
class NotificationSettings:
    """``[notifications]``: the reminder and escalation policy and the worker's settings."""

    reminder_at: float = 0.8
    escalation_fraction: float = 0.5
    escalation_minimum: str = "30 menit"
    default_channels: tuple[str, ...] = ("email", "log")
    max_attempts: int = 5
    retry_backoff_seconds: tuple[int, ...] = (60, 300, 900, 3600)
    lease_seconds: int = 120
    poll_seconds: float = 15.0
    templates_dir: Path = Path("notifications")
    email: EmailSettings = field(default_factory=EmailSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    log: LogChannelSettings = field(default_factory=LogChannelSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)


@dataclass(frozen=True)
class Settings:
    """Every setting of one install, loaded once."""

    path: Path | None = None
    office: OfficeSettings = field(default_factory=OfficeSettings)
    calendar: CalendarSettings = field(default_factory=lambda: parse_calendar({}, "config.toml"))
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    workflows_dir: Path = Path("workflows")
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    #: Address of the web pages, for links in notifications (https:// makes session cookies Secure).
    base_url: str = "http://localhost:8000"
    web: WebSettings = field(default_factory=WebSettings)
    #: (month, day) in the case's year by which the report must be submitted.
    submission_deadline: tuple[int, int] = (3, 31)
    #: Achievement categories as (lower bound in %, name), highest first (``[lakip] categories``).
    category_scale: tuple[tuple[Decimal, str], ...] = DEFAULT_CATEGORY_SCALE
    #: How outgoing letter numbers are written (``[letters] number_format``).
    letter_number_format: str = DEFAULT_LETTER_FORMAT


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
    path = find_config(explicit, env).resolve()
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
    """Build :class:`Settings` from a parsed config mapping; paths are relative to ``path``."""
    where = str(path)
    base = path.parent
    office_raw = _table(raw, "office", where)
    office = OfficeSettings(
        satker=str(office_raw.get("satker", "3526")),
        name=str(office_raw.get("name", "KPU Kabupaten Bangkalan")),
        timezone=str(office_raw.get("timezone", "Asia/Jakarta")),
    )
    try:
        ZoneInfo(office.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: [office] timezone = '{office.timezone}' tidak dikenal. "
            "Gunakan nama zona IANA: Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT).",
            value=office.timezone,
        ) from exc
    db_raw = _table(raw, "database", where)
    url = env.get("SOP_DATABASE_URL") or str(db_raw.get("url", "sqlite:///var/sop.db"))
    storage_raw = _table(raw, "storage", where)
    max_mb = storage_raw.get("max_upload_mb", 20)
    if not isinstance(max_mb, int | float) or isinstance(max_mb, bool) or max_mb <= 0:
        raise ConfigError(f"{where}: [storage] max_upload_mb = {max_mb!r}; isikan angka MB lebih dari 0.", value=max_mb)
    return Settings(
        path=path,
        office=office,
        calendar=parse_calendar(_table(raw, "calendar", where), where),
        database=DatabaseSettings(url=_resolve_sqlite(url, base)),
        storage=StorageSettings(
            artefacts_dir=_resolve(base, str(storage_raw.get("artefacts_dir", "var/artefacts"))),
            max_upload_bytes=int(max_mb * 1024 * 1024),
        ),
        workflows_dir=_resolve(base, str(_table(raw, "workflows", where).get("dir", "workflows"))),
        notifications=parse_notifications(_table(raw, "notifications", where), where, base, env),
        base_url=str(_table(raw, "web", where).get("base_url", "http://localhost:8000")).rstrip("/"),
        web=_parse_web(_table(raw, "web", where), where),
        category_scale=_parse_scale(_table(raw, "lakip", where).get("categories"), where),
        letter_number_format=_parse_letter_format(_table(raw, "letters", where).get("number_format"), where),
        submission_deadline=_parse_month_day(_table(raw, "planning", where).get("submission_deadline", "03-31"), where),
    )


def parse_calendar(raw: Mapping[str, Any], where: str) -> CalendarSettings:
    """The ``[calendar]`` table as :class:`CalendarSettings`, defaults filled in."""
    hours_raw = dict(DEFAULT_HOURS)
    given = raw.get("hours", {})
    if not isinstance(given, Mapping):
        raise ConfigError(f"{where}: [calendar] hours harus berupa tabel hari -> daftar jam.", value=given)
    for key, value in given.items():
        if key not in WEEKDAYS:
            raise ConfigError(
                f"{where}: [calendar.hours] kunci '{key}' bukan nama hari; "
                f"gunakan salah satu dari {', '.join(WEEKDAYS)}.",
                value=key,
            )
        hours_raw[key] = value
    hours = tuple(_parse_periods(hours_raw[day], day, where) for day in WEEKDAYS)
    if not any(hours):
        raise ConfigError(f"{where}: [calendar.hours] tidak ada jam kerja sama sekali; isi paling tidak satu hari.")
    per_day = raw.get("jam_kerja_per_hari", 7.5)
    if not isinstance(per_day, int | float) or isinstance(per_day, bool) or not 0 < per_day <= 24:
        raise ConfigError(
            f"{where}: [calendar] jam_kerja_per_hari = {per_day!r}; isikan angka jam antara 0 dan 24, misalnya 7.5.",
            value=per_day,
        )
    categories = raw.get("holiday_categories", ["public", "government"])
    allowed_categories = {"public", "government"}
    if not isinstance(categories, list) or not set(categories) <= allowed_categories:
        raise ConfigError(
            f"{where}: [calendar] holiday_categories = {categories!r}; yang diizinkan: public, government.",
            value=categories,
        )
    return CalendarSettings(
        hours=hours,
        jam_kerja_per_hari=float(per_day),
        holiday_categories=tuple(categories),
        extra_holidays=tuple(_parse_extra_holiday(item, where) for item in raw.get("extra_holidays", [])),
        extra_workdays=tuple(_parse_date(item, "extra_workdays", where) for item in raw.get("extra_workdays", [])),
    )


_PERIOD = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def _parse_periods(value: Any, day: str, where: str) -> tuple[Period, ...]:
    if not isinstance(value, list):
        raise ConfigError(
            f'{where}: [calendar.hours] {day} harus berupa daftar, misalnya ["07:30-12:00"].', value=value
        )
    periods: list[Period] = []
    for item in value:
        match = _PERIOD.match(str(item))
        if not match:
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' bukan rentang jam; tulis seperti \"07:30-12:00\".",
                value=item,
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' berisi jam yang tidak ada.", value=item
            ) from exc
        if start >= end or (periods and start < periods[-1][1]):
            raise ConfigError(
                f"{where}: [calendar.hours] {day}: '{item}' harus berakhir setelah mulai dan tidak tumpang-tindih "
                "dengan rentang sebelumnya (urutkan dari pagi ke sore).",
                value=item,
            )
        periods.append((start, end))
    return tuple(periods)


def _parse_date(value: Any, key: str, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{where}: [calendar] {key}: '{value}' bukan tanggal; tulis seperti 2021-12-24.", value=value
        ) from exc


def _parse_extra_holiday(value: Any, where: str) -> tuple[date, str]:
    if isinstance(value, Mapping):
        return _parse_date(value.get("date"), "extra_holidays", where), str(value.get("name", "Libur kantor"))
    return _parse_date(value, "extra_holidays", where), "Libur kantor"


def _table(raw: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{name}] harus berupa tabel TOML.", value=name)
    return value


def _resolve(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (base / path)


def _resolve_sqlite(url: str, base: Path) -> str:
    """Make a relative ``sqlite:///file`` URL relative to the config file's folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(base / url[len(prefix) :])
    return url


CHANNELS = ("email", "webhook", "log")


def parse_notifications(raw: Mapping[str, Any], where: str, base: Path, env: Mapping[str, str]) -> NotificationSettings:
    """The ``[notifications]`` table and its sub-tables, secrets read from the named variables."""
    where = f"{where}: [notifications]"
    email = _table(raw, "email", where)
    webhook = _table(raw, "webhook", where)
    log = _table(raw, "log", where)
    digest = _table(raw, "digest", where)
    security = str(email.get("security", "none"))
    if security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"{where}.email security = '{security}'; pilih none, starttls atau ssl.", value=security)
    channels = tuple(raw.get("default_channels", ["email", "log"]))
    if not set(channels) <= set(CHANNELS):
        raise ConfigError(
            f"{where} default_channels = {list(channels)}; saluran yang ada: {', '.join(CHANNELS)}.", value=channels
        )
    fraction = _number(raw, "reminder_at", 0.8, where)
    if not 0 < fraction < 1:
        raise ConfigError(
            f"{where} reminder_at = {fraction}; isikan pecahan antara 0 dan 1, misalnya 0.8.", value=fraction
        )
    webhook_enabled = bool(webhook.get("enabled", False))
    if webhook_enabled and not str(webhook.get("url", "")).startswith(("http://", "https://")):
        raise ConfigError(f"{where}.webhook url harus diawali http:// atau https://.", value=webhook.get("url"))
    return NotificationSettings(
        reminder_at=fraction,
        escalation_fraction=_number(raw, "escalation_fraction", 0.5, where),
        escalation_minimum=str(raw.get("escalation_minimum", "30 menit")),
        default_channels=channels,
        max_attempts=int(_number(raw, "max_attempts", 5, where)),
        retry_backoff_seconds=tuple(int(x) for x in raw.get("retry_backoff_seconds", [60, 300, 900, 3600])),
        lease_seconds=int(_number(raw, "lease_seconds", 120, where)),
        poll_seconds=_number(raw, "poll_seconds", 15, where),
        templates_dir=_resolve(base, str(raw.get("templates_dir", "notifications"))),
        email=EmailSettings(
            enabled=bool(email.get("enabled", False)),
            host=str(email.get("host", "localhost")),
            port=int(email.get("port", 465 if security == "ssl" else 25)),
            security=security,
            sender=str(email.get("sender", "sop-engine@localhost")),
            username=email.get("username") or None,
            password=_secret(email.get("password_env"), env, f"{where}.email password_env"),
            timeout_seconds=_number(email, "timeout_seconds", 10, where),
        ),
        webhook=WebhookSettings(
            enabled=webhook_enabled,
            url=str(webhook.get("url", "")),
            secret=_secret(webhook.get("secret_env"), env, f"{where}.webhook secret_env"),
            timeout_seconds=_number(webhook, "timeout_seconds", 10, where),
        ),
        log=LogChannelSettings(
            enabled=bool(log.get("enabled", True)),
            path=_resolve(base, str(log.get("path", "var/notifications.log"))),
        ),
        digest=DigestSettings(
            enabled=bool(digest.get("enabled", True)),
            time=_parse_clock_time(digest.get("time", "07:30"), f"{where}.digest time"),
        ),
    )


def _number(raw: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where} {key} = {value!r}; isikan angka tidak negatif.", value=value)
    return float(value)


def _secret(variable: Any, env: Mapping[str, str], where: str) -> Secret | None:
    if not variable:
        return None
    value = env.get(str(variable))
    if value is None:
        raise ConfigError(
            f"{where} = '{variable}', tetapi variabel lingkungan {variable} tidak diisi. "
            f"Isi variabelnya (export {variable}=...) atau hapus kunci itu.",
            value=variable,
        )
    return Secret(value)


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


def _parse_clock_time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where} = '{value}' bukan jam; tulis seperti \"07:30\".", value=value) from exc


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


def _parse_letter_format(value: Any, where: str) -> str:
    if value is None:
        return DEFAULT_LETTER_FORMAT
    text = str(value)
    fields = set(re.findall(r"{(\w+)}", text))
    unknown = fields - set(LETTER_FIELDS)
    if "nomor" not in fields or unknown:
        raise ConfigError(
            f"{where}: [letters] number_format = '{text}'; harus memuat {{nomor}} dan hanya memakai "
            f"{', '.join('{' + f + '}' for f in LETTER_FIELDS)}.",
            value=text,
        )
    return text


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
