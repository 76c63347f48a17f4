"""Cases (依申请公开申请), their append-only history and the clock events behind deadlines.

The workflow state is protected: only the transition methods below change it, and only the
services in `requests_app.services` call them (with locking, permission and history)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from agencies.models import Agency

from . import rules
from .outcomes import OUTCOME_KEYS, ApplicantType, Outcome, outcome_group


class CaseState(models.TextChoices):
    RECEIVED = "received", "已登记"
    SUPPLEMENT = "supplement", "待补正"
    CONSULTING = "consulting", "征求意见中"
    FEE_PENDING = "fee_pending", "待缴费"
    DRAFTING = "drafting", "拟稿中"
    REVIEW = "review", "待审核"
    # One terminal state per outcome group of table three (SPEC §3): 办结 as the staff, the
    # statistics table and the letters see it. The detailed outcome key stays in `outcome`.
    DISCLOSED = "disclosed", "予以公开"
    PARTIALLY_DISCLOSED = "partially_disclosed", "部分公开"
    WITHHELD = "withheld", "不予公开"
    UNAVAILABLE = "unavailable", "无法提供"
    NOT_PROCESSED = "not_processed", "不予处理"
    OTHER = "other", "其他处理"
    VOID = "void", "已作废"


OPEN_STATES = [
    CaseState.RECEIVED,
    CaseState.SUPPLEMENT,
    CaseState.CONSULTING,
    CaseState.FEE_PENDING,
    CaseState.DRAFTING,
    CaseState.REVIEW,
]
WORKING_STATES = [CaseState.RECEIVED, CaseState.DRAFTING]
# The one definition of "finished" (办结): every question "is this case closed?" asks this set,
# never a single state. A void case is not finished: it is counted nowhere.
FINISHED_STATES = [
    CaseState.DISCLOSED,
    CaseState.PARTIALLY_DISCLOSED,
    CaseState.WITHHELD,
    CaseState.UNAVAILABLE,
    CaseState.NOT_PROCESSED,
    CaseState.OTHER,
]
# What any finished case is, whatever its outcome (a deadline column, a banner).
FINISHED_LABEL = "已办结"
# The filter value (worklist, API) that selects every finished state at once, and the states
# in the order a filter offers them: open ones, “all finished”, each finished one, void.
FINISHED_FILTER = "finished"
FINISHED_FILTER_LABEL = "已办结（全部结果）"
STATE_FILTER_CHOICES = [
    *[(s.value, s.label) for s in OPEN_STATES],
    (FINISHED_FILTER, FINISHED_FILTER_LABEL),
    *[(s.value, s.label) for s in FINISHED_STATES],
    (CaseState.VOID.value, CaseState.VOID.label),
]
# The single state every finished case had before the terminal states followed the outcome
# groups: still found in history rows, the transition log and old exports.
LEGACY_CLOSED = "closed"
LEGACY_CLOSED_LABEL = FINISHED_LABEL


def finished_state_for(outcome: str) -> CaseState:
    """The terminal state of an outcome key: the state of its group in table three
    (e.g. `withheld.state_secret` -> `withheld`, `other.fee_unpaid` -> `other`)."""
    if outcome not in OUTCOME_KEYS:
        raise ValueError(f"unknown outcome key: {outcome!r}")
    return CaseState(outcome_group(outcome))


# Target of the closings whose outcome is chosen when they run: computed after the transition
# method has set `outcome`, and only ever one of the finished states.
TO_OUTCOME_STATE = GET_STATE(
    lambda case, *args, **kwargs: finished_state_for(case.outcome), states=FINISHED_STATES
)


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    EMAIL = "email", "电子邮件"
    FAX = "fax", "传真"
    MAIL_SIGNED = "mail_signed", "邮寄（需签收）"
    MAIL_ORDINARY = "mail_ordinary", "平信（无需签收）"
    IN_PERSON = "in_person", "当面提交"


class DeliveryMethod(models.TextChoices):
    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    IN_PERSON = "in_person", "当面领取"
    PORTAL = "portal", "网上下载"


class InformationForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    VIEWING = "viewing", "查阅、抄录"
    ANY = "any", "不限"


class ExtensionState(models.TextChoices):
    NONE = "none", "未申请"
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class Case(FSMModelMixin, models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tracking_code = models.CharField("查询码", max_length=16, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency, verbose_name="受理机关", on_delete=models.PROTECT, related_name="cases"
    )
    year = models.PositiveIntegerField("登记年度")
    case_no = models.CharField("案件编号", max_length=40)

    # Intake: the dates that fix the statutory receipt date (Art. 31).
    channel = models.CharField("申请渠道", max_length=20, choices=Channel.choices)
    submitted_on = models.DateField("提交/到达日期", null=True, blank=True)
    signed_on = models.DateField("签收日期", null=True, blank=True)
    mail_tracking_number = models.CharField("邮件单号", max_length=40, blank=True)
    confirmed_on = models.DateField("确认收到日期", null=True, blank=True)
    received_on = models.DateField("收到申请之日", db_index=True)

    applicant_type = models.CharField("申请人类型", max_length=30, choices=ApplicantType.choices)
    applicant_name = models.CharField("申请人姓名/名称", max_length=200)
    applicant_id_number = models.CharField("身份证号码", max_length=18, blank=True)
    applicant_credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    applicant_phone = models.CharField("联系电话", max_length=40, blank=True)
    applicant_email = models.EmailField("电子邮箱", blank=True)
    applicant_address = models.CharField("通信地址", max_length=300, blank=True)
    applicant_postcode = models.CharField("邮政编码", max_length=6, blank=True)
    delivery_method = models.CharField(
        "答复送达方式", max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.POST
    )
    content = models.TextField("申请内容")
    information_form = models.CharField(
        "信息形式要求", max_length=20, choices=InformationForm.choices, default=InformationForm.ANY
    )

    state = FSMField(
        "状态", default=CaseState.RECEIVED, choices=CaseState.choices, protected=True, db_index=True
    )
    outcome = models.CharField("办理结果", max_length=60, choices=Outcome.choices, blank=True)
    proposed_outcome = models.CharField(
        "拟办结果", max_length=60, choices=Outcome.choices, blank=True
    )
    closed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    answered_on_the_spot = models.BooleanField("当场答复", default=False)
    on_the_spot_note = models.CharField("当场答复方式", max_length=300, blank=True)

    # Derived from the clock events and the calendar as it stands; recomputed, never typed.
    reply_due = models.DateField("答复期限", null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    clock_stopped = models.BooleanField("计时中止", default=False)

    supplement_requested_on = models.DateField("补正告知日期", null=True, blank=True)
    supplement_due = models.DateField("补正期限", null=True, blank=True)
    supplement_missing = models.TextField("需补正事项", blank=True)

    extension_state = FSMField(
        "延期", default=ExtensionState.NONE, choices=ExtensionState.choices, protected=True
    )
    extension_days = models.PositiveSmallIntegerField("延期工作日数", default=0)
    extension_reason = models.TextField("延期理由", blank=True)

    fee_amount = models.DecimalField(
        "信息处理费（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fee_notice_received_on = models.DateField("收费通知送达日", null=True, blank=True)
    fee_payment_due = models.DateField("缴费期限", null=True, blank=True)
    fee_receipt_no = models.CharField("财政票据号", max_length=60, blank=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)

    void_reason = models.TextField("作废原因", blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["reply_due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "case_no"], name="case_no_unique_per_agency"),
            models.CheckConstraint(
                name="case_outcome_iff_closed",
                condition=(
                    Q(
                        state__in=[s.value for s in FINISHED_STATES],
                        closed_on__isnull=False,
                    )
                    & ~Q(outcome="")
                    | Q(
                        state__in=[s.value for s in OPEN_STATES], outcome="", closed_on__isnull=True
                    )
                    | Q(state="void")
                ),
            ),
            models.CheckConstraint(
                name="case_outcome_known_key", condition=Q(outcome="") | Q(outcome__in=OUTCOME_KEYS)
            ),
            models.CheckConstraint(
                name="case_closed_not_before_received",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("received_on")),
            ),
            models.CheckConstraint(
                name="case_extension_at_most_20", condition=Q(extension_days__lte=20)
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "reply_due"], name="case_worklist_idx"),
            models.Index(fields=["agency", "closed_on"], name="case_agency_closed_idx"),
            models.Index(fields=["agency", "received_on"], name="case_agency_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_no} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    # --- transitions: only fields of this row; side effects live in the services ---------

    @transition(
        field=state,
        source=[CaseState.RECEIVED, CaseState.DRAFTING],
        target=CaseState.SUPPLEMENT,
        conditions=[rules.supplement_not_yet_requested],
    )
    def request_supplement(self, *, on, due, missing):
        """补正告知 (Art. 30): once, within 7 working days of receipt, saying what is missing."""
        self.supplement_requested_on, self.supplement_due, self.supplement_missing = (
            on,
            due,
            missing,
        )

    @transition(field=state, source=CaseState.SUPPLEMENT, target=CaseState.RECEIVED)
    def record_supplement(self, *, on):
        """收到补正 (Art. 30): the supplemented request's arrival becomes the receipt date."""

    @transition(
        field=state,
        source=CaseState.SUPPLEMENT,
        target=finished_state_for(Outcome.NO_SUPPLEMENT),
    )
    def deem_abandoned(self, *, on):
        """视为放弃 (Art. 30): no supplement in time without good reason."""
        self.outcome, self.closed_on = Outcome.NO_SUPPLEMENT, on

    @transition(field=state, source=WORKING_STATES, target=CaseState.CONSULTING)
    def start_consultation(self, *, on):
        """征求第三方/其他机关意见 (Art. 32, 34): the clock stops (Art. 33 para 3)."""
        self.clock_stopped = True

    @transition(field=state, source=CaseState.CONSULTING, target=CaseState.DRAFTING)
    def finish_consultation(self, *, on):
        """意见已收到或期满 (Art. 32): the clock runs again."""
        self.clock_stopped = False

    @transition(field=state, source=WORKING_STATES, target=CaseState.FEE_PENDING)
    def issue_fee_notice(self, *, received_on, amount, payment_due):
        """收费通知 (国办函〔2020〕109号): the clock stops until payment."""
        self.fee_amount, self.fee_notice_received_on = amount, received_on
        self.fee_payment_due = payment_due
        self.clock_stopped = True

    @transition(field=state, source=CaseState.FEE_PENDING, target=CaseState.DRAFTING)
    def record_fee_payment(self, *, on, receipt_no):
        """缴费 (国办函〔2020〕109号): payment recorded with its fiscal receipt; clock resumes."""
        self.fee_paid_on, self.fee_receipt_no = on, receipt_no
        self.clock_stopped = False

    @transition(
        field=state, source=CaseState.FEE_PENDING, target=finished_state_for(Outcome.FEE_UNPAID)
    )
    def close_fee_unpaid(self, *, on):
        """逾期未缴费 (国办函〔2020〕109号): deemed abandoned."""
        self.outcome, self.closed_on, self.clock_stopped = Outcome.FEE_UNPAID, on, False

    @transition(field=state, source=CaseState.RECEIVED, target=CaseState.DRAFTING)
    def start_drafting(self):
        """承办人开始拟写答复 (Art. 33)."""

    @transition(field=state, source=CaseState.DRAFTING, target=CaseState.REVIEW)
    def submit_for_approval(self, *, outcome):
        """拟办意见提交审核 (Art. 36–39 decision proposed)."""
        self.proposed_outcome = outcome

    @transition(field=state, source=CaseState.REVIEW, target=CaseState.DRAFTING)
    def return_for_revision(self):
        """审核退回修改."""

    @transition(field=state, source=CaseState.REVIEW, target=TO_OUTCOME_STATE)
    def approve_and_close(self, *, on, outcome):
        """审核通过并答复 (Art. 33, 36): the case closes with exactly one outcome."""
        self.outcome, self.closed_on = outcome, on

    @transition(
        field=state, source=[CaseState.RECEIVED, CaseState.DRAFTING], target=TO_OUTCOME_STATE
    )
    def answer_on_the_spot(self, *, on, outcome, note):
        """当场答复 (Art. 33 para 1)."""
        self.outcome, self.closed_on = outcome, on
        self.answered_on_the_spot, self.on_the_spot_note = True, note

    @transition(field=state, source=OPEN_STATES, target=finished_state_for(Outcome.OTHER))
    def withdraw(self, *, on):
        """申请人撤回申请: closes as 其他处理 (other.other)."""
        self.outcome, self.closed_on, self.clock_stopped = Outcome.OTHER, on, False

    @transition(field=state, source=CaseState.RECEIVED, target=TO_OUTCOME_STATE)
    def close_imported(self, *, on, outcome):
        """导入已办结案件: a case closed before it came into the system, with its outcome."""
        self.outcome, self.closed_on = outcome, on

    @transition(field=state, source=[*OPEN_STATES, *FINISHED_STATES], target=CaseState.VOID)
    def void(self, *, reason, by, at):
        """登记错误作废: not a request at all; counted nowhere, never deleted."""
        self.void_reason, self.voided_by, self.voided_at = reason, by, at

    # --- extension (Art. 33 para 2): its own small state machine -------------------------

    @transition(
        field=extension_state,
        source=[ExtensionState.NONE, ExtensionState.REFUSED],
        target=ExtensionState.REQUESTED,
        conditions=[rules.case_is_open_and_running],
    )
    def request_extension(self, *, days, reason):
        """延期申请 (Art. 33 para 2): at most 20 working days, once."""
        self.extension_days, self.extension_reason = days, reason

    @transition(
        field=extension_state,
        source=ExtensionState.REQUESTED,
        target=ExtensionState.APPROVED,
        conditions=[rules.case_is_open],
    )
    def approve_extension(self):
        """延期经政府信息公开工作机构负责人同意 (Art. 33 para 2)."""

    @transition(
        field=extension_state, source=ExtensionState.REQUESTED, target=ExtensionState.REFUSED
    )
    def refuse_extension(self):
        """延期未获同意."""
        self.extension_days = 0

    # --- Art. 35: reasons accepted, a reasonable later reply date (state unchanged) --------

    @transition(
        field=state,
        source=[CaseState.RECEIVED, CaseState.DRAFTING, CaseState.REVIEW],
        target=None,
        conditions=[rules.case_is_open_and_running],
    )
    def defer_reply(self):
        """确定延迟答复的合理期限 (Art. 35): the date itself is a clock fact (ClockEvent.until)."""


