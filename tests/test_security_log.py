"""The security log (issue 18): a scripted session leaves one row per security-relevant act —
failed login, lockout, refused transition, export, PII reveal, template change, admin change,
letter download, web and API refusals — each with who, when, from where and what, in the
database and as JSON lines; the log is append-only (Python and the PostgreSQL trigger) and
kept at least six months."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from letters.build_templates import build
from letters.models import LetterTemplate
from requests_app.models import Case
from requests_app.services import cases as svc
from security.events import security_event_record
from security.kinds import SecurityEventKind as Kind
from security.models import AppendOnlyError, SecurityEvent

from .conftest import make_user

PASSWORD = "pw-12345678"
BROWSER = "Mozilla/5.0 (Windows NT 10.0) scripted-session"
TODAY = dt.datetime(2026, 9, 28, 10, 0)


@pytest.fixture(autouse=True)
def security_log_file(settings, tmp_path):
    settings.SECURITY_LOG_FILE = tmp_path / "log" / "security.jsonl"
    return settings.SECURITY_LOG_FILE


def json_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rows(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("id"))


@time_machine.travel(TODAY, tick=False)
def test_a_scripted_session_leaves_its_security_log(
    city, staff, intake, tmp_path, security_log_file
):
    # 1. A failed login, then a lockout of the user name after five failures.
    guesser = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
    for _ in range(5):
        guesser.post("/accounts/login/", {"username": "clerk-user", "password": "wrong-guess"})
    failed = rows(Kind.LOGIN_FAILED)
    assert len(failed) >= 5
    assert failed[0].username == "clerk-user" and failed[0].address == "203.0.113.7"
    assert failed[0].user_agent == BROWSER and failed[0].path == "/accounts/login/"
    assert "wrong-guess" not in json.dumps(failed[0].details)  # never the password
    lockout = rows(Kind.LOCKOUT)
    assert lockout and lockout[0].username == "clerk-user"
    assert lockout[0].address == "203.0.113.7"

    # 2. The handler logs in (from another address: the guesser's is locked).
    handler = Client(REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT=BROWSER)
    response = handler.post("/accounts/login/", {"username": "handler-user", "password": PASSWORD})
    assert response.status_code == 302
    login = rows(Kind.LOGIN)[-1]
    assert login.username == "handler-user" and login.address == "198.51.100.20"
    assert login.user_pk == staff["handler"].pk

    # 3. A refused transition: the clerk may not request an extension (API, 403).
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    clerk_api = APIClient(REMOTE_ADDR="198.51.100.30")
    clerk_api.force_authenticate(staff["clerk"])
    response = clerk_api.post(
        f"/api/v1/requests/{case.public_id}/request_extension/",
        {"days": 5, "reason": "需要调取档案"},
        format="json",
    )
    assert response.status_code == 403
    refused = rows(Kind.ACCESS_DENIED)[-1]
    assert refused.username == "clerk-user" and refused.address == "198.51.100.30"
    assert refused.details["action"] == "request_extension"
    assert refused.object_type == "agencies.agency" and refused.object_id == str(city.pk)
    case.refresh_from_db()
    assert case.state == "received"  # the refusal changed nothing but the log

    # 4. An export of cases (the command) and the 台账 export (the page).
    output = tmp_path / "cases.csv"
    call_command("export_cases", agency=city.code, output=str(output))
    export = rows(Kind.EXPORT)[-1]
    assert export.details["what"] == "export_cases" and export.details["cases"] == 1
    assert export.object_type == "agencies.agency" and export.username.startswith("os:")
    ledger = handler.get(reverse("office:worklist_ledger"))
    assert ledger.status_code == 200
    assert rows(Kind.EXPORT)[-1].details["what"] == "ledger"
    assert rows(Kind.EXPORT)[-1].username == "handler-user"

    # 5. "显示完整号码" on the case page.
    response = handler.post(reverse("requests_app:case_personal_data", args=[case.public_id]))
    assert response.status_code == 200
    reveal = rows(Kind.PII_REVEAL)[-1]
    assert reveal.username == "handler-user" and reveal.address == "198.51.100.20"
    assert reveal.object_type == "requests_app.case" and reveal.object_id == str(case.pk)
    assert reveal.details == {
        "fields": ["applicant_id_number", "applicant_phone"],
        "channel": "web",
    }

    # 6. A template change by an administrator (the upload page), and a refused upload.
    admin = make_user("tpl-admin", city, "administrator")
    admin_client = Client(REMOTE_ADDR="198.51.100.40")
    admin_client.force_login(admin)
    upload = io.BytesIO(build("receipt"))
    upload.name = "receipt.docx"
    response = admin_client.post(
        "/letters/templates/upload/", {"agency": city.pk, "key": "receipt", "file": upload}
    )
    assert response.status_code == 302
    change = rows(Kind.TEMPLATE_CHANGE)[-1]
    template = LetterTemplate.objects.get()
    assert change.username == "tpl-admin" and change.address == "198.51.100.40"
    assert change.object_type == "letters.lettertemplate" and change.object_id == str(template.pk)
    assert change.details["action"] == "upload" and change.details["sha256"] == template.sha256
    response = handler.get("/letters/templates/upload/")
    assert response.status_code == 403  # the web 403 path
    assert rows(Kind.ACCESS_DENIED)[-1].path == "/letters/templates/upload/"
    assert rows(Kind.ACCESS_DENIED)[-1].username == "handler-user"

    # Every row is in the JSON-lines file too, with the same who/where/what.
    lines = json_lines(security_log_file)
    assert [line["id"] for line in lines] == list(
        SecurityEvent.objects.order_by("id").values_list("id", flat=True)
    )
    by_kind = {line["kind"] for line in lines}
    assert {
        "login_failed",
        "lockout",
        "login",
        "access_denied",
        "export",
        "pii_reveal",
        "template_change",
    } <= by_kind
    reveal_line = next(line for line in lines if line["kind"] == "pii_reveal")
    assert reveal_line["username"] == "handler-user" and reveal_line["address"] == "198.51.100.20"
    assert reveal_line["object_id"] == str(case.pk)


def test_a_refused_action_on_the_web_page_is_logged(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client = Client(REMOTE_ADDR="198.51.100.50")
    client.force_login(staff["clerk"])
    url = reverse("requests_app:case_act", args=[case.public_id, "start_drafting"])
    assert client.post(url, {}).status_code == 404
    row = rows(Kind.ACCESS_DENIED)[-1]
    assert row.details == {"action": "start_drafting", "case_id": case.id}
    assert row.username == "clerk-user" and row.address == "198.51.100.50"


def test_a_refusal_raised_inside_the_services_transaction_outlives_its_rollback(
    city, staff, intake
):
    """The assign service refuses after locking the case (inside transaction.atomic): the
    row is written when the request ends, so the rollback does not take it away."""
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client = APIClient(REMOTE_ADDR="198.51.100.60")
    client.force_authenticate(staff["clerk"])
    response = client.post(
        f"/api/v1/requests/{case.public_id}/assign/",
        {"handler": staff["handler"].pk, "expected_version": case.version},
        format="json",
    )
    assert response.status_code in (403, 404), response.content
    row = rows(Kind.ACCESS_DENIED)[-1]
    assert row.username == "clerk-user" and row.address == "198.51.100.60"


def test_an_administrators_changes_in_the_admin_are_logged(city, staff):
    root = make_user("root", city)
    root.is_staff = root.is_superuser = True
    root.save()
    client = Client(REMOTE_ADDR="192.0.2.9")
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newcomer",
            "password1": "Long-enough-2026!",
            "password2": "Long-enough-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="newcomer")
    row = rows(Kind.ADMIN_CHANGE)[-1]
    assert row.username == "root" and row.address == "192.0.2.9"
    assert row.object_type == "auth.user" and row.object_id == str(user.pk)
    assert row.details["action"] == "add"
    # Lifting a login lock from the user list is an administrator's change too.
    response = client.post(
        "/admin/auth/user/",
        {"action": "unlock_login", "_selected_action": [staff["clerk"].pk]},
    )
    assert response.status_code == 302
    row = rows(Kind.ADMIN_CHANGE)[-1]
    assert row.details["action"] == "unlock_login" and row.object_id == str(staff["clerk"].pk)


def test_the_log_is_read_only_for_administrators_in_the_admin(city):
    event = security_event_record(Kind.LOGIN, username="somebody", address="192.0.2.1")
    root = make_user("root2", city)
    root.is_staff = root.is_superuser = True
    root.save()
    client = Client()
    client.force_login(root)
    page = client.get("/admin/security/securityevent/")
    assert page.status_code == 200 and "somebody" in page.content.decode()
    assert client.get(f"/admin/security/securityevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/security/securityevent/add/").status_code == 403
    response = client.post(f"/admin/security/securityevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
    staff_user = make_user("plain-staff", city, "handler")
    staff_user.is_staff = True
    staff_user.save()
    other = Client()
    other.force_login(staff_user)
    assert other.get("/admin/security/securityevent/").status_code == 403


def test_the_orm_refuses_to_change_or_delete_a_row(db):
    event = security_event_record(Kind.LOGIN, username="a")
    event.username = "b"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(username="b")
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(pk=event.pk).username == "a"


def test_postgresql_refuses_update_and_early_delete_whoever_asks(db):
    assert connection.vendor == "postgresql"
    event = security_event_record(Kind.LOGIN, username="a")
    old = SecurityEvent(
        kind=Kind.LOGIN, username="old", created_at=timezone.now() - dt.timedelta(days=200)
    )
    old.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE security_securityevent SET username = 'x' WHERE id = %s", [event.pk]
            )
    with pytest.raises(DatabaseError, match="six months"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM security_securityevent WHERE id = %s", [event.pk])
    with connection.cursor() as cursor:  # older than six months: the retention may delete it
        cursor.execute("DELETE FROM security_securityevent WHERE id = %s", [old.pk])
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["a"]


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0, tzinfo=dt.UTC), tick=False)
def test_purge_refuses_anything_younger_than_six_months(db):
    for days in (30, 170, 190, 400):
        SecurityEvent(
            kind=Kind.LOGIN,
            username=f"d{days}",
            created_at=timezone.now() - dt.timedelta(days=days),
        ).save()
    with pytest.raises(CommandError, match="至少保存六个月"):
        call_command("purge_security_events", before="2026-04-01")
    call_command("purge_security_events", before="2026-03-28")
    left = set(SecurityEvent.objects.filter(kind=Kind.LOGIN).values_list("username", flat=True))
    assert left == {"d30", "d170"}
    assert rows(Kind.PURGE)[-1].details == {"before": "2026-03-28", "deleted": 2}


def test_an_unknown_kind_is_refused(db):
    with pytest.raises(ValueError):
        security_event_record("made_up", username="x")
    assert not SecurityEvent.objects.exists()


def test_an_anonymous_api_call_is_logged_as_refused(db):
    response = APIClient(REMOTE_ADDR="192.0.2.77").get("/api/v1/requests/")
    assert response.status_code in (401, 403)
    row = rows(Kind.ACCESS_DENIED)[-1]
    assert row.address == "192.0.2.77" and row.username == "" and row.path == "/api/v1/requests/"


def test_case_is_found_for_the_reveal(city, staff, intake):
    """The reveal names the case by its number in the log (object_repr)."""
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client = Client()
    client.force_login(staff["handler"])
    client.post(reverse("requests_app:case_personal_data", args=[case.public_id]))
    assert rows(Kind.PII_REVEAL)[-1].object_repr == Case.objects.get(pk=case.pk).case_no


def test_an_address_that_is_not_an_ip_is_stored_as_none(db):
    """A unix-socket peer or a garbled address must not make the log's insert fail."""
    event = security_event_record(Kind.LOGIN, username="u", address="unix:/run/gunicorn.sock")
    assert SecurityEvent.objects.get(pk=event.pk).address is None
    event = security_event_record(Kind.LOGIN, username="u", address=" 2001:db8::1 ")
    assert SecurityEvent.objects.get(pk=event.pk).address == "2001:db8::1"
