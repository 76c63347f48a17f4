"""Mock-test audit campaigns (模拟申请 / 暗访, SPEC §8).

A campaign sends test requests to agencies and scores how each was handled on a checklist.
Nothing here is reachable from a case: the link to the agency's case is a one-to-one field
with `related_name="+"`, so `Case` gets no reverse accessor and the agency's staff cannot
tell a test request from any other case. The campaign status is protected: only the
transitions below change it, and only `audits.services` calls them (with guards, role checks
and a history row)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from requests_app.models import Channel
from requests_app.outcomes import OUTCOME_KEYS, Outcome


class CampaignStatus(models.TextChoices):
    PLANNING = "planning", "筹备中"
    RUNNING = "running", "测试中"
    SCORING = "scoring", "评分中"
    PUBLISHED = "published", "已发布"


class Campaign(FSMModelMixin, models.Model):
    name = models.CharField("测评名称", max_length=200)
    period_start = models.DateField("测评开始日期")
    period_end = models.DateField("测评结束日期")
    description = models.TextField("说明", blank=True)
    supervising_agency = models.ForeignKey(
        "agencies.Agency", verbose_name="组织机关", on_delete=models.PROTECT, related_name="+"
    )
    agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name="被测评机关", related_name="+", blank=True
    )
    lawyers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="测评律师", related_name="+", blank=True
    )
    status = FSMField(
        "状态", default=CampaignStatus.PLANNING, choices=CampaignStatus.choices, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "模拟申请测评"
        verbose_name_plural = "模拟申请测评"
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                name="campaign_period_ordered",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # --- transitions: guards live in audits.rules, callers in audits.services ----------

    @transition(field=status, source=CampaignStatus.PLANNING, target=CampaignStatus.RUNNING)
    def start(self):
        """开始测试: test requests are being sent."""

    @transition(field=status, source=CampaignStatus.RUNNING, target=CampaignStatus.SCORING)
    def start_scoring(self):
        """进入评分: replies are in (or overdue); lawyers score the checklist."""

    @transition(field=status, source=CampaignStatus.SCORING, target=CampaignStatus.RUNNING)
    def reopen(self):
        """退回测试中: more replies or test requests are expected."""

    @transition(field=status, source=CampaignStatus.SCORING, target=CampaignStatus.PUBLISHED)
    def publish(self, *, at):
        """发布: each agency sees its own results."""
        self.published_at = at


class ChecklistItem(models.Model):
    """One item of a campaign's checklist; its weight counts in the agency score."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="items")
    key = models.SlugField("代码", max_length=40)
    label = models.CharField("评分项", max_length=200)
    description = models.TextField("评分标准", blank=True)
    weight = models.PositiveSmallIntegerField("分值（权重）", default=10)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="checklist_item_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class MockRequest(models.Model):
    """One test request (模拟申请) sent to one agency."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="test_requests")
    number = models.PositiveIntegerField("序号")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="被测评机关", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("申请渠道", max_length=20, choices=Channel.choices)
    sent_on = models.DateField("发出日期", null=True, blank=True)
    tracking_number = models.CharField("邮件单号/网上申请编号", max_length=60, blank=True)
    request_text = models.TextField("申请内容")
    applicant_identity = models.CharField("申请人身份", max_length=200)
    expected_outcome = models.CharField("预期办理结果", max_length=60, choices=Outcome.choices)
    case = models.OneToOneField(
        "requests_app.Case",
        verbose_name="对应案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the lawyer records by hand when the agency does not work in the system (or to
    # correct what the system knows). Dates the deadline is computed from.
    received_on = models.DateField("机关收到申请之日", null=True, blank=True)
    supplement_on = models.DateField("补正告知日期", null=True, blank=True)
    supplement_text = models.TextField("补正告知内容", blank=True)
    supplement_answered_on = models.DateField("补正后收到之日", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延期工作日数", default=0)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply_outcome = models.CharField("答复结果", max_length=60, choices=Outcome.choices, blank=True)
    reply_scan = models.FileField("答复书扫描件", upload_to="audits/replies/%Y/%m/", blank=True)
    reply_scan_name = models.CharField(max_length=200, blank=True)
    reply_note = models.TextField("答复情况备注", blank=True)

    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Left out of the scores and the ranking, explicitly, with a reason (who / when / why);
    # a campaign is published only when each test request is scored or excluded.
    excluded_at = models.DateTimeField("排除出评分时间", null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="排除人",
    )
    exclusion_reason = models.TextField("排除出评分的理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "模拟申请"
        verbose_name_plural = "模拟申请"
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="test_request_number_unique"
            ),
            models.CheckConstraint(
                name="test_request_expected_outcome_known",
                condition=Q(expected_outcome__in=OUTCOME_KEYS),
            ),
            models.CheckConstraint(
                name="test_request_reply_outcome_known",
                condition=Q(reply_outcome="") | Q(reply_outcome__in=OUTCOME_KEYS),
            ),
            models.CheckConstraint(
                name="test_request_extension_at_most_20", condition=Q(extension_days__lte=20)
            ),
            models.CheckConstraint(
                name="test_request_exclusion_has_reason",
                condition=Q(excluded_at__isnull=True) | ~Q(exclusion_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.agency.name}"

    @property
    def code(self) -> str:
        return f"T{self.number:03d}"

    @property
    def is_excluded(self) -> bool:
        return self.excluded_at is not None


class Verdict(models.TextChoices):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NOT_APPLICABLE = "not_applicable", "不适用"
    CANNOT_TELL = "cannot_tell", "无法判断"


class ItemScore(models.Model):
    """The verdict on one checklist item for one test request, with the system's suggestion."""

    test_request = models.ForeignKey(MockRequest, on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="scores")
    verdict = models.CharField("评分结论", max_length=20, choices=Verdict.choices)
    note = models.TextField("说明", blank=True)
    suggested_verdict = models.CharField(
        "系统预填结论", max_length=20, choices=Verdict.choices, blank=True
    )
    suggested_note = models.TextField("系统预填说明", blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        ordering = ["test_request", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["test_request", "item"], name="item_score_unique"),
        ]


class AuditEventKind(models.TextChoices):
    CREATED = "created", "创建"
    EDIT = "edit", "修改"
    TRANSITION = "transition", "状态变更"
    CHECKLIST = "checklist", "评分项设置"
    TEST_REQUEST = "test_request", "新增模拟申请"
    IMPORTED = "imported", "导入模拟申请"
    LINKED = "linked", "关联案件"
    UNLINKED = "unlinked", "取消关联"
    REPLY = "reply", "登记答复"
    SCORED = "scored", "评分"
    EXCLUDED = "excluded", "排除出评分"
    INCLUDED = "included", "恢复计入评分"


class AuditEvent(models.Model):
    """Append-only history of a campaign: who did what, when, with old and new values."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="events")
    test_request = models.ForeignKey(
        MockRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=AuditEventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "测评历史"
        verbose_name_plural = "测评历史"
        ordering = ["at", "id"]
