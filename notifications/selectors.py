"""Reading notifications: a user's in-app list."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Channel, Notification


def inbox_for_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_user=user, channel=Channel.IN_APP)
