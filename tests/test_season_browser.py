"""The season journey in headless chromium (issue 16): the supervising office opens the season
dashboard on 5 January 2027, follows its own unit's problem (a case without an applicant type,
which also breaks 勾稽关系) to the case, fixes it, re-checks the unit, sees it clean, publishes."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from agencies.models import Role
from reporting.models import PublishedReport
from requests_app.models import Case, CaseEvent
from season import services
from season.models import Draft
from tests.browser import conftest as browser

from .conftest import make_user
from .season_support import clean_cases, issue_reply
from .test_reporting_support import make_case

chromium_browser = browser.chromium_browser
open_session = browser.open_session
shot = browser.shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@time_machine.travel(dt.datetime(2027, 1, 5, 10, 0), tick=True)
def test_supervisor_follows_a_problem_fixes_it_reruns_and_publishes(
    open_session, shot, city, district
):
    clean_cases(city)
    clean_cases(district)
    broken = make_case(
        city, dt.date(2026, 6, 3), closed_on=dt.date(2026, 6, 10), outcome="disclosed"
    )
    Case.objects.filter(pk=broken.pk).update(applicant_type="")
    issue_reply(broken)
    # the office's own staff: supervisor of the city tree and approver of the office itself
    user = make_user("season-office", city, Role.SUPERVISOR, Role.APPROVER)
    services.season_daily(dt.date(2027, 1, 4))  # what beat ran on the first working day

    page = open_session(user)
    page.get_by_role("link", name="年报季").click()
    expect(page.locator("h1")).to_contain_text("2026 年度政府信息公开工作年度报告季")
    expect(page.locator("#days-left-units")).to_have_text("26")
    row = page.locator('#season-units tr[data-code="CITY-OFFICE"]')
    expect(row).to_contain_text("草稿有问题")
    expect(page.locator('#season-units tr[data-code="ZD-GOV"]')).to_contain_text("草稿无问题")
    shot(page, "season-01-dashboard")
    row.get_by_role("link", name="查看").click()
    expect(page.locator("#draft-problems")).to_be_visible()
    expect(page.locator("#draft-failures")).to_contain_text("不等于六类申请人之和")
    finding = page.locator('#findings tr[data-kind="missing_fields"]')
    expect(finding).to_contain_text("申请人类型或申请渠道缺失")
    shot(page, "season-02-unit")
    finding.get_by_role("link", name=broken.case_no).click()
    page.get_by_role("link", name="修改登记信息").click()
    page.get_by_label("申请人类型").select_option("natural_person")
    page.get_by_label(re.compile("修改理由|理由")).fill("年报季检查：补填申请人类型")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator(".messages")).to_be_visible()
    assert CaseEvent.objects.filter(case=broken, changes__has_key="applicant_type").exists()
    page.goto("/season/units/CITY-OFFICE/2026/")
    page.get_by_role("button", name="重新检查本单位").click()
    expect(page.locator(".messages")).to_contain_text("草稿无问题")
    expect(page.locator("#draft-clean")).to_be_visible()
    expect(page.locator("#sweep-clean")).to_be_visible()
    shot(page, "season-03-clean")
    page.get_by_role("link", name="打开年度报告（发布）").click()
    page.get_by_role("button", name="发布 2026 年度报告").click()
    expect(page.locator(".messages")).to_contain_text("已发布 2026 年度报告（第 1 版）")
    page.get_by_role("link", name="年报季").click()
    expect(page.locator('#season-units tr[data-code="CITY-OFFICE"]')).to_contain_text("已发布")
    shot(page, "season-04-published")
    snapshot = PublishedReport.objects.get(agency=city, year=2026, consolidated=False)
    draft = Draft.objects.get(agency=city, year=2026, consolidated=False)
    assert draft.clean and snapshot.data == draft.data
    assert Case.objects.get(pk=broken.pk).applicant_type == "natural_person"
