"""Edits to a registered case: field edits, the correction of a registration error (issue 11)
and assignment to a handler."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Role
from agencies.selectors import user_roles

from ... import rules
from ...history import history_write, history_write_many
from ...models import (
    Case,
    CaseState,
    Channel,
    ClockKind,
    EventKind,
)
from ...rules import RuleViolation
from ..deadlines import case_deadline_refresh
from ..intake import (
    MSG_CONFIRMATION_LATE,
    MSG_RECEIPT_DATE_CHECK,
    IntakeInvalid,
    intake_clean,
    receipt_date_unusual,
)
from ..period_lock import (  # the published-year lock (SPEC §6, periods app)
    case_period_check,
    registration_period_events,
)
from .registration import case_numbers_reserve
from .shared import _check_role, _iso, _jsonable, _lock, action_refused

# --- field edits ---------------------------------------------------------------------------
EDITABLE_FIELDS = [
    "applicant_name",
    "applicant_id_number",
    "applicant_credit_code",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_postcode",
    "delivery_method",
    "content",
    "information_form",
    "applicant_type",
]


@transaction.atomic
def case_update(
    *, case_id: int, by, changes: dict[str, Any], reason: str, expected_version: int | None = None
) -> Case:
    """Edit registration fields; every change is in the history with old and new values."""
    case = _lock(case_id, expected_version)
    _check_role(by, case.agency_id, "edit")
    if case.state == CaseState.VOID:
        raise RuleViolation("已作废的案件不能修改")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(f"不能修改的字段：{', '.join(sorted(unknown))}", sorted(unknown)[0])
    current = {name: getattr(case, name) for name in EDITABLE_FIELDS}
    # Reuse the intake rules on the whole, edited record.
    probe = {
        **current,
        **changes,
        "channel": case.channel,
        "submitted_on": case.submitted_on,
        "signed_on": case.signed_on,
        "confirmed_on": case.confirmed_on,
        "mail_tracking_number": case.mail_tracking_number,
    }
    cleaned = intake_clean(probe, today=timezone.localdate(), strict_identity=False)
    diff = {
        name: [current[name], cleaned[name]] for name in changes if cleaned[name] != current[name]
    }
    if not diff:
        return case
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    case_period_check(case=case, by=by, changed_fields=list(diff), reason=reason)
    for name, (_, new) in diff.items():
        setattr(case, name, new)
    case.version += 1
    case.save(update_fields=[*diff, "version", "updated_at"])
    history_write(case=case, kind=EventKind.EDIT, by=by, reason=reason, changes=diff)
    return case


# --- correction of a registration error (issue 11, defect 2) -------------------------------
CORRECTABLE_DATES = ["submitted_on", "signed_on", "confirmed_on", "mail_tracking_number"]
MSG_CORRECTION_AFTER_LETTER = (
    "本案已签发文书（{number}），收到日期等登记日期不能再更正；如属登记错误，请作废后重新登记"
)
MSG_CORRECTION_CLOSED = "已办结或作废的案件不能更正登记日期；如属登记错误，请作废后重新登记"
MSG_CORRECTION_NOTHING = "登记日期没有变化"


@transaction.atomic
def case_correct_registration(
    *,
    case_id: int,
    by,
    changes: dict[str, Any],
    reason: str,
    receipt_date_confirmed: bool = False,
    expected_version: int | None = None,
) -> Case:
    """更正登记错误: the channel's dates (and so the receipt date, the deadline and — across a
    year — the case number) of an open case, until any letter of the case is issued; afterwards
    only voiding. The same intake rules apply (an unusual receipt date needs confirmation);
    the history keeps old and new values with the reason."""
    case = _lock(case_id, expected_version)
    _check_role(by, case.agency_id, "edit")
    if not case.is_open:
        raise RuleViolation(MSG_CORRECTION_CLOSED)
    issued = case.letters.filter(state="issued").order_by("issued_at").first()  # letters app
    if issued is not None:
        raise RuleViolation(MSG_CORRECTION_AFTER_LETTER.format(number=issued.number))
    unknown = set(changes) - set(CORRECTABLE_DATES) - {"confirmation_delay_reason"}
    if unknown:
        raise RuleViolation(f"不能更正的字段：{', '.join(sorted(unknown))}", sorted(unknown)[0])
    current = {name: getattr(case, name) for name in CORRECTABLE_DATES}
    probe = {
        **{name: getattr(case, name) for name in EDITABLE_FIELDS},
        **current,
        **changes,
        "channel": case.channel,
        "receipt_date_confirmed": True,  # checked below against the correction's own flag
    }
    cleaned = intake_clean(probe, today=timezone.localdate(), strict_identity=False)
    errors: dict[str, str] = {}
    diff = {
        name: [_jsonable(current[name]), _jsonable(cleaned[name])]
        for name in CORRECTABLE_DATES
        if cleaned[name] != current[name]
    }
    if not diff:
        raise RuleViolation(MSG_CORRECTION_NOTHING)
    received_on = cleaned["received_on"]
    why = receipt_date_unusual(received_on, timezone.localdate())
    arrived, confirmed = cleaned.get("submitted_on"), cleaned.get("confirmed_on")
    late = arrived and confirmed and confirmed > arrived
    if case.channel == Channel.MAIL_ORDINARY and late and not cleaned.get("receipt_note"):
        errors["confirmation_delay_reason"] = MSG_CONFIRMATION_LATE.format(
            arrived=arrived.isoformat(), confirmed=confirmed.isoformat()
        )
    if why and received_on != case.received_on and not receipt_date_confirmed:
        errors["receipt_date_confirmed"] = MSG_RECEIPT_DATE_CHECK.format(
            date=received_on.isoformat(), why=why
        )
    if errors:
        raise IntakeInvalid(errors)
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    for name in CORRECTABLE_DATES:
        setattr(case, name, cleaned[name])
    old_received, old_due, old_no = case.received_on, case.reply_due, case.case_no
    if received_on != old_received:
        diff["received_on"] = [old_received.isoformat(), received_on.isoformat()]
        case.received_on = received_on
        receipt = case.clock_events.filter(kind=ClockKind.RECEIPT).order_by("id").first()
        if receipt is not None:
            receipt.on = received_on
            receipt.note = cleaned.get("receipt_note", "")
            receipt.save(update_fields=["on", "note"])
        if received_on.year != case.year:
            (case.case_no,) = case_numbers_reserve(
                agency=case.agency, year=received_on.year, count=1
            )
            case.year = received_on.year
            diff["case_no"] = [old_no, case.case_no]
    case_deadline_refresh(case)
    if case.reply_due != old_due:
        diff["reply_due"] = [_iso(old_due), _iso(case.reply_due)]
    case.version += 1
    case.save()
    history_write(case=case, kind=EventKind.EDIT, by=by, reason=reason, changes=diff)
    if "received_on" in diff:
        history_write_many(registration_period_events([case], by=by, reason=reason))
    return case


@transaction.atomic
def case_assign(
    *, case_id: int, by, handler_id: int, reason: str = "", expected_version: int | None = None
) -> Case:
    """指定承办人: an approver assigns (or reassigns) any handler of the agency; a handler may
    take an unassigned case for themselves. In the history with the old and new handler."""
    case = _lock(case_id, expected_version)
    roles = user_roles(by, case.agency_id) if by is not None else set()
    if Role.APPROVER not in roles and not (
        Role.HANDLER in roles and handler_id == by.id and case.handler_id in (None, by.id)
    ):
        if Role.HANDLER in roles and handler_id == by.id:
            raise RuleViolation(rules.MSG_ASSIGN_TAKEN, "handler")
        action_refused(by=by, agency_id=case.agency_id, action="assign", case_id=case.id)
    if not case.is_open:
        raise RuleViolation(rules.MSG_ASSIGN_CLOSED)
    handler = get_user_model().objects.filter(pk=handler_id).first()
    if handler is None or Role.HANDLER not in user_roles(handler, case.agency_id):
        raise RuleViolation(rules.MSG_ASSIGN_NOT_HANDLER, "handler")
    if case.handler_id == handler.id:
        return case
    old = case.handler.username if case.handler else None
    case.handler = handler
    case.version += 1
    case.save(update_fields=["handler", "version", "updated_at"])
    history_write(
        case=case,
        kind=EventKind.EDIT,
        by=by,
        reason=reason or "指定承办人",
        changes={"handler": [old, handler.username]},
    )
    return case
