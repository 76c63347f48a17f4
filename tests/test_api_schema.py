"""The OpenAPI schema documents every response the API gives, errors included (issue 10, item 9);
the list matches its schema and has next/previous links, downloads are named for people
(issue 11, defect 8); the API docs are served from the application itself, with no CDN
(issue 11, defect 4)."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from common.api_errors import ERROR_RESPONSES
from common.downloads import ascii_fallback, content_disposition, download_name
from common.pagination import ApiPagination
from letters.models import Letter
from requests_app.services import cases as svc
from tests.helpers import close_via_approval, download_filename

NOW = dt.datetime(2026, 9, 28, 10, 0)
DOCUMENTED_ERRORS = {"400", "403", "404", "409", "413", "429"}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def schema(staff):
    response = client_for(staff["clerk"]).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_the_error_responses_in_the_error_shape(schema):
    assert DOCUMENTED_ERRORS <= set(ERROR_RESPONSES)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 30
    for path, method, operation in operations:
        responses = operation["responses"]
        assert DOCUMENTED_ERRORS <= set(responses), (method, path)
        for code in DOCUMENTED_ERRORS:
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path, code)
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["code", "message", "fields"]


def test_the_list_is_documented_as_paginated_with_links(schema):
    response = schema["paths"]["/api/v1/requests/"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = schema["components"]["schemas"][ref]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/requests/"]["get"]["parameters"]}
    assert {"page", "state", "agency"} <= parameters


@time_machine.travel(NOW, tick=False)
def test_the_list_pages_with_next_and_previous_links(city, staff, intake, monkeypatch):
    monkeypatch.setattr(ApiPagination, "page_size", 2)
    for n in range(3):
        svc.case_register(
            agency=city, by=staff["clerk"], data=intake(mail_tracking_number=f"EMS{n}")
        )
    client = client_for(staff["clerk"])
    first = client.get("/api/v1/requests/").json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/requests/?page=2"
    second = client.get(urlsplit(first["next"]).path + "?page=2").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/requests/"
    assert {c["id"] for c in first["results"]} | {c["id"] for c in second["results"]} == {
        str(pk) for pk in city.cases.values_list("public_id", flat=True)
    }
    beyond = client.get("/api/v1/requests/?page=9")
    assert beyond.status_code == 404 and set(beyond.json()["error"]) == {
        "code",
        "message",
        "fields",
    }
    bad = client.get("/api/v1/requests/?state=nonsense")
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]


def test_api_docs_are_served_from_our_own_static_files(client, staff):
    client.force_login(staff["clerk"])
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in url for url in urls), html
    assert not re.search(r"https?://", html), "no URL to another host (CDN)"
    assert "<script>" not in html, "the page's own script is a file too (no inline script)"
    for url in urls:
        path = urlsplit(url).path
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), f"{path} is not a static file"
        else:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not re.search(r"https?://(?!testserver)", response.content.decode())


# --- downloads named for people -------------------------------------------------------------
def test_download_names_join_parts_and_drop_what_no_file_system_takes():
    assert download_name("2026-0023", "答复书", ext="docx") == "2026-0023_答复书.docx"
    assert download_name("a/b\\c", 'x"y', "", None, ext=".pdf") == "a_b_c_x_y.pdf"
    assert ascii_fallback("2026-0023_答复书.docx") == "2026-0023.docx"
    assert ascii_fallback("答复书.docx") == "download.docx"
    header = content_disposition("2026-0023_答复书.docx")
    assert header == (
        'attachment; filename="2026-0023.docx"; '
        "filename*=UTF-8''2026-0023_%E7%AD%94%E5%A4%8D%E4%B9%A6.docx"
    )
    assert "\n" not in content_disposition("a\r\nSet-Cookie: x.pdf")


@time_machine.travel(NOW, tick=False)
def test_letter_downloads_are_named_by_case_number_and_letter_kind(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply")
    response = client_for(staff["handler"]).get(f"/api/v1/letters/{reply.public_id}/file/")
    assert response.status_code == 200
    assert download_filename(response) == f"{case.case_no}_答复书.docx"
    assert f'filename="{case.case_no}.docx"' in response["Content-Disposition"]


@time_machine.travel(NOW, tick=False)
def test_an_attachment_is_offered_under_the_case_number_and_its_own_name(
    client, city, staff, intake, settings, tmp_path
):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["handler"])
    upload = SimpleUploadedFile("申请书 扫描.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    client.post(
        reverse("requests_app:case_attachment_upload", args=[case.public_id]),
        {"kind": "supplement", "file": upload},
    )
    attachment = case.attachments.get()
    response = client.get(
        reverse("requests_app:case_attachment_download", args=[case.public_id, attachment.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline; ")
    assert download_filename(response) == f"{case.case_no}_申请书 扫描.jpg"
