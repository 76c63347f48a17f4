"""Administrators lift a login lock from the user list (django-axes' own admin lists the
attempts too); each unlock is logged with the administrator's name."""

import logging

from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from common.net import client_address
from security.events import security_event_record
from security.kinds import SecurityEventKind

log = logging.getLogger("ogi.security")
User = get_user_model()


@admin.action(description="解除所选用户的登录锁定")
def unlock_login(modeladmin, request, queryset):
    for user in queryset:
        count = reset(username=user.username)
        log.warning(
            "login unlocked by administrator: user=%s by=%s address=%s attempts=%s",
            user.username,
            request.user.username,
            client_address(request),
            count,
        )
        security_event_record(
            SecurityEventKind.ADMIN_CHANGE,
            request=request,
            obj=user,
            details={"action": "unlock_login", "attempts": count},
        )
    messages.success(request, f"已解除 {queryset.count()} 个账号的登录锁定")


class OgiUserAdmin(UserAdmin):
    actions = [*UserAdmin.actions, unlock_login]


admin.site.unregister(User)
admin.site.register(User, OgiUserAdmin)
