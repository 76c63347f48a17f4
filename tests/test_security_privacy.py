"""Personal data stays where it belongs (issue 10, item 8): a Content-Security-Policy without
inline scripts, no-store on pages and downloads, full numbers only on a recorded "show",
expiring and rotatable API tokens, an 8-hour session with an idle timeout."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import MSG_TOKEN_EXPIRED
from letters.services import letter_draft
from requests_app.models import PersonalDataView
from requests_app.services import cases as svc
from requests_app.services.attachments import attachment_add

from .conftest import valid_id_number

NOW = dt.datetime(2026, 9, 28, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FULL_ID = valid_id_number(7)  # tests.conftest.intake


@pytest.fixture
def case(city, staff, intake):
    with time_machine.travel(NOW, tick=False):
        return svc.case_register(agency=city, by=staff["clerk"], data=intake())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Content-Security-Policy ----------------------------------------------------------------
def test_pages_carry_a_policy_that_refuses_inline_scripts(case, staff):
    for response in (
        Client().get("/accounts/login/"),
        logged_in(staff["handler"]).get(reverse("requests_app:case_detail", args=[case.public_id])),
    ):
        policy = response["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert directives["script-src"] == ["'self'"], policy
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == [
            "'none'"
        ]
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in directives.get("default-src", [])


def test_no_template_has_an_inline_script_or_event_handler():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:60]}"
        for path in TEMPLATES.rglob("*.html")
        for pattern in (inline_script, handler)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_api_docs_page_loads_its_script_as_a_file(staff):
    response = logged_in(staff["clerk"]).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = logged_in(staff["clerk"]).get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- no-store ---------------------------------------------------------------------------------
def test_pages_and_downloads_with_personal_data_are_not_stored(case, staff, settings, tmp_path):
    handler = logged_in(staff["handler"])
    attachment = attachment_add(
        case=case,
        kind="supplement",
        upload=SimpleUploadedFile("scan.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
        by=staff["handler"],
    )
    with time_machine.travel(NOW, tick=False):
        letter = letter_draft(case_id=case.id, by=staff["handler"], kind="receipt")
    api = APIClient()
    api.force_authenticate(staff["handler"])
    responses = {
        "case page": handler.get(reverse("requests_app:case_detail", args=[case.public_id])),
        "worklist": handler.get(reverse("requests_app:worklist")),
        "attachment": handler.get(
            reverse("requests_app:case_attachment_download", args=[case.public_id, attachment.pk])
        ),
        "letter": handler.get(reverse("letters:letter_download", args=[letter.public_id])),
        "api case": api.get(f"/api/v1/requests/{case.public_id}/"),
        "api list": api.get("/api/v1/requests/"),
        "portal status": Client().get(f"/api/v1/portal/requests/{case.tracking_code}/"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert no_store(response), (name, response.get("Cache-Control"))


# --- full numbers only on a recorded "show" -------------------------------------------------
def test_the_case_page_masks_numbers_until_shown_and_the_show_is_recorded(case, staff):
    url = reverse("requests_app:case_detail", args=[case.public_id])
    for role in ("supervisor", "handler", "approver"):
        html = logged_in(staff[role]).get(url).content.decode()
        assert FULL_ID not in html and "13800001111" not in html, role
        assert f"{FULL_ID[:6]}********{FULL_ID[-4:]}" in html and "138****1111" in html
        assert "显示完整号码" in html
    assert not PersonalDataView.objects.exists()
    supervisor = logged_in(staff["supervisor"])
    shown = supervisor.post(
        reverse("requests_app:case_personal_data", args=[case.public_id]),
        REMOTE_ADDR="203.0.113.4",
    )
    html = shown.content.decode()
    assert shown.status_code == 200 and FULL_ID in html and "13800001111" in html
    assert no_store(shown)
    record = PersonalDataView.objects.get()
    assert record.case == case and record.viewer == staff["supervisor"]
    assert record.channel == "web" and record.address == "203.0.113.4"
    assert record.fields == ["applicant_id_number", "applicant_phone"]
    # A GET does not show them; nor can another agency's staff ask.
    assert (
        supervisor.get(
            reverse("requests_app:case_personal_data", args=[case.public_id])
        ).status_code
        == 405
    )


def test_the_show_is_refused_outside_the_users_agencies(case, other_agency):
    from .conftest import make_user

    stranger = logged_in(make_user("stranger", other_agency, "supervisor"))
    response = stranger.post(reverse("requests_app:case_personal_data", args=[case.public_id]))
    assert response.status_code == 404 and not PersonalDataView.objects.exists()


def test_the_history_on_the_case_page_masks_numbers(case, staff):
    svc.case_update(
        case_id=case.id,
        by=staff["clerk"],
        changes={"applicant_phone": "13900002222"},
        reason="来电更正",
        expected_version=1,
    )
    html = (
        logged_in(staff["handler"])
        .get(reverse("requests_app:case_detail", args=[case.public_id]))
        .content.decode()
    )
    assert "138****1111 → 139****2222" in html
    assert "13800001111" not in html and "13900002222" not in html


def test_opening_the_edit_form_which_holds_the_numbers_is_recorded(case, staff):
    page = logged_in(staff["clerk"]).get(reverse("requests_app:case_edit", args=[case.public_id]))
    assert page.status_code == 200 and "13800001111" in page.content.decode()
    record = PersonalDataView.objects.get()
    assert record.viewer == staff["clerk"] and record.channel == "edit"


def test_the_api_shows_full_numbers_on_request_and_records_it(case, staff):
    api = APIClient()
    api.force_authenticate(staff["approver"])
    detail = api.get(f"/api/v1/requests/{case.public_id}/").json()
    assert detail["applicant_id_number"] != FULL_ID
    response = api.post(f"/api/v1/requests/{case.public_id}/personal-data/")
    assert response.status_code == 200
    assert response.json() == {"applicant_id_number": FULL_ID, "applicant_phone": "13800001111"}
    record = PersonalDataView.objects.get()
    assert record.viewer == staff["approver"] and record.channel == "api"


def test_administrators_read_the_record_and_cannot_change_it(case, staff):
    logged_in(staff["handler"]).post(
        reverse("requests_app:case_personal_data", args=[case.public_id])
    )
    root = get_user_model().objects.create_superuser("root", password="pw-12345678")
    admin = logged_in(root)
    listing = admin.get("/admin/requests_app/personaldataview/")
    assert listing.status_code == 200 and staff["handler"].username in listing.content.decode()
    assert admin.get("/admin/requests_app/personaldataview/add/").status_code == 403
    record = PersonalDataView.objects.get()
    assert (
        admin.post(f"/admin/requests_app/personaldataview/{record.pk}/delete/", {"post": "yes"})
    ).status_code == 403


# --- API tokens -------------------------------------------------------------------------------
def test_an_expired_token_is_refused_and_a_rotated_one_replaces_it(case, staff):
    start = dt.datetime(2026, 9, 28, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = Token.objects.create(user=staff["handler"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        assert api.get("/api/v1/requests/").status_code == 200
        rotated = api.post("/api/v1/auth/token/rotate/")
    assert rotated.status_code == 201
    new_key = rotated.json()["token"]
    assert new_key != old.key
    assert rotated.json()["expires_at"].startswith("2026-09-28T23:59")  # UTC+8 of 15:59Z
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=30), tick=False):
        refused = api.get("/api/v1/requests/")  # the old token: rotated away
        # 403 rather than 401: the first authentication class (session) sends no challenge.
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "authentication_failed"
        api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
        assert api.get("/api/v1/requests/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=16), tick=False):
        expired = api.get("/api/v1/requests/")
    assert expired.status_code == 403
    assert expired.json()["error"] == {
        "code": "authentication_failed",
        "message": MSG_TOKEN_EXPIRED,
        "fields": {},
    }


# --- sessions -----------------------------------------------------------------------------------
def test_sessions_last_a_working_day_and_end_when_idle(staff):
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600
    assert django_settings.SESSION_IDLE_TIMEOUT == 30 * 60
    start = dt.datetime(2026, 9, 28, 1, 0, tzinfo=dt.UTC)
    worklist = reverse("requests_app:worklist")
    with time_machine.travel(start, tick=False):
        client = logged_in(staff["handler"])
        assert client.get(worklist).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert client.get(worklist).status_code == 200  # activity keeps it alive
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert client.get(worklist).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        response = client.get(worklist)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session

    with time_machine.travel(start + dt.timedelta(minutes=82), tick=False):
        client = logged_in(staff["handler"])
        client.get(worklist)
    with time_machine.travel(start + dt.timedelta(minutes=120), tick=False):
        partial = client.get(worklist, HTTP_HX_REQUEST="true")
    assert partial.status_code == 204 and partial["HX-Redirect"].startswith("/accounts/login/")
