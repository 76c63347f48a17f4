"""Uploaded files are served only through the access-checked views, in every mode: the
embedded DEBUG mode that `make run` gives included (issue 10 item 6)."""

import datetime as dt
import importlib
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

import config.urls
from agencies.models import Role
from requests_app.services import cases as svc
from requests_app.services.attachments import attachment_add
from tests.conftest import make_user

NOW = dt.datetime(2026, 9, 28, 10, 0)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def debug_urls(settings, scan):
    """The URL configuration as it is built with DEBUG on (it is read at import), after the
    scan's MEDIA_ROOT is set."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def scan(city, staff, intake, media_root):
    with time_machine.travel(NOW, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        attachment = attachment_add(
            case=case,
            kind="letter_scan",
            upload=SimpleUploadedFile("a.pdf", PDF),
            by=staff["clerk"],
        )
    assert (Path(media_root) / attachment.file.name).read_bytes() == PDF
    return case, attachment


def test_media_paths_are_404_in_debug_mode_with_or_without_login(client, debug_urls, scan, staff):
    case, attachment = scan
    url = f"/media/{attachment.file.name}"
    assert client.get(url).status_code == 404
    client.force_login(staff["clerk"])  # even the agency's own clerk: only the checked view
    assert client.get(url).status_code == 404


def test_the_access_checked_download_serves_the_scan_to_the_agency_only(
    client, debug_urls, scan, staff, other_agency
):
    case, attachment = scan
    url = reverse("requests_app:case_attachment_download", args=[case.public_id, attachment.pk])
    client.force_login(staff["handler"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(make_user("intruder", other_agency, Role.CLERK, Role.HANDLER))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
