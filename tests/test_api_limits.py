"""Inputs are checked at the boundary from the models' own limits (issue 10, item 4): over-long
texts and dates outside 2008-05-01 … today are refused naming the field, on create and on edit,
in the API and in the web forms — never an error 500 — and every API error, oversized bodies and
unknown routes included, has the one JSON error shape."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from audits.forms import CampaignForm, ReplyForm
from common import limits
from common.api_errors import MSG_NOT_FOUND, MSG_TOO_LARGE
from config import urls
from letters import services as letters_svc
from letters.samples import reply_details
from letters.views import DeliveryForm
from reporting.forms import ChallengeForm
from requests_app.actions import ACTIONS, action_form_class
from requests_app.api import views
from requests_app.api.serializers import CaseRegisterInput, PortalRequestInput
from requests_app.api.views import _action_serializer
from requests_app.models import Case, CaseEvent
from requests_app.services import cases as svc
from tests.test_api_requests import client_for, payload

NOW = dt.datetime(2026, 9, 28, 10, 0)
TOO_EARLY = ["0001-01-01", "1900-01-01", "2008-04-30"]
ERROR_KEYS = {"code", "message", "fields"}


def assert_field_error(response, field: str, message: str | None = None):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS and field in error["fields"], error
    if message is not None:
        assert error["fields"][field] == message


@pytest.fixture
def case(city, staff, intake):
    with time_machine.travel(NOW, tick=False):
        return svc.case_register(agency=city, by=staff["clerk"], data=intake())


# --- limits come from the models ------------------------------------------------------------
def test_limits_are_read_from_the_model_columns():
    for name in ("applicant_name", "applicant_address", "applicant_phone", "applicant_postcode"):
        column = Case._meta.get_field(name).max_length
        assert limits.max_length(Case, name) == column
        assert CaseRegisterInput().fields[name].max_length == column
        assert PortalRequestInput().fields[name].max_length == column
    fee = Case._meta.get_field("fee_amount")
    for amount in (
        action_form_class(ACTIONS["issue_fee_notice"])().fields["amount"],
        _action_serializer(ACTIONS["issue_fee_notice"])().fields["amount"],
    ):
        assert (amount.max_digits, amount.decimal_places) == (fee.max_digits, fee.decimal_places)
    receipt_no = action_form_class(ACTIONS["record_fee_payment"])().fields["receipt_no"]
    assert receipt_no.max_length == Case._meta.get_field("fee_receipt_no").max_length


# --- API: create and PATCH ------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("field", "value"),
    [("applicant_name", "名" * 201), ("applicant_address", "址" * 10_000)],
)
def test_over_long_text_is_a_400_naming_the_field_on_create(city, staff, field, value):
    response = client_for(staff["clerk"]).post(
        "/api/v1/requests/", payload(**{field: value}), format="json"
    )
    assert_field_error(response, field)
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("day", TOO_EARLY)
def test_a_receipt_date_before_the_regulations_is_a_400_on_create(city, staff, day):
    response = client_for(staff["clerk"]).post(
        "/api/v1/requests/", payload(submitted_on=day, signed_on=day), format="json"
    )
    assert_field_error(response, "signed_on", limits.MSG_DATE_TOO_EARLY)
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("field", "value"),
    [("applicant_name", "名" * 201), ("applicant_address", "址" * 10_000), ("content", "a\x00b")],
)
def test_over_long_text_is_a_400_on_patch_and_changes_nothing(case, staff, field, value):
    response = client_for(staff["clerk"]).patch(
        f"/api/v1/requests/{case.public_id}/",
        {"changes": {field: value}, "reason": "更正", "expected_version": case.version},
        format="json",
    )
    assert_field_error(response, field)
    case.refresh_from_db()
    assert case.version == 1 and not case.events.filter(kind="edit").exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("day", TOO_EARLY)
def test_fee_notice_dates_before_the_regulations_are_a_400(case, staff, day):
    handler = client_for(staff["handler"])
    url = f"/api/v1/requests/{case.public_id}/issue_fee_notice/"
    assert_field_error(handler.post(url, {"amount": "10.00", "on": day}, format="json"), "on")
    response = handler.post(url, {"amount": "10.00", "received_on": day}, format="json")
    assert_field_error(response, "received_on")
    case.refresh_from_db()
    assert case.state == "received" and case.version == 1


@time_machine.travel(NOW, tick=False)
def test_amounts_and_deadlines_out_of_range_are_a_400(case, staff):
    handler = client_for(staff["handler"])
    base = f"/api/v1/requests/{case.public_id}/"
    assert_field_error(
        handler.post(base + "issue_fee_notice/", {"amount": "123456789012.5"}, format="json"),
        "amount",
    )
    response = handler.post(
        base + "request_supplement/", {"missing": "文号", "due": "9999-12-31"}, format="json"
    )
    assert_field_error(response, "due")
    response = handler.post(
        base + "start_consultation/", {"party": "某" * 400, "expected_version": 1}, format="json"
    )
    assert_field_error(response, "party")
    case.refresh_from_db()
    assert case.state == "received" and case.version == 1


@time_machine.travel(NOW, tick=False)
def test_a_letter_date_before_the_regulations_is_a_400(case, staff):
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="disclosed")
    letter = letters_svc.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        outcome="disclosed",
        details=reply_details("disclosed"),
    )
    letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    response = client_for(staff["approver"]).post(
        f"/api/v1/letters/{letter.public_id}/issue/", {"on": "1900-01-01"}, format="json"
    )
    assert_field_error(response, "on", limits.MSG_DATE_TOO_EARLY)


# --- web forms ------------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_web_intake_refuses_an_over_long_name_and_an_ancient_date(client, staff, intake):
    client.force_login(staff["clerk"])
    data = {k: str(v) for k, v in intake(applicant_name="名" * 201, signed_on="1900-01-01").items()}
    response = client.post(reverse("requests_app:intake_form", args=["mail_signed"]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert limits.MSG_TOO_LONG.format(limit=200, length=201) in page
    assert limits.MSG_DATE_TOO_EARLY in page
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_web_edit_refuses_a_10000_character_address(client, case, staff):
    client.force_login(staff["clerk"])
    url = reverse("requests_app:case_edit", args=[case.public_id])
    form = client.get(url).context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields}
    data.update(applicant_address="址" * 10_000, reason="更正", expected_version=1)
    response = client.post(url, data)
    assert response.status_code == 200
    assert limits.MSG_TOO_LONG.format(limit=300, length=10_000) in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


@time_machine.travel(NOW, tick=False)
def test_web_fee_notice_refuses_dates_before_the_regulations(client, case, staff):
    client.force_login(staff["handler"])
    response = client.post(
        reverse("requests_app:case_act", args=[case.public_id, "issue_fee_notice"]),
        {
            "issue_fee_notice-amount": "10",
            "issue_fee_notice-on": "0001-01-01",
            "issue_fee_notice-received_on": "1900-01-01",
            "issue_fee_notice-expected_version": 1,
        },
    )
    assert response.status_code == 200
    assert response.content.decode().count(limits.MSG_DATE_TOO_EARLY) >= 2
    case.refresh_from_db()
    assert case.state == "received" and case.version == 1


@time_machine.travel(NOW, tick=False)
def test_letters_audits_and_reporting_forms_check_dates_and_lengths():
    delivery = DeliveryForm(
        data={"method": "post", "sent_on": "1900-01-01", "note": "注" * 301, "received_on": ""}
    )
    assert not delivery.is_valid()
    assert delivery.errors["sent_on"] == [limits.MSG_DATE_TOO_EARLY]
    assert "note" in delivery.errors
    late = DeliveryForm(data={"method": "post", "sent_on": "2026-09-29"})
    assert late.errors["sent_on"] == [limits.MSG_DATE_FUTURE]
    campaign = CampaignForm(
        data={"name": "测" * 201, "period_start": "0001-01-01", "period_end": "9999-12-31"}
    )
    assert not campaign.is_valid()
    assert set(campaign.errors) >= {"name", "period_start", "period_end"}
    reply = ReplyForm(data={"received_on": "1900-01-01", "replied_on": "2027-01-01"})
    assert not reply.is_valid() and set(reply.errors) >= {"received_on", "replied_on"}
    challenge = ChallengeForm(
        data={"kind": "review", "filed_on": "0001-01-01", "result": "pending"}
    )
    assert challenge.errors["filed_on"] == [limits.MSG_DATE_TOO_EARLY]


# --- one error shape for everything under /api/ ---------------------------------------------
def test_unknown_api_routes_answer_the_json_error_shape(staff):
    client = client_for(staff["clerk"])
    for method, path in [
        ("get", "/api/v1/nothing-here/"),
        ("get", "/api/v2/requests/"),
        ("post", "/api/v1/requests"),  # no trailing slash: no redirect of a POST either
        ("delete", "/api/v1/requests/not-a-uuid/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "error": {"code": "not_found", "message": MSG_NOT_FOUND, "fields": {}}
        }


def test_an_oversized_body_is_a_413_in_the_error_shape(city, staff, settings):
    body = json.dumps(payload(content="文" * (2 * 1024 * 1024)))  # ~6 MB of UTF-8
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    for client, url in [
        (client_for(staff["clerk"]), "/api/v1/requests/"),
        (APIClient(), "/api/v1/portal/requests/"),
    ]:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 413, (url, response.content[:200])
        assert response.json()["error"]["code"] == "too_large"
        assert response.json()["error"]["message"] == MSG_TOO_LARGE
    assert not Case.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_letters_errors_use_the_shared_error_shape(case, staff):
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    handler = client_for(staff["handler"])
    url = f"/api/v1/requests/{case.public_id}/letters/"
    response = handler.post(url, {"kind": "reply", "outcome": "disclosed"}, format="json")
    assert response.status_code == 201
    letter = response.json()["id"]
    refused = handler.post(f"/api/v1/letters/{letter}/approve/", format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_permitted"
    assert set(refused.json()["error"]) == ERROR_KEYS
    wrong_state = handler.post(f"/api/v1/letters/{letter}/issue/", {}, format="json")
    assert wrong_state.status_code in (403, 409) and set(wrong_state.json()["error"]) == ERROR_KEYS
    assert CaseEvent.objects.filter(case=case, kind="letter").count() <= 2


def test_an_unexpected_error_under_the_api_is_a_json_500_too(client, staff, monkeypatch):
    assert urls.handler500 == "common.api_errors.server_error"

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "case_list_for_user", broken)
    client.raise_request_exception = False
    client.force_login(staff["clerk"])
    response = client.get("/api/v1/requests/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
