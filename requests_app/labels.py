"""Every label the interface shows for a stored key, in one place: the names of history events,
the names of the fields a history row records and the values it records (states, outcomes,
channels, letter kinds, campaign actions, verdicts, yes/no, dates, lists, nested records).

Pages and reports call `event_title`, `field_label`, `value_label` and `person`; nothing shows
a stored key as it is. Labels of other apps' choices are read lazily (those apps depend on
this one)."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model

from agencies.models import Agency

from .history import LetterEvent
from .models import (
    LEGACY_CLOSED,
    LEGACY_CLOSED_LABEL,
    AttachmentKind,
    Case,
    CaseState,
    ChallengeKind,
    ChallengeResult,
    Channel,
    ClockKind,
    DeliveryMethod,
    EventKind,
    ExtensionState,
    InformationForm,
)
from .outcomes import ApplicantType, Outcome
from .rules import TRANSITION_LABELS
from .selectors import MASKED_IN_HISTORY

EMPTY = "（空）"
YES, NO = "是", "否"
SYSTEM = "系统"

# Names of the letter events: requests_app/history.py LetterEvent.
LETTER_EVENT_LABELS = dict(LetterEvent.choices)
EVENT_TITLES = {**TRANSITION_LABELS, **LETTER_EVENT_LABELS}

# Field names recorded in history rows (case, letter, attachment, challenge, campaign).
FIELD_LABELS: dict[str, str] = {
    **{f.name: str(f.verbose_name) for f in Case._meta.concrete_fields},
    "applicant_name": "申请人姓名/名称",
    "received_on": "收到申请之日",
    "reply_due": "答复期限",
    "deadline_provisional": "期限为暂定",
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
    "possible_repeat_of": "可能重复的案件",
    "similarity": "相似度",
    "earlier_closed_on": "此前办结日期",
    "earlier_outcome": "此前办理结果",
    "earlier_state": "此前案件状态",
    "proposed_outcome": "拟办结果",
    "closed_on": "办结日期",
    "number": "文号",
    "issued_on": "签发日期",
    "replaces": "更正的文书",
    "handler": "承办人",
    "changes": "修改内容",
    "details": "文书要素",
    "body": "正文",
    "approval_cleared": "原审核意见失效",
    "method": "送达方式",
    "sent_on": "发出日期",
    "tracking_number": "邮件单号",
    "received_on_by_applicant": "申请人收到日期",
    "years": "已发布年度",
    "fields": "涉及字段",
    "filed_on": "申请/起诉日期",
    "result": "结果",
    "concluded_on": "审结日期",
    "received_on_confirmed": "已核对收到日期",
    "receipt_note": "确认晚于到达的原因",
    "case_no": "案件编号",
    "old_case_no": "原案件编号",
    "fee_notice_received_on": "收费通知送达日",
    "extension_reason": "延期理由",
    "supplement_due": "补正期限",
    "new_due": "延期后的答复期限",
    "extension_days": "延长工作日数",
    "until": "延迟答复期限",
    "withhold_reason": "不予公开的理由",
    "access": "获取方式、途径",
    "third_party": "征求意见对象",
    "fee_amount": "金额（元）",
    "payment_method": "缴费方式",
    "responsible_agency": "负责公开的机关",
    "responsible_contact": "该机关联系方式",
    "already_public": "已主动公开",
    # documents to release (issue 14)
    "pages": "页数",
    "page": "页码",
    "terms": "指定遮盖词语",
    "proposals": "新增识别结果",
    "ground": "不予公开依据",
    "box_state": "遮盖区域状态",
    "boxes": "遮盖处数",
    "withdrawn": "不随答复提供",
    "for_publication": "拟主动公开",
    "documents": "公开文件",
}
# Field names of a campaign's history (audits), where they differ from a case's.
AUDIT_FIELD_LABELS: dict[str, str] = {
    "name": "测评名称",
    "period_start": "开始日期",
    "period_end": "结束日期",
    "description": "说明",
    "agencies": "被测评机关",
    "lawyers": "测评律师",
    "agency": "被测评机关",
    "action": "操作",
    "file": "文件",
    "number": "序号",
    "numbers": "序号",
    "sha256": "校验值",
    "reply_scan": "答复书扫描件",
}
# Keys that identify a record for the machine only: the page links to it instead.
HIDDEN_FIELDS = {
    "letter",
    "possible_repeat_public_id",
    "attachment_id",
    "challenge",
    "document_id",  # documents (issue 14)
    "box_id",
    "signoff_id",
}

# Every state a record may hold: the current ones and the single 已办结 that history rows,
# the transition log and old exports recorded before the terminal states followed the outcome.
STATE_CHOICES = [*CaseState.choices, (LEGACY_CLOSED, LEGACY_CLOSED_LABEL)]

_VALUE_SOURCES = [
    Outcome.choices,
    STATE_CHOICES,
    ExtensionState.choices,
    Channel.choices,
    ApplicantType.choices,
    AttachmentKind.choices,
    DeliveryMethod.choices,
    InformationForm.choices,
    ClockKind.choices,
    ChallengeKind.choices,
    ChallengeResult.choices,
]


# Choices of apps that depend on this one (letters, audits), registered from their apps.py
# ready() (letters/orchestration.py, audits/apps.py): requests_app never imports them.
_OTHER_APPS: dict[str, dict[str, str]] = {
    "letter": {},
    "letter_state": {},
    "campaign": {},
    "audit_fields": {},
}


def labels_register(group: str, labels: dict) -> None:
    """Add labels of a higher app to one of the groups above (at start-up, before first use)."""
    _OTHER_APPS[group].update({str(k): str(v) for k, v in labels.items()})
    _values.cache_clear()


def _other_apps() -> dict[str, dict[str, str]]:
    return _OTHER_APPS


@functools.cache
def _values() -> dict[str, str]:
    """Any recorded value with a label (the case's own choices win over other apps')."""
    others = _other_apps()
    merged: dict[str, str] = {**others["campaign"], **others["letter_state"], **others["letter"]}
    for choices in reversed(_VALUE_SOURCES):
        merged.update({str(k): str(v) for k, v in choices})
    return merged


# Fields whose values come from one choice list (where two lists share a value).
FIELD_CHOICES = {
    "channel": Channel.choices,
    "delivery_method": DeliveryMethod.choices,
    "method": DeliveryMethod.choices,
    "information_form": InformationForm.choices,
    "applicant_type": ApplicantType.choices,
    "outcome": Outcome.choices,
    "proposed_outcome": Outcome.choices,
    "earlier_outcome": Outcome.choices,
    "expected_outcome": Outcome.choices,
    "reply_outcome": Outcome.choices,
    "result": ChallengeResult.choices,
    "earlier_state": STATE_CHOICES,
}


CHOICE_KINDS = {
    "state": STATE_CHOICES + ExtensionState.choices,
    "channel": Channel.choices,
    "applicant_type": ApplicantType.choices,
    "outcome": Outcome.choices,
    "event": EventKind.choices,
    "attachment": AttachmentKind.choices,
}


def choice_label(value, kind: str) -> str:
    """The label of one value of a known choice list (state, outcome, …)."""
    if kind == "letter":
        return _other_apps()["letter"].get(value, value or "")
    return dict(CHOICE_KINDS.get(kind, [])).get(value, value or "")


def outcome_detail(case) -> str:
    """What the outcome adds to the case's state, so a page never says it twice: nothing for
    予以公开/部分公开 (the state says it all), the ground for the other groups (不予公开 →
    “属于国家秘密”), the whole label when the state is not the outcome's (a voided case)."""
    if not case.outcome:
        return ""
    full = choice_label(case.outcome, "outcome")
    state = choice_label(case.state, "state")
    if full == state:
        return ""
    group, _, detail = full.partition("：")
    return detail if group == state and detail else full


