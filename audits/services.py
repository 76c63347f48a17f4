"""Every write to a campaign goes through these services: role check, status guard, the change,
and a history row (`AuditEvent`) in one transaction. Errors are `AuditInvalid` (field → Chinese
message) or `RuleViolation` (one message, optionally one field)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import can_proceed

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids
from common import tables
from common.errors import MSG_NOT_PERMITTED, FieldErrors
from common.errors import NotPermitted as CommonNotPermitted
from requests_app.models import Case, Channel
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.rules import MAX_EXTENSION_DAYS, RuleViolation

from . import scoring
from .models import (
    AuditEvent,
    AuditEventKind,
    Campaign,
    CampaignStatus,
    ChecklistItem,
    ItemScore,
    MockRequest,
    Verdict,
)
from .selectors import campaign_user_is_lawyer, campaign_user_is_supervisor, mock_request_facts

# --- messages (constants so tests and callers can rely on them) ------------------------------
MSG_CONFLICT = "该记录已被他人修改，请刷新后重试"
MSG_REQUIRED = "此项为必填项"
MSG_DATE = "日期格式应为 YYYY-MM-DD"
MSG_PERIOD = "结束日期不能早于开始日期"
MSG_AGENCY_NOT_BELOW = "机关“{name}”不在组织机关的管辖范围内"
MSG_AGENCY_UNKNOWN = "机关代码“{code}”不存在"
MSG_AGENCY_NOT_TARGETED = "机关“{name}”不是本次测评的被测评机关"
MSG_AGENCY_HAS_REQUESTS = "机关“{name}”已有模拟申请，不能移出测评"
MSG_NOT_AUDITOR = "用户“{name}”不是律师/评估人，不能指派"
MSG_CHANNEL = (
    "申请渠道“{value}”无效，应为 online、email、fax、mail_signed、mail_ordinary、in_person 之一"
)
MSG_OUTCOME = "办理结果“{value}”不是有效的结果代码"
MSG_STATUS = "测评当前状态为“{status}”，不能{action}"
MSG_NO_AGENCIES = "请至少选择一个被测评机关"
MSG_NO_LAWYERS = "请至少指派一名测评律师"
MSG_NO_REQUESTS = "测评还没有模拟申请"
MSG_NOT_SENT = "模拟申请 {codes} 尚未登记发出日期"
MSG_NOT_SCORED = "模拟申请 {codes} 尚未评分完毕"
MSG_NOTHING_JUDGED = (
    "模拟申请 {codes} 没有“符合”或“不符合”的评分结论（各项均为不适用或无法判断，不能计分）："
    "请评定（如机关未答复，按未受理或逾期未答复评为不符合），或说明理由后排除出评分"
)
MSG_EXCLUDE_REASON = "请填写排除出评分的理由"
MSG_INCLUDE_REASON = "请填写恢复计入评分的理由"
MSG_ALREADY_EXCLUDED = "该模拟申请已排除出评分"
MSG_NOT_EXCLUDED = "该模拟申请未被排除出评分"
MSG_EXCLUDED_NO_SCORE = "该模拟申请已排除出评分，如需评分请先恢复计入评分"
MSG_CASE_OTHER_AGENCY = "该案件不属于被测评机关“{name}”"
MSG_CASE_TAKEN = "该案件已关联其他模拟申请"
MSG_CASE_VOID = "该案件已作废，不能关联"
MSG_ALREADY_LINKED = "该模拟申请已关联案件，请先取消关联"
MSG_LINKED_NO_MANUAL = "已关联案件的模拟申请以案件记录为准，无需手工登记答复"
MSG_REPLY_BEFORE_RECEIPT = "答复日期不能早于收到申请之日"
MSG_RECEIPT_BEFORE_SENT = "收到申请之日不能早于发出日期"
MSG_EXTENSION = "延期不得超过20个工作日"
MSG_REPLY_OUTCOME_PAIR = "答复日期和答复结果须同时填写"
MSG_VERDICT = "评分结论无效"
MSG_WEIGHT = "分值须为0至100的整数"
MSG_ITEM_KEY = "评分项代码只能包含小写字母、数字和下划线，且在本测评中唯一"
MSG_IMPORT_EMPTY = "文件中没有模拟申请"
MSG_IMPORT_COLUMNS = "缺少列：{columns}"
MSG_IMPORT_FORMAT = "只支持 .xlsx 或 .csv 文件"
MSG_FILE_TOO_LARGE = "文件不能超过 10 MB"
MSG_SCAN_TYPE = "扫描件须为 PDF、JPG、PNG 或 TIFF 文件"
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")

STATUS_LABELS = dict(CampaignStatus.choices)
EDITABLE_STATUSES = (CampaignStatus.PLANNING, CampaignStatus.RUNNING, CampaignStatus.SCORING)
REQUEST_ENTRY_STATUSES = (CampaignStatus.PLANNING, CampaignStatus.RUNNING)
REPLY_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.SCORING)
MAX_UPLOAD = 10 * 1024 * 1024

IMPORT_COLUMNS = [
    "agency_code",
    "channel",
    "sent_on",
    "tracking_number",
    "request_text",
    "applicant_identity",
    "expected_outcome",
]


class AuditInvalid(FieldErrors):
    """Bad input: every problem keyed by field (or by `row N` for imports)."""


class NotPermitted(CommonNotPermitted):
    """The user may not do this in audits (the common 403 refusal)."""


# --- helpers ---------------------------------------------------------------------------------


def _event(
    campaign: Campaign,
    by,
    kind: str,
    *,
    test_request=None,
    reason="",
    changes=None,
    from_status="",
    to_status="",
) -> AuditEvent:
    return AuditEvent.objects.create(
        campaign=campaign,
        test_request=test_request,
        kind=kind,
        actor=by,
        reason=reason,
        changes=changes or {},
        from_status=from_status,
        to_status=to_status,
    )


def _lock(campaign_id: int, expected_version: int | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if expected_version is not None and expected_version != campaign.version:
        raise RuleViolation(MSG_CONFLICT)
    return campaign


def _bump(campaign: Campaign) -> None:
    campaign.version += 1
    campaign.save(update_fields=["version"])


def _require_supervisor(by, campaign: Campaign) -> None:
    if by is None or not campaign_user_is_supervisor(by, campaign):
        raise NotPermitted(MSG_NOT_PERMITTED)


def _require_lawyer(by, campaign: Campaign, *, or_supervisor: bool = False) -> None:
    if by is not None and campaign_user_is_lawyer(by, campaign):
        return
    if or_supervisor and by is not None and campaign_user_is_supervisor(by, campaign):
        return
    raise NotPermitted(MSG_NOT_PERMITTED)


def _require_status(campaign: Campaign, allowed: Iterable[str], action: str) -> None:
    if campaign.status not in allowed:
        raise RuleViolation(
            MSG_STATUS.format(status=STATUS_LABELS[campaign.status], action=action), "status"
        )


def _date(value: Any, field: str, errors: dict[str, str], *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[field] = MSG_REQUIRED
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = MSG_DATE
        return None


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


# --- campaigns -------------------------------------------------------------------------------


def _clean_campaign(data: dict[str, Any], supervising: Agency) -> tuple[dict, list[Agency], list]:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = MSG_REQUIRED
    start = _date(data.get("period_start"), "period_start", errors, required=True)
    end = _date(data.get("period_end"), "period_end", errors, required=True)
    if start and end and end < start:
        errors["period_end"] = MSG_PERIOD
    allowed = agency_subtree_ids(supervising.id)
    agencies = list(Agency.objects.filter(pk__in=list(data.get("agency_ids") or [])))
    for agency in agencies:
        if agency.id not in allowed:
            errors["agency_ids"] = MSG_AGENCY_NOT_BELOW.format(name=agency.name)
    User = get_user_model()
    lawyers = list(User.objects.filter(pk__in=list(data.get("lawyer_ids") or [])))
    auditor_ids = set(
        Membership.objects.filter(role=Role.AUDITOR, user__in=lawyers).values_list(
            "user_id", flat=True
        )
    )
    for lawyer in lawyers:
        if lawyer.id not in auditor_ids:
            errors["lawyer_ids"] = MSG_NOT_AUDITOR.format(name=lawyer.get_username())
    if errors:
        raise AuditInvalid(errors)
    fields = {
        "name": name,
        "period_start": start,
        "period_end": end,
        "description": str(data.get("description") or "").strip(),
    }
    return fields, agencies, lawyers


def campaign_lawyer_candidates(supervising: Agency):
    """Users holding the auditor role in the supervising office (assigned by default)."""
    return (
        get_user_model()
        .objects.filter(memberships__agency=supervising, memberships__role=Role.AUDITOR)
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def campaign_create(*, by, supervising_agency: Agency, data: dict[str, Any]) -> Campaign:
    """New campaign in `planning`, with the default checklist. Only a supervisor of the
    supervising agency (or above it) may create one. Without explicit lawyers, the auditors
    of the supervising office are assigned."""
    covered: set[int] = set()
    for agency_id in Membership.objects.filter(user=by, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    ):
        covered |= agency_subtree_ids(agency_id)
    if supervising_agency.id not in covered:
        raise NotPermitted(MSG_NOT_PERMITTED)
    data = dict(data)
    if not data.get("lawyer_ids"):
        data["lawyer_ids"] = list(
            campaign_lawyer_candidates(supervising_agency).values_list("id", flat=True)
        )
    fields, agencies, lawyers = _clean_campaign(data, supervising_agency)
    campaign = Campaign.objects.create(
        supervising_agency=supervising_agency, created_by=by, **fields
    )
    campaign.agencies.set(agencies)
    campaign.lawyers.set(lawyers)
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                campaign=campaign,
                key=s.key,
                label=s.label,
                description=s.description,
                weight=s.weight,
                position=i + 1,
            )
            for i, s in enumerate(scoring.DEFAULT_CHECKLIST)
        ]
    )
    _event(
        campaign,
        by,
        AuditEventKind.CREATED,
        to_status=campaign.status,
        changes={
            **{k: _iso(v) for k, v in fields.items()},
            "agencies": sorted(a.code for a in agencies),
            "lawyers": sorted(u.get_username() for u in lawyers),
        },
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign_id: int,
    by,
    data: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> Campaign:
    """Edit name, period, description, targeted agencies and lawyers (not after publishing).
    An agency with test requests cannot be removed."""
    campaign = _lock(campaign_id, expected_version)
    _require_supervisor(by, campaign)
    _require_status(campaign, EDITABLE_STATUSES, "修改")
    fields, agencies, lawyers = _clean_campaign(data, campaign.supervising_agency)
    used = set(campaign.test_requests.values_list("agency_id", flat=True))
    kept = {a.id for a in agencies}
    for agency in Agency.objects.filter(pk__in=used - kept):
        raise AuditInvalid({"agency_ids": MSG_AGENCY_HAS_REQUESTS.format(name=agency.name)})
    changes: dict[str, list] = {}
    for name, value in fields.items():
        old = getattr(campaign, name)
        if old != value:
            changes[name] = [_iso(old), _iso(value)]
            setattr(campaign, name, value)
    old_agencies = sorted(campaign.agencies.values_list("code", flat=True))
    new_agencies = sorted(a.code for a in agencies)
    if old_agencies != new_agencies:
        changes["agencies"] = [old_agencies, new_agencies]
        campaign.agencies.set(agencies)
    old_lawyers = sorted(u.get_username() for u in campaign.lawyers.all())
    new_lawyers = sorted(u.get_username() for u in lawyers)
    if old_lawyers != new_lawyers:
        changes["lawyers"] = [old_lawyers, new_lawyers]
        campaign.lawyers.set(lawyers)
    if not changes:
        return campaign
    campaign.version += 1
    campaign.save()
    _event(campaign, by, AuditEventKind.EDIT, reason=reason, changes=changes)
    return campaign


TRANSITIONS = {
    "start": ("开始测试", "supervisor"),
    "start_scoring": ("进入评分", "member"),
    "reopen": ("退回测试中", "supervisor"),
    "publish": ("发布结果", "supervisor"),
}


def campaign_transition_problems(campaign: Campaign, action: str) -> list[str]:
    """The guards of a transition: empty when it may run."""
    problems: list[str] = []
    requests = list(campaign.test_requests.order_by("number"))
    if action == "start":
        if not campaign.agencies.exists():
            problems.append(MSG_NO_AGENCIES)
        if not campaign.lawyers.exists():
            problems.append(MSG_NO_LAWYERS)
    elif action == "start_scoring":
        if not requests:
            problems.append(MSG_NO_REQUESTS)
        unsent = [tr.code for tr in requests if tr.sent_on is None]
        if unsent:
            problems.append(MSG_NOT_SENT.format(codes="、".join(unsent)))
    elif action == "publish":
        if not requests:
            problems.append(MSG_NO_REQUESTS)
        states = mock_request_scoring_states(campaign)
        for state, message in ((UNSCORED, MSG_NOT_SCORED), (UNJUDGED, MSG_NOTHING_JUDGED)):
            codes = [tr.code for tr in requests if states.get(tr.id) == state]
            if codes:
                problems.append(message.format(codes="、".join(codes)))
    return problems


# A test request's scoring state: every weighted item has a verdict and at least one is
# pass or fail (SCORED); a weighted item has no verdict yet (UNSCORED); every verdict is
# not_applicable or cannot_tell, so it counts for nothing (UNJUDGED) — an agency would rank
# at 100 % on its other requests while this one was, say, never answered; or it was
# explicitly left out with a reason (EXCLUDED). Publishing needs SCORED or EXCLUDED for all.
SCORED, UNSCORED, UNJUDGED, EXCLUDED = "scored", "unscored", "unjudged", "excluded"
SCORING_STATE_LABELS = {
    SCORED: "已评分",
    UNSCORED: "待评分",
    UNJUDGED: "无可计分结论",
    EXCLUDED: "已排除出评分",
}


def mock_request_scoring_states(campaign: Campaign) -> dict[int, str]:
    """{test request id: SCORED / UNSCORED / UNJUDGED / EXCLUDED} (two queries)."""
    item_ids = set(campaign.items.filter(weight__gt=0).values_list("id", flat=True))
    verdicts: dict[int, dict[int, str]] = {}
    for tr_id, item_id, verdict in ItemScore.objects.filter(
        test_request__campaign=campaign
    ).values_list("test_request_id", "item_id", "verdict"):
        verdicts.setdefault(tr_id, {})[item_id] = verdict
    states = {}
    for tr_id, excluded_at in campaign.test_requests.values_list("id", "excluded_at"):
        given = verdicts.get(tr_id, {})
        if excluded_at is not None:
            states[tr_id] = EXCLUDED
        elif not item_ids <= given.keys():
            states[tr_id] = UNSCORED
        elif item_ids and not any(given[i] in scoring.JUDGED for i in item_ids):
            states[tr_id] = UNJUDGED
        else:
            states[tr_id] = SCORED
    return states


def mock_requests_incomplete(campaign: Campaign) -> list[MockRequest]:
    """Test requests that keep the campaign from being published: not excluded, and either a
    weighted checklist item without a verdict or no pass/fail verdict at all."""
    states = mock_request_scoring_states(campaign)
    return [
        tr
        for tr in campaign.test_requests.order_by("number")
        if states.get(tr.id) in (UNSCORED, UNJUDGED)
    ]


def campaign_actions_available(campaign: Campaign, user) -> list[tuple[str, str]]:
    """(action, label) the user may run now (status allows; guards are checked on running)."""
    found = []
    is_supervisor = campaign_user_is_supervisor(user, campaign)
    is_lawyer = campaign_user_is_lawyer(user, campaign)
    for action, (label, who) in TRANSITIONS.items():
        if not can_proceed(getattr(campaign, action)):
            continue
        if is_supervisor or (who == "member" and is_lawyer):
            found.append((action, label))
    return found


@transaction.atomic
def campaign_transition(
    *, campaign_id: int, by, action: str, reason: str = "", expected_version: int | None = None
) -> Campaign:
    """planning → running → scoring (→ running) → published, with guards and history."""
    if action not in TRANSITIONS:
        raise RuleViolation(MSG_NOT_PERMITTED)
    label, who = TRANSITIONS[action]
    campaign = _lock(campaign_id, expected_version)
    if who == "member":
        _require_lawyer(by, campaign, or_supervisor=True)
    else:
        _require_supervisor(by, campaign)
    if not can_proceed(getattr(campaign, action)):
        raise RuleViolation(
            MSG_STATUS.format(status=STATUS_LABELS[campaign.status], action=label), "status"
        )
    problems = campaign_transition_problems(campaign, action)
    if problems:
        raise RuleViolation("；".join(problems), "status")
    old = campaign.status
    if action == "publish":
        campaign.publish(at=timezone.now())
    else:
        getattr(campaign, action)()
    campaign.version += 1
    campaign.save()
    _event(
        campaign,
        by,
        AuditEventKind.TRANSITION,
        from_status=old,
        to_status=campaign.status,
        reason=reason,
        changes={"action": action},
    )
    return campaign


# --- checklist -------------------------------------------------------------------------------


@transaction.atomic
def checklist_update(
    *,
    campaign_id: int,
    by,
    items: list[dict[str, Any]],
    reason: str = "",
    expected_version: int | None = None,
) -> Campaign:
    """Set labels, weights, order of existing items (by id) and add new ones (no id).
    Items are never deleted: weight 0 leaves an item out of the score."""
    campaign = _lock(campaign_id, expected_version)
    _require_supervisor(by, campaign)
    _require_status(campaign, EDITABLE_STATUSES, "修改评分项")
    existing = {i.id: i for i in campaign.items.all()}
    keys = {i.key for i in existing.values()}
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    to_create: list[ChecklistItem] = []
    for n, row in enumerate(items):
        prefix = f"items-{n}-"
        label = str(row.get("label") or "").strip()
        if not label:
            errors[prefix + "label"] = MSG_REQUIRED
        try:
            weight = int(row.get("weight"))
            if not 0 <= weight <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors[prefix + "weight"] = MSG_WEIGHT
            continue
        position = int(row.get("position") or n + 1)
        item_id = row.get("id")
        if item_id:
            item = existing.get(int(item_id))
            if item is None:
                errors[prefix + "id"] = MSG_REQUIRED
                continue
            diff = {}
            for name, value in (
                ("label", label),
                ("weight", weight),
                ("position", position),
                ("description", str(row.get("description") or item.description)),
            ):
                if getattr(item, name) != value:
                    diff[name] = [getattr(item, name), value]
                    setattr(item, name, value)
            if diff:
                changes[item.key] = diff
                item.save()
        else:
            key = str(row.get("key") or "").strip()
            if not re.fullmatch(r"[a-z0-9_]{1,40}", key) or key in keys:
                errors[prefix + "key"] = MSG_ITEM_KEY
                continue
            keys.add(key)
            to_create.append(
                ChecklistItem(
                    campaign=campaign,
                    key=key,
                    label=label,
                    weight=weight,
                    position=position,
                    description=str(row.get("description") or ""),
                )
            )
            changes[key] = {"added": [label, weight]}
    if errors:
        transaction.set_rollback(True)
        raise AuditInvalid(errors)
    ChecklistItem.objects.bulk_create(to_create)
    if changes:
        _bump(campaign)
        _event(campaign, by, AuditEventKind.CHECKLIST, reason=reason, changes=changes)
    return campaign


# --- test requests ---------------------------------------------------------------------------


def _clean_test_request(
    data: dict[str, Any], campaign: Campaign, targets: dict[str, Agency], *, by_code: bool
) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if by_code:
        code = str(data.get("agency_code") or "").strip()
        if not code:
            errors["agency_code"] = MSG_REQUIRED
        elif code not in targets:
            if Agency.objects.filter(code=code).exists():
                errors["agency_code"] = MSG_AGENCY_NOT_TARGETED.format(name=code)
            else:
                errors["agency_code"] = MSG_AGENCY_UNKNOWN.format(code=code)
        else:
            cleaned["agency"] = targets[code]
    else:
        agency_id = data.get("agency_id")
        match = [a for a in targets.values() if str(a.id) == str(agency_id)]
        if not agency_id:
            errors["agency_id"] = MSG_REQUIRED
        elif not match:
            errors["agency_id"] = MSG_AGENCY_NOT_TARGETED.format(name=agency_id)
        else:
            cleaned["agency"] = match[0]
    channel = str(data.get("channel") or "").strip()
    if not channel:
        errors["channel"] = MSG_REQUIRED
    elif channel not in Channel.values:
        errors["channel"] = MSG_CHANNEL.format(value=channel)
    cleaned["channel"] = channel
    cleaned["sent_on"] = _date(data.get("sent_on"), "sent_on", errors, required=False)
    for name, required in (
        ("tracking_number", False),
        ("request_text", True),
        ("applicant_identity", True),
    ):
        value = data.get(name)
        value = "" if value is None else str(value).strip()
        if required and not value:
            errors[name] = MSG_REQUIRED
        cleaned[name] = value
    if len(cleaned["tracking_number"]) > 60:
        errors["tracking_number"] = "邮件单号不能超过60个字符"
    if len(cleaned["applicant_identity"]) > 200:
        errors["applicant_identity"] = "申请人身份不能超过200个字符"
    outcome = str(data.get("expected_outcome") or "").strip()
    if not outcome:
        errors["expected_outcome"] = MSG_REQUIRED
    elif outcome not in OUTCOME_KEYS:
        errors["expected_outcome"] = MSG_OUTCOME.format(value=outcome)
    cleaned["expected_outcome"] = outcome
    return cleaned, errors


def _targets(campaign: Campaign) -> dict[str, Agency]:
    return {a.code: a for a in campaign.agencies.all()}


def _next_number(campaign: Campaign) -> int:
    return (campaign.test_requests.aggregate(m=Max("number"))["m"] or 0) + 1


@transaction.atomic
def mock_request_create(*, campaign_id: int, by, data: dict[str, Any]) -> MockRequest:
    """Add one test request (lawyers or the supervisor; while planning or running)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REQUEST_ENTRY_STATUSES, "新增模拟申请")
    cleaned, errors = _clean_test_request(
        data, campaign, _targets(campaign), by_code="agency_code" in data
    )
    if errors:
        raise AuditInvalid(errors)
    tr = MockRequest.objects.create(
        campaign=campaign, number=_next_number(campaign), created_by=by, **cleaned
    )
    _event(
        campaign,
        by,
        AuditEventKind.TEST_REQUEST,
        test_request=tr,
        changes={
            "number": tr.number,
            "agency": tr.agency.code,
            "channel": tr.channel,
            "sent_on": _iso(tr.sent_on),
            "expected_outcome": tr.expected_outcome,
        },
    )
    return tr


