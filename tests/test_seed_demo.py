"""seed_demo (SPEC §9): idempotent; the 2020 cases reproduce the reference report's tables three
and four (counted here straight from the database); the current year covers every state."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_fsm_log.models import StateLog

from agencies.models import Agency, Membership
from agencies.selectors import user_visible_agency_ids
from requests_app.models import (
    FINISHED_STATES,
    Case,
    CaseEvent,
    ClockEvent,
    LegalChallenge,
    finished_state_for,
)
from workcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 15, 0)


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "clock": ClockEvent.objects.count(),
        "statelogs": StateLog.objects.count(),
        "challenges": LegalChallenge.objects.count(),
        "calendar": CalendarDay.objects.count(),
    }


@pytest.fixture
def seeded(db):
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo")
    return Agency.objects.get(code="CITY-OFFICE")


def test_seed_demo_twice_changes_nothing(seeded, capsys):
    before = counts()
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo")
    assert counts() == before
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords
    out = capsys.readouterr().out
    assert "demo-pass-2026" in out and "supervisor" in out


def test_demo_logins_and_agency_tree(seeded):
    city = seeded
    assert (city.name, city.review_body, city.letter_prefix) == (
        "淄博市人民政府办公室",
        "淄博市人民政府",
        "淄政办信复",
    )
    assert city.parent is None and city.court and city.address and city.postcode and city.phone
    assert city.children.filter(level="district").count() >= 3
    assert city.children.filter(level="department").count() >= 3
    assert Agency.objects.filter(level="town", parent__parent=city).exists()
    User = get_user_model()
    expected = {
        "clerk": "clerk",
        "handler": "handler",
        "approver": "approver",
        "supervisor": "supervisor",
        "lawyer": "auditor",
        "admin": "administrator",
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("demo-pass-2026")
        assert Membership.objects.filter(user=user, agency=city, role=role).exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    # per-agency visibility: district staff see their district only, the supervisor the subtree
    district = Agency.objects.get(code="ZD-GOV")
    assert user_visible_agency_ids(User.objects.get(username="zd_clerk")) == {district.id}
    assert user_visible_agency_ids(User.objects.get(username="clerk")) == {city.id}
    assert district.id in user_visible_agency_ids(User.objects.get(username="supervisor"))


def test_2020_cases_match_table_three_of_the_reference_report(seeded):
    city = seeded
    cases = Case.objects.filter(agency=city).exclude(state="void")
    y0, y1 = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    new = Counter(
        cases.filter(received_on__range=(y0, y1)).values_list("applicant_type", flat=True)
    )
    assert new == {"natural_person": 83, "commercial_enterprise": 5}
    carried_over = cases.filter(received_on__lt=y0).exclude(closed_on__lt=y0)
    assert Counter(carried_over.values_list("applicant_type", flat=True)) == {"natural_person": 6}
    closed = Counter(
        cases.filter(closed_on__range=(y0, y1)).values_list("outcome", "applicant_type")
    )
    assert closed == {
        ("disclosed", "natural_person"): 43,
        ("disclosed", "commercial_enterprise"): 1,
        ("partially_disclosed", "natural_person"): 2,
        ("partially_disclosed", "commercial_enterprise"): 1,
        ("unavailable.not_held", "natural_person"): 40,
        ("unavailable.not_held", "commercial_enterprise"): 2,
        ("not_processed.repeated", "natural_person"): 1,
        ("not_processed.repeated", "commercial_enterprise"): 1,
    }
    carried_forward = cases.filter(received_on__lte=y1).exclude(closed_on__lte=y1)
    assert Counter(carried_forward.values_list("applicant_type", flat=True)) == {
        "natural_person": 3
    }
    assert all(c.closed_on.year == 2021 for c in carried_forward)  # not open forever


def test_2020_cases_were_imported_with_history(seeded):
    case = Case.objects.filter(agency=seeded, received_on__year=2020).first()
    imported = CaseEvent.objects.get(case=case, kind="imported")
    assert imported.reason.startswith("导入自 ") and imported.reason.endswith("操作人 admin")
    transition = CaseEvent.objects.get(case=case, kind="transition", transition="close_imported")
    assert transition.to_state == case.state == finished_state_for(case.outcome)
    assert StateLog.objects.filter(object_id=case.id, transition="close_imported").exists()


def test_2020_table_four_records(seeded):
    records = LegalChallenge.objects.filter(case__agency=seeded, filed_on__year=2020)
    assert sorted(records.values_list("kind", "result")) == [
        ("litigation_direct", "other"),
        ("review", "upheld"),
    ]
    assert all(r.concluded_on.year == 2020 for r in records)
    for record in records:
        assert CaseEvent.objects.filter(case=record.case, kind="challenge").exists()


def test_current_year_spread_covers_every_state(seeded):
    cases = Case.objects.filter(agency=seeded, year=2026)
    states = set(cases.values_list("state", flat=True))
    assert states == {
        "received",
        "supplement",
        "consulting",
        "fee_pending",
        "drafting",
        "review",
        "disclosed",
        "not_processed",
        "other",
        "void",
    }
    outcomes = set(cases.filter(state__in=FINISHED_STATES).values_list("outcome", flat=True))
    assert {"other.other", "other.no_supplement", "other.fee_unpaid", "disclosed"} <= outcomes
    assert cases.filter(
        extension_state="approved", deadline_provisional=True, reply_due__year=2027
    ).exists()
    assert cases.filter(extension_state="requested").exists()
    today = TODAY.date()
    open_cases = cases.filter(
        state__in=["received", "supplement", "consulting", "fee_pending", "drafting", "review"]
    )
    assert open_cases.filter(reply_due__lt=today).count() >= 2  # overdue
    assert open_cases.filter(
        reply_due__gte=today, reply_due__lte=today + dt.timedelta(days=7)
    ).exists()
    assert cases.filter(fee_paid_on__isnull=False).exists()
    assert cases.filter(answered_on_the_spot=True).exists()
    void = cases.get(state="void")
    assert void.void_reason and void.voided_by.username == "approver"
    # every current-year case went through the services: registered, with transitions logged
    for case in cases:
        assert CaseEvent.objects.filter(case=case, kind="registered").exists()
    assert (
        StateLog.objects.filter(object_id__in=cases.values("id")).count()
        >= cases.exclude(state="received").count()
    )
    district = Agency.objects.get(code="ZD-GOV")
    district_states = set(Case.objects.filter(agency=district).values_list("state", flat=True))
    assert {"received", "supplement", "drafting", "review"} <= district_states
    assert district_states & set(FINISHED_STATES)
