"""Agencies that ask for it get the receipt (登记回执) issued automatically after registration."""

import datetime as dt

import time_machine

from agencies.models import Membership
from letters.models import Letter
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

NOW = dt.datetime(2026, 9, 28, 10, 0)


@time_machine.travel(NOW, tick=False)
def test_receipt_is_issued_after_commit_when_the_agency_asks(
    city, staff, intake, settings, tmp_path, django_capture_on_commit_callbacks
):
    city.receipt_on_registration = True
    city.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    # the receipt task after the registration commits, then the issued letter's after-issue
    # hooks (letters/hooks.py: electronic delivery) after the issuing commits
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["case_register", "letter_issue"]
    letter = Letter.objects.get(case=case)
    assert (letter.kind, letter.state, letter.issued_by) == ("receipt", "issued", staff["clerk"])
    assert letter.number.startswith("淄政办信复回执〔2026〕")  # the receipt series
    assert letter.render_status == "generated" and letter.sha256
    # Running it again (a retried task) issues nothing more.
    from letters.services import receipt_issue_on_registration

    assert receipt_issue_on_registration(case_id=case.id, by=staff["clerk"]).pk == letter.pk
    assert Letter.objects.filter(case=case).count() == 1


@time_machine.travel(NOW, tick=False)
def test_no_receipt_unless_the_agency_asks(city, staff, intake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    assert callbacks == [] and not Letter.objects.filter(case=case).exists()


@time_machine.travel(NOW, tick=False)
def test_a_receipt_that_cannot_be_issued_becomes_work_for_staff(
    city, staff, intake, django_capture_on_commit_callbacks
):
    city.receipt_on_registration = True
    city.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    Membership.objects.filter(user=staff["clerk"]).delete()  # the clerk left before the task ran
    for callback in callbacks:
        callback()
    assert not Letter.objects.filter(case=case).exists()
    note = CaseEvent.objects.get(case=case, kind="note")
    assert note.reason.startswith("登记回执未能自动出具，请手工出具")
