"""Periodic work of the reporting app (schedule in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from .circulars import circulars_produce_due


@shared_task(name="reporting.circulars_produce_due")
def circulars_produce_due_task() -> int:
    """Daily: on the month's first working day, freeze last month's circulars."""
    return len(circulars_produce_due(today=timezone.localdate()))
