"""案卷: one PDF per closed case — cover, request, letters, deliveries, attachments, history —
built for real (LibreOffice, img2pdf, pikepdf) and read back with pypdf."""

import datetime as dt
import io
import re

import pikepdf
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from letters import services as letters_svc
from letters.models import Letter
from office.archive import MSG_NOT_CLOSED, case_archive_parts, case_archive_pdf
from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from requests_app.services.attachments import attachment_add
from tests.helpers import close_via_approval

pytestmark = pytest.mark.usefixtures("soffice")

NOW = dt.datetime(2026, 10, 20, 10, 0)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def closed_case(city, staff, intake, settings, tmp_path):
    with time_machine.travel(NOW, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        attachment_add(
            case=case,
            kind="letter_scan",
            upload=SimpleUploadedFile("申请书.pdf", _pdf(2), content_type="application/pdf"),
            by=staff["clerk"],
        )
        attachment_add(
            case=case,
            kind="other",
            upload=SimpleUploadedFile("现场照片.png", _png(), content_type="image/png"),
            by=staff["handler"],
        )
        close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
        reply = Letter.objects.get(case=case, kind="reply")
        letters_svc.delivery_record(
            letter_id=reply.id,
            by=staff["clerk"],
            method="post",
            sent_on=NOW.date(),
            tracking_number="EMS5550001112",
        )
    case.refresh_from_db()
    return case


def test_the_archive_file_holds_every_part_in_archive_order(closed_case):
    reply = Letter.objects.get(case=closed_case, kind="reply")
    events_before = CaseEvent.objects.filter(case=closed_case).count()
    with time_machine.travel(NOW, tick=False):
        letters, parts = case_archive_parts(closed_case)
        data = case_archive_pdf(case=closed_case)
    assert [p.title for p in parts] == [
        "政府信息公开申请（登记表）",
        "申请书扫描件：申请书.pdf",
        "政府信息公开申请答复书",
        "送达记录",
        "其他：现场照片.png",
        "办理记录（备考表）",
    ]
    assert letters == [reply]
    reader = PdfReader(io.BytesIO(data))
    # cover ≥1, request form ≥1, scan 2, reply ≥1, deliveries ≥1, photo 1, history ≥1
    assert len(reader.pages) >= 8
    # Extraction puts a space where the font changes (〔2026〕1 号): compare without spaces.
    texts = [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]
    whole = "\n".join(texts)
    assert closed_case.case_no in texts[0]  # the cover first
    assert reply.number in texts[0]  # the letters list on the cover
    assert "卷内目录" in texts[0]
    assert reply.number in whole and "EMS5550001112" in whole
    assert any("办理记录" in text for text in texts[-2:])  # the history last (one or two pages)
    # Building the file changes nothing on the case.
    assert CaseEvent.objects.filter(case=closed_case).count() == events_before


def test_archive_case_command_writes_the_pdf(closed_case, tmp_path):
    output = tmp_path / "案卷.pdf"
    call_command("archive_case", agency="CITY-OFFICE", case=closed_case.case_no, output=str(output))
    reader = PdfReader(str(output))
    assert closed_case.case_no in reader.pages[0].extract_text()
    with pytest.raises(CommandError, match="没有编号"):
        call_command("archive_case", agency="CITY-OFFICE", case="1999-9999", output=str(output))


def test_an_open_case_has_no_archive_file(city, staff, intake, tmp_path, client):
    with time_machine.travel(NOW, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with pytest.raises(CommandError, match=MSG_NOT_CLOSED):
        call_command(
            "archive_case", agency="CITY-OFFICE", case=case.case_no, output=str(tmp_path / "x.pdf")
        )
    client.force_login(staff["clerk"])
    page = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert 'id="archive-download"' not in page.content.decode()


def test_the_case_page_downloads_the_archive(closed_case, client, staff, other_agency):
    client.force_login(staff["handler"])
    page = client.get(reverse("requests_app:case_detail", args=[closed_case.public_id]))
    assert 'id="archive-download"' in page.content.decode()
    response = client.get(reverse("office:case_archive", args=[closed_case.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f"{closed_case.case_no}_" in response["Content-Disposition"]
    # Another agency's user learns nothing.
    from tests.conftest import make_user

    stranger = make_user("stranger", other_agency, "handler")
    client.force_login(stranger)
    assert (
        client.get(reverse("office:case_archive", args=[closed_case.public_id])).status_code == 404
    )
