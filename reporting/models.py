"""What the annual report needs besides the cases: staff-written sections and table two per
agency and year, and the frozen snapshots of published reports."""

from django.conf import settings
from django.db import models

from agencies.models import Agency


class ReportSections(models.Model):
    """Per agency and year: table two (主动公开, entered by staff in that year's format) and the
    sections written by staff (一、总体情况; 五、存在的主要问题及改进情况; 六、其他需要报告的事项)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    format_version = models.CharField("表二格式", max_length=4)
    table2 = models.JSONField("表二数据", default=dict, blank=True)
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年报文字与表二"
        verbose_name_plural = "年报文字与表二"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="report_sections_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.year}"


class PublishedReport(models.Model):
    """A published annual report, frozen: the JSON, the .docx and who published it.

    Republishing after corrections adds a new revision; earlier ones are kept."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    consolidated = models.BooleanField("汇总本级及下级", default=False)
    revision = models.PositiveIntegerField("版次", default=1)
    format_version = models.CharField("格式", max_length=4)
    data = models.JSONField("报表数据")
    case_ids = models.JSONField("各行统计的案件", default=dict)
    docx = models.BinaryField("年度报告（.docx）")
    docx_sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发布年报"
        verbose_name_plural = "已发布年报"
        ordering = ["agency", "year", "consolidated", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "consolidated", "revision"],
                name="published_report_unique",
            ),
        ]

    def __str__(self) -> str:
        kind = "汇总" if self.consolidated else "本级"
        return f"{self.agency.code} {self.year} {kind} 第{self.revision}版"


class Circular(models.Model):
    """A monthly circular (月度通报) of a supervising office over its subtree, frozen when
    produced: per unit received, closed, on time, open overdue, median working days, extensions."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="circulars"
    )
    year = models.PositiveIntegerField()
    month = models.PositiveSmallIntegerField()
    rows = models.JSONField(default=list)
    produced_at = models.DateTimeField(auto_now_add=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "月度通报"
        verbose_name_plural = "月度通报"
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "month"], name="circular_unique_month"
            ),
            models.CheckConstraint(
                name="circular_month_valid", condition=models.Q(month__gte=1, month__lte=12)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.year}年{self.month}月通报"
