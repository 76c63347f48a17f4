"""The published-year lock in one place (issue 12, SPEC §6): `periods` records the published
years, `affected_years` is the one rule, and every writer of counted data asks it — including
table-four records, which used to be saved into a published year with no approver and no
reason (the bypass this file pins)."""

import datetime as dt

import pytest
import time_machine

from periods.models import PublishedPeriod
from periods.services import (
    MSG_PERIOD_LOCKED,
    affected_years,
    period_lock_check,
    period_publish,
    published_years,
)
from reporting.services import challenge_save, report_publish
from requests_app.models import CaseEvent, EventKind, LegalChallenge
from requests_app.rules import RuleViolation
from tests.test_reporting_support import build_reference_2020, make_case

CHALLENGE = {"kind": "review", "filed_on": dt.date(2020, 5, 6), "result": "pending"}


def test_affected_years_is_the_span_from_first_to_last(city):
    for year in (2018, 2020, 2022):
        period_publish(agency_id=city.id, year=year)
    period_publish(agency_id=city.id, year=2020)  # again: still one row
    assert published_years(city.id) == {2018, 2020, 2022}
    assert PublishedPeriod.objects.filter(agency=city).count() == 3
    assert affected_years(city.id, 2019) == [2020, 2022]  # open-ended
    assert affected_years(city.id, 2019, 2021) == [2020]
    assert affected_years(city.id, 2023) == []
    with pytest.raises(RuleViolation) as exc:
        period_lock_check(
            agency_id=city.id, first_year=2020, may_correct=True, reason=" ", field="on"
        )
    assert exc.value.field == "on"
    assert str(exc.value) == MSG_PERIOD_LOCKED.format(years="2020、2022")
    assert period_lock_check(
        agency_id=city.id,
        first_year=2020,
        last_year=2020,
        may_correct=True,
        reason="更正",
        field="on",
    ) == [2020]


def test_publishing_a_report_records_the_year_in_periods(city, staff):
    build_reference_2020(city)
    assert published_years(city.id) == set()
    report_publish(agency=city, year=2020, by=staff["approver"])
    assert published_years(city.id) == {2020}


@time_machine.travel(dt.datetime(2021, 3, 1, 9, 0), tick=False)
def test_table_four_records_of_a_published_year_need_an_approvers_reason(city, staff):
    """The bug: `challenge_save` wrote table four of a published year unchecked."""
    case = make_case(city, dt.date(2020, 3, 2), closed_on=dt.date(2020, 3, 20), outcome="disclosed")
    period_publish(agency_id=city.id, year=2020)
    with pytest.raises(RuleViolation) as exc:
        challenge_save(case_id=case.id, by=staff["handler"], data=CHALLENGE)
    assert str(exc.value) == MSG_PERIOD_LOCKED.format(years="2020")
    with pytest.raises(RuleViolation):  # an approver without a reason
        challenge_save(case_id=case.id, by=staff["approver"], data=CHALLENGE, reason="")
    assert not LegalChallenge.objects.exists()
    record = challenge_save(
        case_id=case.id, by=staff["approver"], data=CHALLENGE, reason="补录 2020 年复议"
    )
    correction = CaseEvent.objects.get(case=case, kind=EventKind.CORRECTION)
    assert correction.changes == {"years": [2020], "fields": ["challenge"]}
    assert correction.reason == "补录 2020 年复议" and correction.actor == staff["approver"]
    # a note is not a figure: a handler may change it without a reason
    challenge_save(
        case_id=case.id,
        by=staff["handler"],
        data={**CHALLENGE, "note": "复议机关已受理"},
        challenge_id=record.id,
    )
    # the result is: locked again
    concluded = {**CHALLENGE, "result": "upheld", "concluded_on": dt.date(2020, 9, 1)}
    with pytest.raises(RuleViolation):
        challenge_save(case_id=case.id, by=staff["handler"], data=concluded, challenge_id=record.id)
    record.refresh_from_db()
    assert record.result == "pending" and record.note == "复议机关已受理"
    challenge_save(
        case_id=case.id, by=staff["approver"], data=concluded, challenge_id=record.id, reason="审结"
    )
    last = CaseEvent.objects.filter(case=case, kind=EventKind.CORRECTION).latest("id")
    assert last.changes == {
        "years": [2020],
        "fields": ["challenge.concluded_on", "challenge.result"],
    }


@time_machine.travel(dt.datetime(2021, 3, 1, 9, 0), tick=False)
def test_table_four_records_outside_published_years_are_not_locked(city, staff):
    case = make_case(city, dt.date(2020, 3, 2), closed_on=dt.date(2020, 3, 20), outcome="disclosed")
    period_publish(agency_id=city.id, year=2019)
    challenge_save(case_id=case.id, by=staff["handler"], data=CHALLENGE)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.CORRECTION).exists()
