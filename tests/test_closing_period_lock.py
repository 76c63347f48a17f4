"""A back-dated closing into a published year changes published figures: only an approver with
a reason may do it, and it is listed as a post-publication correction."""

import datetime as dt

import pytest

from reporting.services import report_publish
from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from tests.helpers import travel

from .conftest import make_user
from .helpers import close_via_approval

D = dt.date


@pytest.fixture
def late_2025_cases(city, staff, intake, settings, tmp_path):
    with travel(D(2025, 12, 22)):
        cases = [
            svc.case_register(
                agency=city,
                by=staff["clerk"],
                data=intake(channel="in_person", submitted_on=D(2025, 12, 22), signed_on=None),
            )
            for _ in range(2)
        ]
    supervisor = make_user("sup", city, "supervisor")
    with travel(D(2026, 1, 20)):
        report_publish(agency=city, year=2025, by=supervisor)
    return cases


def test_back_dated_closing_into_a_published_year_needs_an_approver_and_a_reason(
    late_2025_cases, staff
):
    first, second = late_2025_cases
    with travel(D(2026, 1, 21)):
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_withdraw(
                case_id=first.id, by=staff["clerk"], reason="撤回", on=D(2025, 12, 30)
            )
        assert "2025" in exc.value.message
        first.refresh_from_db()
        assert first.state == "received"
        with pytest.raises(svc.RuleViolation):
            close_via_approval(
                second, handler=staff["handler"], approver=staff["approver"], on=D(2025, 12, 30)
            )
        # The reply stays issued; the approver closes again, now with the reason.
        case = svc.case_approve_and_close(
            case_id=second.id,
            by=staff["approver"],
            on=D(2025, 12, 30),
            reason="12月30日已当面答复，补录",
        )
    correction = CaseEvent.objects.get(case=case, kind="correction")
    assert correction.changes == {"years": [2025], "fields": ["closed_on", "outcome"]}
    assert correction.actor == staff["approver"]


def test_closing_today_after_last_years_publication_is_ordinary(late_2025_cases, staff):
    first, _ = late_2025_cases
    with travel(D(2026, 1, 21)):
        case = svc.case_withdraw(case_id=first.id, by=staff["clerk"], reason="撤回")
    assert case.state == "other" and case.is_finished
    assert not CaseEvent.objects.filter(case=case, kind="correction").exists()
