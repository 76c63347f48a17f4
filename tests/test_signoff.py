"""Sign-off on one page (issue 11): the approver reads the letter inline on the queue, then
approves, issues and closes in one action, or returns it with a reason; each card keeps its own
ids, posts to its own case and shows its own errors."""

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse

from letters import services as letters_svc
from letters.models import Letter, LetterNumberCounter
from letters.samples import reply_details
from letters.signoff import (
    MSG_RETURN_REASON,
    letter_paragraphs,
    letter_return,
    letter_sign_off,
    letters_waiting_for,
)
from requests_app.models import Case, CaseEvent
from requests_app.rules import RuleViolation
from requests_app.services import cases as svc
from tests.test_unique_ids import duplicates

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 12, 10, 0)


def in_review(city, staff, intake, *, name="张三", outcome="disclosed", draft=True, **details):
    with time_machine.travel(NOW, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake(applicant_name=name))
        svc.case_start_drafting(case_id=case.id, by=staff["handler"])
        svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome=outcome)
        letter = None
        if draft:
            letter = letters_svc.letter_draft(
                case_id=case.id,
                by=staff["handler"],
                kind="reply",
                details={**reply_details(outcome), **details},
            )
    case.refresh_from_db()
    return case, letter


def counter_last(city) -> int:
    row = LetterNumberCounter.objects.filter(agency=city).first()
    return row.last if row else 0


@time_machine.travel(NOW, tick=False)
def test_sign_off_approves_issues_and_closes_in_one_action(city, staff, intake):
    case, letter = in_review(city, staff, intake)
    letter_sign_off(letter_id=letter.id, by=staff["approver"], expected_version=case.version)
    letter.refresh_from_db()
    case.refresh_from_db()
    assert letter.state == "issued" and letter.number == "淄政办信复〔2026〕1号"
    assert letter.issued_on == NOW.date() and letter.approved_by == staff["approver"]
    assert case.state == "disclosed" and case.outcome == "disclosed"
    assert case.closed_on == NOW.date()
    steps = list(case.events.order_by("id").values_list("transition", flat=True))
    assert steps[-4:] == ["letter_approve", "letter_issue", "letter_render", "approve_and_close"]


@time_machine.travel(NOW, tick=False)
def test_a_refused_step_leaves_letter_number_series_and_case_as_they_were(city, staff, intake):
    case, letter = in_review(city, staff, intake)
    events = case.events.count()
    city.court = ""  # the reply cannot state the remedy: issuing is refused after approving
    city.save()
    with pytest.raises(RuleViolation) as refused:
        letter_sign_off(letter_id=letter.id, by=staff["approver"])
    assert refused.value.field == "court"
    letter.refresh_from_db()
    case.refresh_from_db()
    assert letter.state == "draft" and letter.number == "" and letter.approved_by is None
    assert case.state == "review" and case.events.count() == events
    assert counter_last(city) == 0


@time_machine.travel(NOW, tick=False)
def test_return_sends_the_reply_back_with_the_reason_in_the_history(city, staff, intake):
    case, letter = in_review(city, staff, intake)
    with pytest.raises(RuleViolation) as empty:
        letter_return(letter_id=letter.id, by=staff["approver"], reason="  ")
    assert empty.value.message == MSG_RETURN_REASON
    letter_return(letter_id=letter.id, by=staff["approver"], reason="依据条款写错，请改正")
    case.refresh_from_db()
    assert case.state == "drafting"
    back = case.events.get(transition="return_for_revision")
    assert back.reason == "依据条款写错，请改正" and back.actor == staff["approver"]
    assert case.events.filter(transition="letter_return", reason="依据条款写错，请改正").exists()


