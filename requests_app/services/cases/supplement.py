"""Asking the applicant to supplement the request (Art. 30): the request, the applicant's
answer, and the case deemed abandoned when none comes."""

from __future__ import annotations

import datetime as dt

from common import limits
from workcalendar.selectors import calendar_get

from ... import rules
from ...models import (
    Case,
    ClockKind,
    ExtensionState,
)
from ...rules import RuleViolation
from .shared import _not_before, _on, case_act


def case_request_supplement(
    *,
    case_id: int,
    by,
    missing: str,
    due: dt.date,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """补正告知 (Art. 30): once, within 7 working days of receipt, what is missing and by when."""
    on = _on(on)
    if message := limits.planned_date_error(due):
        raise RuleViolation(message, "due")

    def check(case: Case) -> None:
        if not missing.strip():
            raise RuleViolation(rules.MSG_SUPPLEMENT_MISSING, "missing")
        _not_before(on, case.received_on, "收到申请之日")
        calendar = calendar_get(covering=due)
        used = calendar.working_days_between(case.received_on, on)
        if used > rules.SUPPLEMENT_WINDOW_DAYS:
            raise RuleViolation(rules.MSG_SUPPLEMENT_LATE.format(days=used), "on")
        if due <= on:
            raise RuleViolation(rules.MSG_SUPPLEMENT_DUE_BEFORE, "due")
        if case.extension_state in (ExtensionState.REQUESTED, ExtensionState.APPROVED):
            # The restart would carry the extended allowance over to the new period.
            raise RuleViolation(rules.MSG_SUPPLEMENT_AFTER_EXTENSION)

    return case_act(
        case_id=case_id,
        by=by,
        action="request_supplement",
        reason=reason or missing,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "due": due, "missing": missing.strip()},
        clock=[(ClockKind.PAUSE, on, 0, "补正告知，等待申请人补正")],
    )


def case_record_supplement(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    by_applicant: bool = False,
) -> Case:
    """收到补正 (Art. 30, 31): the reply period restarts from the day the supplement arrives.
    Staff record it, or the applicant answers on the portal (`by_applicant`, `by` None)."""
    on = _on(on)

    def check(case: Case) -> None:
        _not_before(on, case.supplement_requested_on, "补正告知日期")

    return case_act(
        case_id=case_id,
        by=by,
        action="record_supplement",
        reason=reason or "申请人已补正",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.RESTART, on, 0, "收到补正")],
        by_applicant=by_applicant,
    )


def case_deem_abandoned(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """视为放弃 (Art. 30): only after the supplement period has passed."""
    on = _on(on)

    def check(case: Case) -> None:
        if case.supplement_due and on <= case.supplement_due:
            raise RuleViolation(rules.MSG_SUPPLEMENT_NOT_DUE.format(due=case.supplement_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="deem_abandoned",
        reason=reason or "申请人逾期未补正",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )
