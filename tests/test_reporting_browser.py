"""The supervisor's year-end journey in headless chromium: open the city office's 2020 report,
see it match the reference document, drill into a cell, download the .docx annual report."""

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser import conftest as browser
from tests.test_reporting_support import build_reference_2020

# the browser fixtures of tests/browser, shared with this module
chromium_browser = browser.chromium_browser
open_session = browser.open_session
shot = browser.shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_opens_the_2020_report_drills_down_and_downloads_the_docx(
    open_session, shot, city, staff
):
    build_reference_2020(city)
    page = open_session(staff["supervisor"])
    page.get_by_role("link", name="年度报告").first.click()
    expect(page.locator("h1")).to_have_text("政府信息公开工作年度报告")
    page.get_by_role("row", name=re.compile("淄博市人民政府办公室")).get_by_role(
        "link", name="2020", exact=True
    ).click()
    expect(page.locator("h1")).to_contain_text("2020 年政府信息公开工作年度报告")
    expect(page.locator("#consistency")).to_contain_text("勾稽关系成立")
    expect(page.locator('[data-cell="new_requests.total"]')).to_have_text("88")
    expect(page.locator('[data-cell="new_requests.natural_person"]')).to_have_text("83")
    expect(page.locator('[data-cell="unavailable.not_held.total"]')).to_have_text("42")
    expect(page.locator('[data-cell="results_total.total"]')).to_have_text("91")
    expect(page.locator('[data-cell="carried_forward.total"]')).to_have_text("3")
    expect(page.locator('[data-cell="table4.review.upheld"]')).to_have_text("1")
    expect(page.locator('[data-cell="table4.litigation_direct.other"]')).to_have_text("1")
    shot(page, "reporting-01-annual-2020")
    page.locator('[data-cell="carried_forward.natural_person"] a').click()
    expect(page.locator("h1")).to_contain_text("四、结转下年度继续办理 · 自然人")
    expect(page.locator("#cell-cases tbody tr")).to_have_count(3)
    shot(page, "reporting-02-drill-down")
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="年度报告 .docx").click()
    path = download_info.value.path()
    doc = Document(io.BytesIO(open(path, "rb").read()))
    assert doc.paragraphs[0].text == "淄博市人民政府办公室2020年政府信息公开工作年度报告"
    t3 = doc.tables[-2]
    assert [t3.cell(3, c).text for c in range(3, 10)] == ["83", "5", "0", "0", "0", "0", "88"]
    # the consolidated view and the statistics page with its charts
    page.get_by_role("link", name="本级及下级汇总").click()
    expect(page.locator("h1")).to_contain_text("含下级机关汇总")
    page.get_by_role("link", name="统计图表").click()
    expect(page.locator("svg.chart")).to_have_count(3)
    shot(page, "reporting-03-statistics")
    # publishing freezes the report
    page.goto("/reports/annual/CITY-OFFICE/2020/")
    page.get_by_role("button", name="发布 2020 年度报告").click()
    expect(page.locator(".messages")).to_contain_text("已发布 2020 年度报告（第 1 版）")
    expect(page.locator("#snapshot-same")).to_be_visible()
