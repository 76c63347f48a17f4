"""Forms of the staff pages. They render the inputs and keep what the user typed; the rules
themselves live in the services (`services.intake`, `services.cases`, `actions`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import limits

from .models import (
    STATE_FILTER_CHOICES,
    AttachmentKind,
    Case,
    Channel,
    DeliveryMethod,
    InformationForm,
)
from .outcomes import ApplicantType
from .receipt import RECEIPT_BY_CHANNEL
from .services.attachments import MAX_ATTACHMENT_BYTES
from .services.cases import EDITABLE_FIELDS
from .services.intake import CONFIRMATION_REASON_MAX_LENGTH, default_delivery, flag_true

ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff"
DATE = {"type": "date"}

# What the registration asks for per channel, and what it marks required: one table,
# requests_app/receipt.py (the receipt date per channel, Art. 31).
CHANNEL_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    channel: list(rule.asked) for channel, rule in RECEIPT_BY_CHANNEL.items()
}
MAIL_CHANNELS = {Channel.MAIL_SIGNED, Channel.MAIL_ORDINARY}
REQUIRED_MARK = {channel: set(rule.required) for channel, rule in RECEIPT_BY_CHANNEL.items()}
APPLICANT_REQUIRED = {"applicant_type", "applicant_name", "content", "agency"}
CONFIRM_LABEL = _("我已核对收到日期")
CONFIRM_HELP = _("收到申请之日不在今年或已超过30天时须勾选，以免误录年份或日期")

APPLICANT_LABELS = {
    "applicant_type": _("申请人类型"),
    "applicant_name": _("申请人姓名/名称"),
    "applicant_id_number": _("身份证号码"),
    "applicant_credit_code": _("统一社会信用代码"),
    "applicant_phone": _("联系电话"),
    "applicant_address": _("通信地址"),
    "applicant_postcode": _("邮政编码"),
    "applicant_email": _("电子邮箱"),
    "delivery_method": _("答复送达方式"),
    "content": _("申请内容（所需政府信息的名称、文号或便于查询的其他特征性描述）"),
    "information_form": _("信息形式要求"),
}


CASE_COLUMNS = frozenset(f.name for f in Case._meta.concrete_fields)


def _text(label: str, column: str = "", **attrs) -> forms.CharField:
    """A text input; the browser's maxlength is the case column's (the service checks it too)."""
    if column and (limit := limits.max_length(Case, column)):
        attrs.setdefault("maxlength", limit)
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs=attrs), strip=False
    )


def _select(label: str, choices, blank: bool = False) -> forms.CharField:
    options = [("", _("——请选择——")), *choices] if blank else list(choices)
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=options))


def applicant_fields() -> dict[str, forms.Field]:
    """Applicant and request fields shared by intake and editing (text only: the service
    validates and returns the Chinese errors keyed by field)."""
    return {
        "applicant_type": _select(
            APPLICANT_LABELS["applicant_type"], ApplicantType.choices, blank=True
        ),
        **{
            name: _text(APPLICANT_LABELS[name], name, **attrs)
            for name, attrs in [
                ("applicant_name", {"autocomplete": "off"}),
                ("applicant_id_number", {"autocomplete": "off"}),
                ("applicant_credit_code", {"autocomplete": "off"}),
                ("applicant_phone", {"inputmode": "tel"}),
                ("applicant_address", {}),
                ("applicant_postcode", {"inputmode": "numeric"}),
                ("applicant_email", {"type": "email"}),
            ]
        },
        "delivery_method": _select(APPLICANT_LABELS["delivery_method"], DeliveryMethod.choices),
        "content": forms.CharField(
            label=APPLICANT_LABELS["content"],
            required=False,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 5}),
        ),
        "information_form": _select(APPLICANT_LABELS["information_form"], InformationForm.choices),
    }


class IntakeForm(forms.Form):
    """One registration form per channel: only the dates that fix that channel's receipt date."""

    def __init__(self, *args, channel: str, agencies=None, **kwargs):
        self.channel = Channel(channel)
        initial = kwargs.setdefault("initial", {})
        if self.channel == Channel.IN_PERSON:
            initial.setdefault("submitted_on", timezone.localdate().isoformat())
        initial.setdefault("delivery_method", default_delivery(self.channel))
        initial.setdefault("information_form", InformationForm.ANY)
        super().__init__(*args, **kwargs)
        if agencies is not None and len(agencies) > 1:
            self.fields["agency"] = _select(
                _("受理机关"), [(str(a.id), a.name) for a in agencies], blank=True
            )
        for name, label, help_text in CHANNEL_FIELDS[self.channel]:
            if name.endswith("_on"):
                field = forms.CharField(
                    label=label,
                    required=False,
                    help_text=help_text,
                    widget=forms.DateInput(attrs={**DATE, "max": timezone.localdate().isoformat()}),
                )
            else:
                # A Case column takes its limit from the model; the late-confirmation reason is
                # kept in the receipt note (intake.CONFIRMATION_REASON_MAX_LENGTH).
                column = name if name in CASE_COLUMNS else ""
                field = _text(label, column, autocomplete="off")
                if name == "confirmation_delay_reason":
                    field.widget.attrs["maxlength"] = CONFIRMATION_REASON_MAX_LENGTH
                field.help_text = help_text
            self.fields[name] = field
        self.fields["receipt_date_confirmed"] = forms.BooleanField(
            label=CONFIRM_LABEL, required=False, help_text=CONFIRM_HELP
        )
        self.fields.update(applicant_fields())
        self.fields["letter_scan"] = forms.FileField(
            label=_("申请书扫描件"),
            required=False,
            help_text=f"PDF、JPEG、PNG 或 TIFF，不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB",
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        )
        if self.channel in MAIL_CHANNELS:
            self.fields["envelope"] = forms.FileField(
                label=_("信封扫描件"),
                required=False,
                help_text=_("邮戳和单号清晰可见"),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
        for name in REQUIRED_MARK[self.channel] | APPLICANT_REQUIRED:
            if name in self.fields:
                self.fields[name].marked_required = True

    def date_field_names(self) -> list[str]:
        return [name for name, _, _ in CHANNEL_FIELDS[self.channel]]

    def confirm_shown(self) -> bool:
        """The confirmation box appears with its warning once a date needs it."""
        return "receipt_date_confirmed" in self.errors or flag_true(
            self.data.get("receipt_date_confirmed")
        )

    def intake_data(self) -> dict:
        """The raw values for `intake_clean` (this form itself never refuses a value)."""
        data = {
            name: self.data.get(name, "") for name in self.fields if name not in self.files_fields
        }
        data["receipt_date_confirmed"] = flag_true(self.data.get("receipt_date_confirmed"))
        data["channel"] = self.channel.value
        data.pop("agency", None)
        return data

    files_fields = ("letter_scan", "envelope")

    def uploads(self) -> dict:
        return {
            name: self.files.get(name)
            for name in self.files_fields
            if name in self.fields and self.files.get(name)
        }


ATTACHMENT_FIELD_KIND = {
    "letter_scan": AttachmentKind.LETTER_SCAN,
    "envelope": AttachmentKind.ENVELOPE,
}


class CaseEditForm(forms.Form):
    """Edit of registration fields: the service records old and new values with the reason."""

    reason = forms.CharField(
        label=_("修改理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = applicant_fields()
        ordered = {name: fields[name] for name in EDITABLE_FIELDS if name in fields}
        reason, version = self.fields.pop("reason"), self.fields.pop("expected_version")
        self.fields.update(ordered)
        self.fields["reason"], self.fields["expected_version"] = reason, version
        for name in ("applicant_type", "applicant_name", "content", "reason"):
            self.fields[name].marked_required = True

    def changes(self, case) -> dict:
        return {
            name: self.data.get(name, "")
            for name in EDITABLE_FIELDS
            if name in self.data and self.data.get(name, "") != (getattr(case, name) or "")
        }


class RegistrationDatesForm(forms.Form):
    """更正登记日期: the channel's dates that fix the receipt date, with the reason."""

    def __init__(self, *args, channel: str, **kwargs):
        kwargs.setdefault("prefix", "dates")
        super().__init__(*args, **kwargs)
        for name, label, help_text in CHANNEL_FIELDS[Channel(channel)]:
            if name.endswith("_on"):
                self.fields[name] = forms.DateField(
                    label=label,
                    required=False,
                    help_text=help_text,
                    widget=forms.DateInput(attrs={**DATE, "max": timezone.localdate().isoformat()}),
                )
            else:
                self.fields[name] = _text(label, autocomplete="off")
                self.fields[name].help_text = help_text
        for name in REQUIRED_MARK[Channel(channel)]:
            self.fields[name].marked_required = True
        self.fields["receipt_date_confirmed"] = forms.BooleanField(
            label=CONFIRM_LABEL, required=False, help_text=CONFIRM_HELP
        )
        self.fields["reason"] = forms.CharField(
            label=_("更正理由"), required=True, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("附件类型"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=f"PDF、JPEG、PNG 或 TIFF，不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=300)


class WorklistForm(forms.Form):
    SCOPES = [("agency", "本机关全部"), ("mine", "我经办的")]
    STATES = [("open", "办理中（全部未办结）"), ("all", "全部状态")]
    SORT_CHOICES = [
        ("due", "答复期限（近→远）"),
        ("-due", "答复期限（远→近）"),
        ("-received", "收到日期（新→旧）"),
        ("received", "收到日期（旧→新）"),
        ("case_no", "案件编号"),
    ]

    q = forms.CharField(label=_("搜索（编号/申请人/内容/查询码）"), required=False, max_length=100)
    scope = forms.ChoiceField(label=_("范围"), choices=SCOPES, required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    due_within = forms.IntegerField(
        label=_("N个工作日内到期"), required=False, min_value=0, max_value=60
    )
    overdue = forms.BooleanField(label=_("仅看已超期"), required=False)
    channel = forms.ChoiceField(
        label=_("申请渠道"), required=False, choices=[("", "全部"), *Channel.choices]
    )
    applicant_type = forms.ChoiceField(
        label=_("申请人类型"), required=False, choices=[("", "全部"), *ApplicantType.choices]
    )
    agency = forms.ChoiceField(label=_("机关"), required=False)
    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [*self.STATES, *STATE_FILTER_CHOICES]
        if len(agencies) > 1:
            self.fields["agency"].choices = [("", "全部"), *[(a.id, a.name) for a in agencies]]
        else:
            del self.fields["agency"]


class QueueSignOffForm(forms.Form):
    """审核、签发（并办结）from the approver's queue: one action; the date defaults to today."""

    on = forms.DateField(
        label=_("签发日期"),
        required=False,
        help_text=_("默认为今天；答复书签发之日即办结之日"),
        widget=forms.DateInput(attrs=DATE),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class QueueReturnForm(forms.Form):
    """退回承办人修改, with the reason the history keeps."""

    reason = forms.CharField(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
