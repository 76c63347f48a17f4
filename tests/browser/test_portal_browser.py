"""The applicant's journey in a real browser at 375 px with JavaScript off (issue 13): file a
request on /portal/, get the code, staff confirm it, track it, answer a supplement request
online, download the issued reply. Screenshots go to test-artifacts/."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from letters.models import Delivery, Letter
from portal.models import PortalSetting
from requests_app.models import Case, ClockEvent
from requests_app.services import cases as svc
from tests.conftest import valid_id_number
from tests.helpers import close_via_approval
from tests.portal_support import PNG, fresh_limits  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_limits"),
]

PHONE = "13912345678"


@pytest.fixture
def phone_page(chromium_browser, live_server):
    """A 375 px wide phone browser with JavaScript switched off."""
    context = chromium_browser.new_context(
        viewport={"width": 375, "height": 740},
        locale="zh-CN",
        base_url=live_server.url,
        java_script_enabled=False,
        accept_downloads=True,
    )
    context.set_default_timeout(20000)
    yield context.new_page()
    context.close()


def fits(page) -> None:
    """Nothing wider than the phone's screen (measured in a second, scripted context)."""
    width = page.context.browser.new_context(viewport={"width": 375, "height": 740})
    probe = width.new_page()
    probe.set_content(page.content())
    assert probe.evaluate("document.documentElement.scrollWidth") <= 375
    width.close()


def test_the_public_files_tracks_answers_and_downloads_at_375px(
    phone_page, open_session, shot, city, district, staff, soffice, tmp_path
):
    PortalSetting.objects.create(agency=city, portal_confirm_by_staff=True)
    page = phone_page

    # --- the applicant files a request ----------------------------------------------------------
    page.goto("/portal/")
    expect(page.locator("h1")).to_have_text("提交政府信息公开申请")
    page.get_by_label("查找受理机关").fill("办公室")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_label("受理机关 *").locator("option")).to_have_count(2)  # 请选择 + 1
    page.get_by_label("受理机关 *").select_option("CITY-OFFICE")
    page.get_by_label("姓名或名称").fill("孙七")
    page.get_by_label("身份证号码（公民必填）").fill(valid_id_number(42))
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("所需政府信息的名称、文号或便于查询的其他特征性描述").fill(
        "申请公开本市2025年老旧小区改造项目清单"
    )
    scan = tmp_path / "身份证.png"
    scan.write_bytes(PNG)
    page.get_by_label("身份证明扫描件").set_input_files(str(scan))
    fits(page)
    shot(page, "portal-01-form-375")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("h1")).to_have_text("申请已提交")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{12}", code)
    expect(page.locator("#receipt-state")).to_contain_text("待确认")
    fits(page)
    shot(page, "portal-02-receipt-375")
    assert not Case.objects.exists()

    # --- a clerk confirms it from the worklist badge ---------------------------------------------
    clerk = open_session(staff["clerk"])
    clerk.goto("/worklist/")
    clerk.get_by_role("link", name=re.compile("待确认网上申请")).click()
    expect(clerk.locator("article")).to_contain_text("孙七")
    clerk.get_by_role("button", name="确认收到并登记").click()
    expect(clerk.locator(".messages")).to_contain_text("已确认收到")
    case = Case.objects.get(tracking_code=code)
    assert case.received_on == timezone.localdate() and case.channel == "online"

    # --- the applicant tracks it ----------------------------------------------------------------
    page.goto("/portal/track/")
    page.get_by_label("查询码").fill(code)
    page.get_by_label("联系电话后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#track-error")).to_have_text("查询码或手机号码后四位不正确，请核对后再试")
    page.get_by_label("联系电话后四位").fill(PHONE[-4:])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#state")).to_have_text("已登记")
    expect(page.locator("#received-on")).to_have_text(f"{case.received_on:%Y-%m-%d}")
    expect(page.locator("#reply-due")).to_contain_text(f"{case.reply_due:%Y-%m-%d}")
    fits(page)
    shot(page, "portal-03-status-375")

    # --- the handler asks for a supplement; the applicant answers it online ----------------------
    due = timezone.localdate() + dt.timedelta(days=15)
    svc.case_request_supplement(
        case_id=case.pk, by=staff["handler"], missing="请提供身份证反面扫描件", due=due
    )
    page.reload()
    expect(page.locator("#state")).to_have_text("待补正")
    expect(page.locator("#supplement-due")).to_have_text(f"{due:%Y-%m-%d}")
    supplement = tmp_path / "反面.png"
    supplement.write_bytes(PNG)
    page.get_by_label("上传补正材料").set_input_files(str(supplement))
    shot(page, "portal-04-supplement-375")
    page.get_by_role("button", name="提交补正材料").click()
    expect(page.locator(".messages")).to_contain_text("补正材料已提交")
    expect(page.locator("#state")).to_have_text("已登记")
    restart = ClockEvent.objects.get(case=case, kind="restart")
    assert restart.on == timezone.localdate()

    # --- the reply is issued and downloaded from the tracking page --------------------------------
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply", state="issued")
    page.reload()
    case.refresh_from_db()
    assert case.is_finished  # the page names the outcome's terminal state (issue 17)
    expect(page.locator("#state")).to_have_text(case.get_state_display())
    link = page.locator("#downloads a", has_text="政府信息公开申请答复书")
    with page.expect_download() as download:
        link.click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF-")
    delivery = Delivery.objects.get(letter=reply, method="portal")
    assert delivery.received_on == timezone.localdate()
    shot(page, "portal-05-downloads-375")
