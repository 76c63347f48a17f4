"""Test requests (mock requests): entering one, editing it, importing many from .xlsx/.csv."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Max

from agencies.models import Agency
from common import tables
from requests_app.models import Channel
from requests_app.outcomes import OUTCOME_KEYS

from ..models import (
    AuditEventKind,
    Campaign,
    MockRequest,
)
from .helpers import _date, _event, _iso, _lock, _require_lawyer, _require_status
from .messages import (
    EDITABLE_STATUSES,
    IMPORT_COLUMNS,
    MAX_UPLOAD,
    MSG_AGENCY_NOT_TARGETED,
    MSG_AGENCY_UNKNOWN,
    MSG_ALREADY_LINKED,
    MSG_CHANNEL,
    MSG_FILE_TOO_LARGE,
    MSG_IMPORT_COLUMNS,
    MSG_IMPORT_EMPTY,
    MSG_IMPORT_FORMAT,
    MSG_OUTCOME,
    MSG_REQUIRED,
    REQUEST_ENTRY_STATUSES,
    AuditInvalid,
)

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
