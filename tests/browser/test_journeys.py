"""The main journeys in a real browser: a mailed request from intake to closing, and the
worklist filters. Screenshots of the key pages go to test-artifacts/."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.models import Attachment, Case
from tests.conftest import valid_id_number
from tests.test_web_worklist import bulk_cases
from workcalendar.selectors import calendar_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def open_action(page, name: str):
    card = page.locator(f".action-card[data-action='{name}']")
    card.locator("summary").click()
    return card


def test_mailed_request_from_intake_to_closing(open_session, shot, city, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()

    # --- the clerk logs a signed-for letter -----------------------------------------------
    clerk = open_session()
    clerk.goto("/accounts/login/")
    expect(clerk.locator("h1")).to_have_text("登录")
    shot(clerk, "01-login")
    from tests.browser.conftest import login

    login(clerk, staff["clerk"].username)
    clerk.get_by_role("link", name="登记申请").click()
    shot(clerk, "02-intake-channels")
    clerk.get_by_role("link", name=re.compile("邮寄（需签收）")).click()
    expect(clerk.locator("h1")).to_contain_text("邮寄（需签收）")
    clerk.get_by_label("签收日期").fill(today.isoformat())
    clerk.get_by_label("邮件单号").fill("EMS9876543210")
    clerk.get_by_label("申请人类型").select_option("natural_person")
    clerk.get_by_label("申请人姓名/名称").fill("赵六")
    clerk.get_by_label("身份证号码").fill("370302198701010000")  # wrong check digit
    clerk.get_by_label("联系电话").fill("13800002222")
    clerk.get_by_label("通信地址").fill("淄博市张店区人民西路2号")
    clerk.get_by_label("邮政编码").fill("255000")
    clerk.get_by_label("申请内容").fill("申请公开本机关2026年度重大行政决策事项目录。")
    clerk.get_by_label("申请书扫描件").set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    clerk.get_by_role("button", name="登记", exact=True).click()
    expect(clerk.locator("#form-errors")).to_contain_text("身份证号码")
    expect(clerk.locator("#field-applicant_id_number .error")).to_contain_text(
        "身份证号码：身份证号码无效"
    )
    expect(clerk.get_by_label("申请人姓名/名称")).to_have_value("赵六")  # input kept
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0
    shot(clerk, "03-intake-error")
    clerk.get_by_label("身份证号码").fill(valid_id_number(21))
    clerk.get_by_label("申请书扫描件").set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    clerk.get_by_role("button", name="登记", exact=True).click()
    expect(clerk.locator("h1")).to_have_text("登记完成")
    case = Case.objects.get()
    expect(clerk.locator("#case-no")).to_have_text(case.case_no)
    expect(clerk.locator("#reply-due")).to_contain_text(case.reply_due.isoformat())
    expect(clerk.get_by_role("link", name="登记回执")).to_be_visible()
    shot(clerk, "04-intake-done")
    assert case.attachments.get().kind == "letter_scan"

    # --- the handler asks for a supplement --------------------------------------------------
    handler = open_session(staff["handler"])
    expect(handler.locator("h1")).to_have_text("工作台")
    handler.get_by_role("link", name=case.case_no).click()
    expect(handler.locator("#case-state")).to_have_text("已登记")
    shot(handler, "05-case-received")
    card = open_action(handler, "request_supplement")
    card.get_by_role("button", name="补正告知").click()  # empty: errors next to the fields
    card = handler.locator(".action-card[data-action='request_supplement']")
    expect(card).to_contain_text("需补正的事项：")
    card.locator("[name='request_supplement-missing']").fill("请写明所需目录的年份和发文机关")
    due = calendar_get().add_working_days(today, 10)
    card.locator("[name='request_supplement-due']").fill(due.isoformat())
    card.get_by_role("button", name="补正告知").click()
    expect(handler.locator("#case-state")).to_have_text("待补正")
    expect(handler.locator("#timeline")).to_contain_text("请写明所需目录的年份和发文机关")
    shot(handler, "06-case-supplement")

    # --- the clerk records the supplement ---------------------------------------------------
    clerk.goto(f"/cases/{case.public_id}/")
    open_action(clerk, "record_supplement").get_by_role("button", name="登记补正材料").click()
    expect(clerk.locator("#case-state")).to_have_text("已登记")
    expect(clerk.locator("#deadline")).to_contain_text("重新起算")

    # --- the handler drafts the reply and submits it --------------------------------------
    handler.reload()
    open_action(handler, "start_drafting").get_by_role("button", name="开始拟办").click()
    expect(handler.locator("#case-state")).to_have_text("拟稿中")
    card = open_action(handler, "submit_for_approval")
    card.get_by_label("拟办结果").select_option("disclosed")
    card.get_by_role("button", name="提交审核").click()
    expect(handler.locator("#case-state")).to_have_text("待审核")

    # --- the approver's queue: no reply letter yet, so the sign-off is offered disabled ------
    approver = open_session(staff["approver"])
    expect(approver.locator("h1")).to_have_text("待审核")
    item = approver.locator(f"#card-c{case.pk}")
    expect(item).to_contain_text("予以公开")
    expect(item.get_by_role("button", name="审核通过、签发答复书并办结")).to_be_disabled()
    expect(item).to_contain_text("承办人尚未拟写答复书")
    shot(approver, "07-approver-queue")
    assert Case.objects.get(pk=case.pk).state == "review"

    # The handler drafts the reply letter in the letters panel of the case page ...
    handler.goto(f"/cases/{case.public_id}/")
    handler.locator("#letters").get_by_label("拟写文书").select_option("reply")
    handler.locator("#letters").get_by_role("button", name="生成草稿").click()
    expect(handler.locator(".messages")).to_contain_text("草稿")
    # ... chooses how the information is provided (drafts start with it empty) ...
    handler.get_by_label("公开方式").select_option("provide")
    handler.get_by_role("button", name="保存草稿").click()
    expect(handler.locator(".messages")).to_contain_text("草稿已保存")
    # ... and the approver reads it on the queue and signs it off in one action.
    approver.goto("/approvals/")
    item = approver.locator(f"#card-c{case.pk}")
    expect(item.locator(".letter-body")).to_contain_text("重大行政决策事项目录")
    item.get_by_role("button", name="审核通过、签发答复书并办结").click()
    expect(approver.locator(".messages")).to_contain_text("已审核、签发答复书并办结")
    expect(approver.locator(f"#card-c{case.pk}")).to_have_count(0)
    approver.goto(f"/cases/{case.public_id}/")
    # the state is the outcome's group: 予以公开 says it all, no second 予以公开 beside it
    expect(approver.locator("#case-state")).to_have_text("予以公开")
    expect(approver.locator("#case-outcome")).to_have_count(0)
    approver.locator("#deadline summary").click()
    shot(approver, "08-case-closed")
    case.refresh_from_db()
    assert case.state == "disclosed" and case.outcome == "disclosed"
    transitions = list(case.events.filter(kind="transition").values_list("transition", flat=True))
    assert transitions == [
        "request_supplement",
        "record_supplement",
        "start_drafting",
        "submit_for_approval",
        "approve_and_close",
    ]


def test_worklist_filters(open_session, shot, city, staff):
    today = timezone.localdate()
    calendar = calendar_get()
    soon = calendar.add_working_days(today, 2)
    bulk_cases(city, 30, reply_due=today + dt.timedelta(days=60))
    bulk_cases(city, 3, start=30, reply_due=today - dt.timedelta(days=3))  # overdue
    bulk_cases(city, 2, start=33, reply_due=soon)  # due soon
    later = today + dt.timedelta(days=70)
    bulk_cases(city, 4, start=35, state="drafting", channel="mail_signed", reply_due=later)
    bulk_cases(
        city,
        1,
        start=39,
        applicant_name="钱七有限公司",
        applicant_type="commercial_enterprise",
        reply_due=later,
    )
    page = open_session(staff["handler"])
    expect(page.locator("h1")).to_have_text("工作台")
    results = page.locator("#worklist-results")
    expect(results.locator(".count[data-state='open'] b")).to_have_text("40")
    expect(results.locator(".count[data-state='drafting'] b")).to_have_text("4")
    expect(page.locator("#result-count")).to_have_text("共 40 件")
    # Sorted by due date: the overdue rows first, highlighted.
    expect(page.locator("tbody tr").first).to_have_class(re.compile("overdue"))
    expect(page.locator("tr.due-soon")).to_have_count(2)
    expect(page.locator("tbody tr")).to_have_count(25)  # paginated
    shot(page, "10-worklist")

    page.get_by_label("状态", exact=True).select_option("drafting")
    expect(page.locator("#result-count")).to_have_text("共 4 件")
    assert "state=drafting" in page.url  # the filter is in the address (bookmarkable)
    page.get_by_label("状态", exact=True).select_option("open")
    expect(page.locator("#result-count")).to_have_text("共 40 件")

    page.get_by_label("仅看已超期").check()
    expect(page.locator("#result-count")).to_have_text("共 3 件")
    expect(page.locator("tbody tr.overdue")).to_have_count(3)
    shot(page, "11-worklist-overdue")
    page.get_by_label("仅看已超期").uncheck()

    page.get_by_label("N个工作日内到期").fill("2")
    page.get_by_label("N个工作日内到期").press("Enter")
    expect(page.locator("#result-count")).to_have_text("共 2 件")
    page.get_by_label("N个工作日内到期").fill("")
    page.get_by_label("N个工作日内到期").press("Enter")
    expect(page.locator("#result-count")).to_have_text("共 40 件")

    page.get_by_label("申请渠道").select_option("mail_signed")
    expect(page.locator("#result-count")).to_have_text("共 4 件")
    page.get_by_label("申请渠道").select_option("")
    page.get_by_label("申请人类型").select_option("commercial_enterprise")
    expect(page.locator("#result-count")).to_have_text("共 1 件")
    page.get_by_label("申请人类型").select_option("")

    search = page.get_by_label("搜索（编号/申请人/内容/查询码）")
    search.fill("钱七")
    search.press("Enter")
    expect(page.locator("#result-count")).to_have_text("共 1 件")
    expect(page.locator("tbody")).to_contain_text("钱七有限公司")
    shot(page, "12-worklist-search")
    # ID numbers are masked on the list.
    assert valid_id_number(39) not in page.content()

    page.wait_for_url(re.compile(r"[?&]q=%E9%92%B1%E4%B8%83"))
    # Reloading the pushed URL keeps the filters (works without JavaScript too).
    page.reload()
    expect(page.locator("#result-count")).to_have_text("共 1 件")
    page.get_by_role("link", name="清除条件").click()
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("tbody tr")).to_have_count(15)


def test_keyboard_only_login_and_skip_link(open_session, staff):
    page = open_session()
    page.goto("/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_focused()  # autofocus
    page.keyboard.type(staff["clerk"].username)
    page.keyboard.press("Tab")
    page.keyboard.type("pw-12345678")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("工作台")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # Tab reaches the filters and Enter submits them.
    page.get_by_label("搜索（编号/申请人/内容/查询码）").focus()
    page.keyboard.type("不存在的申请人")
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_have_text("共 0 件")
    # The page fits a 1366-pixel office screen without horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_stale_page_gets_a_conflict_asking_to_reload(open_session, shot, city, staff, intake):
    from requests_app.services import cases as svc

    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(signed_on=timezone.localdate(), submitted_on=timezone.localdate()),
    )
    first = open_session(staff["handler"])
    second = open_session(staff["handler"])
    for page in (first, second):
        page.goto(f"/cases/{case.public_id}/")
    open_action(first, "start_drafting").get_by_role("button", name="开始拟办").click()
    expect(first.locator("#case-state")).to_have_text("拟稿中")
    card = open_action(second, "request_extension")
    card.locator("[name='request_extension-days']").fill("5")
    card.locator("[name='request_extension-reason']").fill("材料较多")
    card.get_by_role("button", name="申请延期答复").click()
    alert = second.locator(".action-card[data-action='request_extension'] .alert.error")
    expect(alert).to_contain_text("案件已被他人修改，请刷新后重试")
    shot(second, "09-stale-conflict")
    alert.get_by_role("link", name="刷新").click()
    expect(second.locator("#case-state")).to_have_text("拟稿中")
    assert Case.objects.get(pk=case.pk).extension_state == "none"
