"""The portal's own records: an agency's choice of how online requests are confirmed, and the
online submissions that wait for staff to confirm them (Art. 31(3): the receipt date is the day
both sides confirm). Only portal.services writes these rows."""

from django.conf import settings
from django.db import models

from agencies.models import Agency


class PortalSetting(models.Model):
    """Per agency; an agency without a row confirms on submission (the default)."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="portal_setting")
    portal_confirm_by_staff = models.BooleanField(
        "网上申请由工作人员确认",
        default=False,
        help_text="不勾选：提交即确认收到（收到申请之日为提交当日）；勾选：申请待工作人员确认，"
        "收到申请之日为确认当日",
    )

    class Meta:
        verbose_name = "网上申请设置"
        verbose_name_plural = "网上申请设置"

    def __str__(self) -> str:
        return self.agency.name


class SubmissionState(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"


class Submission(models.Model):
    """An online request waiting for staff confirmation: the applicant already holds its
    tracking code; confirming it registers the case with that code."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    data = models.JSONField("申请内容")
    state = models.CharField(
        "状态", max_length=20, choices=SubmissionState.choices, default=SubmissionState.PENDING
    )
    submitted_on = models.DateField("提交日期")
    submitted_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    case_id = models.BigIntegerField("案件", null=True, blank=True)

    class Meta:
        verbose_name = "网上申请（待确认）"
        verbose_name_plural = "网上申请（待确认）"
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.get_state_display()}"


class SubmissionScan(models.Model):
    """An identity-document scan sent with a waiting submission (moved to the case's
    attachments when it is confirmed)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scans")
    file = models.FileField(upload_to="portal/%Y/%m/")
    original_name = models.CharField(max_length=200)