@transaction.atomic
def mock_request_update(
    *, campaign_id: int, number: int, by, data: dict[str, Any], reason: str = ""
) -> MockRequest:
    """Correct a test request's own data (sent date, tracking number, text, …)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, EDITABLE_STATUSES, "修改模拟申请")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    cleaned, errors = _clean_test_request(data, campaign, _targets(campaign), by_code=False)
    if tr.case_id and cleaned.get("agency") and cleaned["agency"].id != tr.agency_id:
        errors["agency_id"] = MSG_ALREADY_LINKED
    if errors:
        raise AuditInvalid(errors)
    changes = {}
    for name, value in cleaned.items():
        old = getattr(tr, name)
        if old != value:
            changes[name] = [str(_iso(old)), str(_iso(value))]
            setattr(tr, name, value)
    if changes:
        tr.version += 1
        tr.save()
        _event(campaign, by, AuditEventKind.EDIT, test_request=tr, reason=reason, changes=changes)
    return tr


def _read_rows(content: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """(file line number, row dict) for every non-empty data row; header is line 1
    (`common.tables`, the reader of every import)."""
    try:
        table = tables.table_read(
            content,
            filename=filename,
            columns=IMPORT_COLUMNS,
            messages={
                "bad_type": MSG_IMPORT_FORMAT,
                "no_rows": MSG_IMPORT_EMPTY,
                "missing_columns": MSG_IMPORT_COLUMNS,
            },
        )
    except tables.TableError as exc:
        raise AuditInvalid(exc.errors) from exc
    return [(row.line, row.values) for row in table]


FIELD_LABELS = {
    "agency_code": "agency_code（机关代码）",
    "channel": "channel（申请渠道）",
    "sent_on": "sent_on（发出日期）",
    "tracking_number": "tracking_number（邮件单号）",
    "request_text": "request_text（申请内容）",
    "applicant_identity": "applicant_identity（申请人身份）",
    "expected_outcome": "expected_outcome（预期办理结果）",
}


@transaction.atomic
def mock_requests_import(
    *, campaign_id: int, by, content: bytes, filename: str
) -> list[MockRequest]:
    """Import test requests from .xlsx (first sheet) or .csv (UTF-8, with or without BOM),
    columns `IMPORT_COLUMNS`. All or nothing: any bad row → every problem as `row N: problem`
    (N = the file's line, header = 1) and nothing saved."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REQUEST_ENTRY_STATUSES, "导入模拟申请")
    if len(content) > MAX_UPLOAD:
        raise AuditInvalid([f"row 1: {MSG_FILE_TOO_LARGE}"])
    rows = _read_rows(content, filename)
    if not rows:
        raise AuditInvalid([f"row 2: {MSG_IMPORT_EMPTY}"])
    targets = _targets(campaign)
    problems: list[str] = []
    cleaned_rows = []
    for n, row in rows:
        cleaned, errors = _clean_test_request(row, campaign, targets, by_code=True)
        for field_name, message in errors.items():
            problems.append(f"row {n}: {FIELD_LABELS.get(field_name, field_name)} {message}")
        cleaned_rows.append(cleaned)
    if problems:
        raise AuditInvalid(problems)
    number = _next_number(campaign)
    created = MockRequest.objects.bulk_create(
        [
            MockRequest(campaign=campaign, number=number + i, created_by=by, **cleaned)
            for i, cleaned in enumerate(cleaned_rows)
        ]
    )
    _event(
        campaign,
        by,
        AuditEventKind.IMPORTED,
        changes={
            "file": filename,
            "sha256": hashlib.sha256(content).hexdigest(),
            "numbers": [tr.number for tr in created],
        },
    )
    return created


# --- replies: linking to the agency's case or recording by hand --------------------------------


@transaction.atomic
def mock_request_link_case(*, campaign_id: int, number: int, by, case_id: int) -> MockRequest:
    """Link the test request to the case its agency registered (assigned lawyers only; the case
    must belong to the test request's agency, which the campaign targets)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign)
    _require_status(campaign, REPLY_STATUSES, "关联案件")
    tr = (
        MockRequest.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(campaign=campaign, number=number)
    )
    if tr.case_id:
        raise RuleViolation(MSG_ALREADY_LINKED, "case_id")
    if not campaign.agencies.filter(pk=tr.agency_id).exists():
        raise RuleViolation(MSG_AGENCY_NOT_TARGETED.format(name=tr.agency.name), "case_id")
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.agency_id != tr.agency_id:
        raise RuleViolation(MSG_CASE_OTHER_AGENCY.format(name=tr.agency.name), "case_id")
    if case.state == "void":
        raise RuleViolation(MSG_CASE_VOID, "case_id")
    if MockRequest.objects.filter(case_id=case.id).exists():
        raise RuleViolation(MSG_CASE_TAKEN, "case_id")
    tr.case = case
    tr.version += 1
    tr.save(update_fields=["case", "version"])
    _event(campaign, by, AuditEventKind.LINKED, test_request=tr, changes={"case_no": case.case_no})
    return tr


@transaction.atomic
def mock_request_unlink_case(*, campaign_id: int, number: int, by, reason: str) -> MockRequest:
    """Undo a wrong link (the history keeps it)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign)
    _require_status(campaign, REPLY_STATUSES, "取消关联")
    if not reason.strip():
        raise RuleViolation("请填写取消关联的理由", "reason")
    tr = (
        MockRequest.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(campaign=campaign, number=number)
    )
    if tr.case_id:
        old = tr.case.case_no
        tr.case = None
        tr.version += 1
        tr.save(update_fields=["case", "version"])
        _event(
            campaign,
            by,
            AuditEventKind.UNLINKED,
            test_request=tr,
            reason=reason,
            changes={"case_no": old},
        )
    return tr


