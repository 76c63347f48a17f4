"""Regulations Art. 35, second branch: the applicant's reasons for a request far beyond a
reasonable amount are accepted, but it cannot be answered within Art. 33's period, so the office
head fixes a reasonable later reply date. The case stays open (it is not a 不予处理): the deadline
engine honours the date, the action is on the web page and the API, and the applicant gets a
延期答复告知书 worded on Art. 35."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from letters import services as letters
from letters import variants
from letters.models import Letter, LetterKind
from requests_app.actions import ACTIONS
from requests_app.models import CaseEvent, ClockEvent, ClockKind
from requests_app.outcomes import Outcome
from requests_app.rules import MSG_DEFERRAL_NOT_LATER, RuleViolation
from requests_app.services import cases as svc
from requests_app.services.cases import ActionNotPermitted
from requests_app.services.deadlines import case_deadline, case_deadlines_recompute_open
from workcalendar.models import CalendarDay

from .letters_support import docx_text

D = dt.date
NOW = dt.datetime(2026, 9, 28, 10, 0)  # the case is received 2026-09-25, due 2026-10-29
UNTIL = D(2026, 11, 20)
REASON = "申请人一个月内申请四十余件，说明系为编写地方志，理由合理，但检索需时"


def _deferred(city, staff, intake, until=UNTIL):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    assert case.reply_due == D(2026, 10, 29)
    return svc.case_defer_reply(case_id=case.id, by=staff["approver"], until=until, reason=REASON)


@time_machine.travel(NOW, tick=False)
def test_the_deadline_moves_to_the_date_fixed_and_says_why(city, staff, intake):
    case = _deferred(city, staff, intake)
    assert (case.reply_due, case.deadline_provisional, case.state) == (
        D(2026, 11, 20),
        False,
        "received",
    )
    fact = ClockEvent.objects.get(case=case, kind=ClockKind.DEFERRAL)
    assert fact.until == D(2026, 11, 20) and fact.on == D(2026, 9, 28)
    deadline = case_deadline(case)
    assert deadline.due == D(2026, 11, 20)
    said = "\n".join(deadline.steps)
    assert "2026-09-28（周一） 依条例第三十五条确定延迟答复的合理期限至 2026-11-20（周五）" in said
    assert "无法在第三十三条规定的期限内答复" in said
    # A recompute after a calendar change keeps the fixed date (it is later than the computed).
    CalendarDay.objects.create(date=D(2026, 10, 20), kind="holiday", name="临时停工")
    assert case_deadlines_recompute_open(reason="临时调整") == 0
    case.refresh_from_db()
    assert case.reply_due == D(2026, 11, 20)


@time_machine.travel(NOW, tick=False)
def test_a_computed_deadline_later_than_the_fixed_date_wins(city, staff, intake):
    case = _deferred(city, staff, intake, until=D(2026, 10, 30))
    assert case.reply_due == D(2026, 10, 30)
    # Two days off before the due date: computed 2 November, later than the date fixed.
    CalendarDay.objects.create(date=D(2026, 10, 20), kind="holiday", name="临时停工")
    CalendarDay.objects.create(date=D(2026, 10, 21), kind="holiday", name="临时停工")
    assert case_deadlines_recompute_open(reason="临时调整") == 1
    case.refresh_from_db()
    assert case.reply_due == D(2026, 11, 2)


@time_machine.travel(NOW, tick=False)
def test_the_service_refuses_the_handler_an_earlier_date_and_no_reason(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with pytest.raises(ActionNotPermitted):
        svc.case_defer_reply(
            case_id=case.id, by=staff["handler"], until=D(2026, 11, 20), reason=REASON
        )
    with pytest.raises(RuleViolation) as refused:
        svc.case_defer_reply(
            case_id=case.id, by=staff["approver"], until=D(2026, 10, 29), reason=REASON
        )
    assert refused.value.field == "until"
    assert refused.value.message == MSG_DEFERRAL_NOT_LATER.format(due=D(2026, 10, 29))
    with pytest.raises(RuleViolation) as refused:
        svc.case_defer_reply(
            case_id=case.id, by=staff["approver"], until=D(2026, 11, 20), reason=""
        )
    assert refused.value.field == "reason"
    case.refresh_from_db()
    assert case.reply_due == D(2026, 10, 29)
    assert not ClockEvent.objects.filter(case=case, kind=ClockKind.DEFERRAL).exists()
    assert not CaseEvent.objects.filter(case=case, transition="defer_reply").exists()

    svc.case_defer_reply(
        case_id=case.id, by=staff["approver"], until=D(2026, 11, 20), reason=REASON
    )
    event = CaseEvent.objects.get(case=case, transition="defer_reply")
    assert event.actor == staff["approver"] and event.reason == REASON
    assert event.changes["reply_due"] == ["2026-10-29", "2026-11-20"]
    assert (event.from_state, event.to_state) == ("received", "received")


@time_machine.travel(NOW, tick=False)
def test_the_action_through_the_web_page(client, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["approver"])
    page = client.get(reverse("requests_app:case_detail", args=[case.public_id])).content.decode()
    assert "确定延迟答复期限（第三十五条）" in page
    url = reverse("requests_app:case_act", args=[case.public_id, "defer_reply"])
    response = client.post(
        url,
        {
            "defer_reply-until": "2026-10-20",
            "defer_reply-reason": REASON,
            "defer_reply-expected_version": case.version,
        },
    )
    assert response.status_code == 200  # refused: the page again, naming the date
    assert MSG_DEFERRAL_NOT_LATER.format(due=D(2026, 10, 29)) in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, transition="defer_reply").exists()
    case.refresh_from_db()
    assert case.reply_due == D(2026, 10, 29)
    response = client.post(
        url,
        {
            "defer_reply-until": "2026-11-20",
            "defer_reply-reason": REASON,
            "defer_reply-expected_version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.reply_due == D(2026, 11, 20)
    assert Letter.objects.filter(case=case, kind=LetterKind.EXTENSION_NOTICE).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_action_through_the_api(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    url = f"/api/v1/requests/{case.public_id}/defer_reply/"
    handler = APIClient()
    handler.force_authenticate(staff["handler"])
    assert (
        handler.post(url, {"until": "2026-11-20", "reason": REASON}, format="json").status_code
        == 403
    )
    approver = APIClient()
    approver.force_authenticate(staff["approver"])
    response = approver.post(url, {"until": "2026-10-01", "reason": REASON}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["until"]
    response = approver.post(url, {"until": "2026-11-20", "reason": REASON}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reply_due"] == "2026-11-20"


@time_machine.travel(NOW, tick=False)
def test_the_notice_is_drafted_issued_and_says_article_35(city, staff, intake, media_root):
    case = _deferred(city, staff, intake)
    letter = Letter.objects.get(case=case, kind=LetterKind.EXTENSION_NOTICE)
    assert letter.details["extension_basis"] == variants.EXTENSION_ART35
    assert letter.details["new_due"] == "2026-11-20"
    assert letter.details["extension_reason"] == REASON
    # 30 October to 20 November: 16 working days added to the reply period.
    assert letter.details["extension_days"] == "16"
    letters.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = letters.letter_issue(letter_id=letter.id, by=staff["approver"])
    with letter.file.open("rb") as handle:
        text = docx_text(handle.read())
    assert "第三十五条" in text and "第三十三条第二款" not in text
    assert "最迟于2026年11月20日（含当日）作出答复" in text
    assert "延期理由：" + REASON in text


@time_machine.travel(NOW, tick=False)
def test_an_article_35_notice_needs_the_recorded_deferral_and_its_date(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    art35 = {"extension_basis": "art35", "new_due": "2026-11-20", "extension_reason": REASON}
    letter = letters.letter_draft(
        case_id=case.id, by=staff["handler"], kind=LetterKind.EXTENSION_NOTICE, details=art35
    )
    letters.letter_approve(letter_id=letter.id, by=staff["approver"])
    with pytest.raises(RuleViolation) as refused:
        letters.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert "第三十五条" in refused.value.message
    svc.case_defer_reply(
        case_id=case.id, by=staff["approver"], until=D(2026, 11, 27), reason=REASON
    )
    with pytest.raises(RuleViolation) as refused:
        letters.letter_issue(letter_id=letter.id, by=staff["approver"])
    assert refused.value.field == "new_due" and "2026-11-27" in refused.value.message


def test_the_excessive_reply_offers_only_the_refusal():
    branches = dict(variants.FIELDS["excessive_branch"].choices)
    assert list(branches) == [variants.EXCESSIVE_REFUSE]
    assert "确定延迟答复期限（第三十五条）" in variants.FIELDS["excessive_branch"].hint
    assert "extended_due" not in variants.FIELDS
    assert variants.field_names("reply", Outcome.EXCESSIVE) == [
        "excessive_branch",
        "excessive_reason",
    ]
    assert "defer_reply" in ACTIONS


def test_a_pause_after_the_deferral_stops_the_clock_and_the_date_returns_on_resume(
    city, staff, intake
):
    with time_machine.travel(NOW, tick=False):
        case = _deferred(city, staff, intake)
    with time_machine.travel(dt.datetime(2026, 10, 12, 10, 0), tick=False):
        case = svc.case_start_consultation(
            case_id=case.id, by=staff["handler"], party="淄博市财政局", on=D(2026, 10, 12)
        )
        assert case.clock_stopped and case.reply_due is None  # stopped as any pause stops it
    with time_machine.travel(dt.datetime(2026, 10, 16, 10, 0), tick=False):
        case = svc.case_finish_consultation(
            case_id=case.id, by=staff["handler"], on=D(2026, 10, 16)
        )
    # Computed: 4 working days paused → 4 November; the date fixed (20 November) is later.
    assert not case.clock_stopped and case.reply_due == UNTIL
