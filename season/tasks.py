"""Periodic work of the season (schedule in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from .services import season_daily


@shared_task(name="season.season_daily")
def season_daily_task(user_id: int | None = None, force_drafts: bool = False) -> int | None:
    """Daily in the season (1 December – 31 March): sweep, drafts when due, reminders.
    With `user_id` it is an administrator's "run now". Returns the SeasonRun id."""
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = season_daily(timezone.localdate(), by=by, force_drafts=force_drafts)
    return run.id if run else None