@transaction.atomic
def mock_request_record_reply(
    *, campaign_id: int, number: int, by, data: dict[str, Any], scan=None
) -> MockRequest:
    """The lawyer records by hand how an agency outside the system handled the request:
    the receipt date (start of the statutory clock), any supplement notice, extension, the
    reply's date and outcome, and the scanned reply."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign)
    _require_status(campaign, REPLY_STATUSES, "登记答复")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    if tr.case_id:
        raise RuleViolation(MSG_LINKED_NO_MANUAL)
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in ("received_on", "supplement_on", "supplement_answered_on", "replied_on"):
        cleaned[name] = _date(data.get(name), name, errors, required=False)
    today = timezone.localdate()
    for name in ("received_on", "supplement_on", "supplement_answered_on", "replied_on"):
        if cleaned[name] and cleaned[name] > today:
            errors[name] = "日期不能晚于今天"
    try:
        days = int(data.get("extension_days") or 0)
        if not 0 <= days <= MAX_EXTENSION_DAYS:
            raise ValueError
        cleaned["extension_days"] = days
    except (TypeError, ValueError):
        errors["extension_days"] = MSG_EXTENSION
    outcome = str(data.get("reply_outcome") or "").strip()
    if outcome and outcome not in OUTCOME_KEYS:
        errors["reply_outcome"] = MSG_OUTCOME.format(value=outcome)
    cleaned["reply_outcome"] = outcome
    if bool(outcome) != bool(cleaned["replied_on"]) and "replied_on" not in errors:
        errors["reply_outcome" if cleaned["replied_on"] else "replied_on"] = MSG_REPLY_OUTCOME_PAIR
    received = cleaned["received_on"]
    if received and tr.sent_on and received < tr.sent_on:
        errors["received_on"] = MSG_RECEIPT_BEFORE_SENT
    if cleaned["replied_on"] and received and cleaned["replied_on"] < received:
        errors["replied_on"] = MSG_REPLY_BEFORE_RECEIPT
    if (cleaned["supplement_on"] or cleaned["supplement_answered_on"]) and not received:
        errors["received_on"] = "登记补正情况须先填写收到申请之日"
    if cleaned["supplement_answered_on"] and not cleaned["supplement_on"]:
        errors["supplement_on"] = "请填写补正告知日期"
    cleaned["supplement_text"] = str(data.get("supplement_text") or "").strip()
    cleaned["reply_note"] = str(data.get("reply_note") or "").strip()
    if scan is not None and scan.size > MAX_UPLOAD:
        errors["reply_scan"] = MSG_FILE_TOO_LARGE
    elif scan is not None and not scan.name.lower().endswith(SCAN_EXTENSIONS):
        errors["reply_scan"] = MSG_SCAN_TYPE
    if errors:
        raise AuditInvalid(errors)
    changes = {}
    for name, value in cleaned.items():
        old = getattr(tr, name)
        if old != value:
            changes[name] = [_iso(old), _iso(value)]
            setattr(tr, name, value)
    if scan is not None:
        body = scan.read()
        digest = hashlib.sha256(body).hexdigest()
        # stored under a random name: the media folder never reveals whose reply it is
        extension = scan.name.rsplit(".", 1)[-1].lower()
        tr.reply_scan.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(body), save=False)
        tr.reply_scan_name = scan.name[:200]
        changes["reply_scan"] = [None, {"name": scan.name, "sha256": digest, "size": len(body)}]
    if changes:
        tr.version += 1
        tr.save()
        _event(campaign, by, AuditEventKind.REPLY, test_request=tr, changes=changes)
    return tr


# --- scoring ---------------------------------------------------------------------------------


def mock_request_prefill(
    test_request: MockRequest, *, today: dt.date | None = None
) -> dict[str, tuple[str, str]]:
    """The system's suggestions for the test request's checklist, keyed by item key."""
    facts = mock_request_facts(test_request, today=today)
    return scoring.checklist_prefill(facts, test_request.expected_outcome)


@transaction.atomic
def mock_request_score(
    *,
    campaign_id: int,
    number: int,
    by,
    verdicts: dict[int, tuple[str, str]],
    today: dt.date | None = None,
) -> MockRequest:
    """Store the lawyer's verdicts ({item_id: (verdict, note)}) with the system's suggestion
    kept beside each; every change is in the history. Assigned lawyers only, while running or
    scoring."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign)
    _require_status(campaign, REPLY_STATUSES, "评分")
    tr = (
        MockRequest.objects.select_for_update(of=("self",))
        .select_related("case", "agency")
        .get(campaign=campaign, number=number)
    )
    if tr.excluded_at is not None:
        raise RuleViolation(MSG_EXCLUDED_NO_SCORE)
    items = {i.id: i for i in campaign.items.all()}
    errors: dict[str, str] = {}
    for item_id, (verdict, _note) in verdicts.items():
        if item_id not in items:
            errors[f"item_{item_id}"] = MSG_VERDICT
        elif verdict not in Verdict.values:
            errors[f"item_{item_id}"] = MSG_VERDICT
    if errors:
        raise AuditInvalid(errors)
    suggestions = mock_request_prefill(tr, today=today)
    existing = {s.item_id: s for s in tr.scores.all()}
    changes: dict[str, Any] = {}
    for item_id, (verdict, note) in verdicts.items():
        item = items[item_id]
        suggested = suggestions.get(item.key, ("", ""))
        note = (note or "").strip()
        score = existing.get(item_id)
        if score is None:
            ItemScore.objects.create(
                test_request=tr,
                item=item,
                verdict=verdict,
                note=note,
                suggested_verdict=suggested[0],
                suggested_note=suggested[1],
                scored_by=by,
            )
            changes[item.key] = [None, verdict]
        elif (score.verdict, score.note) != (verdict, note):
            changes[item.key] = [score.verdict, verdict]
            score.verdict, score.note, score.scored_by = verdict, note, by
            score.suggested_verdict, score.suggested_note = suggested
            score.save()
    if changes:
        tr.scored_at, tr.scored_by = timezone.now(), by
        tr.version += 1
        tr.save(update_fields=["scored_at", "scored_by", "version"])
        _event(campaign, by, AuditEventKind.SCORED, test_request=tr, changes=changes)
    return tr


