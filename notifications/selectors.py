"""Reading notifications: a user's in-app list and unread count."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Channel, Notification


def inbox_for_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_user=user, channel=Channel.IN_APP)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_for_user(user).filter(read_at__isnull=True).count()
