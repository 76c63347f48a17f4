"""One row per agency and year whose annual report is published (any revision, own or
consolidated): the figures of that year are frozen from then on."""

from django.db import models


class PublishedPeriod(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    published_at = models.DateTimeField("首次发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发布年度"
        verbose_name_plural = "已发布年度"
        ordering = ["agency", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="published_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"
