"""SMS through a pluggable gateway: `settings.SMS_BACKEND` names a class with
`send(phone: str, text: str) -> None` (raise on failure). No SMS provider is reachable on the
closed network, so the default backend only writes the message to the log."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("ogi.sms")


class LoggingSmsBackend:
    """Writes each message to the `ogi.sms` log instead of sending it."""

    sent: list[tuple[str, str]] = []  # the last messages, for a look in the shell

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)
        LoggingSmsBackend.sent = [*LoggingSmsBackend.sent[-99:], (phone, text)]


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "notifications.sms.LoggingSmsBackend"))()
