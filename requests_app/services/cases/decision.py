"""The decision: drafting, approval, closing with the issued reply, the answer on the spot,
withdrawal and voiding."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ... import rules
from ...hooks import issued_reply_check
from ...models import (
    Case,
)
from ...outcomes import Outcome
from ...rules import RuleViolation
from ..period_lock import (  # the published-year lock (SPEC §6, periods app)
    case_period_check,
)
from .shared import Decided, _not_before, _on, case_act


def case_start_drafting(
    *, case_id: int, by, reason: str = "", expected_version: int | None = None
) -> Case:
    return case_act(
        case_id=case_id,
        by=by,
        action="start_drafting",
        reason=reason,
        expected_version=expected_version,
    )


def _outcome_for_decision(case: Case, outcome: str) -> None:
    rules.outcome_check(outcome)
    if outcome in (Outcome.NO_SUPPLEMENT, Outcome.FEE_UNPAID):
        raise RuleViolation(rules.MSG_OUTCOME_OWN_PATH.format(key=outcome), "outcome")
    if outcome == Outcome.STILL_UNCLEAR and case.supplement_requested_on is None:
        raise RuleViolation(rules.MSG_OUTCOME_NEEDS_SUPPLEMENT, "outcome")


def case_submit_for_approval(
    *, case_id: int, by, outcome: str, reason: str = "", expected_version: int | None = None
) -> Case:
    return case_act(
        case_id=case_id,
        by=by,
        action="submit_for_approval",
        reason=reason,
        expected_version=expected_version,
        check=lambda case: _outcome_for_decision(case, outcome),
        kwargs={"outcome": outcome},
    )


def case_return_for_revision(
    *, case_id: int, by, reason: str, expected_version: int | None = None
) -> Case:
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    return case_act(
        case_id=case_id,
        by=by,
        action="return_for_revision",
        reason=reason,
        expected_version=expected_version,
    )


def case_approve_and_close(
    *,
    case_id: int,
    by,
    outcome: str | None = None,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """审核通过并答复 (Art. 33, 36): closes with the proposed (or the approver's) outcome. The
    case is closed on the day its reply was issued unless another (later) date is given."""
    given = _on(on) if on else None

    def check(case: Case) -> Decided:
        decided = outcome or case.proposed_outcome
        _outcome_for_decision(case, decided)
        reply = issued_reply_check(case, decided)  # the issued reply (SPEC §4), from letters
        closed_on = given or reply.issued_on
        if closed_on < reply.issued_on:
            raise RuleViolation(
                rules.MSG_DATE_BEFORE.format(what="答复书签发日期", date=reply.issued_on), "on"
            )
        _not_before(closed_on, case.received_on, "收到申请之日")
        return Decided(kwargs={"on": closed_on, "outcome": decided})

    return case_act(
        case_id=case_id,
        by=by,
        action="approve_and_close",
        reason=reason,
        expected_version=expected_version,
        check=check,
    )


def case_answer_on_the_spot(
    *,
    case_id: int,
    by,
    outcome: str,
    note: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """当场答复 (Art. 33 para 1): in-person requests answered the day they are handed in."""
    on = _on(on)

    def check(case: Case) -> None:
        _outcome_for_decision(case, outcome)
        if case.channel != "in_person" or on != case.received_on:
            raise RuleViolation(rules.MSG_ON_THE_SPOT, "on")
        if not note.strip():
            raise RuleViolation(
                "请写明当场答复的方式（如当场提供复印件、口头告知获取途径）", "note"
            )

    return case_act(
        case_id=case_id,
        by=by,
        action="answer_on_the_spot",
        reason=reason or note,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "outcome": outcome, "note": note.strip()},
    )


def case_withdraw(
    *, case_id: int, by, reason: str, on: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """申请人撤回: closes as other.other with the applicant's statement as reason."""
    on = _on(on)
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")

    def check(case: Case) -> None:
        _not_before(on, case.received_on, "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="withdraw",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )


def case_void(*, case_id: int, by, reason: str, expected_version: int | None = None) -> Case:
    """作废 (registration error): approver only, reason required; the case stays, counted nowhere."""
    if not reason.strip():
        raise RuleViolation(rules.MSG_VOID_REASON, "reason")

    def check(case: Case) -> None:
        case_period_check(case=case, by=by, changed_fields=["void"], reason=reason)

    return case_act(
        case_id=case_id,
        by=by,
        action="void",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"reason": reason.strip(), "by": by, "at": timezone.now()},
    )
