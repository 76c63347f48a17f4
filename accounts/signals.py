"""Lock and unlock in the security log: django-axes keeps the records (AccessAttempt,
AccessFailureLog); these receivers add one log line for each lock and each lifted lock."""

import logging

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver

from common.net import client_address

log = logging.getLogger("ogi.security")


@receiver(user_locked_out)
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    log.warning(
        "login locked: user=%s address=%s failures=%s cool-off=%s",
        username,
        ip_address or (client_address(request) if request is not None else ""),
        getattr(request, "axes_failures_since_start", None),
        settings.AXES_COOLOFF_TIME,
    )


@receiver(post_delete, sender=AccessAttempt)
def log_unlock(sender, instance: AccessAttempt, **kwargs):
    """An attempt record at the limit goes away: by cool-off, a later success or an
    administrator (who is named by the admin action's own line)."""
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT:
        log.warning("login lock lifted: user=%s address=%s", instance.username, instance.ip_address)
