"""Issued letters' files against the SHA-256 frozen when they were rendered (issue 18): a
tampered file is refused on download (web and API), recorded in the security log, mailed to the
administrators and flagged on the case page; the sweep (task and command) finds it too, and a
file restored from a backup lifts the flag."""

import hashlib
import os

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from letters import services
from letters.integrity import MSG_TAMPERED
from letters.tasks import letters_integrity_sweep
from requests_app.services import cases as svc
from security.kinds import SecurityEventKind as Kind
from security.models import SecurityEvent

from .letters_support import TODAY


@pytest.fixture(autouse=True)
def admins(settings, tmp_path):
    settings.ADMINS = [("管理员", "admin@example.gov.cn")]
    settings.SECURITY_LOG_FILE = tmp_path / "security.jsonl"


@pytest.fixture
def issued(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        city.clerks_issue_receipts = True
        city.save()
        letter = services.receipt_issue(case_id=case.id, by=staff["clerk"])
    letter.refresh_from_db()
    assert letter.render_status == "generated" and len(letter.sha256) == 64
    with letter.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.sha256
    return letter


def tamper(letter) -> bytes:
    path = letter.file.path
    with open(path, "rb") as handle:
        original = handle.read()
    with open(path, "r+b") as handle:  # one byte changed, same size
        handle.seek(len(original) // 2)
        handle.write(bytes([original[len(original) // 2] ^ 0xFF]))
    return original


def mismatches(letter):
    return SecurityEvent.objects.filter(
        kind=Kind.FILE_INTEGRITY_MISMATCH, object_type="letters.letter", object_id=str(letter.pk)
    ).order_by("id")


def test_an_intact_letter_downloads(issued, staff):
    client = Client()
    client.force_login(staff["handler"])
    response = client.get(f"/letters/letter/{issued.public_id}/download/")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == issued.sha256
    download = SecurityEvent.objects.get(kind=Kind.DOWNLOAD)
    assert download.username == "handler-user" and download.object_id == str(issued.pk)
    assert not mismatches(issued).exists()


def test_a_tampered_letter_is_refused_on_download_reported_and_flagged(issued, staff):
    tamper(issued)
    client = Client(REMOTE_ADDR="198.51.100.8")
    client.force_login(staff["handler"])
    response = client.get(f"/letters/letter/{issued.public_id}/download/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain and MSG_TAMPERED in page
    assert response.get("Content-Disposition") is None  # nothing served
    event = mismatches(issued).get()
    assert event.username == "handler-user" and event.address == "198.51.100.8"
    assert event.details["expected"] == issued.sha256
    assert event.details["actual"] != issued.sha256 and event.details["where"] == "download"
    assert len(mail.outbox) == 1
    assert issued.number in mail.outbox[0].subject and issued.sha256 in mail.outbox[0].body
    assert not SecurityEvent.objects.filter(kind=Kind.DOWNLOAD).exists()

    # The case page shows it.
    case_page = client.get(f"/cases/{issued.case.public_id}/").content.decode()
    assert "文件校验不符，已停止下载" in case_page and 'id="letters-integrity"' in case_page

    # The API refuses too (409 with the reason); a second refusal mails nobody again.
    api = APIClient()
    api.force_authenticate(staff["handler"])
    response = api.get(f"/api/v1/letters/{issued.public_id}/file/")
    assert response.status_code == 409, response.content
    assert response.json()["error"]["message"] == MSG_TAMPERED
    assert mismatches(issued).count() == 2 and len(mail.outbox) == 1


def test_a_missing_letter_file_is_a_mismatch(issued, staff):
    os.remove(issued.file.path)
    with pytest.raises(services.RuleViolation, match="校验值不一致"):
        services.letter_file_bytes(issued)
    assert mismatches(issued).get().details["actual"] == "missing"


def test_the_sweep_finds_a_tampered_file_and_a_restored_one(issued, staff):
    original = tamper(issued)
    result = letters_integrity_sweep.delay().get()
    assert result == {"checked": 1, "mismatched": 1}
    event = mismatches(issued).get()
    assert event.details["where"] == "sweep" and event.username == ""
    assert len(mail.outbox) == 1
    # Run again: still refused, not reported twice.
    with pytest.raises(CommandError, match="1 份不一致"):
        call_command("check_file_integrity")
    assert mismatches(issued).count() == 1 and len(mail.outbox) == 1
    client = Client()
    client.force_login(staff["handler"])
    assert "文件校验不符" in client.get(f"/cases/{issued.case.public_id}/").content.decode()

    # The file is put back from a backup: the sweep records it and the flag goes.
    with open(issued.file.path, "wb") as handle:
        handle.write(original)
    call_command("check_file_integrity")
    assert SecurityEvent.objects.filter(kind=Kind.FILE_INTEGRITY_RESTORED).count() == 1
    assert "文件校验不符" not in client.get(f"/cases/{issued.case.public_id}/").content.decode()
    assert client.get(f"/letters/letter/{issued.public_id}/download/").status_code == 200
