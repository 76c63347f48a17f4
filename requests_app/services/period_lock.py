"""The published-year lock as the case services meet it (SPEC §6): which years a change to a
case or to its review/litigation records touches, asked of `periods` (the one rule), and the
`correction` history entry every allowed change into a published year leaves behind.

- registration/import/receipt-date correction: from the receipt year on, never refused (the
  request is real), only recorded as a post-publication correction;
- closing: from the closing year on (a back-dated closing);
- edits of counted fields and voiding: from the receipt year to the closing year (open-ended
  while open);
- table-four records: from the earlier to the later of the old and new filing years."""

from __future__ import annotations

from agencies.models import Role
from agencies.selectors import user_has_role
from periods.services import affected_years, period_lock_check, published_years

from ..history import history_event, history_write
from ..models import Case, CaseEvent, CaseState, EventKind

PERIOD_FIELDS = {"closed_on", "outcome", "applicant_type", "void", "state"}
MSG_REGISTRATION_CORRECTION = "收到申请之日在已发布年度内，登记后改变已发布数据"


def _approver(by, case: Case) -> bool:
    return by is not None and user_has_role(by, case.agency_id, {Role.APPROVER})


def _correction(case: Case, *, by, reason: str, years: list[int], fields) -> None:
    history_write(
        case=case,
        kind=EventKind.CORRECTION,
        by=by,
        reason=reason.strip(),
        changes={"years": years, "fields": sorted(fields)},
    )


def case_period_check(*, case: Case, by, changed_fields, reason: str, field: str = "reason"):
    """An edit (or voiding) of fields that count: refused in a published year unless an approver
    gives a reason, then recorded as a correction. Called before the change is applied."""
    fields = {"void" if f == "state" else f for f in changed_fields} & PERIOD_FIELDS
    if not fields or case.state == CaseState.VOID:
        return
    last = case.closed_on.year if case.closed_on else None
    years = period_lock_check(
        agency_id=case.agency_id,
        first_year=case.received_on.year,
        last_year=last,
        may_correct=_approver(by, case),
        reason=reason,
        field=field,
    )
    if years:
        _correction(case, by=by, reason=reason, years=years, fields=fields)


def closing_period_check(*, case: Case, by, reason: str) -> None:
    """A case closed on date C changes the figures of C's year and every later year."""
    if case.closed_on is None:
        return
    years = period_lock_check(
        agency_id=case.agency_id,
        first_year=case.closed_on.year,
        may_correct=_approver(by, case),
        reason=reason,
        field="on",
    )
    if years:
        _correction(case, by=by, reason=reason, years=years, fields=["closed_on", "outcome"])


def challenge_period_check(
    *, case: Case, by, first_year: int, last_year: int, reason: str, fields
) -> None:
    """A review/litigation record counts in table four of its filing year (its result as of
    that year's end): adding one, or changing a counted field of one, between the first and
    the last filing year it touches (old and new) needs an approver and a reason when one of
    those years is published, and is recorded as a correction."""
    years = period_lock_check(
        agency_id=case.agency_id,
        first_year=first_year,
        last_year=last_year,
        may_correct=_approver(by, case),
        reason=reason,
        field="reason",
    )
    if years:
        _correction(case, by=by, reason=reason, years=years, fields=fields)


def registration_period_events(
    cases, *, by, reason: str, published: set[int] | None = None
) -> list[CaseEvent]:
    """A case registered (or imported) with a receipt date in a published year changes that
    year's figures and every later one: not refused — the request is real — but listed as a
    post-publication correction (unsaved events returned, for one bulk insert)."""
    events = []
    for case in cases:
        years = affected_years(case.agency_id, case.received_on.year, published=published)
        if years:
            events.append(
                history_event(
                    case=case,
                    kind=EventKind.CORRECTION,
                    by=by,
                    reason=reason or MSG_REGISTRATION_CORRECTION,
                    changes={"years": years, "fields": ["received_on"]},
                )
            )
    return events


__all__ = [
    "PERIOD_FIELDS",
    "case_period_check",
    "challenge_period_check",
    "closing_period_check",
    "published_years",
    "registration_period_events",
]
