"""From the agency staff's side, a case linked to a test request cannot be told from any other:
no field or relation on the model, no difference in any page, API answer, selector result or
export, and the same number of queries (SPEC §8)."""

import datetime as dt
import difflib
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from docx import Document as DocxDocument
from pypdf import PdfReader

from agencies.models import Role
from audits import services
from audits.testing import audit_world, mock_request_data, user_make
from letters.models import Letter
from requests_app import selectors as case_selectors
from requests_app.models import Case
from requests_app.selectors import mask_id_number
from requests_app.services import cases as case_svc
from tests.conftest import valid_id_number
from tests.helpers import close_via_approval
from tests.test_export_cases import SPEC_FIELDS

SKIPPED_PREFIXES = (
    "api/v1/portal/",
    "admin/",
    "accounts/",
    "i18n/",
    "audits/",
    "api/schema/",
    "api/docs/",
    "media/",
    "static/",
)
CASE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def case_urls(case: Case) -> list[str]:
    """Every GET-able route of the other apps that takes no argument or only the case's id
    (the worklists, the case page and its sub-pages, API endpoints), plus the admin page."""
    urls = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or "^" in route or "(?P" in route:
            continue
        params = CASE_PARAM.findall(route)
        values = {}
        for converter, name in params:
            if converter == "uuid" or name == "public_id":
                values[name] = str(case.public_id)
            elif name in ("case_id", "case_pk"):
                values[name] = str(case.pk)
            else:
                break
        else:
            urls.append("/" + CASE_PARAM.sub(lambda m, v=values: v[m.group(2)], route))
    urls.append(f"/admin/requests_app/case/{case.pk}/change/")
    return sorted(set(urls))


CSRF = re.compile(r"[A-Za-z0-9]{64}|[A-Za-z0-9]{32}")


def _normalise(body: bytes) -> str:
    if body.startswith(b"%PDF"):  # a PDF (the 案卷) by its text: streams are compressed
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        # A letter's SHA-256 in the history is the case's own data (its letters differ).
        return re.sub(r"[0-9a-f]{64}", "SHA", re.sub(r"\s+", "", text))
    if body.startswith(b"PK\x03\x04") and b"word/document.xml" in body:  # a .docx, by its text
        document = DocxDocument(io.BytesIO(body))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return CSRF.sub("TOKEN", body.decode("utf-8", "replace"))


OWN_ROW_ID = re.compile(r'(name="[^"]*-(?:id|case)" value=")\d+')
OWN_ROW_NAME = re.compile(r"object \(\d+\)")


def _own_row_ids(body: str) -> str:
    return OWN_ROW_NAME.sub("object (#)", OWN_ROW_ID.sub(r"\1#", body))


def _snapshot(client, users, urls):
    seen = {}
    for user in users:
        client.force_login(user)
        for url in urls:
            client.get(url)  # warm caches (calendar, content types, sessions)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            seen[(user.username, url)] = (
                response.status_code,
                _normalise(response.content),
                len(queries),
            )
        client.logout()
    return seen


@pytest.fixture
def client():
    """A client that answers a broken page of another app with its 500 (compared like any
    other answer) instead of raising: this test is about what differs, not about those pages."""
    return Client(raise_request_exception=False)


@pytest.fixture
def world(city, district):
    return audit_world(city, district)


