"""Documents to release on a case (issue 14): the original as uploaded (never changed, with its
SHA-256), its PDF, the redaction boxes with their legal ground, the released (redacted) PDF,
the approver's sign-off of the release set, and the Art. 44 suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from agencies.models import Agency
from requests_app.models import Case

from .engine import PATTERN_LABELS
from .grounds import Ground


class SourceKind(models.TextChoices):
    PDF = "pdf", "PDF"
    WORD = "docx", "Word 文档"
    EXCEL = "xlsx", "Excel 表格"
    IMAGE = "image", "扫描图像"


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField("文件名称", max_length=200)
    source_kind = models.CharField("原件类型", max_length=10, choices=SourceKind.choices)
    original = models.FileField("原件", upload_to="documents/originals/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    original_sha256 = models.CharField("原件SHA-256", max_length=64)
    original_size = models.PositiveIntegerField("原件大小")
    pdf = models.FileField("PDF 版本", upload_to="documents/pdf/%Y/%m/")
    page_count = models.PositiveIntegerField("页数")
    redacted = models.FileField("公开版本", upload_to="documents/released/%Y/%m/", blank=True)
    redacted_sha256 = models.CharField("公开版本SHA-256", max_length=64, blank=True)
    redacted_at = models.DateTimeField("公开版本生成时间", null=True, blank=True)
    # Set when boxes change after the released version was made: it must be made again.
    redaction_stale = models.BooleanField("公开版本需重新生成", default=True)
    withdrawn = models.BooleanField("不随答复提供", default=False)
    released_at = models.DateTimeField("提供时间", null=True, blank=True)
    released_with = models.CharField("随答复文号", max_length=80, blank=True)
    for_publication = models.BooleanField("拟主动公开", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开文件"
        verbose_name_plural = "公开文件"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def sha256(self) -> str:
        """The checksum of what is released (the redacted PDF)."""
        return self.redacted_sha256


class BoxState(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "已驳回"


class RedactionBox(models.Model):
    """One box on one page, in PDF points from the page's top-left corner."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="boxes")
    page = models.PositiveIntegerField("页码")  # 1-based, as people count pages
    x0 = models.FloatField()
    y0 = models.FloatField()
    x1 = models.FloatField()
    y1 = models.FloatField()
    kind = models.CharField("来源", max_length=20)  # a detector pattern, "term" or "manual"
    matched_text = models.CharField("识别内容", max_length=200, blank=True)
    ground = models.CharField("不予公开依据", max_length=20, choices=Ground.choices)
    state = models.CharField(
        "状态", max_length=10, choices=BoxState.choices, default=BoxState.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "遮盖区域"
        verbose_name_plural = "遮盖区域"
        ordering = ["document", "page", "y0", "x0", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(x1__gt=models.F("x0")) & models.Q(y1__gt=models.F("y0")),
                name="redaction_box_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(ground__in=Ground.values), name="redaction_box_known_ground"
            ),
        ]

    @property
    def kind_label(self) -> str:
        return PATTERN_LABELS.get(self.kind, self.kind)


class ReleaseSignoff(models.Model):
    """The approver's sign-off of a case's release set: which released files (by checksum) were
    approved. It holds only while the set is unchanged (`fingerprint`)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="release_signoffs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)
    fingerprint = models.CharField(max_length=64)
    documents = models.JSONField(default=list)  # [{"id", "title", "pages", "sha256"}]

    class Meta:
        verbose_name = "公开文件审核"
        verbose_name_plural = "公开文件审核"
        ordering = ["-signed_at", "-id"]


class SuggestionState(models.TextChoices):
    OPEN = "open", "待处理"
    ACCEPTED = "accepted", "已转主动公开"
    DISMISSED = "dismissed", "不转主动公开"


class PublicationSuggestion(models.Model):
    """Art. 44: several applicants asked one agency for the same information; suggest making it
    proactive disclosure, and track what the agency decided."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    cases = models.ManyToManyField(Case, related_name="publication_suggestions")
    subject = models.TextField("申请内容")
    state = models.CharField(
        "状态", max_length=10, choices=SuggestionState.choices, default=SuggestionState.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField("处理说明", blank=True)

    class Meta:
        verbose_name = "转主动公开建议"
        verbose_name_plural = "转主动公开建议"
