"""Released documents reach the applicant through the chosen electronic delivery (issues 13 and
14 together): on the tracking page beside the reply, and attached to the reply's e-mail — the
redacted PDF only, never the original, and never a file that changed since it was made."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from documents import services as documents_svc
from documents.grounds import Ground
from documents.public import release_filename, released_documents
from letters import services as letters_svc
from letters.models import Letter
from letters.samples import reply_details
from requests_app.services import cases as svc

from .documents_support import KEEP_TEXT, MOBILE_A, multipage_pdf, pdftotext
from .helpers import download_filename
from .portal_support import fresh_limits  # noqa: F401
from .test_portal_delivery import file_online, pdfs, smtp, subject  # noqa: F401

pytestmark = [pytest.mark.usefixtures("fresh_limits"), pytest.mark.django_db(transaction=True)]

MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def release_and_close(case, staff):
    """The handler attaches a document and accepts every proposal, the approver signs the
    release set off, the partial-disclosure reply is issued and the case closed."""
    handler, approver = staff["handler"], staff["approver"]
    document = documents_svc.document_add(
        case=case, by=handler, data=multipage_pdf(2), name="维修资金.pdf"
    )
    for box in document.boxes.all():
        documents_svc.box_decide(box_id=box.pk, by=handler, accept=True, ground=Ground.PERSONAL)
    documents_svc.document_redact(document_id=document.pk, by=handler)
    documents_svc.release_signoff(case_id=case.pk, by=approver)
    svc.case_start_drafting(case_id=case.id, by=handler)
    svc.case_submit_for_approval(case_id=case.id, by=handler, outcome="partially_disclosed")
    letter = letters_svc.letter_draft(
        case_id=case.id,
        by=handler,
        kind="reply",
        outcome="partially_disclosed",
        details=reply_details("partially_disclosed"),
    )
    letters_svc.letter_approve(letter_id=letter.id, by=approver)
    letters_svc.letter_issue(letter_id=letter.id, by=approver)
    svc.case_approve_and_close(case_id=case.id, by=approver)
    document.refresh_from_db()
    return document


@time_machine.travel(MONDAY, tick=True)
def test_the_reply_email_carries_the_redacted_documents(city, staff, smtp, soffice):  # noqa: F811
    address = "wangwu@example.cn"
    case = file_online(Client(), delivery_method="email", applicant_email=address)
    document = release_and_close(case, staff)
    reply = Letter.objects.get(case=case, kind="reply", state="issued")
    title = f"淄博市人民政府办公室：{reply.get_kind_display()}（{reply.number}）"
    message = next(m for _, m in smtp.messages if subject(m) == title)
    attached = dict(pdfs(message))
    assert set(attached) == {f"{reply.number}.pdf", release_filename(document)}
    released = attached[release_filename(document)]
    assert documents_svc.sha256_of(released) == document.redacted_sha256
    assert MOBILE_A not in pdftotext(released) and KEEP_TEXT not in pdftotext(released, page=1)


@time_machine.travel(MONDAY, tick=True)
def test_the_tracking_page_serves_released_documents_and_refuses_a_changed_file(
    city,
    staff,
    smtp,  # noqa: F811
    soffice,
):
    client = Client()
    case = file_online(client, seed=17)  # portal delivery
    document = release_and_close(case, staff)
    assert released_documents(case) == [document]
    client.post("/portal/track/", {"code": case.tracking_code, "phone_tail": "0017"})
    page = client.get("/portal/track/status/").content.decode()
    link = f"/portal/track/documents/{document.pk}/"
    assert link in page and "公开文件《维修资金》（2页）" in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert download_filename(response) == release_filename(document)  # named for people
    with document.redacted.open("rb") as handle:
        assert response.content == handle.read()
    with document.original.open("rb") as handle:
        assert response.content != handle.read()  # never the original
    assert MOBILE_A not in pdftotext(response.content)
    # another browser without the code, and a document of no released set, get nothing
    assert Client().get(link).status_code == 404
    assert client.get(f"/portal/track/documents/{document.pk + 1000}/").status_code == 404

    with open(document.redacted.path, "ab") as handle:  # the released file changes on disk
        handle.write(b"% tampered")
    refused = client.get(link, follow=True)
    assert refused.status_code == 200 and refused["Content-Type"].startswith("text/html")
    assert "该文件校验不符" in refused.content.decode()