class EventKind(models.TextChoices):
    REGISTERED = "registered", "登记"
    TRANSITION = "transition", "流转"
    EDIT = "edit", "修改"
    IMPORTED = "imported", "导入"
    DEADLINE_CHANGED = "deadline_changed", "期限变更"
    LETTER = "letter", "文书"
    NOTE = "note", "备注"
    CORRECTION = "correction", "发布后更正"
    CHALLENGE = "challenge", "复议诉讼"
    ATTACHMENT = "attachment", "附件"


class CaseEvent(models.Model):
    """Append-only history: every transition, edit, import, letter and deadline change."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    transition = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "案件历史"
        verbose_name_plural = "案件历史"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.transition}"


class ClockKind(models.TextChoices):
    RECEIPT = "receipt", "收到申请"
    RESTART = "restart", "收到补正，重新起算"
    PAUSE = "pause", "中止计时"
    RESUME = "resume", "恢复计时"
    EXTENSION = "extension", "批准延期"
    DEFERRAL = "deferral", "确定延迟答复期限"


class ClockEvent(models.Model):
    """The facts a deadline is derived from (never a frozen due date)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clock_events")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    on = models.DateField()
    days = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    # DEFERRAL (Art. 35): the reasonable later reply date the agency fixed.
    until = models.DateField("延迟答复期限", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "计时事件"
        verbose_name_plural = "计时事件"
        ordering = ["on", "id"]


class CaseNumberCounter(models.Model):
    """Last case sequence issued per agency and year; numbers are never reused."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="case_counter_unique")
        ]


class ChallengeKind(models.TextChoices):
    REVIEW = "review", "行政复议"
    LITIGATION_DIRECT = "litigation_direct", "未经复议直接起诉"
    LITIGATION_AFTER_REVIEW = "litigation_after_review", "复议后起诉"


class ChallengeResult(models.TextChoices):
    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"
    PENDING = "pending", "尚未审结"


class LegalChallenge(models.Model):
    """An administrative review or lawsuit about a case (table four)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="challenges")
    kind = models.CharField("类型", max_length=30, choices=ChallengeKind.choices)
    filed_on = models.DateField("申请/起诉日期")
    result = models.CharField(
        "结果", max_length=20, choices=ChallengeResult.choices, default=ChallengeResult.PENDING
    )
    concluded_on = models.DateField("审结日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "行政复议/诉讼"
        verbose_name_plural = "行政复议/诉讼"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="challenge_concluded_iff_result",
                condition=Q(result="pending", concluded_on__isnull=True)
                | (~Q(result="pending") & Q(concluded_on__isnull=False)),
            ),
        ]


class AttachmentKind(models.TextChoices):
    LETTER_SCAN = "letter_scan", "申请书扫描件"
    ENVELOPE = "envelope", "信封扫描件"
    IDENTITY = "identity", "身份证明"
    SUPPLEMENT = "supplement", "补正材料"
    OTHER = "other", "其他"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField("类型", max_length=20, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


class PersonalDataChannel(models.TextChoices):
    WEB = "web", "办理页面"
    EDIT = "edit", "修改登记信息"  # the edit form shows the numbers in full
    API = "api", "接口"


class PersonalDataView(models.Model):
    """One explicit "show" of an applicant's full identity and phone numbers: who, when, from
    where, which case and which numbers (the access record a 个人信息保护法 audit asks for).
    Everywhere else the numbers are masked. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="personal_data_views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    at = models.DateTimeField("查看时间", auto_now_add=True, db_index=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    channel = models.CharField("途径", max_length=8, choices=PersonalDataChannel.choices)
    fields = models.JSONField("显示的项目", default=list)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at", "-id"]
