"""What the year-end season keeps: each run (when, what, how long), each unit's data-quality
sweep, the frozen draft of each unit's (and each supervising office's consolidated) report,
and the reminders already sent (so none goes twice).

Nothing here is a published report: publishing stays in `reporting` (PublishedReport)."""

from django.conf import settings
from django.db import models

from agencies.models import Agency


class RunKind(models.TextChoices):
    DAILY = "daily", "每日例行"
    SWEEP = "sweep", "数据质量检查"
    DRAFTS = "drafts", "生成年报草稿"
    CHASE = "chase", "催报提醒"
    UNIT = "unit", "单个单位重新检查"


class SeasonRun(models.Model):
    """One run of the season's work: what was asked, what it produced, how long it took."""

    kind = models.CharField("类型", max_length=20, choices=RunKind.choices)
    year = models.PositiveIntegerField("报告年度")
    today = models.DateField("运行日期")
    agency = models.ForeignKey(
        Agency,
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    summary = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="手动运行人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "年报季运行记录"
        verbose_name_plural = "年报季运行记录"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} @ {self.today}"


class UnitSweep(models.Model):
    """The latest data-quality sweep of one unit for one report year: counts per problem kind
    and the cases behind them (each with what to fix)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("报告年度")
    swept_on = models.DateField("检查日期")
    counts = models.JSONField("各类问题件数", default=dict)
    findings = models.JSONField("问题案件", default=list)
    total = models.PositiveIntegerField("问题合计", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "数据质量检查"
        verbose_name_plural = "数据质量检查"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="season_sweep_unique"),
        ]


class Draft(models.Model):
    """A unit's (or, consolidated, a supervising office's) draft annual report, frozen: tables
    three and four as the report page counts them, the texts of sections one, five, six and
    table two, the consistency check (勾稽关系), the carry-over check and the sweep's count.

    Re-running with nothing changed leaves the row as it is (same fingerprint)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("报告年度")
    consolidated = models.BooleanField("汇总本级及下级", default=False)
    format_version = models.CharField("格式", max_length=4)
    data = models.JSONField("报表数据")
    texts = models.JSONField("报告文字与表二", default=dict)
    failures = models.JSONField("勾稽关系不成立之处", default=list)
    carry_over = models.JSONField("上年结转核对", null=True, blank=True)
    sweep_total = models.PositiveIntegerField("数据质量问题", default=0)
    clean = models.BooleanField("无问题", default=False)
    fingerprint = models.CharField(max_length=64)
    revision = models.PositiveIntegerField("草稿版次", default=1)
    computed_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "年报草稿"
        verbose_name_plural = "年报草稿"
        ordering = ["year", "agency", "consolidated"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "consolidated"], name="season_draft_unique"
            ),
        ]

    def __str__(self) -> str:
        kind = "汇总" if self.consolidated else "本级"
        return f"{self.agency.code} {self.year} {kind}草稿"


class ReminderSent(models.Model):
    """A reminder delivered to one user under one dedupe key: never sent twice."""

    dedupe_key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "催报提醒"
        verbose_name_plural = "催报提醒"
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "user"], name="season_reminder_once"),
        ]