@time_machine.travel(NOW, tick=False)
def test_queue_lists_notices_and_receipts_and_drops_a_returned_one_until_edited(
    city, staff, intake
):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    receipt = letters_svc.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    svc.case_request_supplement(
        case_id=case.id, by=staff["handler"], missing="请写明文件名称", due=dt.date(2026, 10, 27)
    )
    # Requesting the supplement drafted its notice (issue 9 item 4).
    notice = Letter.objects.get(case=case, kind="supplement_notice")
    assert set(letters_waiting_for(staff["approver"])) == {receipt, notice}
    assert list(letters_waiting_for(staff["handler"])) == []  # only where one approves
    letter_return(letter_id=notice.id, by=staff["approver"], reason="补正期限太短")
    assert set(letters_waiting_for(staff["approver"])) == {receipt}
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        letters_svc.letter_update(letter_id=notice.id, by=staff["handler"], body="请补正。")
    assert set(letters_waiting_for(staff["approver"])) == {receipt, notice}
    letter_sign_off(letter_id=notice.id, by=staff["approver"])
    notice.refresh_from_db()
    assert notice.state == "issued" and notice.number
    case.refresh_from_db()
    assert case.state == "supplement"  # a notice closes nothing


@time_machine.travel(NOW, tick=False)
def test_the_letter_is_read_inline_as_its_text(city, staff, intake):
    case, letter = in_review(city, staff, intake)
    text = "\n".join(letter_paragraphs(letter))
    assert "政府信息公开申请答复书" in text and "统计台账" in text
    assert "草稿——未经签发，不具效力" in text


class Cards(HTMLParser):
    """Per queue card: the form actions and the error texts inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cards: dict[str, dict] = {}
        self.current = None
        self.depth = 0
        self.in_error = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "article" and "queue-item" in values.get("class", ""):
            self.current = values["id"]
            self.cards[self.current] = {"actions": [], "errors": ""}
            self.depth = 0
        if self.current is None:
            return
        if tag == "article":
            self.depth += 1
        if tag == "form":
            self.cards[self.current]["actions"].append(values.get("action", ""))
        if "error" in values.get("class", "") or values.get("role") == "alert":
            self.in_error += 1

    def handle_endtag(self, tag):
        if self.current and tag == "article":
            self.depth -= 1
            if self.depth == 0:
                self.current = None

    def handle_data(self, data):
        if self.current and self.in_error:
            self.cards[self.current]["errors"] += data


def cards(html: str) -> dict[str, dict]:
    parser = Cards()
    parser.feed(html)
    return parser.cards


@time_machine.travel(NOW, tick=False)
def test_an_error_on_the_second_card_stays_on_the_second_card(client, city, staff, intake):
    first, _ = in_review(city, staff, intake, name="张一")
    second, _ = in_review(
        city, staff, intake, name="李二", outcome="withheld.state_secret", withhold_reason=""
    )
    client.force_login(staff["approver"])
    page = client.get(reverse("approvals:queue")).content.decode()
    assert duplicates(page) == {}
    assert "本机关于" in page and "请写明具体理由" not in page.split("card-c")[0]
    second.refresh_from_db()
    response = client.post(
        reverse("approvals:act", args=["case", second.public_id, "signoff"]),
        {
            f"c{second.pk}-signoff-expected_version": second.version,
            f"c{second.pk}-signoff-seen": Letter.objects.get(case=second).updated_at.isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert duplicates(html) == {}
    found = cards(html)
    assert "不予公开的理由" in found[f"card-c{second.pk}"]["errors"]
    assert found[f"card-c{first.pk}"]["errors"] == ""
    for case in (first, second):
        assert all(str(case.public_id) in a for a in found[f"card-c{case.pk}"]["actions"])
    assert Case.objects.get(pk=second.pk).state == "review"
    assert Letter.objects.get(case=second).state == "draft"


@time_machine.travel(NOW, tick=False)
def test_sign_off_and_return_from_the_queue(client, city, staff, intake):
    first, letter = in_review(city, staff, intake, name="张一")
    second, _ = in_review(city, staff, intake, name="李二")
    client.force_login(staff["approver"])
    response = client.post(
        reverse("approvals:act", args=["case", first.public_id, "signoff"]),
        {
            f"c{first.pk}-signoff-expected_version": first.version,
            f"c{first.pk}-signoff-seen": letter.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=first.pk).state == "disclosed"
    second.refresh_from_db()
    refused = client.post(
        reverse("approvals:act", args=["case", second.public_id, "return"]),
        {f"c{second.pk}-return-expected_version": second.version},
    )
    assert refused.status_code == 200 and "退回理由" in refused.content.decode()
    assert Case.objects.get(pk=second.pk).state == "review"
    client.post(
        reverse("approvals:act", args=["case", second.public_id, "return"]),
        {
            f"c{second.pk}-return-expected_version": second.version,
            f"c{second.pk}-return-reason": "请补充获取方式",
        },
    )
    assert Case.objects.get(pk=second.pk).state == "drafting"
    assert CaseEvent.objects.filter(case=second, reason="请补充获取方式").exists()


@time_machine.travel(NOW, tick=False)
def test_a_reply_without_a_letter_cannot_be_signed_and_says_why(client, city, staff, intake):
    case, _ = in_review(city, staff, intake, draft=False)
    client.force_login(staff["approver"])
    page = client.get(reverse("approvals:queue")).content.decode()
    assert "承办人尚未拟写答复书" in page and "disabled" in page
    response = client.post(
        reverse("approvals:act", args=["case", case.public_id, "signoff"]),
        {f"c{case.pk}-signoff-expected_version": case.version},
    )
    assert "承办人尚未拟写答复书" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "review"


@time_machine.travel(NOW, tick=False)
def test_a_letter_edited_after_it_was_read_is_not_signed(client, city, staff, intake):
    case, letter = in_review(city, staff, intake)
    seen = letter.updated_at.isoformat()
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        letters_svc.letter_update(letter_id=letter.id, by=staff["handler"], body="改过的正文。")
    client.force_login(staff["approver"])
    response = client.post(
        reverse("approvals:act", args=["case", case.public_id, "signoff"]),
        {f"c{case.pk}-signoff-expected_version": case.version, f"c{case.pk}-signoff-seen": seen},
    )
    assert "文书在您阅读后已被修改" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).state == "draft"


class Buttons(HTMLParser):
    """Per action card (data-action): is its button disabled, and the reason shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cards: dict[str, dict] = {}
        self.current = None
        self.in_reason = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "div" and values.get("data-action"):
            self.current = values["data-action"]
            self.cards[self.current] = {"disabled": False, "form": False, "reason": ""}
        elif self.current and tag == "button" and "disabled" in values:
            self.cards[self.current]["disabled"] = True
        elif self.current and tag == "form":
            self.cards[self.current]["form"] = True
        elif self.current and tag == "small" and values.get("id", "").startswith("blocked-"):
            self.in_reason = True

    def handle_endtag(self, tag):
        if tag == "small":
            self.in_reason = False

    def handle_data(self, data):
        if self.current and self.in_reason:
            self.cards[self.current]["reason"] += data


