"""The approver's queue in Debian's chromium (issue 11): two cards, an error on the second, the
forms stay on their cases; and the one-page sign-off (read inline, approve + issue + close, or
return with a reason). Screenshots at 1366 and 375 px go to test-artifacts/."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from letters import services as letters_svc
from letters.models import Letter
from letters.samples import reply_details
from requests_app.models import Case
from requests_app.services import cases as svc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_review(city, staff, intake, name, outcome="disclosed", **details):
    today = timezone.localdate()
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(applicant_name=name, submitted_on=today, signed_on=today),
    )
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome=outcome)
    letters_svc.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        details={**reply_details(outcome), **details},
    )
    return Case.objects.get(pk=case.pk)


def with_extension(city, staff, intake, name):
    today = timezone.localdate()
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(applicant_name=name, submitted_on=today, signed_on=today),
    )
    svc.case_request_extension(case_id=case.id, by=staff["handler"], days=10, reason="需调取档案")
    return Case.objects.get(pk=case.pk)


def both_widths(page, shot, name):
    shot(page, f"{name}-1366")
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, f"{name}-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.set_viewport_size({"width": 1366, "height": 768})


def test_an_error_on_the_second_card_stays_there_and_each_form_stays_on_its_case(
    open_session, shot, city, staff, intake
):
    first = in_review(city, staff, intake, "张一")
    second = in_review(
        city, staff, intake, "李二", outcome="withheld.state_secret", withhold_reason=""
    )
    ext_first = with_extension(city, staff, intake, "王三")
    ext_second = with_extension(city, staff, intake, "赵四")
    page = open_session(staff["approver"])
    page.goto("/approvals/")
    card_1, card_2 = page.locator(f"#card-c{first.pk}"), page.locator(f"#card-c{second.pk}")
    expect(card_1).to_contain_text("张一")
    expect(card_2).to_contain_text("李二")

    # Sign-off refused on the second card: the error is under the second card only.
    card_2.get_by_role("button", name="审核通过、签发答复书并办结").click()
    card_1, card_2 = page.locator(f"#card-c{first.pk}"), page.locator(f"#card-c{second.pk}")
    expect(card_2.locator(".alert.error")).to_contain_text("不予公开的理由")
    expect(card_1.locator(".alert.error")).to_have_count(0)
    expect(card_1.locator("form.signoff-form")).to_have_attribute(
        "action", f"/approvals/case/{first.public_id}/signoff/"
    )
    expect(card_2.locator("form.signoff-form")).to_have_attribute(
        "action", f"/approvals/case/{second.public_id}/signoff/"
    )
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    assert len(ids) == len(set(ids))
    both_widths(page, shot, "20-queue-error-on-second-card")

    # The first card still acts on the first case.
    card_1.get_by_role("button", name="审核通过、签发答复书并办结").click()
    expect(page.locator(".messages")).to_contain_text("已审核、签发答复书并办结")
    assert Case.objects.get(pk=first.pk).state == "disclosed"
    assert Case.objects.get(pk=second.pk).state == "review"
    assert Letter.objects.get(case=second).state == "draft"

    # Extension cards (htmx): a refusal without a reason errs on the second card only, and
    # the first card's form still posts to the first case.
    x1, x2 = page.locator(f"#card-x{ext_first.pk}"), page.locator(f"#card-x{ext_second.pk}")
    refuse_2 = x2.locator(".action-card[data-action='refuse_extension']")
    refuse_2.locator("summary").click()
    refuse_2.get_by_role("button", name="不批准延期").click()
    expect(x2.locator(".error")).to_contain_text("理由/说明：该字段是必填项")
    expect(x1.locator(".error")).to_have_count(0)
    expect(x1.locator(".action-card[data-action='approve_extension'] form")).to_have_attribute(
        "action", f"/cases/{ext_first.public_id}/act/approve_extension/"
    )
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    assert len(ids) == len(set(ids))
    both_widths(page, shot, "21-queue-extension-error-on-second-card")
    approve_1 = x1.locator(".action-card[data-action='approve_extension']")
    approve_1.locator("summary").click()
    approve_1.get_by_role("button", name="批准延期").click()
    expect(page.locator(".messages")).to_contain_text("已完成：批准延期")
    assert Case.objects.get(pk=ext_first.pk).extension_state == "approved"
    assert Case.objects.get(pk=ext_second.pk).extension_state == "requested"


def test_one_page_sign_off_reads_inline_then_issues_or_returns(
    open_session, shot, city, staff, intake
):
    reply_case = in_review(city, staff, intake, "钱五")
    notice_case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(
            applicant_name="孙六",
            submitted_on=timezone.localdate(),
            signed_on=timezone.localdate(),
        ),
    )
    svc.case_request_supplement(
        case_id=notice_case.id,
        by=staff["handler"],
        missing="请写明所需文件的名称或文号",
        due=timezone.localdate() + timezone.timedelta(days=20),
    )
    # Requesting the supplement drafted its notice (one, not a second by hand).
    notice = Letter.objects.get(case=notice_case, kind="supplement_notice")
    page = open_session(staff["approver"])
    page.goto("/approvals/")
    reply_card = page.locator(f"article[data-case-no='{reply_case.case_no}'][data-letter-kind]")
    notice_card = page.locator(f"#card-l{notice.pk}")
    # The letters are read on the page itself, as the applicant will read them.
    expect(reply_card.locator(".letter-body")).to_contain_text("政府信息公开申请答复书")
    expect(reply_card.locator(".letter-body")).to_contain_text("统计台账")
    expect(notice_card.locator(".letter-body")).to_contain_text("请写明所需文件的名称或文号")
    both_widths(page, shot, "22-one-page-sign-off")

    # The notice: approved and issued in one action (it closes nothing).
    notice_card.get_by_role("button", name="审核通过并签发").click()
    expect(page.locator(".messages")).to_contain_text("已审核并签发：补正告知书")
    notice.refresh_from_db()
    assert notice.state == "issued" and notice.number
    assert Case.objects.get(pk=notice_case.pk).state == "supplement"

    # The reply: returned to the handler with a reason, which the history keeps.
    reply_card = page.locator(f"#card-c{reply_case.pk}")
    reply_card.locator("details.return summary").click()
    reply_card.get_by_role("button", name="退回", exact=True).click()
    reply_card = page.locator(f"#card-c{reply_case.pk}")
    expect(reply_card.locator(".error")).to_contain_text("退回理由")
    reply_card.get_by_label("退回理由").fill("请写明获取方式")
    reply_card.get_by_role("button", name="退回", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"已退回承办人：{reply_case.case_no}")
    assert Case.objects.get(pk=reply_case.pk).state == "drafting"
    page.goto(f"/cases/{reply_case.public_id}/")
    expect(page.locator("#timeline")).to_contain_text("请写明获取方式")
    expect(page.locator("#timeline")).to_contain_text("退回文书修改")
    both_widths(page, shot, "23-returned-in-history")
