"""Clock stops: consultation of third parties (Art. 32) and the information-processing fee
(notice, payment, closing unpaid)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from workcalendar.selectors import calendar_get

from ... import rules
from ...models import (
    Case,
    ClockKind,
)
from ...rules import RuleViolation
from ...selectors import case_current_receipt_date
from .shared import _not_before, _on, case_act


def case_start_consultation(
    *,
    case_id: int,
    by,
    party: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """征求意见 (Art. 32, 34): the clock stops while the third party or agency answers."""
    on = _on(on)
    if not party.strip():
        raise RuleViolation("请填写征求意见的对象", "party")

    def check(case: Case) -> None:
        _not_before(on, case_current_receipt_date(case), "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="start_consultation",
        reason=reason or f"征求{party}意见",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.PAUSE, on, 0, f"征求{party.strip()}意见")],
    )


def case_finish_consultation(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)

    def check(case: Case) -> None:
        paused = case.clock_events.filter(kind=ClockKind.PAUSE).order_by("-on").first()
        _not_before(on, paused.on if paused else None, "征求意见之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="finish_consultation",
        reason=reason or "意见已收回",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.RESUME, on, 0, "征求意见结束")],
    )


def case_issue_fee_notice(
    *,
    case_id: int,
    by,
    amount: Decimal,
    on: dt.date | None = None,
    received_on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """收费通知: the reply clock stops from the day the notice is sent (`on`); the applicant
    pays within 20 working days from the day after receiving it (`received_on`, by default the
    sending day — in person or by e-mail)."""
    on = _on(on)
    received_on = _on(received_on, "received_on") if received_on else on
    amount = Decimal(amount)
    if amount <= 0:
        raise RuleViolation(rules.MSG_FEE_AMOUNT, "amount")
    if received_on < on:
        raise RuleViolation(rules.MSG_DATE_BEFORE.format(what="发出日期", date=on), "received_on")
    payment_due = calendar_get(covering=received_on + dt.timedelta(days=90)).add_working_days(
        received_on, rules.FEE_PAYMENT_DAYS
    )

    def check(case: Case) -> None:
        _not_before(on, case_current_receipt_date(case), "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="issue_fee_notice",
        reason=reason or f"收费 {amount} 元",
        expected_version=expected_version,
        check=check,
        kwargs={"received_on": received_on, "amount": amount, "payment_due": payment_due},
        clock=[(ClockKind.PAUSE, on, 0, "等待缴纳信息处理费")],
    )


def case_record_fee_payment(
    *,
    case_id: int,
    by,
    receipt_no: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)
    if not receipt_no.strip():
        raise RuleViolation(rules.MSG_RECEIPT_NO, "receipt_no")

    def check(case: Case) -> None:
        _not_before(on, case.fee_notice_received_on, "收费通知日期")

    return case_act(
        case_id=case_id,
        by=by,
        action="record_fee_payment",
        reason=reason or "已缴费",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "receipt_no": receipt_no.strip()},
        clock=[(ClockKind.RESUME, on, 0, "已缴费")],
    )


def case_close_fee_unpaid(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)

    def check(case: Case) -> None:
        if case.fee_payment_due and on <= case.fee_payment_due:
            raise RuleViolation(rules.MSG_FEE_NOT_DUE.format(due=case.fee_payment_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="close_fee_unpaid",
        reason=reason or "逾期未缴费",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )
