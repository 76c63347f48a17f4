"""Extending the reply period (Art. 33): request, approval, refusal, and the Art. 35 deferral."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from common import limits

from ... import rules
from ...models import (
    Case,
    ClockKind,
)
from ...rules import RuleViolation
from .shared import Decided, _on, case_act


def case_request_extension(
    *,
    case_id: int,
    by,
    days: int,
    reason: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """延期申请 (Art. 33 para 2): before the deadline passes, at most 20 working days."""
    on = _on(on)
    if not 1 <= int(days) <= rules.MAX_EXTENSION_DAYS:
        raise RuleViolation(rules.MSG_EXTENSION_DAYS, "days")
    if not reason.strip():
        raise RuleViolation(rules.MSG_EXTENSION_REASON, "reason")

    def check(case: Case) -> None:
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_EXTENSION_LATE.format(due=case.reply_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="request_extension",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"days": int(days), "reason": reason.strip()},
    )


def case_approve_extension(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """延期批准 (Art. 33 para 2): adds the requested working days to the reply period; it must
    be approved (and notified) before the period runs out."""
    on = _on(on)

    def check(case: Case) -> Decided:
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_EXTENSION_APPROVE_LATE.format(due=case.reply_due), "on")
        return Decided(clock=[(ClockKind.EXTENSION, on, case.extension_days, "批准延期")])

    return case_act(
        case_id=case_id,
        by=by,
        action="approve_extension",
        check=check,
        reason=reason or "同意延期",
        expected_version=expected_version,
    )


def case_defer_reply(
    *,
    case_id: int,
    by,
    until: dt.date | None,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """确定延迟答复的合理期限 (Art. 35, second branch): the applicant's reasons for a request far
    beyond a reasonable amount are accepted, but it cannot be answered within Art. 33's period;
    the office head (approver) fixes a later reply date. The case stays open and is answered
    later: this is not a 不予处理. Decided while the clock runs and before the reply is due."""
    if not (reason or "").strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    if until is None:
        raise RuleViolation(rules.MSG_REQUIRED, "until")
    if message := limits.planned_date_error(until):
        raise RuleViolation(message, "until")
    on = timezone.localdate()

    def check(case: Case) -> None:
        if case.reply_due and until <= case.reply_due:
            raise RuleViolation(rules.MSG_DEFERRAL_NOT_LATER.format(due=case.reply_due), "until")
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_DEFERRAL_LATE.format(due=case.reply_due), "until")

    return case_act(
        case_id=case_id,
        by=by,
        action="defer_reply",
        check=check,
        reason=reason,
        expected_version=expected_version,
        kwargs={},
        clock=[(ClockKind.DEFERRAL, on, 0, reason.strip()[:300], until)],
    )


def case_refuse_extension(
    *, case_id: int, by, reason: str, expected_version: int | None = None
) -> Case:
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    return case_act(
        case_id=case_id,
        by=by,
        action="refuse_extension",
        reason=reason,
        expected_version=expected_version,
    )
