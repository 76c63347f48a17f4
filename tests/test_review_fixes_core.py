"""Defects found in review of the core and letters: the closing date follows the issued reply,
the receipt date printed after a supplement, registrations into a published year."""

import datetime as dt
import io

import pytest
from docx import Document

from letters import services as letters_svc
from letters.samples import reply_details
from reporting.services import report_publish
from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from tests.helpers import travel

from .conftest import make_user

D = dt.date


@pytest.fixture
def in_review(city, staff, intake, settings, tmp_path):
    with travel(D(2026, 10, 28)):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        svc.case_start_drafting(case_id=case.id, by=staff["handler"])
        svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="disclosed")
        letter = letters_svc.letter_draft(
            case_id=case.id, by=staff["handler"], kind="reply", details=reply_details("disclosed")
        )
        letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    with travel(D(2026, 10, 29)):
        letters_svc.letter_issue(letter_id=letter.id, by=staff["approver"])
    return case


def test_closing_defaults_to_the_day_the_reply_was_issued(in_review, staff):
    with travel(D(2026, 10, 30)):
        case = svc.case_approve_and_close(case_id=in_review.id, by=staff["approver"])
    assert case.closed_on == D(2026, 10, 29) and case.closed_on <= case.reply_due  # on time


def test_closing_cannot_be_dated_before_the_reply(in_review, staff):
    with travel(D(2026, 10, 30)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_approve_and_close(case_id=in_review.id, by=staff["approver"], on=D(2026, 10, 28))
    assert exc.value.field == "on" and "答复书签发日期" in exc.value.message


def test_letters_state_the_receipt_date_the_period_runs_from(city, staff, intake):
    with travel(D(2026, 10, 9)):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        svc.case_request_supplement(
            case_id=case.id,
            by=staff["handler"],
            missing="写明年份",
            due=D(2026, 10, 20),
            on=D(2026, 10, 9),
        )
    with travel(D(2026, 10, 16)):
        svc.case_record_supplement(case_id=case.id, by=staff["clerk"], on=D(2026, 10, 16))
        data = letters_svc.render_draft_for_case(case=case, kind="receipt")
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "2026年9月25日（补正后的申请于2026年10月16日收到）" in text


def test_registration_dated_in_a_published_year_is_listed_as_a_correction(city, staff, intake):
    with travel(D(2026, 1, 20)):
        report_publish(agency=city, year=2025, by=make_user("sup", city, "supervisor"))
    with travel(D(2026, 2, 10)):
        late = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(signed_on=D(2025, 12, 30), submitted_on=D(2025, 12, 29)),
        )
        current = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(signed_on=D(2026, 2, 10), submitted_on=D(2026, 2, 9)),
        )
    correction = CaseEvent.objects.get(case=late, kind="correction")
    assert correction.changes == {"years": [2025], "fields": ["received_on"]}
    assert correction.actor == staff["clerk"]
    assert not CaseEvent.objects.filter(case=current, kind="correction").exists()


def test_an_extension_notice_cannot_state_another_deadline_than_the_case(
    city, staff, intake, settings, tmp_path
):
    with travel(D(2026, 10, 20)):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        svc.case_request_extension(case_id=case.id, by=staff["handler"], days=10, reason="档案多")
        case = svc.case_approve_extension(case_id=case.id, by=staff["approver"])
        letter = letters_svc.letter_draft(
            case_id=case.id, by=staff["handler"], kind="extension_notice"
        )
        assert letter.details["new_due"] == case.reply_due.isoformat()
        details = {**letter.details, "new_due": "2026-12-31"}
        letters_svc.letter_update(letter_id=letter.id, by=staff["handler"], details=details)
        letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
        with pytest.raises(svc.RuleViolation) as exc:
            letters_svc.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert exc.value.field == "new_due" and "与案件记录" in exc.value.message
