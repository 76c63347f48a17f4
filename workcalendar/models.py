from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    """A year whose official schedule an administrator entered (or imported).

    A year is official when the chinese_calendar package covers it or a CalendarYear exists;
    otherwise it is computed with weekends and the statutory holidays (workcalendar.statutory) and
    every deadline touching it is provisional."""

    year = models.PositiveIntegerField("年度", unique=True)
    source = models.CharField(
        "来源", max_length=300, blank=True, help_text="如国务院办公厅通知的文号或网址"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "官方日历年度"
        verbose_name_plural = "官方日历年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """A day whose status an administrator set; it overrides the package and the weekend rule."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
