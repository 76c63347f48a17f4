"""The office's daily tools in a real browser: the receipt printed while the applicant waits,
batch assignment from the worklist, the 台账 export, and the worklist at 1366 and 375 px."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from letters.models import Letter
from requests_app.models import Case, CaseEvent
from requests_app.services import cases as svc
from tests.conftest import make_user
from tests.test_web_worklist import bulk_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_prints_the_receipt_while_the_applicant_waits(
    open_session, shot, city, staff, intake, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    city.clerks_issue_receipts = True
    city.save()
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    clerk = open_session(staff["clerk"])
    clerk.goto(f"/cases/{case.public_id}/")
    button = clerk.locator("#receipt-print").get_by_role("button", name="打印登记回执（PDF）")
    expect(button).to_be_visible()
    shot(clerk, "office-01-receipt-button-1366")
    with clerk.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"{case.case_no}_登记回执.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    letter = Letter.objects.get(case=case)
    assert (letter.kind, letter.state, letter.issued_by) == ("receipt", "issued", staff["clerk"])
    # The case page now lists the issued receipt with its number.
    clerk.reload()
    expect(clerk.locator("#letters")).to_contain_text(letter.number)


def test_the_approver_assigns_a_handler_to_several_cases_at_once(open_session, shot, city, staff):
    cases = bulk_cases(city, 4)
    colleague = make_user("wang-handler", city, "handler")
    colleague.first_name = "王承办"
    colleague.save()
    approver = open_session(staff["approver"])
    approver.goto("/worklist/")
    for case in cases[:3]:
        approver.get_by_label(f"选择 {case.case_no}").check()
    approver.get_by_label("承办人").select_option(label="王承办")
    shot(approver, "office-02-batch-selected-1366")
    approver.get_by_role("button", name="指定承办人").click()
    expect(approver.locator("h1")).to_have_text("批量指定承办人")
    expect(approver.locator("#batch-summary")).to_contain_text("成功 3 件，未完成 0 件")
    shot(approver, "office-03-batch-result-1366")
    for case in cases[:3]:
        case.refresh_from_db()
        assert case.handler == colleague
        assert CaseEvent.objects.filter(case=case, reason="批量指定承办人").count() == 1
    cases[3].refresh_from_db()
    assert cases[3].handler is None


def test_the_ledger_export_downloads_the_filtered_worklist(open_session, city, staff):
    bulk_cases(city, 6)
    clerk = open_session(staff["clerk"])
    clerk.goto("/worklist/")
    clerk.get_by_label("搜索（编号/申请人/内容/查询码）").fill("申请人3")
    clerk.get_by_role("button", name="筛选").click()
    expect(clerk.locator("#result-count")).to_contain_text("共 1 件")
    with clerk.expect_download() as info:
        clerk.locator("#ledger-export").click()
    download = info.value
    assert re.fullmatch(r"台账-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))["台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("案件编号", "收到申请之日")
    assert [row[0] for row in rows[1:]] == ["2026-00004"]
    assert rows[1][5].count("*") == 8  # the identity number masked


def test_worklist_at_1366_and_375_px(open_session, shot, city, staff):
    bulk_cases(city, 5)
    Case.objects.filter(case_no="2026-00002").update(reply_due=None)
    page = open_session(staff["approver"])
    page.goto("/worklist/")
    # 1366 px: the filters are open (no fold), the table has its header row.
    expect(page.get_by_label("搜索（编号/申请人/内容/查询码）")).to_be_visible()
    expect(page.locator(".filters-fold > summary")).to_be_hidden()
    expect(page.locator("table.worklist thead th").nth(1)).to_be_visible()
    shot(page, "office-04-worklist-1366")

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    # 375 px: the filters folded behind their summary; each case a card whose due date and
    # state are visible without scrolling sideways.
    summary = page.locator(".filters-fold > summary")
    expect(summary).to_be_visible()
    expect(page.get_by_label("搜索（编号/申请人/内容/查询码）")).to_be_hidden()
    card = page.locator("tr[data-case-no='2026-00001']")
    due, state = card.locator("td.due"), card.locator("td.state-cell")
    expect(due).to_be_visible()
    expect(state).to_be_visible()
    label = due.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"答复期限："', label  # the card labels its fields
    for cell in (due, state, card.locator("td.case-no")):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # nothing wider than the phone
    shot(page, "office-05-worklist-375")
    summary.click()
    expect(page.get_by_label("搜索（编号/申请人/内容/查询码）")).to_be_visible()
    shot(page, "office-06-worklist-375-filters-open")
