"""Presentation of the audit history: readable Chinese for an event's recorded changes."""

from django import template

from ..models import CampaignStatus, TestRequest, Verdict
from ..scoring import DEFAULT_CHECKLIST

register = template.Library()

LABELS = {f.name: str(f.verbose_name) for f in TestRequest._meta.concrete_fields}
LABELS.update(
    {
        "name": "测评名称",
        "period_start": "开始日期",
        "period_end": "结束日期",
        "description": "说明",
        "agencies": "被测评机关",
        "lawyers": "测评律师",
        "agency": "被测评机关",
        "case_no": "案件编号",
        "action": "操作",
        "file": "文件",
        "numbers": "序号",
        "sha256": "校验值",
        "number": "序号",
    }
)
LABELS.update({spec.key: spec.label for spec in DEFAULT_CHECKLIST})
VALUES = {**dict(Verdict.choices), **dict(CampaignStatus.choices)}


def _value(value) -> str:
    if value in (None, "", "None"):
        return "—"
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{LABELS.get(k, k)} {_value(v)}" for k, v in value.items())
    return VALUES.get(str(value), str(value))


@register.filter
def changes_text(changes) -> str:
    """{'sent_on': [old, new], 'agencies': [...]} → '发出日期：— → 2026-09-30；…'."""
    if not isinstance(changes, dict):
        return ""
    parts = []
    for key, value in changes.items():
        label = LABELS.get(key, key)
        if (
            isinstance(value, list)
            and len(value) == 2
            and not isinstance(value[0], list | dict)
            or (isinstance(value, list) and len(value) == 2 and isinstance(value[0], list))
        ):
            parts.append(f"{label}：{_value(value[0])} → {_value(value[1])}")
        else:
            parts.append(f"{label}：{_value(value)}")
    return "；".join(parts)


@register.filter
def status_label(value) -> str:
    return VALUES.get(str(value), str(value or "—"))
