"""Issuing is idempotent and recoverable (issue 10 item 5): a letter whose automatic issuing
was asked for but left approved by a dead worker is finished by the periodic sweep, or reported
on the case; an issued letter left unrendered is rendered; numbers stay gapless."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from agencies.models import Membership
from letters import services
from letters.models import Letter, LetterNumberCounter
from letters.tasks import letters_issue_outstanding
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

from .letters_support import TODAY, docx_text


@pytest.fixture(autouse=True)
def clerks_sign_off_receipts(city):
    """This agency lets its clerks issue receipts themselves (issue 11: an agency setting)."""
    city.clerks_issue_receipts = True
    city.save(update_fields=["clerks_issue_receipts"])


def receipt_left_approved(city, staff, intake, *, minutes_ago=10):
    """What a worker that died between signing off and issuing the automatic receipt leaves:
    the receipt approved, its issuing asked for, no number taken."""
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with transaction.atomic():
        letter = services.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
        services.letter_approve(letter_id=letter.id, by=staff["clerk"])
        at = timezone.now() - dt.timedelta(minutes=minutes_ago)
        Letter.objects.filter(pk=letter.pk).update(approved_at=at, issue_requested_at=at)
    return case, Letter.objects.get(pk=letter.pk)


@time_machine.travel(TODAY, tick=False)
def test_the_sweep_issues_a_receipt_left_approved_exactly_once(city, staff, intake):
    case, letter = receipt_left_approved(city, staff, intake)
    fresh_case, fresh = receipt_left_approved(city, staff, intake, minutes_ago=0)
    counts = letters_issue_outstanding()
    assert counts["issued"] == 1 and counts["reported"] == 0
    letter.refresh_from_db()
    assert (letter.state, letter.number_seq, letter.render_status) == ("issued", 1, "generated")
    assert letter.issued_by == staff["clerk"] and letter.issue_requested_at is None
    assert "政府信息公开申请登记回执" in docx_text(letter.file.open("rb").read())
    assert Letter.objects.get(pk=fresh.pk).state == "approved", "its own worker may be at it"
    assert letters_issue_outstanding()["issued"] == 0  # safe to run twice
    assert CaseEvent.objects.filter(case=case, transition="letter_issue").count() == 1
    # The registration task, retried, finishes the fresh one; the numbering has no gap.
    assert services.receipt_issue_on_registration(case_id=fresh_case.id, by=staff["clerk"]).pk == (
        fresh.pk
    )
    assert sorted(Letter.objects.filter(state="issued").values_list("number_seq", flat=True)) == [
        1,
        2,
    ]
    assert LetterNumberCounter.objects.get(agency=city, series="receipt", year=2026).last == 2


@time_machine.travel(TODAY, tick=False)
def test_a_receipt_the_sweep_cannot_issue_is_reported_on_the_case(city, staff, intake):
    case, letter = receipt_left_approved(city, staff, intake)
    Membership.objects.filter(user=staff["clerk"]).delete()  # the clerk left meanwhile
    assert letters_issue_outstanding() == {
        "issued": 0,
        "reported": 1,
        "generated": 0,
        "failed": 0,
    }
    letter.refresh_from_db()
    assert letter.state == "approved" and letter.issue_requested_at is None and not letter.number
    note = CaseEvent.objects.get(case=case, kind="note")
    assert note.reason.startswith("登记回执未能自动出具，请手工出具")
    assert letters_issue_outstanding()["reported"] == 0  # reported once
    assert not LetterNumberCounter.objects.filter(series="receipt", last__gt=0).exists()


@time_machine.travel(TODAY, tick=False)
def test_after_the_last_attempt_the_letter_is_reported_not_retried(city, staff, intake):
    case, letter = receipt_left_approved(city, staff, intake)
    Letter.objects.filter(pk=letter.pk).update(issue_attempts=3)  # three dead workers
    assert letters_issue_outstanding()["reported"] == 1
    assert Letter.objects.get(pk=letter.pk).state == "approved"
    assert "自动签发已尝试 3 次仍未完成" in CaseEvent.objects.get(case=case, kind="note").reason


@time_machine.travel(TODAY, tick=False)
def test_the_claim_is_conditional_so_two_sweeps_never_issue_one_letter_twice(city, staff, intake):
    case, letter = receipt_left_approved(city, staff, intake)
    now = timezone.now()
    # A first sweep claimed it (attempt counted, lease renewed) and is at work: a second skips.
    Letter.objects.filter(pk=letter.pk).update(issue_attempts=1, issue_requested_at=now)
    counts = services.letters_issue_outstanding(
        retry_after=dt.timedelta(minutes=5), max_attempts=3, now=now
    )
    assert counts == {"issued": 0, "reported": 0}
    # When its lease has run out (the first sweep died), the next one takes it over.
    counts = services.letters_issue_outstanding(
        retry_after=dt.timedelta(minutes=5), max_attempts=3, now=now + dt.timedelta(minutes=6)
    )
    assert counts == {"issued": 1, "reported": 0}
    letter.refresh_from_db()
    assert letter.issue_attempts == 2 and letter.state == "issued"


@time_machine.travel(TODAY, tick=False)
def test_the_sweep_renders_a_letter_issued_but_not_rendered(city, staff, intake):
    case, letter = receipt_left_approved(city, staff, intake)
    original = services.issue.letter_render  # letter_issue looks it up in letters.services.issue
    services.issue.letter_render = lambda **kwargs: Letter.objects.get(pk=kwargs["letter_id"])
    try:  # the worker died after the issue committed, before the render
        services.letter_issue(letter_id=letter.id, by=staff["clerk"])
    finally:
        services.issue.letter_render = original
    assert Letter.objects.get(pk=letter.pk).render_status == "pending"
    counts = letters_issue_outstanding()
    assert counts["generated"] == 1
    letter.refresh_from_db()
    assert letter.render_status == "generated" and letter.number_seq == 1


def test_a_receipt_edited_and_signed_off_again_by_a_person_is_left_to_them(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        case, letter = receipt_left_approved(city, staff, intake)
        services.letter_update(
            letter_id=letter.id, by=staff["handler"], body="本机关已收到您的申请。"
        )
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
    with time_machine.travel(TODAY + dt.timedelta(hours=1), tick=False):
        assert letters_issue_outstanding()["issued"] == 0
        assert services.receipt_issue_on_registration(case_id=case.id, by=staff["clerk"]).pk == (
            letter.pk
        )
    letter.refresh_from_db()
    assert letter.state == "approved" and not letter.number


@pytest.fixture(autouse=True)
def _receipts_not_automatic(city):
    """The receipts here are left approved by hand; registration does not queue them."""
    assert city.receipt_on_registration is False
