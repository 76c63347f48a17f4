"""Beat tasks: the morning reminders and retrying failed sends (never twice: dedupe keys)."""

import datetime as dt

from celery import shared_task

from .models import Notification, Status
from .reminders import morning_reminders
from .services import notification_send


@shared_task(name="notifications.morning_reminders")
def notifications_morning_reminders(today: str | None = None) -> dict:
    """Beat runs it each morning for today; `today` (ISO date) reruns a given day."""
    return morning_reminders(dt.date.fromisoformat(today) if today else None)


@shared_task(name="notifications.retry_failed")
def notifications_retry_failed() -> int:
    """Failed messages without attachments are tried again (those with attachments are
    retried by the task that made them, which has the files)."""
    ids = Notification.objects.filter(status=Status.FAILED, attachment_names=[]).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(ids) if notification_send(pk))