def field_label(name: str, scope: str = "case") -> str:
    """The label of a recorded field; `scope="audit"` for a campaign's history."""
    if scope == "audit":
        audit = {**_other_apps()["audit_fields"], **AUDIT_FIELD_LABELS}
        if name in audit:
            return audit[name]
    return FIELD_LABELS.get(name, name)


def event_title(event) -> str:
    """The name of a case history row: its transition or letter event, else its kind."""
    if event.transition and event.transition in EVENT_TITLES:
        return EVENT_TITLES[event.transition]
    return choice_label(event.kind, "event")


def person(user) -> str:
    """A person as colleagues know them: the full name, else the display name, else the
    username; the system when nobody acted."""
    if user is None:
        return SYSTEM
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", "") or str(user)


def username_label(username: str) -> str:
    """A username recorded in a history row (older rows, campaign lawyers) as the person."""
    user = get_user_model().objects.filter(username=username).first()
    return person(user) if user is not None else username


def agency_code_label(code: str) -> str:
    agency = Agency.objects.filter(code=code).only("name").first()
    return agency.name if agency is not None else code


def value_label(value, field: str = "") -> str:
    """A recorded value in Chinese: choices by their label, booleans as 是/否, dates as
    YYYY-MM-DD, lists joined with 、, nested records as 'label：value' pairs."""
    if value is None or value in ("", "None") or value == []:
        return EMPTY
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "；".join(
            pair_text(key, inner) for key, inner in value.items() if key not in HIDDEN_FIELDS
        )
    if isinstance(value, list | tuple):
        if field == "fields":
            return "、".join(field_label(str(item)) for item in value)
        return "、".join(value_label(item, field) for item in value)
    if field in ("handler", "lawyers", "actor"):
        return username_label(str(value))
    if field in ("agencies", "agency") and isinstance(value, str):
        return agency_code_label(value)
    if field == "similarity" and isinstance(value, int | float):
        return f"{value:.0%}"
    text = str(value)
    if field in FIELD_CHOICES:
        return dict(FIELD_CHOICES[field]).get(text, text)
    return _values().get(text, text)


LIST_FIELDS = {"agencies", "lawyers", "fields", "years", "numbers"}


def pair_text(key: str, value, scope: str = "case") -> str:
    """'label：old → new' for an [old, new] pair, else 'label：value'."""
    label = field_label(key, scope)
    is_pair = isinstance(value, list) and len(value) == 2
    if key in MASKED_IN_HISTORY:  # identity and phone numbers are masked in every history
        mask = MASKED_IN_HISTORY[key]
        value = [mask(v) if v else v for v in value] if isinstance(value, list) else mask(value)
    if is_pair and (key not in LIST_FIELDS or all(isinstance(v, list) for v in value)):
        return f"{label}：{value_label(value[0], key)} → {value_label(value[1], key)}"
    if key == "fields" and isinstance(value, list):
        return f"{label}：{'、'.join(field_label(str(v)) for v in value)}"
    return f"{label}：{value_label(value, key)}"


def change_rows(changes) -> list[tuple[str, str]]:
    """A history row's changes as (label, text) rows, internal identifiers left out."""
    rows = []
    for key, value in (changes or {}).items():
        if key in HIDDEN_FIELDS:
            continue
        text = pair_text(key, value)
        label = field_label(key)
        rows.append((label, text[len(label) + 1 :]))
    return rows
