"""The demo campaigns of seed_demo, and the journey of SPEC §8 on them in headless chromium: the
demo lawyer scores a test request with the pre-filled checklist, the demo supervisor publishes
nothing yet but downloads the campaign report (.docx read back)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from docx import Document
from playwright.sync_api import expect

from audits import selectors
from audits.demo import ROUND_ONE, ROUND_TWO
from audits.models import AuditEvent, Campaign, ItemScore, MockRequest
from tests.browser import conftest as browser

chromium_browser = browser.chromium_browser
open_session = browser.open_session
shot = browser.shot

TODAY = dt.datetime(2026, 11, 27, 15, 0)
DEMO_PASSWORD = "demo-pass-2026"


def _seed():
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_campaigns_are_rich_enough_and_seeding_twice_changes_nothing():
    _seed()
    campaign = Campaign.objects.get(name=ROUND_TWO)
    assert campaign.status == "scoring"
    requests = list(campaign.test_requests.select_related("agency", "case"))
    assert len(requests) >= 10
    assert len({tr.agency_id for tr in requests}) >= 4
    linked = [tr for tr in requests if tr.case_id]
    assert len(linked) >= 5 and {tr.case.agency_id == tr.agency_id for tr in linked} == {True}
    assert any(tr.replied_on for tr in requests if not tr.case_id)
    results = selectors.campaign_results(campaign)
    assert 3 <= results.scored_count < len(requests)
    problems = {(p.test_request.code, p.item.key) for p in results.problems}
    assert {("T002", "timely"), ("T003", "outcome_fits"), ("T007", "legal_basis")} <= problems
    published = Campaign.objects.get(name=ROUND_ONE)
    assert published.status == "published"
    counts = (
        Campaign.objects.count(),
        MockRequest.objects.count(),
        ItemScore.objects.count(),
        AuditEvent.objects.count(),
    )
    _seed()
    assert counts == (
        Campaign.objects.count(),
        MockRequest.objects.count(),
        ItemScore.objects.count(),
        AuditEvent.objects.count(),
    )


def _login(page, username):
    browser.login(page, username, DEMO_PASSWORD)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_demo_lawyer_scores_and_supervisor_downloads_the_report(open_session, shot):
    _seed()
    campaign = Campaign.objects.get(name=ROUND_TWO)
    page = open_session()
    with time_machine.travel(TODAY, tick=True):
        _login(page, "lawyer")
        page.get_by_role("link", name="模拟申请").first.click()
        page.get_by_role("link", name=ROUND_TWO).click()
        expect(page.locator("h1")).to_contain_text(ROUND_TWO)
        shot(page, "audits-01-campaign")
        # T005: the case left open past its deadline; the checklist is pre-filled
        page.get_by_role("link", name="T005").click()
        expect(page.locator("h1")).to_contain_text("T005")
        expect(page.get_by_text("已关联机关案件")).to_be_visible()
        timely = campaign.items.get(key="timely")
        expect(page.locator(f'input[name="verdict_{timely.id}"][value="fail"]')).to_be_checked()
        shot(page, "audits-02-scoring-form")
        page.get_by_role("button", name="保存评分").click()
        expect(page.get_by_text("T005 评分已保存")).to_be_visible()
        assert (
            ItemScore.objects.filter(
                test_request__campaign=campaign, test_request__number=5
            ).count()
            == 9
        )
        page.get_by_role("link", name=f"← {ROUND_TWO}").click()
        page.get_by_role("link", name="测评结果与排名").click()
        expect(page.locator("h1")).to_contain_text("测评结果")
        shot(page, "audits-03-results")

        supervisor = open_session()
        _login(supervisor, "supervisor")
        supervisor.goto(f"/audits/{campaign.pk}/")
        with supervisor.expect_download() as download_info:
            supervisor.get_by_role("link", name="下载测评报告（Word）").click()
        document = Document(download_info.value.path())
        text = "\n".join(p.text for p in document.paragraphs)
        assert f"{ROUND_TWO}报告" in text and "二、各机关得分排名" in text
        assert "测评测评" not in text
        ranking = [[c.text for c in row.cells] for row in document.tables[0].rows]
        assert ranking[0][:4] == ["名次", "机关", "模拟申请数", "得分"]
        assert {row[1] for row in ranking[1:]} == {
            "张店区人民政府",
            "淄川区人民政府",
            "临淄区人民政府",
            "博山区人民政府",
            "淄博市住房和城乡建设局",
        }
        # publishing is refused while test requests are unscored, with the reason on the page
        expect(supervisor.get_by_text("“发布结果”前须")).to_be_visible()

        # the district's staff see their own published results of the first round only
        staff = open_session()
        _login(staff, "zd_handler")
        staff.goto("/audits/our-results/")
        expect(staff.locator("h2").first).to_contain_text(f"{ROUND_ONE}：张店区人民政府")
        expect(staff.get_by_text("临淄区人民政府")).to_have_count(0)
        shot(staff, "audits-04-our-results")
        assert staff.goto(f"/audits/{campaign.pk}/").status == 404
