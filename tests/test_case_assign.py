"""Assigning the handler: approvers assign anyone who handles cases in the agency; a handler
takes an unassigned case; every assignment is in the history."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from requests_app import rules
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

from .conftest import make_user


@pytest.fixture
def case(city, staff, intake):
    with time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False):
        return svc.case_register(agency=city, by=staff["clerk"], data=intake())


def test_handler_takes_an_unassigned_case_and_approver_reassigns(case, city, staff):
    other = make_user("second-handler", city, "handler")
    svc.case_assign(case_id=case.id, by=staff["handler"], handler_id=staff["handler"].id)
    with pytest.raises(svc.RuleViolation) as exc:
        svc.case_assign(case_id=case.id, by=other, handler_id=other.id)
    assert exc.value.message == rules.MSG_ASSIGN_TAKEN
    case = svc.case_assign(
        case_id=case.id, by=staff["approver"], handler_id=other.id, reason="工作量调整"
    )
    assert case.handler == other
    events = CaseEvent.objects.filter(case=case, kind="edit").order_by("id")
    assert [(e.actor.username, e.changes["handler"], e.reason) for e in events] == [
        ("handler-user", [None, "handler-user"], "指定承办人"),
        ("approver-user", ["handler-user", "second-handler"], "工作量调整"),
    ]


def test_only_handlers_of_the_agency_can_be_assigned_and_clerks_cannot_assign(
    case, city, district, staff
):
    outsider = make_user("district-handler", district, "handler")
    with pytest.raises(svc.RuleViolation) as exc:
        svc.case_assign(case_id=case.id, by=staff["approver"], handler_id=outsider.id)
    assert (exc.value.message, exc.value.field) == (rules.MSG_ASSIGN_NOT_HANDLER, "handler")
    with pytest.raises(svc.RuleViolation):
        svc.case_assign(case_id=case.id, by=staff["approver"], handler_id=staff["clerk"].id)
    with pytest.raises(svc.ActionNotPermitted):
        svc.case_assign(case_id=case.id, by=staff["clerk"], handler_id=staff["handler"].id)
    with pytest.raises(svc.ActionNotPermitted):
        svc.case_assign(case_id=case.id, by=outsider, handler_id=outsider.id)


def test_closed_cases_keep_their_handler(case, staff):
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, 0), tick=False):
        svc.case_withdraw(case_id=case.id, by=staff["clerk"], reason="撤回")
    with pytest.raises(svc.RuleViolation) as exc:
        svc.case_assign(case_id=case.id, by=staff["approver"], handler_id=staff["handler"].id)
    assert exc.value.message == rules.MSG_ASSIGN_CLOSED


def test_case_page_offers_assignment_by_role_and_other_agencies_get_404(
    case, city, other_agency, staff
):
    page = Client()
    page.force_login(staff["approver"])
    html = page.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="assign-handler"' in html and "handler-user" in html
    handler = Client()
    handler.force_login(staff["handler"])
    assert "由我承办" in handler.get(f"/cases/{case.public_id}/").content.decode()
    response = handler.post(
        f"/cases/{case.public_id}/assign/",
        {"handler": staff["handler"].id, "expected_version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handler == staff["handler"]
    assert "由我承办" not in handler.get(f"/cases/{case.public_id}/").content.decode()
    outsider = Client()
    outsider.force_login(make_user("out-approver", other_agency, "approver", "handler"))
    assert outsider.post(f"/cases/{case.public_id}/assign/", {"handler": 1}).status_code == 404
