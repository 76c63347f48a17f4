"""factory_boy factories shared by the suite (issue 12): agencies, users per role, cases in
each state. Rows are created directly — the statistics and pages read whatever the services
leave behind — except that a finished or void case reaches its state through its FSM
transition (`close_imported`, `void`), as the import and the services do."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from agencies.models import Agency, AgencyLevel, Membership
from requests_app.models import (
    FINISHED_FILTER,
    FINISHED_STATES,
    Case,
    CaseState,
    finished_state_for,
)

PASSWORD = "pw-12345678"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AGENCY-{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}号政府部门")
    level = AgencyLevel.CITY


class UserFactory(DjangoModelFactory):
    """A user with `roles` (role values) in `agency`, password PASSWORD."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(user, create, extracted, agency=None, **kwargs):
        user.save()
        for role in extracted or ():
            Membership.objects.create(user=user, agency=agency, role=role)


def user_with_roles(username: str, agency: Agency | None = None, *roles: str):
    return UserFactory(username=username, roles=roles, roles__agency=agency)


class CaseFactory(DjangoModelFactory):
    """A registered case received in person on `received_on` (open, `received`)."""

    class Meta:
        model = Case

    agency = factory.SubFactory(AgencyFactory)
    received_on = dt.date(2026, 3, 2)
    year = factory.LazyAttribute(lambda c: c.received_on.year)
    case_no = factory.Sequence(lambda n: f"T-{n:06d}")
    tracking_code = factory.Sequence(lambda n: f"TRK{n:09d}")
    channel = "in_person"
    submitted_on = factory.LazyAttribute(lambda c: c.received_on)
    applicant_type = "natural_person"
    applicant_name = factory.Sequence(lambda n: f"申请人{n}")
    content = "申请公开某项政府信息"


def case_in_state(
    state: str,
    *,
    closed_on: dt.date | None = None,
    outcome: str = "",
    **fields,
) -> Case:
    """A case in `state`: open states are set directly; finished ones ("finished" =
    FINISHED_FILTER: whichever terminal state the outcome leads to, or one of FINISHED_STATES)
    go through `close_imported`, `void` through `void` (both logged as the services would)."""
    if state == FINISHED_FILTER or state in FINISHED_STATES:
        case = CaseFactory(**fields)
        case.close_imported(on=closed_on or case.received_on, outcome=outcome or "disclosed")
        case.save()
        if state == FINISHED_FILTER:
            state = finished_state_for(outcome or "disclosed")
    elif state == CaseState.VOID:
        case = CaseFactory(**fields)
        case.void(reason="登记错误", by=None, at=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
        case.save()
    else:
        case = CaseFactory(state=state, **fields)
    assert case.state == state
    return case
