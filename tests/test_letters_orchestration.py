"""Actions draft their notices (issue 9 item 4): requesting a supplement drafts the 补正告知书,
approving an extension the 延期答复告知书, starting a consultation the 征求意见函 — each linked to
its action in the history, whichever interface ran the action; issuing stays the approver's."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from letters import services
from letters.models import Letter, LetterKind
from letters.orchestration import NOTICE_FOR_ACTION
from requests_app.hooks import after_action_hooks
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

from .letters_support import docx_text

D = dt.date
NOW = dt.datetime(2026, 10, 14, 10, 0)


def assert_linked(case, action: str, kind: str) -> Letter:
    action_event = CaseEvent.objects.get(case=case, kind="transition", transition=action)
    letter = Letter.objects.get(case=case, kind=kind)
    assert letter.state == "draft" and not letter.number, "issuing stays the approver's step"
    draft_event = CaseEvent.objects.get(case=case, kind="letter", transition="letter_draft")
    assert draft_event.changes["for_event"] == action_event.pk
    assert draft_event.changes["for_action"] == action
    assert draft_event.changes["letter"] == str(letter.public_id)
    assert draft_event.actor == action_event.actor
    return letter


@time_machine.travel(NOW, tick=False)
def test_request_supplement_drafts_the_supplement_notice(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_supplement(
        case_id=case.id,
        by=staff["handler"],
        missing="请写明台账年份",
        due=D(2026, 10, 30),
        on=D(2026, 9, 28),
    )
    letter = assert_linked(case, "request_supplement", LetterKind.SUPPLEMENT_NOTICE)
    assert letter.details["missing"] == "请写明台账年份"
    assert letter.details["supplement_due"] == "2026-10-30"
    text = docx_text(services.letter_file_bytes(letter))
    assert case.case_no in text and "2026年9月25日" in text and "申请获取：“" in text
    assert "补正期限：请最迟于2026年10月30日（含当日）" in text


@time_machine.travel(NOW, tick=False)
def test_approve_extension_drafts_the_extension_notice(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_extension(
        case_id=case.id, by=staff["handler"], days=10, reason="需调取历史档案"
    )
    assert not Letter.objects.filter(case=case).exists(), "only the approval asks for the notice"
    svc.case_approve_extension(case_id=case.id, by=staff["approver"])
    letter = assert_linked(case, "approve_extension", LetterKind.EXTENSION_NOTICE)
    assert letter.details["new_due"] == "2026-11-12"
    assert "最迟于2026年11月12日（含当日）作出答复" in docx_text(services.letter_file_bytes(letter))


@time_machine.travel(NOW, tick=False)
def test_start_consultation_through_the_web_page_drafts_the_letter(client, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["handler"])
    response = client.post(
        reverse("requests_app:case_act", args=[case.public_id, "start_consultation"]),
        {
            "start_consultation-party": "淄博市财政局",
            "start_consultation-on": "2026-10-12",
            "start_consultation-expected_version": case.version,
        },
    )
    assert response.status_code == 302
    letter = assert_linked(case, "start_consultation", LetterKind.CONSULTATION_LETTER)
    assert letter.details["third_party"] == "淄博市财政局"
    page = client.get(reverse("letters:letter_detail", args=[letter.public_id])).content.decode()
    assert '<select name="consultee_kind"' in page and "其他行政机关（第三十四条" in page
    # Consulting another agency (Art. 34): 15 working days, silence is consent.
    services.letter_update(
        letter_id=letter.id, by=staff["handler"], details={"consultee_kind": "agency"}
    )
    services.letter_approve(letter_id=letter.id, by=staff["approver"])
    letter = services.letter_issue(letter_id=letter.id, by=staff["approver"])
    with letter.file.open("rb") as handle:
        text = docx_text(handle.read())
    assert "第三十四条" in text and "十五个工作日" in text and "视为同意公开" in text
    assert "共同制作" in text and "淄博市财政局：" in text
    assert case.case_no in text and "2026年9月25日" in text


@time_machine.travel(NOW, tick=False)
def test_a_refused_action_drafts_nothing(city, staff, intake):
    from requests_app.rules import RuleViolation

    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with pytest.raises(RuleViolation):
        svc.case_request_supplement(
            case_id=case.id, by=staff["handler"], missing="x", due=D(2026, 9, 1), on=D(2026, 9, 28)
        )
    assert not Letter.objects.filter(case=case).exists()


def test_hooks_are_registered_and_requests_app_does_not_import_the_orchestration():
    for action in NOTICE_FOR_ACTION:
        assert after_action_hooks(action), action
    source = "\n".join(p.read_text() for p in Path("requests_app").rglob("*.py"))
    assert "orchestration" not in source.replace("letters/orchestration.py", "")
