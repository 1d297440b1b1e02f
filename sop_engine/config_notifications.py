"""``[notifications]`` of config.toml: the reminder policy, the worker's settings and each channel's.

:func:`parse_notifications` reads the table and its sub-tables into one frozen
:class:`NotificationSettings`, the channels' credentials taken from the environment variables the
file names (:class:`Secret`); :mod:`sop_engine.config` calls it while loading the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from sop_engine import resources
from sop_engine.config_toml import resolve_path, table
from sop_engine.errors import ConfigError

CHANNELS = ("email", "webhook", "log")


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
    #: The message templates (``templates_dir``; the package's by default).
    templates_dir: Path = resources.NOTIFICATIONS
    email: EmailSettings = field(default_factory=EmailSettings)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    log: LogChannelSettings = field(default_factory=LogChannelSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)


def parse_notifications(raw: Mapping[str, Any], where: str, base: Path, env: Mapping[str, str]) -> NotificationSettings:
    """The ``[notifications]`` table and its sub-tables, secrets read from the named variables."""
    where = f"{where}: [notifications]"
    email = table(raw, "email", where)
    webhook = table(raw, "webhook", where)
    log = table(raw, "log", where)
    digest = table(raw, "digest", where)
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
        templates_dir=_templates_dir(raw.get("templates_dir"), base),
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
            path=resolve_path(base, str(log.get("path", "var/notifications.log"))),
        ),
        digest=DigestSettings(
            enabled=bool(digest.get("enabled", True)),
            time=_parse_clock_time(digest.get("time", "07:30"), f"{where}.digest time"),
        ),
    )


def _templates_dir(given: Any, base: Path) -> Path:
    """The office's message templates (same file names), else the package's."""
    return resources.NOTIFICATIONS if given is None else resolve_path(base, str(given))


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


def _parse_clock_time(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where} = '{value}' bukan jam; tulis seperti \"07:30\".", value=value) from exc
