"""Replies to a test request: linking it to the agency's case, or recording the reply by hand."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from requests_app.models import Case
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.rules import MAX_EXTENSION_DAYS, RuleViolation

from ..models import (
    AuditEventKind,
    MockRequest,
)
from .helpers import _date, _event, _iso, _lock, _require_lawyer, _require_status
from .messages import (
    MAX_UPLOAD,
    MSG_AGENCY_NOT_TARGETED,
    MSG_ALREADY_LINKED,
    MSG_CASE_OTHER_AGENCY,
    MSG_CASE_TAKEN,
    MSG_CASE_VOID,
    MSG_EXTENSION,
    MSG_FILE_TOO_LARGE,
    MSG_LINKED_NO_MANUAL,
    MSG_OUTCOME,
    MSG_RECEIPT_BEFORE_SENT,
    MSG_REPLY_BEFORE_RECEIPT,
    MSG_REPLY_OUTCOME_PAIR,
    MSG_SCAN_TYPE,
    REPLY_STATUSES,
    SCAN_EXTENSIONS,
    AuditInvalid,
)

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
