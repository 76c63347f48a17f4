"""The case API: happy path, wrong agency, wrong state, bad input, roles, the portal."""

import datetime as dt
import uuid

import pytest
import time_machine
from rest_framework.test import APIClient

from requests_app.models import Case
from requests_app.services import cases as svc

from .conftest import make_user

TODAY = dt.datetime(2026, 9, 28, 10, 0)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**overrides):
    data = {
        "agency": "CITY-OFFICE",
        "channel": "mail_signed",
        "submitted_on": "2026-09-24",
        "signed_on": "2026-09-25",
        "mail_tracking_number": "EMS1",
        "applicant_type": "natural_person",
        "applicant_name": "王五",
        "applicant_id_number": "11010519491231002X",
        "applicant_phone": "13800001111",
        "applicant_address": "淄博市张店区",
        "content": "申请公开某文件",
    }
    data.update(overrides)
    return data


@time_machine.travel(TODAY, tick=False)
def test_register_then_act_through_the_api(city, staff):
    response = client_for(staff["clerk"]).post("/api/v1/requests/", payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reply_due"] == "2026-10-29" and body["state"] == "received"
    assert body["applicant_id_number"] == "110105********002X"
    assert body["applicant_phone"] == "138****1111"
    case_url = f"/api/v1/requests/{body['id']}/"

    handler = client_for(staff["handler"])
    response = handler.post(
        case_url + "start_drafting/", {"expected_version": body["version"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "drafting"

    # The same version again: somebody else moved the case on.
    response = handler.post(
        case_url + "start_consultation/",
        {"party": "某公司", "expected_version": body["version"]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "案件已被他人修改，请刷新后重试",
        "fields": {},
    }

    # Wrong state is a 409 with the reason.
    response = handler.post(case_url + "record_supplement/", {}, format="json")
    assert response.status_code == 409 and "不能执行" in response.json()["error"]["message"]

    # A guard on an input is a 400 naming the field.
    response = handler.post(
        case_url + "request_extension/", {"days": 25, "reason": "多"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "days": "延期不得超过20个工作日（条例第三十三条第二款），且至少1个工作日"
    }

    # The clerk may not request an extension.
    response = client_for(staff["clerk"]).post(
        case_url + "request_extension/", {"days": 5, "reason": "多"}, format="json"
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_permitted"

    deadline = handler.get(case_url + "deadline/").json()
    assert deadline["reply_due"] == "2026-10-29" and any("国庆节" in s for s in deadline["steps"])
    history = handler.get(case_url + "history/").json()
    assert [e["kind"] for e in history] == ["registered", "transition"]
    assert history[1]["actor"] == "handler-user"


@time_machine.travel(TODAY, tick=False)
def test_bad_registration_names_every_field_and_saves_nothing(city, staff):
    response = client_for(staff["clerk"]).post(
        "/api/v1/requests/", payload(signed_on="", applicant_id_number="123"), format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {
        "signed_on": "邮寄（需签收）须填写签收日期",
        "applicant_id_number": "身份证号码无效（须为18位且校验位正确）",
    }
    assert Case.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_other_agency_gets_404_for_every_case_endpoint(city, other_agency, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    outsider = client_for(make_user("out", other_agency, "clerk", "handler", "approver"))
    base = f"/api/v1/requests/{case.public_id}/"
    for url in (base, base + "history/", base + "deadline/"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(base + "start_drafting/", {}, format="json").status_code == 404
    assert (
        outsider.patch(
            base,
            {"changes": {"applicant_name": "x"}, "reason": "r", "expected_version": 1},
            format="json",
        ).status_code
        == 404
    )
    assert outsider.get("/api/v1/requests/").json()["count"] == 0
    assert APIClient().get(base).status_code in (401, 403)


@time_machine.travel(TODAY, tick=False)
def test_supervisor_reads_the_subtree_but_cannot_act(city, district, intake):
    clerk = make_user("dc", district, "clerk")
    case = svc.case_register(agency=district, by=clerk, data=intake())
    supervisor = client_for(make_user("sup", city, "supervisor"))
    assert supervisor.get(f"/api/v1/requests/{case.public_id}/").status_code == 200
    response = supervisor.post(
        f"/api/v1/requests/{case.public_id}/withdraw/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


def test_portal_submission_returns_a_tracking_code_and_status(city, settings):
    settings.PORTAL_RATE_ADDRESS = "1000/minute"
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"  # fresh counters
    client = APIClient()
    with time_machine.travel(TODAY, tick=False):
        response = client.post(
            "/api/v1/portal/requests/",
            {
                "agency": "CITY-OFFICE",
                "applicant_type": "natural_person",
                "applicant_name": "赵六",
                "applicant_id_number": "11010519491231002X",
                "applicant_phone": "13800002222",
                "delivery_method": "portal",
                "content": "申请公开本市2025年财政预算执行情况",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["received_on"] == "2026-09-28" and body["reply_due"] == "2026-10-30"
    assert len(body["tracking_code"]) == 12
    case = Case.objects.get(tracking_code=body["tracking_code"])
    assert case.channel == "online" and case.events.get().kind == "registered"
    status = client.get(f"/api/v1/portal/requests/{body['tracking_code'].lower()}/").json()
    assert status["state_label"] == "已登记" and "applicant_name" not in status
    assert client.get("/api/v1/portal/requests/NOSUCHCODE00/").status_code == 404


def test_portal_is_rate_limited(city, settings):
    settings.PORTAL_RATE_ADDRESS = "3/minute"
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"  # fresh counters
    client = APIClient()
    with time_machine.travel(TODAY, tick=False):  # one window of the fixed-window counter
        codes = [client.get("/api/v1/portal/requests/NOSUCHCODE00/").status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_served(url, staff):
    assert client_for(staff["clerk"]).get(url).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_assign_through_the_api(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    url = f"/api/v1/requests/{case.public_id}/assign/"
    response = client_for(staff["clerk"]).post(url, {"handler": staff["handler"].id}, format="json")
    assert response.status_code == 403
    response = client_for(staff["approver"]).post(
        url, {"handler": staff["clerk"].id}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["fields"] == {
        "handler": "所选人员不是本机关的承办人"
    }
    response = client_for(staff["approver"]).post(
        url, {"handler": staff["handler"].id}, format="json"
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).handler == staff["handler"]


@pytest.mark.django_db(transaction=True)
def test_portal_submission_outside_a_test_transaction(city, settings):
    """As in production (no surrounding transaction): numbering locks inside the service's own."""
    settings.PORTAL_RATE_ADDRESS = "1000/minute"
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"  # fresh counters
    with time_machine.travel(TODAY, tick=False):
        response = APIClient().post(
            "/api/v1/portal/requests/",
            {
                "agency": "CITY-OFFICE",
                "applicant_type": "natural_person",
                "applicant_name": "赵六",
                "applicant_id_number": "11010519491231002X",
                "applicant_phone": "13800002222",
                "delivery_method": "portal",
                "content": "申请公开某文件",
            },
            format="json",
        )
    assert response.status_code == 201, response.content


@time_machine.travel(TODAY, tick=False)
def test_odd_inputs_are_handled_not_crashed(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client = client_for(staff["clerk"])
    assert client.get("/api/v1/requests/?page=abc").status_code == 200
    response = client.patch(
        f"/api/v1/requests/{case.public_id}/",
        {
            "changes": {"applicant_phone": 13800000000},
            "reason": "来电更正",
            "expected_version": 1,
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["applicant_phone"] == "138****0000"


@time_machine.travel(TODAY, tick=False)
def test_history_masks_identity_and_phone_numbers(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_update(
        case_id=case.id,
        by=staff["clerk"],
        changes={"applicant_phone": "13900002222"},
        reason="来电更正",
    )
    history = client_for(staff["handler"]).get(f"/api/v1/requests/{case.public_id}/history/").json()
    assert history[-1]["changes"] == {"applicant_phone": ["138****1111", "139****2222"]}