@time_machine.travel(NOW, tick=False)
def test_actions_that_cannot_succeed_are_shown_disabled_with_the_reason(
    client, city, staff, intake
):
    case, letter = in_review(city, staff, intake)
    client.force_login(staff["approver"])
    url = reverse("requests_app:case_detail", args=[case.public_id])
    cards = Buttons()
    cards.feed(client.get(url).content.decode())
    close = cards.cards["approve_and_close"]
    assert close["disabled"] and not close["form"] and "须先签发答复书" in close["reason"]
    assert cards.cards["return_for_revision"]["form"]  # what can succeed stays a form

    letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    letters_svc.letter_issue(letter_id=letter.id, by=staff["approver"])
    cards = Buttons()
    cards.feed(client.get(url).content.decode())
    assert cards.cards["approve_and_close"]["form"]
    assert not cards.cards["approve_and_close"]["disabled"]

    mailed = svc.case_register(agency=city, by=staff["clerk"], data=intake(applicant_name="王五"))
    client.force_login(staff["clerk"])
    cards = Buttons()
    cards.feed(
        client.get(reverse("requests_app:case_detail", args=[mailed.public_id])).content.decode()
    )
    assert cards.cards["answer_on_the_spot"]["disabled"]
    assert "当场答复仅适用于当面提交" in cards.cards["answer_on_the_spot"]["reason"]
