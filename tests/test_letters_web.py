"""The letters pages: draft, edit, approve, issue, download, deliver; other agencies get 404."""

import io

import time_machine
from django.urls import reverse

from letters.models import Letter, LetterTemplate
from tests.conftest import make_user
from tests.helpers import download_filename

from .letters_support import TODAY, case_for_outcome, docx_text


@time_machine.travel(TODAY, tick=False)
def test_handler_drafts_approver_issues_and_downloads(client, city, staff, intake):
    case = case_for_outcome("not_processed.repeated", agency=city, staff=staff, intake=intake)
    client.force_login(staff["handler"])
    page = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert page.status_code == 200 and "拟写文书" in page.content.decode()
    response = client.post(
        reverse("letters:case_letters", args=[case.public_id]), {"kind": "reply"}
    )
    letter = Letter.objects.get(case=case)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/letters/letter/{letter.public_id}/"
    )
    detail = client.get(reverse("letters:letter_detail", args=[letter.public_id]))
    assert "编辑草稿" in detail.content.decode()
    assert 'placeholder="如：淄政办信复〔2026〕3号"' in detail.content.decode()  # hint beside
    client.post(
        reverse("letters:letter_detail", args=[letter.public_id]),
        {
            "body": "经审查，您的申请与2026-0001号申请相同。",
            "earlier_number": "淄政办信复〔2026〕1号",
            "earlier_date": "2026-09-01",
            "reason": "补充",
        },
    )
    draft = client.get(reverse("letters:letter_download", args=[letter.public_id]))
    assert "草稿——未经签发" in docx_text(draft.content)
    assert download_filename(draft) == f"{case.case_no}_答复书_草稿.docx"
    # The handler cannot approve: the message says so and nothing changes.
    client.post(reverse("letters:letter_approve", args=[letter.public_id]))
    letter.refresh_from_db()
    assert letter.state == "draft"
    client.force_login(staff["approver"])
    client.post(reverse("letters:letter_approve", args=[letter.public_id]))
    client.post(reverse("letters:letter_issue", args=[letter.public_id]), {"on": "2026-11-20"})
    letter.refresh_from_db()
    assert letter.state == "issued" and letter.number == "淄政办信复〔2026〕1号"
    download = client.get(reverse("letters:letter_download", args=[letter.public_id]))
    text = docx_text(download.content)
    assert "经审查，您的申请与2026-0001号申请相同。" in text and "淄政办信复〔2026〕1号" in text
    # Named by case number and letter kind, percent-encoded (RFC 5987) with an ASCII fallback.
    assert download_filename(download) == f"{case.case_no}_答复书.docx"
    assert f'filename="{case.case_no}.docx"' in download["Content-Disposition"]
    pdf = client.get(reverse("letters:letter_pdf", args=[letter.public_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert download_filename(pdf) == f"{case.case_no}_答复书.pdf"
    envelope = client.get(reverse("letters:letter_envelope", args=[letter.public_id]))
    assert "内装文书：淄政办信复〔2026〕1号" in docx_text(envelope.content)
    client.force_login(staff["clerk"])
    client.post(
        reverse("letters:letter_delivery", args=[letter.public_id]),
        {"method": "post", "sent_on": "2026-11-20", "tracking_number": "EMS1"},
    )
    assert letter.deliveries.get().tracking_number == "EMS1"
    panel = client.get(reverse("requests_app:case_detail", args=[case.public_id])).content.decode()
    assert "淄政办信复〔2026〕1号" in panel


@time_machine.travel(TODAY, tick=False)
def test_other_agency_gets_404(client, city, staff, intake, other_agency):
    case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
    client.force_login(staff["handler"])
    client.post(reverse("letters:case_letters", args=[case.public_id]), {"kind": "reply"})
    letter = Letter.objects.get(case=case)
    client.force_login(make_user("stranger", other_agency, "handler", "approver"))
    for name in ("letter_detail", "letter_download", "letter_envelope"):
        assert client.get(reverse(f"letters:{name}", args=[letter.public_id])).status_code == 404
    assert (
        client.post(reverse("letters:letter_approve", args=[letter.public_id])).status_code == 404
    )
    assert (
        client.post(
            reverse("letters:case_letters", args=[case.public_id]), {"kind": "reply"}
        ).status_code
        == 404
    )
    assert Letter.objects.count() == 1


def test_template_upload_page_lists_problems(client, city, staff):
    client.force_login(staff["administrator"])
    bad = io.BytesIO(b"plain text")
    bad.name = "x.docx"
    page = client.post(
        reverse("letters:template_upload"),
        {"agency": city.id, "key": "reply_disclosed", "file": bad},
    )
    assert "不是有效的 Word" in page.content.decode()
    assert not LetterTemplate.objects.exists()
    client.force_login(staff["handler"])
    assert client.get(reverse("letters:template_upload")).status_code == 403
