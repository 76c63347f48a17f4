"""Notifications: one row per message to one recipient on one channel (who, what, how, whether
it went out, how many attempts). `dedupe_key` is unique: a task that runs twice (a Celery retry,
a digest run again) finds the row and never sends a second time. Only notifications.services
writes these rows."""

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    IN_APP = "in_app", "站内消息"


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Applicants have no account: their e-mail address or phone number.
    recipient_address = models.CharField("接收地址", max_length=254, blank=True)
    case_id = models.BigIntegerField("案件", null=True, blank=True, db_index=True)
    kind = models.CharField("类别", max_length=40)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    attachment_names = models.JSONField("附件", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    dedupe_key = models.CharField("去重键", max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient_user", "channel", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.subject}"


class Preference(models.TextChoices):
    EMAIL = "email", "电子邮件和站内消息"
    IN_APP = "in_app", "仅站内消息"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    preference = models.CharField(
        "接收方式", max_length=10, choices=Preference.choices, default=Preference.EMAIL
    )

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
