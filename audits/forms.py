"""Forms of the audit pages: they only parse and render; the services validate and write."""

from __future__ import annotations

from django import forms

from common import limits
from requests_app.models import Channel
from requests_app.outcomes import Outcome

from .models import Campaign, MockRequest, Verdict

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
OUTCOME_CHOICES = [("", "——请选择——"), *Outcome.choices]


class CampaignForm(forms.Form):
    name = limits.form_text(Campaign, "name", label="测评名称")
    period_start = limits.form_planned_date(label="测评开始日期", **DATE)
    period_end = limits.form_planned_date(label="测评结束日期", **DATE)
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    agency_ids = forms.MultipleChoiceField(
        label="被测评机关", required=False, widget=forms.CheckboxSelectMultiple
    )
    lawyer_ids = forms.MultipleChoiceField(
        label="测评律师",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则指派组织机关的全部律师/评估人",
    )
    reason = forms.CharField(label="修改理由", required=False)

    def __init__(self, *args, agencies=(), lawyers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency_ids"].choices = [(str(a.id), f"{a.name}（{a.code}）") for a in agencies]
        self.fields["lawyer_ids"].choices = [
            (str(u.id), u.get_full_name() or u.get_username()) for u in lawyers
        ]


class MockRequestForm(forms.Form):
    agency_id = forms.ChoiceField(label="被测评机关")
    channel = forms.ChoiceField(label="申请渠道", choices=[("", "——请选择——"), *Channel.choices])
    sent_on = limits.form_event_date(label="发出日期", required=False, **DATE)
    tracking_number = limits.form_text(
        MockRequest, "tracking_number", label="邮件单号/网上申请编号", required=False
    )
    applicant_identity = limits.form_text(
        MockRequest, "applicant_identity", label="申请人身份（使用的身份）"
    )
    request_text = forms.CharField(label="申请内容", widget=forms.Textarea(attrs={"rows": 4}))
    expected_outcome = forms.ChoiceField(label="预期办理结果", choices=OUTCOME_CHOICES)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency_id"].choices = [("", "——请选择——")] + [
            (str(a.id), f"{a.name}（{a.code}）") for a in agencies
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 或 CSV 文件", help_text=".xlsx（第一个工作表）或 .csv（UTF-8）"
    )


class ReplyForm(forms.Form):
    received_on = limits.form_event_date(
        label="机关收到申请之日", required=False, **DATE, help_text="答复期限自该日起算（不含当日）"
    )
    supplement_on = limits.form_event_date(label="补正告知日期", required=False, **DATE)
    supplement_text = forms.CharField(
        label="补正告知内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    supplement_answered_on = limits.form_event_date(
        label="补正后机关收到之日", required=False, **DATE
    )
    extension_days = forms.IntegerField(
        label="延期工作日数", required=False, min_value=0, max_value=20, initial=0
    )
    replied_on = limits.form_event_date(label="答复日期", required=False, **DATE)
    reply_outcome = forms.ChoiceField(label="答复结果", choices=OUTCOME_CHOICES, required=False)
    reply_note = forms.CharField(
        label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_scan = forms.FileField(label="答复书扫描件", required=False)


VERDICT_CHOICES = Verdict.choices


def score_form_class(items):
    """One verdict (radio) and one note per checklist item."""
    fields = {}
    for item in items:
        fields[f"verdict_{item.id}"] = forms.ChoiceField(
            label=item.label, choices=VERDICT_CHOICES, widget=forms.RadioSelect
        )
        fields[f"note_{item.id}"] = forms.CharField(
            label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
    return type("ScoreForm", (forms.Form,), fields)
