"""Letters (文书) as records with a life of their own (SPEC §4, STYLE habit 5).

A letter is drafted (its text editable), signed off by an approver, then issued: issuing gives
it a number (文号) and freezes the context it is rendered from; the rendered .docx is stored
with its SHA-256 and never changes. A correction is a new letter that cites the one it
replaces. Only `letters.services` writes these rows."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from agencies.models import Agency
from requests_app.models import Case, DeliveryMethod
from requests_app.outcomes import Outcome


class LetterKind(models.TextChoices):
    RECEIPT = "receipt", "登记回执"
    SUPPLEMENT_NOTICE = "supplement_notice", "补正告知书"
    EXTENSION_NOTICE = "extension_notice", "延期答复告知书"
    CONSULTATION_LETTER = "consultation_letter", "征求意见函"
    FEE_NOTICE = "fee_notice", "收费通知书"
    REPLY = "reply", "政府信息公开申请答复书"


LETTER_KINDS = [choice.value for choice in LetterKind]


class LetterSeries(models.TextChoices):
    """Each series is numbered on its own, per agency and year (issue 9 item 5)."""

    RECEIPT = "receipt", "登记回执"
    NOTICE = "notice", "告知书"
    REPLY = "reply", "答复书"


def letter_series_of(kind: str) -> str:
    if kind == LetterKind.RECEIPT:
        return LetterSeries.RECEIPT
    if kind == LetterKind.REPLY:
        return LetterSeries.REPLY
    return LetterSeries.NOTICE


class LetterState(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已审核"
    ISSUED = "issued", "已签发"


class RenderStatus(models.TextChoices):
    NONE = "", "—"
    PENDING = "pending", "待生成"
    GENERATED = "generated", "已生成"
    FAILED = "failed", "生成失败"


def letter_upload_to(letter: "Letter", filename: str) -> str:
    return f"letters/{letter.agency.code}/{letter.number_year}/{filename}"


class Letter(FSMModelMixin, models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField("文书类型", max_length=30, choices=LetterKind.choices)
    outcome = models.CharField("答复结果", max_length=60, choices=Outcome.choices, blank=True)
    # Protected (issue 12): changed only by the transitions below, run by letters/services/.
    state = FSMField(
        "状态",
        max_length=20,
        choices=LetterState.choices,
        default=LetterState.DRAFT,
        protected=True,
    )

    # The editable draft: structured fields (placeholders) and the body paragraphs.
    details = models.JSONField("文书要素", default=dict, blank=True)
    body = models.TextField("正文", blank=True, help_text="每行一段")

    replaces = models.ForeignKey(
        "self",
        verbose_name="更正的文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    # Frozen at issue.
    number = models.CharField("文号", max_length=80, blank=True)
    number_series = models.CharField(
        "文号序列", max_length=20, choices=LetterSeries.choices, blank=True
    )
    number_year = models.PositiveIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField("签发日期", null=True, blank=True)
    context = models.JSONField("签发内容", default=dict, blank=True)
    template_key = models.CharField(max_length=40, blank=True)
    template = models.ForeignKey(
        "LetterTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Issuing asked for but not done by a person at the screen (the receipt on registration):
    # the periodic sweep claims it (a conditional update counting the attempts) and issues it,
    # or, after LETTER_ISSUE_ATTEMPTS, reports it on the case and clears the request.
    issue_requested_at = models.DateTimeField(null=True, blank=True)
    issue_attempts = models.PositiveSmallIntegerField(default=0)

    render_status = models.CharField(
        "文件", max_length=20, choices=RenderStatus.choices, default=RenderStatus.NONE, blank=True
    )
    render_error = models.TextField(blank=True)
    file = models.FileField("文件", upload_to=letter_upload_to, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number_series", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="letter_number_unique_per_series_year",
            ),
            models.CheckConstraint(
                name="letter_issued_has_number",
                condition=~Q(state="issued")
                | (Q(number_seq__isnull=False) & Q(issued_on__isnull=False) & ~Q(number="")),
            ),
            models.CheckConstraint(
                name="letter_reply_has_outcome",
                condition=~Q(kind="reply") | ~Q(outcome=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or '（草稿）'}"

    @property
    def is_issued(self) -> bool:
        return self.state == LetterState.ISSUED

    # --- transitions: only fields of this row; roles, checks and history live in the services ---
    @transition(
        field=state, source=[LetterState.DRAFT, LetterState.APPROVED], target=LetterState.DRAFT
    )
    def redraft(self) -> None:
        """An edit takes the letter back to draft: an approval given to the old text lapses."""
        self.approved_by, self.approved_at = None, None

    @transition(field=state, source=LetterState.DRAFT, target=LetterState.APPROVED)
    def approve(self, *, by, at) -> None:
        """审核: signed off as it stands."""
        self.approved_by, self.approved_at = by, at

    @transition(field=state, source=LetterState.APPROVED, target=LetterState.ISSUED)
    def issue(self, *, by, at) -> None:
        """签发: the service has numbered the letter and frozen its context."""
        self.issued_by, self.issued_at = by, at


class LetterNumberCounter(models.Model):
    """Last letter number issued per agency, series and year; locked while a number is taken.
    The counters from before the series existed are the reply series."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    series = models.CharField(
        max_length=20, choices=LetterSeries.choices, default=LetterSeries.REPLY
    )
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "series", "year"], name="letter_counter_unique_per_series"
            )
        ]


class LetterTemplate(models.Model):
    """An agency's replacement template for one template key; the newest accepted one that is
    not refused is in force. Older ones stay (letters issued with them point at them)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="letter_templates")
    key = models.CharField("模板", max_length=40)
    file = models.FileField("文件", upload_to="letter_templates/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    placeholders = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A template found unsafe or unusable after upload (re-check, render) is no longer used.
    refused_at = models.DateTimeField("停用时间", null=True, blank=True)
    refused_reason = models.TextField("停用原因", blank=True)

    class Meta:
        verbose_name = "机关文书模板"
        verbose_name_plural = "机关文书模板"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.key} {self.uploaded_at:%Y-%m-%d}"


class Delivery(models.Model):
    """How and when an issued letter went out, and when the applicant received it."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField("送达方式", max_length=20, choices=DeliveryMethod.choices)
    tracking_number = models.CharField("邮件单号", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    sent_on = models.DateField("发出日期")
    received_on = models.DateField("申请人收到日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["sent_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="delivery_received_not_before_sent",
                condition=Q(received_on__isnull=True) | Q(received_on__gte=models.F("sent_on")),
            ),
        ]
