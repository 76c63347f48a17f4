"""The public pages (issue 13): filing on /portal/ with the API's checks and the staff upload
checks, the receipt date rule (confirm on submission or by staff), tracking with the code and
the phone's last four digits, the online supplement, and the shared limits."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from portal.models import PortalSetting, Submission
from requests_app.models import Attachment, Case, ClockEvent
from requests_app.services import cases as svc

from .conftest import make_user
from .portal_support import PNG, filing, fresh_limits  # noqa: F401

pytestmark = pytest.mark.usefixtures("fresh_limits")

MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def file_request(client, **overrides):
    data = filing(**overrides)
    return client.post("/portal/", data)


def code_from(client) -> str:
    page = client.get("/portal/filed/").content.decode()
    return re.search(r'id="tracking-code">([A-Z0-9]+)<', page).group(1)


def track(client, code, tail):
    return client.post("/portal/track/", {"code": code, "phone_tail": tail})


def test_the_form_lists_the_whole_tree_and_a_plain_get_search_narrows_it(district):
    page = Client().get("/portal/").content.decode()
    assert "淄博市人民政府办公室" in page and "淄博市人民政府办公室 › 张店区人民政府" in page
    narrowed = Client().get("/portal/", {"q": "张店"}).content.decode()
    assert 'value="ZD-GOV"' in narrowed and 'value="CITY-OFFICE"' not in narrowed
    # every input has its label
    for field in ("applicant_name", "applicant_phone", "content", "scans", "agency"):
        assert f'for="id_{field}"' in page and f'id="id_{field}"' in page
    assert 'name="viewport" content="width=device-width' in page
    assert "<script" not in page  # works without JavaScript


@time_machine.travel(MONDAY, tick=False)
def test_filing_registers_an_online_case_received_today_and_shows_the_code_once(city):
    client = Client()
    scan = SimpleUploadedFile("id-card.png", PNG, content_type="image/png")
    response = client.post("/portal/", {**filing(), "scans": [scan]})
    assert response.status_code == 302 and response["Location"] == "/portal/filed/"
    page = client.get("/portal/filed/").content.decode()
    code = re.search(r'id="tracking-code">([A-Z0-9]+)<', page).group(1)
    case = Case.objects.get(tracking_code=code)
    assert case.channel == "online" and case.received_on == dt.date(2026, 11, 2)
    assert case.confirmed_on == case.submitted_on == dt.date(2026, 11, 2)
    assert 'id="receipt-received">2026-11-02<' in page
    assert case.delivery_method == "portal" and case.information_form == "electronic"
    scans = Attachment.objects.filter(case=case, kind="identity")
    assert [(a.original_name, a.content_type) for a in scans] == [("id-card.png", "image/png")]
    # shown once: the page does not show it again
    assert client.get("/portal/filed/").status_code == 302


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"applicant_id_number": "370302198101010010"}, "applicant_id_number"),
        ({"applicant_phone": ""}, "applicant_phone"),
        ({"agency": "NO-SUCH"}, "agency"),
        ({"content": "x" * 5001}, "content"),
        ({"delivery_method": "email", "applicant_email": ""}, "applicant_email"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(city, overrides, field):
    response = file_request(Client(), **overrides)
    assert response.status_code == 400
    assert f'href="#id_{field}"' in response.content.decode()
    assert Case.objects.count() == 0 and Submission.objects.count() == 0


def test_scans_are_checked_as_staff_uploads_are(city):
    fake = SimpleUploadedFile("id.pdf", b"MZ this is no pdf", content_type="application/pdf")
    response = Client().post("/portal/", {**filing(), "scans": [fake]})
    assert response.status_code == 400
    assert "文件类型不支持" in response.content.decode()
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_with_staff_confirmation_the_receipt_date_is_the_confirmation_day(
    city, other_agency, staff
):
    PortalSetting.objects.create(agency=city, portal_confirm_by_staff=True)
    client = Client()
    with time_machine.travel(MONDAY, tick=False):
        scan = SimpleUploadedFile("id.png", PNG, content_type="image/png")
        client.post("/portal/", {**filing(), "scans": [scan]})
        code = code_from(client)
    assert Case.objects.count() == 0
    submission = Submission.objects.get(tracking_code=code)
    track(client, code, "0011")
    assert "待确认" in client.get("/portal/track/status/").content.decode()

    clerk = Client()
    clerk.force_login(staff["clerk"])
    worklist = clerk.get("/worklist/").content.decode()
    assert 'id="portal-pending">1<' in worklist
    # a clerk of another agency neither sees nor confirms it
    outsider = Client()
    outsider.force_login(make_user("other-clerk", other_agency, "clerk"))
    assert "王五" not in outsider.get("/portal/pending/").content.decode()
    assert outsider.post(f"/portal/pending/{submission.pk}/confirm/").status_code == 403

    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        assert clerk.post(f"/portal/pending/{submission.pk}/confirm/").status_code == 302
    case = Case.objects.get(tracking_code=code)
    assert case.submitted_on == dt.date(2026, 11, 2)
    assert case.received_on == case.confirmed_on == dt.date(2026, 11, 3)
    assert case.attachments.filter(kind="identity").count() == 1
    submission.refresh_from_db()
    assert submission.state == "confirmed" and submission.data == {}
    assert clerk.post(f"/portal/pending/{submission.pk}/confirm/").status_code == 302
    assert Case.objects.count() == 1  # confirming twice registers once
    status = client.get("/portal/track/status/").content.decode()
    assert 'id="received-on">2026-11-03<' in status


@time_machine.travel(MONDAY, tick=False)
def test_tracking_shows_state_dates_and_the_deadline_explanation(city):
    client = Client()
    file_request(client)
    code = code_from(client)
    case = Case.objects.get(tracking_code=code)
    assert track(client, code.lower(), "0011").status_code == 302
    page = client.get("/portal/track/status/").content.decode()
    assert 'id="state">已登记<' in page
    assert f'id="reply-due">{case.reply_due:%Y-%m-%d}' in page
    assert 'id="deadline-steps"' in page
    assert "applicant_id_number" not in page and case.applicant_id_number not in page


def _body(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@time_machine.travel(MONDAY, tick=False)
def test_a_wrong_pair_answers_exactly_as_an_unknown_code(city):
    client = Client()
    file_request(client)
    code = code_from(client)
    wrong_phone = track(Client(), code, "9999")
    unknown = track(Client(), "ZZZZZZZZZZZZ", "0011")
    assert wrong_phone.status_code == unknown.status_code == 400
    assert _body(wrong_phone).replace(code, "ZZZZZZZZZZZZ") == _body(unknown)
    assert track(Client(), code, "").status_code == 400
    assert track(Client(), code, "011").status_code == 400
    # no session, no status
    assert Client().get("/portal/track/status/").status_code == 302


@time_machine.travel(MONDAY, tick=False)
def test_tracking_attempts_are_limited_per_address_whatever_the_header_says(city, settings):
    settings.PORTAL_RATE_TRACK = "3/minute"
    codes = [
        Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        .post("/portal/track/", {"code": f"CODE{n}", "phone_tail": "1234"})
        .status_code
        for n in range(6)
    ]
    assert codes == [400, 400, 400, 429, 429, 429]
    other = Client(REMOTE_ADDR="203.0.113.6").post(
        "/portal/track/", {"code": "X", "phone_tail": "1"}
    )
    assert other.status_code == 400


@time_machine.travel(MONDAY, tick=False)
def test_pages_and_api_share_one_budget_per_address(city, settings):
    settings.PORTAL_RATE_ADDRESS = "3/minute"
    api = APIClient(REMOTE_ADDR="198.51.100.7")
    assert api.post("/api/v1/portal/requests/", filing(seed=21), format="json").status_code == 201
    page = Client(REMOTE_ADDR="198.51.100.7")
    assert page.post("/portal/", filing(seed=22)).status_code == 302
    assert page.get("/portal/").status_code == 200  # the blank form does no work: not counted
    assert page.post("/portal/track/", {"code": "X", "phone_tail": "1234"}).status_code == 400
    refused = page.post("/portal/", filing(seed=23))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert api.post("/api/v1/portal/requests/", filing(seed=24), format="json").status_code == 429
    assert Case.objects.count() == 2


@time_machine.travel(MONDAY, tick=False)
def test_identity_limit_applies_to_page_filings(city, settings):
    settings.PORTAL_RATE_IDENTITY = "2/day"
    client = Client()
    statuses = [client.post("/portal/", filing(seed=31)).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_an_online_supplement_restarts_the_clock_as_the_staff_service_does(city, staff):
    handler = staff["handler"]
    client = Client()
    with time_machine.travel(MONDAY, tick=False):
        file_request(client)
        code = code_from(client)
        twin_client = Client()
        file_request(twin_client, seed=12)
        twin = Case.objects.get(tracking_code=code_from(twin_client))
        case = Case.objects.get(tracking_code=code)
        for c in (case, twin):
            svc.case_request_supplement(
                case_id=c.pk, by=handler, missing="身份证明不清晰", due=dt.date(2026, 11, 20)
            )
    answer_day = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(answer_day, tick=False):
        track(client, code, "0011")
        page = client.get("/portal/track/status/").content.decode()
        assert 'id="supplement-due">2026-11-20<' in page and "身份证明不清晰" in page
        bad = SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf")
        assert client.post("/portal/track/supplement/", {"supplement": [bad]}).status_code == 400
        case.refresh_from_db()
        assert case.state == "supplement"
        good = SimpleUploadedFile("补正.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        assert client.post("/portal/track/supplement/", {"supplement": [good]}).status_code == 302
        svc.case_record_supplement(case_id=twin.pk, by=handler)
    case.refresh_from_db()
    twin.refresh_from_db()
    assert case.state == twin.state == "received"
    assert case.reply_due == twin.reply_due
    restart = ClockEvent.objects.get(case=case, kind="restart")
    assert restart.on == dt.date(2026, 11, 9)
    event = case.events.get(transition="record_supplement")
    assert event.actor is None and event.reason == "申请人网上提交补正材料"
    assert case.attachments.filter(kind="supplement").count() == 1
    # answered: no second upload
    with time_machine.travel(answer_day, tick=False):
        good = SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        assert client.post("/portal/track/supplement/", {"supplement": [good]}).status_code == 400


def test_staff_pages_never_carry_the_tracking_code_to_the_portal(city, staff):
    with time_machine.travel(MONDAY, tick=False):
        client = Client()
        file_request(client)
        case = Case.objects.get(tracking_code=code_from(client))
        staff_client = Client()
        staff_client.force_login(staff["clerk"])
        page = staff_client.get(f"/cases/{case.public_id}/").content.decode()
    assert "/portal/track" not in page
