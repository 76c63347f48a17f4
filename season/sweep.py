"""The data-quality sweep: per unit, the cases that would make the report year's table wrong
or late, each with what to fix. Each kind is ONE query over every unit at once (grouped in
Python by agency), so the sweep of 2,000 units costs six queries, not 12,000.

The cases looked at are those that count anywhere in the year's table (`reporting.stats`'s
`counted_cases` and `year_scope_q`, the report page's own scope) and those received "in the
future", which no table should count."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from letters.models import Letter, LetterKind, LetterState
from reporting.stats import counted_cases, year_scope_q
from requests_app.models import (
    FINISHED_STATES,
    OPEN_STATES,
    CaseEvent,
    ChallengeResult,
    EventKind,
    LegalChallenge,
)
from requests_app.outcomes import APPLICANT_TYPES

# The Regulations took effect on 1 May 2008: an earlier receipt date is a typing error.
OGI_EFFECTIVE = dt.date(2008, 5, 1)
# A receipt more than this many years before the report year is implausible for a case that
# still counts in the year's table.
OLDEST_YEARS = 10
# A review is decided within 60 days (行政复议法), a first-instance suit within six months:
# a record still "pending" well after that for a finished case has lost its result.
CHALLENGE_RESULT_DAYS = {"review": 90, "litigation_direct": 200, "litigation_after_review": 200}
# Findings kept per unit and kind (the counts are always complete).
FINDINGS_PER_KIND = 200

KINDS = {
    "overdue": ("逾期未办结", "案件已超过答复期限仍未办结：请尽快办结答复"),
    "no_reply": ("办结但无已签发答复书", "案件已办结，却没有已签发的答复书：请补签发答复书"),
    "outcome_mismatch": (
        "答复书结果与案件办理结果不一致",
        "已签发答复书的结果与案件的办理结果不同：请核对并更正",
    ),
    "missing_fields": ("申请人类型或申请渠道缺失", "请在案件登记信息中补填申请人类型、申请渠道"),
    "bad_dates": (
        "收到申请之日不合理",
        "收到申请之日晚于今天或早得不合常理：请核对登记信息",
    ),
    "challenge_no_result": (
        "复议/诉讼无结果",
        "已办结案件的行政复议或诉讼登记为“尚未审结”已超过审理期限：请登记结果",
    ),
}


def kinds() -> list[tuple[str, str, str]]:
    return [(key, label, hint) for key, (label, hint) in KINDS.items()]


def sweep_compute(agency_ids: Iterable[int], year: int, today: dt.date) -> dict[int, dict]:
    """{agency_id: {"counts": {kind: n}, "findings": [...], "total": n}} for these units."""
    agency_ids = list(agency_ids)
    base = counted_cases(agency_ids).filter(year_scope_q(year) | Q(received_on__gt=today))
    issued_reply = Letter.objects.filter(
        case_id=OuterRef("pk"), kind=LetterKind.REPLY, state=LetterState.ISSUED
    )
    queries = {
        # requests_app's overdue definition (worklist filter, case_is_overdue): open, past due.
        "overdue": base.filter(state__in=OPEN_STATES, reply_due__lt=today),
        # Answered on the spot or imported as already closed: the reply was not a letter here.
        "no_reply": base.filter(state__in=FINISHED_STATES, answered_on_the_spot=False)
        .filter(~Exists(issued_reply))
        .filter(~Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=EventKind.IMPORTED))),
        "outcome_mismatch": base.filter(state__in=FINISHED_STATES)
        .filter(Exists(issued_reply))
        .filter(~Exists(issued_reply.filter(outcome=OuterRef("outcome")))),
        "missing_fields": base.filter(
            Q(channel="") | Q(applicant_type="") | ~Q(applicant_type__in=APPLICANT_TYPES)
        ),
        "bad_dates": base.filter(
            Q(received_on__gt=today)
            | Q(received_on__lt=OGI_EFFECTIVE)
            | Q(received_on__lt=dt.date(year - OLDEST_YEARS, 1, 1))
        ),
    }
    result: dict[int, dict] = defaultdict(
        lambda: {"counts": dict.fromkeys(KINDS, 0), "findings": [], "total": 0}
    )
    fields = ("agency_id", "id", "public_id", "case_no", "applicant_name")
    for kind, queryset in queries.items():
        for agency_id, case_id, public_id, case_no, name in queryset.order_by(
            "agency_id", "received_on", "id"
        ).values_list(*fields):
            _add(result[agency_id], kind, case_id, public_id, case_no, name)
    challenges = LegalChallenge.objects.filter(
        case__agency_id__in=agency_ids,
        case__state__in=FINISHED_STATES,
        result=ChallengeResult.PENDING,
    ).filter(
        Q(
            *[
                Q(kind=kind, filed_on__lt=today - dt.timedelta(days=days))
                for kind, days in CHALLENGE_RESULT_DAYS.items()
            ],
            _connector=Q.OR,
        )
    )
    for agency_id, case_id, public_id, case_no, name in (
        challenges.order_by("case__agency_id", "filed_on", "id")
        .values_list(
            "case__agency_id",
            "case_id",
            "case__public_id",
            "case__case_no",
            "case__applicant_name",
        )
        .distinct()
    ):
        _add(result[agency_id], "challenge_no_result", case_id, public_id, case_no, name)
    return {agency_id: result[agency_id] for agency_id in agency_ids}


def _add(unit: dict, kind: str, case_id, public_id, case_no, name) -> None:
    unit["total"] += 1
    unit["counts"][kind] += 1
    if unit["counts"][kind] <= FINDINGS_PER_KIND:
        unit["findings"].append(
            {
                "kind": kind,
                "case_id": case_id,
                "public_id": str(public_id),
                "case_no": case_no,
                "applicant": name,
            }
        )
