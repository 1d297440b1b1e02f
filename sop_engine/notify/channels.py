"""The ways a message reaches a person: email (SMTP), a signed webhook, a log file.

Each channel's ``send`` returns the address it delivered to, or raises :class:`DeliveryError`
saying whether trying again later may help (``transient``) or not (a refused address, a
missing email, a 4xx from the gateway). Channels are passed to the worker, so tests use real
ones against a loopback SMTP server and a local HTTP server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol

from sop_engine.config_notifications import EmailSettings, LogChannelSettings, NotificationSettings, WebhookSettings
from sop_engine.notify.messages import Message
from sop_engine.textrules import scrub_line

SIGNATURE_HEADER = "X-SOP-Signature"
#: How much of a redirect's Location a delivery error quotes (the gateway chooses it).
LOCATION_CHARS = 200


class DeliveryError(Exception):
    """A message could not be delivered on one channel; ``transient`` if a retry may succeed."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class Channel(Protocol):
    """Something that delivers a rendered message."""

    name: str

    def send(self, message: Message) -> str:
        """Deliver ``message``; return the address used; raise DeliveryError on failure."""
        ...


class EmailChannel:
    """SMTP, with STARTTLS or SSL and a login if configured; plain text with an HTML alternative."""

    name = "email"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def compose(self, message: Message) -> EmailMessage:
        if not message.to.email:
            raise DeliveryError(
                f"Pegawai {message.to.username} tidak punya alamat email; isi emailnya atau pilih saluran lain.",
                transient=False,
            )
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.settings.sender
        mail["To"] = formataddr((message.to.name, message.to.email))
        copies = [formataddr((c.name, c.email)) for c in message.cc if c.email and c.email != message.to.email]
        if copies:
            mail["Cc"] = ", ".join(copies)
        mail["Message-ID"] = message.message_id
        if "sent_at" in message.data:
            mail["Date"] = format_datetime(message.data["sent_at"])
        mail["X-SOP-Notification"] = str(message.notification_id)
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: Message) -> str:
        mail = self.compose(message)
        s = self.settings
        try:
            if s.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.username and s.password:
                    client.login(s.username, s.password.value)
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(400 <= code < 500 for code in codes)
            raise DeliveryError(f"Server email menolak alamat {message.to.email}: {exc.recipients}", transient) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"Server email menjawab {exc.smtp_code}: {exc.smtp_error!r}", transient=400 <= exc.smtp_code < 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"Server email {s.host}:{s.port} tidak dapat dihubungi: {exc}", transient=True) from exc
        return str(message.to.email)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: the 3xx reaches :meth:`WebhookChannel.send` as an HTTPError.

    urllib would turn a 302 into a GET carrying the signature headers to wherever the gateway
    points (an internal address, say), and count whatever answers there as a delivery.
    """

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_WEBHOOK_OPENER = urllib.request.build_opener(_RefuseRedirects)


class WebhookChannel:
    """A JSON POST per message, signed ``sha256=HMAC(secret, body)`` in the X-SOP-Signature header.

    A redirect is never followed: any 3xx fails the message permanently, naming where it pointed.
    """

    name = "webhook"

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings

    def body(self, message: Message) -> bytes:
        payload = {
            "id": message.message_id,
            "notification": message.notification_id,
            "kind": message.kind,
            "level": message.level,
            "to": {
                "username": message.to.username,
                "name": message.to.name,
                "phone": message.to.phone,
                "chat_id": message.to.chat_id,
            },
            "cc": [
                {"username": c.username, "name": c.name, "phone": c.phone, "chat_id": c.chat_id} for c in message.cc
            ],
            "subject": message.subject,
            "text": message.text,
            "data": {k: v for k, v in message.data.items() if k != "sent_at"},
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def send(self, message: Message) -> str:
        if not (message.to.phone or message.to.chat_id):
            raise DeliveryError(
                f"Pegawai {message.to.username} tidak punya nomor telepon atau chat id untuk webhook.",
                transient=False,
            )
        body = self.body(message)
        headers = {"Content-Type": "application/json; charset=utf-8", "X-SOP-Message-ID": message.message_id}
        if self.settings.secret is not None:
            digest = hmac.new(self.settings.secret.value.encode("utf-8"), body, hashlib.sha256).hexdigest()
            headers[SIGNATURE_HEADER] = f"sha256={digest}"
        request = urllib.request.Request(self.settings.url, data=body, headers=headers, method="POST")
        try:
            with _WEBHOOK_OPENER.open(request, timeout=self.settings.timeout_seconds) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # the answer's socket; the error is kept as the cause of DeliveryError
            if 300 <= exc.code < 400:
                raise self._redirected(exc.code, exc.headers.get("Location")) from exc
            transient = exc.code >= 500 or exc.code == 429
            raise DeliveryError(f"Gateway webhook menjawab HTTP {exc.code}.", transient) from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(f"Gateway webhook {self.settings.url} tidak dapat dihubungi: {exc}", True) from exc
        return str(message.to.chat_id or message.to.phone)

    def _redirected(self, status: int, location: str | None) -> DeliveryError:
        where = scrub_line(location or "")[:LOCATION_CHARS] or "(tanpa header Location)"
        return DeliveryError(
            f"Gateway webhook {self.settings.url} menjawab HTTP {status} dengan pengalihan ke {where}; "
            "pengalihan tidak diikuti dan pesan tidak terkirim. Perbaiki url pada [notifications.webhook] "
            "di config.toml menjadi alamat tujuan yang sebenarnya.",
            transient=False,
        )


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (for gateway implementers)."""
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


class LogChannel:
    """Appends each message as one JSON line to a file (fsynced): useful without a mail server.

    :meth:`send_many` writes a batch's lines with one fsync; the worker sends the log channel so.
    """

    name = "log"

    def __init__(self, settings: LogChannelSettings) -> None:
        self.path: Path = settings.path

    def send(self, message: Message) -> str:
        outcome = self.send_many([message])[0]
        if isinstance(outcome, DeliveryError):
            raise outcome
        return outcome

    def send_many(self, messages: Sequence[Message]) -> list[str | DeliveryError]:
        """Append every message, then fsync once: the file's path for each, or the same error for all."""
        lines = "".join(self._line(m) + "\n" for m in messages)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(lines)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            error = DeliveryError(f"Berkas log notifikasi {self.path} tidak dapat ditulis: {exc}", True)
            return [error for _ in messages]
        return [str(self.path) for _ in messages]

    @staticmethod
    def _line(message: Message) -> str:
        return json.dumps(
            {
                "id": message.message_id,
                "notification": message.notification_id,
                "kind": message.kind,
                "level": message.level,
                "to": message.to.username,
                "cc": [c.username for c in message.cc],
                "subject": message.subject,
                "text": message.text,
            },
            ensure_ascii=False,
        )


def configured_channels(settings: NotificationSettings) -> dict[str, Channel]:
    """The channels enabled in config.toml, by name."""
    channels: dict[str, Channel] = {}
    if settings.email.enabled:
        channels["email"] = EmailChannel(settings.email)
    if settings.webhook.enabled:
        channels["webhook"] = WebhookChannel(settings.webhook)
    if settings.log.enabled:
        channels["log"] = LogChannel(settings.log)
    return channels
