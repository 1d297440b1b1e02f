"""The channels on their own: SMTP login with the password from the environment, the signed webhook.

The webhook's redirect tests also run one scheduler pass on both database backends, to show the
notification ends failed rather than counted as sent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path

import pytest

from sop_engine import cases
from sop_engine.clock import FixedClock
from sop_engine.config import Settings, load_settings
from sop_engine.config_notifications import EmailSettings, LogChannelSettings, Secret, WebhookSettings
from sop_engine.context import Context
from sop_engine.errors import ConfigError
from sop_engine.notify.channels import DeliveryError, EmailChannel, LogChannel, WebhookChannel, verify_signature
from sop_engine.notify.messages import Message, Recipient
from sop_engine.notify.worker import Worker
from sop_engine.outbox import list_notifications
from tests.servers import free_port, http_sink, smtp_server

ROOT = Path(__file__).resolve().parent.parent

DEWI = Recipient("staf1", "Dewi Lestari", "staf1@kpu-bangkalan.example", "081200000004", "tg-1004")
BAMBANG = Recipient("kasubag", "Bambang Setiawan", "kasubag@kpu-bangkalan.example", None, None)


def message(to: Recipient = DEWI, cc: tuple[Recipient, ...] = ()) -> Message:
    return Message(
        notification_id=7,
        kind="due",
        level=0,
        subject="[Tenggat] lakip-2021 langkah 3",
        text="Tenggat langkah 3 telah tiba.",
        html="<p>Tenggat langkah 3 telah tiba.</p>",
        message_id="<sop.3526.7@kpu-bangkalan.example>",
        to=to,
        cc=cc,
        data={"case": "lakip-2021", "step": 3},
    )


def test_email_logs_in_with_the_password_from_the_named_environment_variable(tmp_path: Path):
    with smtp_server(login=("sop", "rahasia-smtp")) as (inbox, port):
        config = tmp_path / "config.toml"
        config.write_text(
            f'[notifications.email]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
            f'username = "sop"\npassword_env = "SOP_SMTP_PASSWORD"\n',
            encoding="utf-8",
        )
        settings = load_settings(config, env={"SOP_SMTP_PASSWORD": "rahasia-smtp"})
        assert "rahasia-smtp" not in repr(settings)  # the secret never shows in a repr
        EmailChannel(settings.notifications.email).send(message(cc=(BAMBANG,)))
        received = inbox.wait_for(1, timeout=10)[0]
    assert received.envelope_to == ["staf1@kpu-bangkalan.example", "kasubag@kpu-bangkalan.example"]
    assert received.message_id == "<sop.3526.7@kpu-bangkalan.example>"
    assert received.message.get_body(preferencelist=("html",)) is not None


def test_a_wrong_smtp_password_is_a_permanent_failure():
    with smtp_server(login=("sop", "rahasia-smtp")) as (inbox, port):
        email = EmailSettings(enabled=True, host="127.0.0.1", port=port, username="sop", password=Secret("salah"))
        with pytest.raises(DeliveryError) as info:
            EmailChannel(email).send(message())
    assert info.value.transient is False and "535" in info.value.message
    assert inbox.messages == []


def test_an_unreachable_smtp_server_is_a_transient_failure():
    email = EmailSettings(enabled=True, host="127.0.0.1", port=free_port(), timeout_seconds=2)
    with pytest.raises(DeliveryError) as info:
        EmailChannel(email).send(message())
    assert info.value.transient is True and "tidak dapat dihubungi" in info.value.message


def test_a_person_without_email_fails_permanently_naming_them():
    with pytest.raises(DeliveryError) as info:
        EmailChannel(EmailSettings(enabled=True)).send(message(to=Recipient("kasubag", "Bambang", None, None, None)))
    assert info.value.transient is False and "kasubag" in info.value.message


def test_a_password_variable_that_is_not_set_is_a_config_error_naming_it(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[notifications.email]\npassword_env = "SOP_SMTP_PASSWORD"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="SOP_SMTP_PASSWORD"):
        load_settings(config, env={})


def test_webhook_body_is_signed_with_the_shared_secret():
    with http_sink() as sink:
        WebhookChannel(WebhookSettings(enabled=True, url=sink.url, secret=Secret("kunci-bersama"))).send(message())
        request = sink.wait_for(1)[0]
    headers = {k.lower(): v for k, v in request.headers.items()}
    expected = "sha256=" + hmac.new(b"kunci-bersama", request.body, hashlib.sha256).hexdigest()
    assert headers["x-sop-signature"] == expected
    assert verify_signature("kunci-bersama", request.body, headers["x-sop-signature"])
    assert not verify_signature("kunci-lain", request.body, headers["x-sop-signature"])
    payload = json.loads(request.body)
    assert payload["id"] == headers["x-sop-message-id"] == "<sop.3526.7@kpu-bangkalan.example>"
    assert payload["to"]["chat_id"] == "tg-1004" and payload["data"]["case"] == "lakip-2021"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_redirect_is_never_followed_and_fails_permanently_naming_status_and_location(status: int):
    with http_sink() as gateway, http_sink() as internal:
        gateway.status, gateway.location = status, internal.url + "/admin"
        settings = WebhookSettings(enabled=True, url=gateway.url, secret=Secret("kunci-bersama"))
        with pytest.raises(DeliveryError) as info:
            WebhookChannel(settings).send(message())
        assert [r.method for r in gateway.requests] == ["POST"]
        assert internal.requests == []  # nothing went to the Location, signed or not
    error = info.value
    assert error.transient is False
    assert f"HTTP {status}" in error.message and internal.url + "/admin" in error.message
    assert "url pada [notifications.webhook]" in error.message


def test_a_webhook_redirect_fails_the_notification_instead_of_counting_it_sent(
    settings: Settings, ctx: Context, clock: FixedClock
):
    clock.set(datetime.fromisoformat("2021-01-11T08:00:00+07:00"))
    cases.start_case(ctx, "lakip", 2021, "sekretaris")  # the sekretaris (with a phone) gets step 1's reminder
    with http_sink() as gateway, http_sink() as internal:
        gateway.status, gateway.location = 302, internal.url
        webhook = WebhookSettings(enabled=True, url=gateway.url, secret=Secret("rahasia"))
        notifications = dataclasses.replace(settings.notifications, webhook=webhook, default_channels=("webhook",))
        worker_ctx = Context.open(dataclasses.replace(settings, notifications=notifications), clock=clock)
        try:
            report = Worker(worker_ctx).tick(datetime.fromisoformat("2021-01-11T08:08:00+07:00"))
        finally:
            worker_ctx.db.dispose()
        assert len(gateway.requests) == 1 and internal.requests == []
    assert [(o.kind, o.status) for o in report.outcomes] == [("reminder", "failed")]
    (reminder,) = [n for n in list_notifications(ctx, "lakip-2021") if n.kind == "reminder"]
    assert (reminder.status, reminder.deliveries) == ("failed", (("webhook", "failed"),))
    assert "HTTP 302" in (reminder.last_error or "") and internal.url in (reminder.last_error or "")
    assert "[notifications.webhook]" in (reminder.last_error or "")


def test_log_channel_appends_one_json_line_per_message(tmp_path: Path):
    channel = LogChannel(LogChannelSettings(enabled=True, path=tmp_path / "log" / "notifikasi.log"))
    channel.send(message())
    channel.send(message())
    lines = (tmp_path / "log" / "notifikasi.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["subject"] for line in lines] == ["[Tenggat] lakip-2021 langkah 3"] * 2


def test_shipped_config_has_no_secret_in_it():
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert "password =" not in text and "secret =" not in text
