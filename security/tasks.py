"""Celery tasks of the security app (the beat entry `security-backup` exists only when
BACKUP_ENABLED is set)."""

from celery import shared_task
from django.conf import settings
from django.core.management import call_command


@shared_task(name="security.backup_run")
def backup_run() -> None:
    """The `backup` command with the settings' folder and retention."""
    call_command(
        "backup",
        output=str(settings.BACKUP_DIR),
        keep_daily=settings.BACKUP_KEEP_DAILY,
        keep_monthly=settings.BACKUP_KEEP_MONTHLY,
    )
