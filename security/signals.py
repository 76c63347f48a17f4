"""Receivers that put logins, failures, lockouts, logouts and administrators' changes (every
admin LogEntry: users, roles, agencies, letter templates, the calendar…) in the security log.
Connected in SecurityConfig.ready()."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .events import security_event_record
from .kinds import SecurityEventKind

_ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@receiver(user_logged_in, dispatch_uid="security_login")
def on_login(sender, request=None, user=None, **kwargs):
    security_event_record(SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_logout")
def on_logout(sender, request=None, user=None, **kwargs):
    if user is not None:
        security_event_record(SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def on_login_failed(sender, credentials=None, request=None, **kwargs):
    """The user name tried, never the password (Django already masks it in `credentials`)."""
    username = str((credentials or {}).get("username", ""))[:150]
    security_event_record(
        SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=username,
        details={"username": username},
    )


@receiver(user_locked_out, dispatch_uid="security_lockout")
def on_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    security_event_record(
        SecurityEventKind.LOCKOUT,
        request=request,
        username=username or "",
        address=ip_address,
        details={"username": username or "", "address": ip_address or ""},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="security_admin_change")
def on_admin_change(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    content_type = instance.content_type
    security_event_record(
        SecurityEventKind.ADMIN_CHANGE,
        user=instance.user,
        object_type=(
            f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
        ),
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        details={
            "action": _ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
            "change": instance.get_change_message(),
        },
    )
