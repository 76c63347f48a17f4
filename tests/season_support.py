"""Factories for the season tests (no tests here): a unit with clean cases of the report year,
issued replies, and the three planted problems of issue 16."""

from __future__ import annotations

import datetime as dt
import itertools

from letters.models import Letter, LetterKind, LetterSeries, LetterState
from requests_app.models import Case

from .test_reporting_support import make_case

_seq = itertools.count(1)
YEAR = 2026


def issue_reply(case: Case, outcome: str | None = None) -> Letter:
    """An issued reply letter for a finished case (what the letters app leaves behind)."""
    n = next(_seq)
    on = case.closed_on or case.received_on
    return Letter.objects.create(
        case=case,
        agency=case.agency,
        kind=LetterKind.REPLY,
        outcome=outcome or case.outcome,
        state=LetterState.ISSUED,
        number=f"测复〔{on.year}〕{n}号",
        number_series=LetterSeries.REPLY,
        number_year=on.year,
        number_seq=n + 100000,
        issued_on=on,
    )


def clean_cases(agency, year: int = YEAR, n: int = 3) -> list[Case]:
    """Cases of the year that leave the table right: closed with an issued reply, and one
    still open but not yet due."""
    cases = []
    for i in range(n):
        case = make_case(
            agency,
            dt.date(year, 3, 1 + i),
            closed_on=dt.date(year, 3, 20 + i),
            outcome="disclosed",
        )
        issue_reply(case)
        cases.append(case)
    open_case = make_case(agency, dt.date(year, 12, 15))
    Case.objects.filter(pk=open_case.pk).update(reply_due=dt.date(year + 1, 1, 13))
    cases.append(open_case)
    return cases


def plant_overdue(agency, year: int = YEAR) -> Case:
    case = make_case(agency, dt.date(year, 11, 2))
    Case.objects.filter(pk=case.pk).update(reply_due=dt.date(year, 11, 30))
    return case


def plant_closed_without_reply(agency, year: int = YEAR) -> Case:
    return make_case(
        agency, dt.date(year, 5, 6), closed_on=dt.date(year, 5, 20), outcome="disclosed"
    )


def close_with_reply(case: Case, on: dt.date, outcome: str = "disclosed") -> Case:
    case.close_imported(on=on, outcome=outcome)
    case.save()
    issue_reply(case)
    return case
