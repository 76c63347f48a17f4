"""The security log (网络安全法 第二十一条: network logs kept at least six months; GB/T 22239-2019
安全审计): who, when, from where and what. Append-only: the model refuses to change or delete a
saved row, and on PostgreSQL a trigger (migration 0002) refuses UPDATE, and DELETE of any row
younger than SECURITY_LOG_MIN_RETENTION (six months), whoever asks.

No foreign key to the user: deleting an account must not touch its log rows (a SET NULL would
be an UPDATE), so the user is kept by id and name as they were."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .kinds import SecurityEventKind

MSG_APPEND_ONLY = "安全日志只能追加，不能修改或删除"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a security-log row through the ORM."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def delete(self):
        raise AppendOnlyError(MSG_APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(MSG_APPEND_ONLY)


class SecurityEvent(models.Model):
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("类型", max_length=40, choices=SecurityEventKind.choices)
    user_pk = models.IntegerField("用户编号", null=True, blank=True, db_index=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("浏览器标识", max_length=300, blank=True)
    path = models.CharField("请求路径", max_length=300, blank=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "安全日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "kind"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(MSG_APPEND_ONLY)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(MSG_APPEND_ONLY)