@time_machine.travel(dt.datetime(2026, 10, 12, 10, 0), tick=False)
def test_linking_changes_nothing_agency_staff_can_see(world, intake, client, tmp_path):
    services.campaign_transition(campaign_id=world.campaign.pk, by=world.supervisor, action="start")
    staff = world.district_staff
    case = case_svc.case_register(agency=world.district, by=staff[Role.CLERK], data=intake())
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    superuser = user_make("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    users = [
        staff[Role.CLERK],
        staff[Role.HANDLER],
        staff[Role.APPROVER],
        staff[Role.SUPERVISOR],
        superuser,
    ]
    urls = case_urls(case)
    assert any(str(case.public_id) in url for url in urls)  # the case page is among them
    assert f"/admin/requests_app/case/{case.pk}/change/" in urls

    before_pages = _snapshot(client, users, urls)
    before_rows = {
        u.username: list(case_selectors.case_list_for_user(u).order_by("id").values())
        for u in users
    }
    before_case = model_to_dict(
        case_selectors.case_get_for_user(staff[Role.HANDLER], public_id=case.public_id)
    )
    call_command("export_cases", agency=world.district.code, output=str(tmp_path / "before.csv"))
    call_command("export_cases", agency=world.district.code, output=str(tmp_path / "before.xlsx"))

    services.mock_request_link_case(
        campaign_id=world.campaign.pk, number=tr.number, by=world.lawyer, case_id=case.id
    )
    tr.refresh_from_db()
    assert tr.case_id == case.id

    after_pages = _snapshot(client, users, urls)
    for key, value in before_pages.items():
        assert after_pages[key] == value, key
    assert before_rows == {
        u.username: list(case_selectors.case_list_for_user(u).order_by("id").values())
        for u in users
    }
    linked = case_selectors.case_get_for_user(staff[Role.HANDLER], public_id=case.public_id)
    assert model_to_dict(linked) == before_case
    call_command("export_cases", agency=world.district.code, output=str(tmp_path / "after.csv"))
    assert (tmp_path / "before.csv").read_bytes() == (tmp_path / "after.csv").read_bytes()
    call_command("export_cases", agency=world.district.code, output=str(tmp_path / "after.xlsx"))
    from openpyxl import load_workbook

    def rows(path):
        return [list(r) for r in load_workbook(path).worksheets[0].iter_rows(values_only=True)]

    assert rows(tmp_path / "before.xlsx") == rows(tmp_path / "after.xlsx")
    header = (tmp_path / "after.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header == [*SPEC_FIELDS, "overdue"]


@time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False)
def test_a_linked_and_an_unlinked_case_differ_only_in_their_own_data(world, intake, client):
    services.campaign_transition(campaign_id=world.campaign.pk, by=world.supervisor, action="start")
    staff = world.district_staff
    linked = case_svc.case_register(agency=world.district, by=staff[Role.CLERK], data=intake())
    # Another applicant: the same applicant's same open request would be flagged as a repeat.
    plain = case_svc.case_register(
        agency=world.district,
        by=staff[Role.CLERK],
        data=intake(applicant_id_number=valid_id_number(8)),
    )
    for case in (linked, plain):  # both answered with an issued reply letter, on time
        close_via_approval(
            case,
            handler=staff[Role.HANDLER],
            approver=staff[Role.APPROVER],
            outcome="disclosed",
            on=dt.date(2026, 10, 29),
        )
        case.refresh_from_db()
    own_letters = {
        case.pk: [
            (str(x.public_id), x.number) for x in Letter.objects.filter(case=case).order_by("id")
        ]
        for case in (linked, plain)
    }
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    services.mock_request_link_case(
        campaign_id=world.campaign.pk, number=tr.number, by=world.lawyer, case_id=linked.id
    )
    superuser = user_make("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    own = [(linked, plain)]
    for user in (staff[Role.HANDLER], staff[Role.SUPERVISOR], superuser):
        client.force_login(user)
        for url_linked, url_plain in zip(case_urls(linked), case_urls(plain), strict=True):
            answers = []
            for url in (url_linked, url_plain):
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                answers.append((response.status_code, _normalise(response.content), len(queries)))
            (status_a, body_a, n_a), (status_b, body_b, n_b) = answers
            for a, b in own if url_linked != url_plain else ():
                for old, new in (
                    (str(a.public_id), str(b.public_id)),
                    (a.tracking_code, b.tracking_code),
                    (a.case_no, b.case_no),
                    (f"/{a.pk}/", f"/{b.pk}/"),
                    (a.applicant_id_number, b.applicant_id_number),
                    (mask_id_number(a.applicant_id_number), mask_id_number(b.applicant_id_number)),
                    *[  # its own letters: their ids and numbers (文号)
                        pair
                        for (ua, na), (ub, nb) in zip(
                            own_letters[a.pk], own_letters[b.pk], strict=True
                        )
                        for pair in ((ua, ub), (na, nb))
                    ],
                ):
                    body_a = body_a.replace(old, new)
            if url_linked != url_plain:  # ids of the case's own history rows (admin inlines)
                body_a, body_b = _own_row_ids(body_a), _own_row_ids(body_b)
            assert (status_a, n_a) == (status_b, n_b), url_linked
            assert body_a == body_b, (
                url_linked
                + "\n"
                + "\n".join(
                    difflib.unified_diff(body_a.splitlines(), body_b.splitlines(), lineterm="", n=1)
                )
            )
        client.logout()


def test_the_case_model_has_no_relation_to_the_audits():
    for field in Case._meta.get_fields(include_hidden=False):
        related = getattr(field, "related_model", None)
        assert related is None or related._meta.app_label != "audits", field
    assert not any("test" in name.lower() for name in (f.name for f in Case._meta.get_fields()))
