"""Internal names never reach the Chinese interface (issue 11, defect 3): a case history with
every kind of event, a campaign history, the repeat flag, the portal's 404 and people's names
are shown in words; the labels come from one module (`requests_app.labels`)."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from audits import services as audit_services
from audits.templatetags.audits_tags import changes_text
from audits.testing import audit_world
from letters import services as letters_svc
from letters.signoff import letter_return
from requests_app import labels
from requests_app.forms import IntakeForm
from requests_app.models import CaseEvent, EventKind
from requests_app.services import cases as svc
from requests_app.services.attachments import attachment_add
from requests_app.services.deadlines import case_deadlines_recompute_open
from tests.helpers import close_via_approval

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 12, 10, 0)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
INTERNAL = [
    r"\bnone\b",
    r"\brequested\b",
    r"\bapproved\b",
    r"deadline_provisional",
    r"\{'",
    r"\['",
    r"not_processed",
    r"\bdisclosed\b",
    r"letter_[a-z]+",
    r"\bTrue\b",
    r"\bFalse\b",
    r"\bNone\b",
    r"_on\b",
    r"handler-user|clerk-user|approver-user",
    r"CITY-OFFICE|ZD-GOV|ZB-EDU",
    r"start_scoring",
    r"supplement_notice|\breply\b|\breceipt\b",
]


class Timeline(HTMLParser):
    """The visible text of the case page's history (ol#timeline)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.text = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "ol" and dict(attrs).get("id") == "timeline":
            self.depth = 1
        elif self.depth and tag == "ol":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag == "ol":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def timeline_text(html: str) -> str:
    parser = Timeline()
    parser.feed(html)
    return " ".join(parser.text)


def leaks(text: str) -> list[str]:
    return [pattern for pattern in INTERNAL if re.search(pattern, text)]


@pytest.fixture
def people(staff):
    names = {"clerk": "李静", "handler": "王志强", "approver": "张明远"}
    for role, name in names.items():
        staff[role].first_name = name
        staff[role].save()
    return staff


@time_machine.travel(NOW, tick=False)
def test_a_case_history_with_every_kind_of_event_is_in_words(
    client, city, people, intake, settings, tmp_path
):
    staff = people
    earlier = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    assert case.events.filter(kind="note").exists()  # flagged as a possible repeat on registration
    attachment_add(
        case=case,
        kind="letter_scan",
        upload=SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"),
        by=staff["clerk"],
    )
    svc.case_assign(case_id=case.id, by=staff["approver"], handler_id=staff["handler"].id)
    svc.case_update(
        case_id=case.id,
        by=staff["clerk"],
        changes={"delivery_method": "in_person", "applicant_phone": "13900001111"},
        reason="申请人来电更正",
    )
    receipt = letters_svc.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    letters_svc.letter_approve(letter_id=receipt.id, by=staff["approver"])
    letters_svc.letter_issue(letter_id=receipt.id, by=staff["approver"])
    svc.case_request_extension(case_id=case.id, by=staff["handler"], days=10, reason="档案调取")
    svc.case_approve_extension(case_id=case.id, by=staff["approver"])
    ext = letters_svc.letter_draft(case_id=case.id, by=staff["handler"], kind="extension_notice")
    letters_svc.letter_update(
        letter_id=ext.id,
        by=staff["handler"],
        details={"extension_reason": "需调取2019年档案"},
        reason="写明理由",
    )
    letter_return(letter_id=ext.id, by=staff["approver"], reason="请写明档案名称")
    # a calendar change moves the deadline and its provisional flag
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.DEADLINE_CHANGED,
        changes={"reply_due": ["2026-11-09", "2026-11-10"], "deadline_provisional": [True, False]},
    )
    case_deadlines_recompute_open(by=None, reason="录入官方节假日安排")
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    close_via_approval(earlier, handler=staff["handler"], approver=staff["approver"])

    client.force_login(staff["approver"])
    html = client.get(reverse("requests_app:case_detail", args=[case.public_id])).content.decode()
    text = timeline_text(html)
    assert leaks(text) == [], text
    for words in (
        "未申请 → 待审批",
        "期限为暂定：是 → 否",
        "答复送达方式：邮寄 → 当面领取",
        "拟写文书",
        "退回文书修改",
        "延期理由",
        "承办人：（空） → 王志强",
        "李静",
        "张明远",
        "申请书扫描件",
    ):
        assert words in text, words
    repeat = html[html.find('id="repeat-flag"') :][:600]
    assert "not_processed" not in repeat and "可能重复申请" in repeat


def test_every_event_name_and_value_has_a_label():
    for transition, label in labels.EVENT_TITLES.items():
        assert label and not re.search(r"[a-z_]{3,}", label), transition
    assert labels.value_label(["CITY-OFFICE"], "agencies") == "CITY-OFFICE"  # unknown stays
    assert labels.value_label({"details": [{"missing": "x"}, {"missing": "y"}]}) == (
        "文书要素：需补正的事项：x → 需补正的事项：y"
    )
    assert labels.value_label("in_person", "delivery_method") == "当面领取"
    assert labels.value_label("in_person", "channel") == "当面提交"
    assert labels.value_label(True) == "是"


def test_a_campaign_history_is_in_words(city, district):
    world = audit_world(city, district)
    world.supervisor.first_name = "刘雅琴"
    world.supervisor.save()
    text = "；".join(
        [
            changes_text({"action": "start_scoring"}),
            changes_text({"reply_outcome": [None, "disclosed"]}),
            changes_text({"agencies": [["ZB-EDU"], ["ZB-EDU", district.code]]}),
            changes_text({"lawyers": [[], [world.lawyer.username]]}),
        ]
    )
    assert "进入评分" in text and "予以公开" in text and district.name in text
    assert leaks(text.replace(world.lawyer.username, "")) == [], text
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False):
        audit_services.campaign_transition(
            campaign_id=world.campaign.pk, by=world.supervisor, action="start"
        )
    from django.test import Client

    client = Client()
    client.force_login(world.supervisor)
    page = client.get(reverse("audits:campaign_detail", args=[world.campaign.pk])).content
    history = page.decode().split("历史记录")[-1]
    assert "开始测试" in history and "刘雅琴" in history
    assert leaks(re.sub(r"<[^>]+>", " ", history).replace(world.lawyer.username, "")) == []


def test_the_portals_404_is_in_chinese(db):
    response = APIClient().get("/api/v1/portal/requests/NOSUCHCODE12/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "未找到所查询的记录"
    assert "matches" not in response.content.decode()


def test_form_labels_defined_in_python_are_translated_to_english(city):
    with translation.override("en"):
        form = IntakeForm(channel="mail_ordinary")
        labels_shown = {name: str(field.label) for name, field in form.fields.items()}
    assert labels_shown["applicant_name"] == "Applicant's name"
    assert labels_shown["submitted_on"] == "Date the letter arrived"
    assert labels_shown["receipt_date_confirmed"] == "I have checked the date of receipt"
    assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in labels_shown.values()), (
        labels_shown
    )
