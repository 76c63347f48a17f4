"""The release journey in the browser: the handler attaches a document, reviews the proposals,
draws a box with the mouse, makes the released version; the approver is stopped at the reply
until the release set is signed off, signs it off, issues the reply, and the redacted PDF is
downloaded (a staff download: the applicant portal is not on main yet)."""

import pytest
from playwright.sync_api import expect

from documents.models import BoxState, Document
from letters import services as letters_svc
from letters.models import Letter
from letters.samples import reply_details
from tests.documents_support import ID_A, MOBILE_A, multipage_pdf, pdftotext, squash
from tests.letters_support import case_for_outcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_review_draw_signoff_issue_download(
    open_session, city, staff, intake, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    case = case_for_outcome("partially_disclosed", agency=city, staff=staff, intake=intake)
    source = tmp_path / "道路维修材料.pdf"
    source.write_bytes(multipage_pdf(3))

    handler = open_session(staff["handler"])
    handler.goto(f"/cases/{case.public_id}/")
    handler.get_by_role("link", name="拟提供的政府信息、遮盖与审核").click()
    handler.get_by_label("文件名称").fill("道路维修材料")
    handler.locator("#doc-file").set_input_files(str(source))
    handler.get_by_role("button", name="添加文件").click()
    expect(handler.locator("h1")).to_contain_text("遮盖：《道路维修材料》（3页）")
    document = Document.objects.get()
    proposals = document.boxes.count()
    assert proposals >= 8
    expect(handler.locator("#pending-count")).to_have_text(str(proposals))
    # One proposal looked at on its own (ground changed), then the rest accepted at once.
    first = document.boxes.filter(matched_text=MOBILE_A).first()
    item = handler.locator(f"#box-{first.pk}")
    item.get_by_label("不予公开依据").select_option("art15")
    item.get_by_role("button", name="采纳").click()
    expect(handler.locator(f"#box-{first.pk}")).to_contain_text("已采纳")
    handler.get_by_role("button", name="全部采纳（按建议依据）").click()
    expect(handler.locator("#pending-count")).to_have_text("0")

    # Draw a box on page 2 with the mouse: the script fills the form's coordinates.
    page2 = handler.locator('.rx-page[data-page="2"]')
    page2.scroll_into_view_if_needed()
    handler.locator('.rx-page[data-page="2"] img').evaluate("i => i.decode()")
    area = page2.bounding_box()
    handler.mouse.move(area["x"] + area["width"] * 0.1, area["y"] + area["height"] * 0.07)
    handler.mouse.down()
    handler.mouse.move(area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.12, steps=5)
    handler.mouse.up()
    form = handler.locator('form.rx-draw[data-page="2"]')
    assert float(form.locator("input[name=x1]").input_value()) > 300
    form.get_by_label("依据").select_option("art16_2")
    form.get_by_role("button", name="添加遮盖").click()
    expect(handler.locator(".messages")).to_contain_text("已在第2页添加遮盖区域")
    drawn = document.boxes.get(kind="manual")
    assert drawn.page == 2 and drawn.ground == "art16_2" and drawn.state == BoxState.ACCEPTED
    handler.get_by_role("button", name="生成公开版本").click()
    expect(handler.locator(".messages")).to_contain_text("已生成《道路维修材料》的公开版本")

    # The reply is drafted and approved; issuing it waits for the release sign-off.
    letter = letters_svc.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        outcome="partially_disclosed",
        details=reply_details("partially_disclosed"),
    )
    letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    approver = open_session(staff["approver"])
    approver.goto(f"/letters/letter/{letter.public_id}/")
    approver.locator("#issue").click()
    expect(approver.locator(".messages")).to_contain_text("公开文件尚未经审核人审核")
    approver.goto(f"/documents/cases/{case.public_id}/")
    expect(approver.locator("#signoff")).to_contain_text("尚未审核")
    approver.get_by_role("button", name="审核通过公开文件").click()
    expect(approver.locator("#signoff")).to_contain_text("审核通过")
    approver.goto(f"/letters/letter/{letter.public_id}/")
    approver.locator("#issue").click()
    expect(approver.locator("#letter-state")).to_have_text("已签发")
    issued = Letter.objects.get(pk=letter.pk)
    assert any("《道路维修材料》，共3页" in line for line in issued.context["body"])

    approver.goto(f"/documents/cases/{case.public_id}/")
    expect(approver.locator(f"#document-{document.pk}")).to_contain_text(issued.number)
    with approver.expect_download() as info:
        approver.get_by_role("link", name="下载公开版本").click()
    released = open(info.value.path(), "rb").read()
    text = squash(pdftotext(released))
    assert MOBILE_A not in text and ID_A not in text
    assert "Page3publictext" not in text  # page 3 had proposals: rebuilt as an image
    assert squash(pdftotext(released, page=2)) == ""  # the drawn box rebuilt page 2
    with approver.expect_download() as info:
        approver.get_by_role("link", name="下载遮盖处理记录（答复书附件，.docx）").click()
    assert info.value.suggested_filename.endswith("遮盖处理记录.docx")
