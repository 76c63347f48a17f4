"""Every staff page checks agency and role: a user of agency A who guesses a URL of agency B
gets 404, never data. The test covers every URL of requests_app.urls (a new page without a
case here fails the coverage check)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Role
from letters import approval_urls
from requests_app import urls as app_urls
from requests_app.actions import ACTIONS
from requests_app.models import Case, CaseEvent
from requests_app.services import cases as svc
from requests_app.services.attachments import attachment_add
from tests.conftest import make_user

NOW = dt.datetime(2026, 9, 28, 10, 0)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def victim(city, staff, intake, settings, tmp_path):
    """A case of agency B (the city office) with an attachment."""
    with time_machine.travel(NOW, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        attachment = attachment_add(
            case=case,
            kind="letter_scan",
            upload=SimpleUploadedFile("a.pdf", PDF),
            by=staff["clerk"],
        )
    return case, attachment


@pytest.fixture
def intruder(other_agency):
    """A user holding every staff role, but in agency A."""
    return make_user(
        "intruder", other_agency, Role.CLERK, Role.HANDLER, Role.APPROVER, Role.SUPERVISOR
    )


CASE_URLS = {
    "requests_app:case_detail": ("get", lambda c, a: [c.public_id]),
    "requests_app:intake_done": ("get", lambda c, a: [c.public_id]),
    "requests_app:case_edit": ("get", lambda c, a: [c.public_id]),
    "requests_app:case_attachment_upload": ("post", lambda c, a: [c.public_id]),
    "requests_app:case_assign": ("post", lambda c, a: [c.public_id]),
    "requests_app:case_attachment_download": ("get", lambda c, a: [c.public_id, a.pk]),
    "requests_app:case_personal_data": ("post", lambda c, a: [c.public_id]),
    "approvals:act": ("post", lambda c, a: ["case", c.public_id, "signoff"]),
}
LIST_URLS = {
    *(f"requests_app:{n}" for n in ("home", "worklist", "intake", "intake_form", "supervision")),
    "requests_app:case_act",
    "approvals:queue",
}


def test_every_url_is_covered_by_this_matrix():
    names = {f"requests_app:{pattern.name}" for pattern in app_urls.urlpatterns}
    names |= {f"approvals:{pattern.name}" for pattern in approval_urls.urlpatterns}
    assert names == set(CASE_URLS) | LIST_URLS


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", sorted(CASE_URLS))
def test_case_pages_of_another_agency_are_404(client, victim, intruder, name):
    case, attachment = victim
    method, args = CASE_URLS[name]
    client.force_login(intruder)
    url = reverse(name, args=args(case, attachment))
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert case.applicant_name not in response.content.decode()
    if method == "post":
        response = client.post(
            url, {"kind": "other", "file": SimpleUploadedFile("b.pdf", PDF), "applicant_name": "X"}
        )
        assert response.status_code == 404
    assert case.attachments.count() == 1


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_on_a_case_of_another_agency_is_404_and_changes_nothing(
    client, victim, intruder, action
):
    case, _ = victim
    client.force_login(intruder)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        reverse("requests_app:case_act", args=[case.public_id, action]),
        {f"{action}-expected_version": case.version, f"{action}-reason": "x"},
    )
    assert response.status_code == 404
    assert CaseEvent.objects.filter(case=case).count() == events
    assert Case.objects.get(pk=case.pk).version == case.version


@time_machine.travel(NOW, tick=False)
def test_edit_post_of_another_agency_is_404(client, victim, intruder):
    case, _ = victim
    client.force_login(intruder)
    response = client.post(
        reverse("requests_app:case_edit", args=[case.public_id]),
        {"applicant_name": "篡改", "reason": "x", "expected_version": case.version},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).applicant_name == case.applicant_name


@time_machine.travel(NOW, tick=False)
def test_list_pages_never_show_another_agencys_cases(client, victim, intruder, other_agency):
    case, _ = victim
    client.force_login(intruder)
    for name, args in [
        ("requests_app:worklist", []),
        ("approvals:queue", []),
        ("requests_app:supervision", []),
        ("requests_app:intake", []),
        ("requests_app:intake_form", ["mail_signed"]),
    ]:
        response = client.get(reverse(name, args=args), {"state": "all"})
        assert response.status_code == 200, name
        html = response.content.decode()
        assert case.case_no not in html and case.applicant_name not in html, name
    worklist = client.get(reverse("requests_app:worklist"), {"agency": case.agency_id})
    assert worklist.status_code == 404
    search = client.get(reverse("requests_app:worklist"), {"q": case.tracking_code, "state": "all"})
    assert case.case_no not in search.content.decode()
    # The supervisor's home lists only the own subtree.
    rows = client.get(reverse("requests_app:supervision")).context["rows"]
    assert [row["agency"] for row in rows] == [other_agency]
    # Registering in agency A never lands in agency B.
    assert client.get(reverse("requests_app:home")).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_roles_without_case_access_get_404_on_case_pages(client, victim, staff):
    case, attachment = victim
    for role in (Role.AUDITOR, Role.ADMINISTRATOR):
        client.force_login(staff[role])
        for name, (method, args) in CASE_URLS.items():
            url = reverse(name, args=args(case, attachment))
            assert getattr(client, method)(url).status_code == 404, (role, name)
        assert client.get(reverse("requests_app:worklist")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_supervisor_reads_but_cannot_act_or_edit(client, victim, staff):
    case, _ = victim
    client.force_login(staff[Role.SUPERVISOR])
    assert client.get(reverse("requests_app:case_detail", args=[case.public_id])).status_code == 200
    assert client.get(reverse("requests_app:case_edit", args=[case.public_id])).status_code == 404
    response = client.post(
        reverse("requests_app:case_act", args=[case.public_id, "start_drafting"]),
        {"start_drafting-expected_version": case.version},
    )
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_login(client, victim):
    case, attachment = victim
    for name, (method, args) in CASE_URLS.items():
        response = getattr(client, method)(reverse(name, args=args(case, attachment)))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for name in ("requests_app:worklist", "requests_app:intake", "approvals:queue",
                 "requests_app:supervision"):  # fmt: skip
        response = client.get(reverse(name))
        assert response["Location"].startswith("/accounts/login/")
