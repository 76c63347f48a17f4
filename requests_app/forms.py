"""Forms of the staff pages. They render the inputs and keep what the user typed; the rules
themselves live in the services (`services.intake`, `services.cases`, `actions`)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from common import limits

from .models import AttachmentKind, Case, Channel, DeliveryMethod, InformationForm
from .outcomes import ApplicantType
from .services.attachments import MAX_ATTACHMENT_BYTES
from .services.cases import EDITABLE_FIELDS

ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff"
DATE = {"type": "date"}

# The dates that fix the receipt date (Art. 31), per channel: (field, label, help).
CHANNEL_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    Channel.MAIL_SIGNED: [
        ("signed_on", "签收日期", "本机关签收邮件之日，即收到申请之日（条例第三十一条第二项）"),
        ("mail_tracking_number", "邮件单号", "挂号信或快递的单号"),
    ],
    Channel.MAIL_ORDINARY: [
        ("confirmed_on", "与申请人确认收到的日期", "平信以与申请人确认之日为收到申请之日"),
    ],
    Channel.ONLINE: [
        ("confirmed_on", "双方确认收到的日期", "网上申请以双方确认之日为收到申请之日"),
    ],
    Channel.EMAIL: [
        ("confirmed_on", "双方确认收到的日期", "电子邮件以双方确认之日为收到申请之日"),
    ],
    Channel.FAX: [
        ("confirmed_on", "双方确认收到的日期", "传真以双方确认之日为收到申请之日"),
    ],
    Channel.IN_PERSON: [
        ("submitted_on", "提交日期", "当面提交以提交之日为收到申请之日"),
    ],
}
MAIL_CHANNELS = {Channel.MAIL_SIGNED, Channel.MAIL_ORDINARY}
REQUIRED_MARK = {"signed_on", "mail_tracking_number", "confirmed_on", "submitted_on"}

APPLICANT_LABELS = {
    "applicant_type": "申请人类型",
    "applicant_name": "申请人姓名/名称",
    "applicant_id_number": "身份证号码",
    "applicant_credit_code": "统一社会信用代码",
    "applicant_phone": "联系电话",
    "applicant_address": "通信地址",
    "applicant_postcode": "邮政编码",
    "applicant_email": "电子邮箱",
    "delivery_method": "答复送达方式",
    "content": "申请内容（所需政府信息的名称、文号或便于查询的其他特征性描述）",
    "information_form": "信息形式要求",
}


def _text(label: str, column: str = "", **attrs) -> forms.CharField:
    """A text input; the browser's maxlength is the case column's (the service checks it too)."""
    if column and (limit := limits.max_length(Case, column)):
        attrs.setdefault("maxlength", limit)
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs=attrs), strip=False
    )


def _select(label: str, choices, blank: bool = False) -> forms.CharField:
    options = [("", "——请选择——"), *choices] if blank else list(choices)
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
            initial.setdefault("delivery_method", DeliveryMethod.IN_PERSON)
        initial.setdefault("delivery_method", DeliveryMethod.POST)
        initial.setdefault("information_form", InformationForm.ANY)
        super().__init__(*args, **kwargs)
        if agencies is not None and len(agencies) > 1:
            self.fields["agency"] = _select(
                "受理机关", [(str(a.id), a.name) for a in agencies], blank=True
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
                field = _text(label, name, autocomplete="off")
                field.help_text = help_text
            self.fields[name] = field
        self.fields.update(applicant_fields())
        self.fields["letter_scan"] = forms.FileField(
            label="申请书扫描件",
            required=False,
            help_text=f"PDF、JPEG、PNG 或 TIFF，不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB",
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        )
        if self.channel in MAIL_CHANNELS:
            self.fields["envelope"] = forms.FileField(
                label="信封扫描件",
                required=False,
                help_text="邮戳和单号清晰可见",
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def date_field_names(self) -> list[str]:
        return [name for name, _, _ in CHANNEL_FIELDS[self.channel]]

    def intake_data(self) -> dict:
        """The raw values for `intake_clean` (this form itself never refuses a value)."""
        data = {
            name: self.data.get(name, "") for name in self.fields if name not in self.files_fields
        }
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
        label="修改理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = applicant_fields()
        ordered = {name: fields[name] for name in EDITABLE_FIELDS if name in fields}
        reason, version = self.fields.pop("reason"), self.fields.pop("expected_version")
        self.fields.update(ordered)
        self.fields["reason"], self.fields["expected_version"] = reason, version

    def changes(self, case) -> dict:
        return {
            name: self.data.get(name, "")
            for name in EDITABLE_FIELDS
            if name in self.data and self.data.get(name, "") != (getattr(case, name) or "")
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="附件类型", choices=AttachmentKind.choices)
    file = forms.FileField(
        label="文件",
        help_text=f"PDF、JPEG、PNG 或 TIFF，不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    reason = forms.CharField(label="说明", required=False, max_length=300)


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

    q = forms.CharField(label="搜索（编号/申请人/内容/查询码）", required=False, max_length=100)
    scope = forms.ChoiceField(label="范围", choices=SCOPES, required=False)
    state = forms.ChoiceField(label="状态", required=False)
    due_within = forms.IntegerField(
        label="N个工作日内到期", required=False, min_value=0, max_value=60
    )
    overdue = forms.BooleanField(label="仅看已超期", required=False)
    channel = forms.ChoiceField(
        label="申请渠道", required=False, choices=[("", "全部"), *Channel.choices]
    )
    applicant_type = forms.ChoiceField(
        label="申请人类型", required=False, choices=[("", "全部"), *ApplicantType.choices]
    )
    agency = forms.ChoiceField(label="机关", required=False)
    sort = forms.ChoiceField(label="排序", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .models import CaseState

        self.fields["state"].choices = [*self.STATES, *CaseState.choices]
        if len(agencies) > 1:
            self.fields["agency"].choices = [("", "全部"), *[(a.id, a.name) for a in agencies]]
        else:
            del self.fields["agency"]
