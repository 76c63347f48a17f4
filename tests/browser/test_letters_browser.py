"""A handler edits a reply in the browser, the approver issues it, both download the file."""

import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from letters.models import Letter
from tests.letters_support import case_for_outcome, docx_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_issue_and_download_a_reply(open_session, city, staff, intake, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = case_for_outcome("unavailable.not_held", agency=city, staff=staff, intake=intake)
    handler = open_session(staff["handler"])
    handler.goto(f"/cases/{case.public_id}/")
    handler.locator("#letters").get_by_label("拟写文书").select_option("reply")
    handler.locator("#letters").get_by_role("button", name="生成草稿").click()
    expect(handler.locator("h1")).to_contain_text("政府信息公开申请答复书")
    # The reason starts empty, its hint beside the field; the approver's sign-off is refused.
    reason = handler.get_by_label("不属于本机关负责公开的理由")
    expect(reason).to_have_value("")
    expect(reason).to_have_attribute("placeholder", re.compile("写明该信息由哪类机关"))
    handler.get_by_label("无法提供的依据").select_option("36_5")
    handler.get_by_label("负责公开的机关").fill("淄博市自然资源和规划局")
    handler.get_by_label("该机关联系方式").fill("0533-3185000")
    handler.get_by_role("button", name="保存草稿").click()
    expect(handler.locator(".messages")).to_contain_text("草稿已保存")
    letter = Letter.objects.get(case=case)
    approver = open_session(staff["approver"])
    approver.goto(f"/letters/letter/{letter.public_id}/")
    approver.locator("#approve").click()
    expect(approver.locator(".messages")).to_contain_text("请填写“不属于本机关负责公开的理由”")
    expect(approver.locator("#letter-state")).to_have_text("草稿")
    handler.reload()
    handler.get_by_label("不属于本机关负责公开的理由").fill(
        "建设工程规划许可由自然资源和规划部门作出并保存，本机关未参与制作。"
    )
    handler.get_by_role("button", name="保存草稿").click()
    expect(handler.locator(".messages")).to_contain_text("草稿已保存")
    with handler.expect_download() as info:
        handler.locator("#download").click()
    draft = open(info.value.path(), "rb").read()
    assert "草稿——未经签发，不具效力" in docx_text(draft)

    approver.goto(f"/letters/letter/{letter.public_id}/")
    approver.locator("#approve").click()
    expect(approver.locator("#letter-state")).to_have_text("已审核")
    approver.locator("#issue").click()
    expect(approver.locator("#letter-state")).to_have_text("已签发")
    expect(approver.locator("#letter-number")).to_have_text("淄政办信复〔2026〕1号")
    with approver.expect_download() as info:
        approver.locator("#download").click()
    data = open(info.value.path(), "rb").read()
    text = docx_text(data)
    assert "该政府信息的公开机关：淄博市自然资源和规划局，联系方式：0533-3185000。" in text
    assert "第三十六条第（五）项" in text and "草稿" not in text and "不存在" not in text
    assert "理由是：建设工程规划许可由自然资源和规划部门作出并保存" in text
    assert Document(io.BytesIO(data)).paragraphs
    letter.refresh_from_db()
    assert letter.sha256 in approver.content()
