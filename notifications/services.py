"""Sending notifications, one rule set for every sender (digests, reminders, applicant notices).

`notify_user` and `notify_applicant` record one Notification row per (dedupe_key, recipient,
channel) and send it after the surrounding transaction commits. A row that exists already is
not sent again unless its last attempt failed (then it is tried once more): a retried task or
a digest run twice never sends twice. Sending claims the row with a conditional update, so two
workers racing on one row send it once."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Channel, Notification, NotificationPreference, Preference, Status
from .sms import sms_backend

log = logging.getLogger("ogi.notifications")

Attachment = tuple[str, bytes, str]  # (filename, content, MIME type)


def user_preference(user) -> str:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.preference if pref else Preference.EMAIL


def preference_set(*, user, preference: str) -> NotificationPreference:
    if preference not in Preference.values:
        raise ValueError(f"未知的接收方式“{preference}”")
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"preference": preference}
    )
    return pref


def _row(*, key: str, defaults: dict) -> tuple[Notification, bool]:
    """The row for `key`, created if new (a concurrent creator wins, we read its row)."""
    try:
        with transaction.atomic():
            return Notification.objects.get_or_create(dedupe_key=key[:255], defaults=defaults)
    except IntegrityError:
        return Notification.objects.get(dedupe_key=key[:255]), False


def notify_user(
    user, *, kind: str, subject: str, body: str, link: str = "", dedupe_key: str
) -> list[Notification]:
    """A message to a staff user: always in the in-app list, and by e-mail too unless the user
    chose in-app only (or has no address)."""
    channels = [Channel.IN_APP]
    if user.email and user_preference(user) == Preference.EMAIL:
        channels.append(Channel.EMAIL)
    rows = []
    for channel in channels:
        row, _ = _row(
            key=f"{dedupe_key}|user:{user.pk}|{channel}",
            defaults={
                "recipient_user": user,
                "recipient_address": user.email if channel == Channel.EMAIL else "",
                "kind": kind,
                "channel": channel,
                "subject": subject[:200],
                "body": body,
                "link": link,
            },
        )
        rows.append(row)
        _send_on_commit(row.pk)
    return rows


def notify_applicant(
    case,
    *,
    kind: str,
    subject: str,
    body: str,
    attachments: Iterable[Attachment] = (),
    dedupe_key: str,
) -> list[Notification]:
    """A message to the applicant of `case`: by e-mail (with the attachments) where an address
    was given, else by SMS to the phone given (no attachments: the text says where to find
    them). Nothing when neither was given."""
    attachments = list(attachments)
    targets = []
    if case.applicant_email:
        targets.append((Channel.EMAIL, case.applicant_email))
    elif case.applicant_phone:
        targets.append((Channel.SMS, case.applicant_phone))
    rows = []
    for channel, address in targets:
        row, _ = _row(
            key=f"{dedupe_key}|case:{case.pk}|{channel}",
            defaults={
                "recipient_address": address,
                "case_id": case.pk,
                "kind": kind,
                "channel": channel,
                "subject": subject[:200],
                "body": body,
                "attachment_names": [name for name, _, _ in attachments]
                if channel == Channel.EMAIL
                else [],
            },
        )
        rows.append(row)
        _send_on_commit(row.pk, attachments if channel == Channel.EMAIL else [])
    return rows


def _send_on_commit(row_id: int, attachments: list[Attachment] | None = None) -> None:
    transaction.on_commit(lambda: notification_send(row_id, attachments or []))


def notification_send(row_id: int, attachments: list[Attachment] | None = None) -> bool:
    """Send one row unless it was sent: claim it (pending/failed → sending, one more attempt),
    send, then mark it sent or failed. True when this call sent it."""
    claimed = Notification.objects.filter(
        pk=row_id,
        status__in=[Status.PENDING, Status.FAILED],
        attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
    ).update(status=Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False
    row = Notification.objects.get(pk=row_id)
    try:
        if row.channel == Channel.EMAIL:
            message = EmailMessage(
                subject=row.subject,
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[row.recipient_address],
            )
            for name, content, mime in attachments or []:
                message.attach(name, content, mime)
            message.send(fail_silently=False)
        elif row.channel == Channel.SMS:
            sms_backend().send(row.recipient_address, f"{row.subject}：{row.body}"[:500])
        # in-app: the row is the message
    except Exception as exc:  # any transport failure is recorded on the row, tried again later
        log.warning("notification %s failed: %s", row_id, exc)
        Notification.objects.filter(pk=row_id).update(
            status=Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    Notification.objects.filter(pk=row_id).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(
        recipient_user=user, channel=Channel.IN_APP, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
