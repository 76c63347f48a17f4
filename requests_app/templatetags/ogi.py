"""Template helpers of the staff pages: navigation by role, masking, labels, form fields
rendered with their label, help and error linked for screen readers."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from ..models import AttachmentKind, CaseState, Channel, EventKind
from ..outcomes import ApplicantType, Outcome
from ..rules import TRANSITION_LABELS
from ..selectors import MASKED_IN_HISTORY, mask_id_number, mask_phone

register = template.Library()

FIELD_LABELS = {
    "applicant_type": "申请人类型",
    "applicant_name": "申请人姓名/名称",
    "applicant_id_number": "身份证号码",
    "applicant_credit_code": "统一社会信用代码",
    "applicant_phone": "联系电话",
    "applicant_email": "电子邮箱",
    "applicant_address": "通信地址",
    "applicant_postcode": "邮政编码",
    "delivery_method": "答复送达方式",
    "content": "申请内容",
    "information_form": "信息形式要求",
    "received_on": "收到申请之日",
    "reply_due": "答复期限",
    "on": "日期",
    "due": "补正期限",
    "missing": "需补正的事项",
    "outcome": "办理结果",
    "days": "延期工作日数",
    "amount": "金额",
    "payment_due": "缴费期限",
    "receipt_no": "财政票据号",
    "note": "说明",
    "reason": "理由",
    "party": "征求意见对象",
    "kind": "类型",
    "name": "文件名",
    "size": "大小（字节）",
    "sha256": "SHA-256",
    "attachment_id": "附件编号",
    "possible_repeat_of": "可能重复的案件",
    "possible_repeat_public_id": "案件标识",
    "similarity": "相似度",
    "earlier_closed_on": "此前办结日期",
    "earlier_outcome": "此前办理结果",
    "proposed_outcome": "拟办结果",
    "closed_on": "办结日期",
    "letter": "文书标识",
    "number": "文号",
    "issued_on": "签发日期",
    "replaces": "更正的文书",
}
LABELS = {
    "state": dict(CaseState.choices),
    "channel": dict(Channel.choices),
    "applicant_type": dict(ApplicantType.choices),
    "outcome": dict(Outcome.choices),
    "event": dict(EventKind.choices),
    "attachment": dict(AttachmentKind.choices),
    "letter": {},
}


def _letter_kinds() -> dict:
    """Letter kind labels from the letters app (loaded lazily: it depends on this app)."""
    if not LABELS["letter"]:
        try:
            from letters.models import LetterKind
        except ImportError:  # pragma: no cover - letters app absent
            return {}
        LABELS["letter"] = dict(LetterKind.choices)
    return LABELS["letter"]


@register.simple_tag(takes_context=True)
def nav_roles(context) -> set[str]:
    from ..views.access import user_all_roles

    request = context.get("request")
    return user_all_roles(request) if request is not None else set()


@register.filter
def mask_id(value: str | None) -> str:
    return mask_id_number(value) if value else ""


@register.filter
def mask_tel(value: str | None) -> str:
    return mask_phone(value) if value else ""


@register.filter
def label(value, kind: str) -> str:
    return LABELS.get(kind, {}).get(value, value or "")


@register.filter
def transition_label(value: str) -> str:
    return TRANSITION_LABELS.get(value, value)


@register.filter
def field_label(value: str) -> str:
    return FIELD_LABELS.get(value, value)


@register.filter
def pretty_value(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        for kind in ("outcome", "applicant_type", "channel", "state", "attachment"):
            if value in LABELS[kind]:
                return LABELS[kind][value]
        if value in _letter_kinds():
            return LABELS["letter"][value]
    return str(value)


@register.filter
def change_rows(changes) -> list[tuple[str, object, object | None, bool]]:
    """History changes as rows (label, old, new, is_pair); identity and phone numbers masked."""
    rows = []
    for key, value in (changes or {}).items():
        if key in MASKED_IN_HISTORY:
            mask = MASKED_IN_HISTORY[key]
            value = [mask(v) if v else v for v in value] if isinstance(value, list) else value
        if isinstance(value, list) and len(value) == 2:
            rows.append((field_label(key), value[0], value[1], True))
        else:
            rows.append((field_label(key), value, None, False))
    return rows


@register.inclusion_tag("requests_app/_field.html")
def field(bound: BoundField, css: str = ""):
    """One input with its label, help text and error (aria-describedby / aria-invalid)."""
    described = []
    if bound.help_text:
        described.append(f"{bound.auto_id}_help")
    if bound.errors:
        described.append(f"{bound.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if bound.field.required:
        attrs["required"] = True
    return {
        "bound": bound,
        "widget": bound.as_widget(attrs=attrs),
        "css": css,
        "is_checkbox": bound.widget_type == "checkbox",
        "is_hidden": bound.is_hidden,
    }


@register.filter
def getfield_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None else field_label(name)


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