@transaction.atomic
def mock_request_exclude(*, campaign_id: int, number: int, by, reason: str) -> MockRequest:
    """Leave a test request out of the scores and the ranking, with a reason (who, when and why
    are kept on the request and in the history). Assigned lawyers or the supervisor, while
    running or scoring; undone by `mock_request_include`."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REPLY_STATUSES, "排除出评分")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(MSG_EXCLUDE_REASON, "reason")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    if tr.excluded_at is not None:
        raise RuleViolation(MSG_ALREADY_EXCLUDED)
    tr.excluded_at, tr.excluded_by, tr.exclusion_reason = timezone.now(), by, reason
    tr.version += 1
    tr.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason", "version"])
    _event(
        campaign,
        by,
        AuditEventKind.EXCLUDED,
        test_request=tr,
        reason=reason,
        changes={"excluded": [False, True]},
    )
    _bump(campaign)
    return tr


@transaction.atomic
def mock_request_include(*, campaign_id: int, number: int, by, reason: str) -> MockRequest:
    """Count an excluded test request again (the exclusion stays in the history)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REPLY_STATUSES, "恢复计入评分")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(MSG_INCLUDE_REASON, "reason")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    if tr.excluded_at is None:
        raise RuleViolation(MSG_NOT_EXCLUDED)
    old_reason = tr.exclusion_reason
    tr.excluded_at, tr.excluded_by, tr.exclusion_reason = None, None, ""
    tr.version += 1
    tr.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason", "version"])
    _event(
        campaign,
        by,
        AuditEventKind.INCLUDED,
        test_request=tr,
        reason=reason,
        changes={"excluded": [True, False], "exclusion_reason": [old_reason, ""]},
    )
    _bump(campaign)
    return tr
