"""The documents pages through the Django client: every action works as a plain form (no
script needed), refusals are 403 for a role and 404 for another agency's case."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument
from PIL import Image

from documents.grounds import Ground
from documents.models import BoxState, Document, ReleaseSignoff
from tests.conftest import make_user

from .documents_support import MOBILE_A, multipage_pdf, pdftotext
from .letters_support import TODAY, case_for_outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_case(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        return case_for_outcome("partially_disclosed", agency=city, staff=staff, intake=intake)


def logged(client, user):
    client.force_login(user)
    return client


def upload(client, case, data=None, name="材料.pdf", title="道路维修材料"):
    return client.post(
        f"/documents/cases/{case.public_id}/",
        {"title": title, "file": SimpleUploadedFile(name, data or multipage_pdf(3))},
    )


def test_handler_works_a_document_through_the_forms(client, review_case, staff):
    logged(client, staff["handler"])
    response = upload(client, review_case)
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert '待确认 <strong id="pending-count">' in page and MOBILE_A in page
    assert 'name="x0"' in page and "<script>" not in page  # drawing works without script
    image = client.get(f"/documents/{document.pk}/pages/1.png")
    assert image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).width > 500
    assert client.get(f"/documents/{document.pk}/pages/9.png").status_code == 404

    client.post(f"/documents/{document.pk}/accept-all/")
    assert not document.boxes.filter(state=BoxState.PROPOSED).exists()
    box = document.boxes.first()
    client.post(
        f"/documents/{document.pk}/boxes/{box.pk}/",
        {"decision": "reject", "ground": Ground.ART15},
    )
    box.refresh_from_db()
    assert box.state == BoxState.REJECTED and box.ground == Ground.ART15
    response = client.post(
        f"/documents/{document.pk}/boxes/",
        {"page": "2", "x0": "60", "y0": "70", "x1": "300", "y1": "90", "ground": "art16_2"},
    )
    assert response.status_code == 302
    assert document.boxes.filter(kind="manual", page=2, ground="art16_2").exists()
    bad = client.post(
        f"/documents/{document.pk}/boxes/",
        {"page": "2", "x0": "x", "y0": "70", "x1": "300", "y1": "90", "ground": "art16_2"},
        follow=True,
    )
    assert "遮盖区域的坐标不正确" in bad.content.decode()
    assert document.boxes.filter(kind="manual").count() == 1

    client.post(f"/documents/{document.pk}/redact/")
    document.refresh_from_db()
    assert document.redacted and not document.redaction_stale
    released = client.get(f"/documents/{document.pk}/files/released/")
    assert MOBILE_A not in pdftotext(b"".join(released.streaming_content))
    original = client.get(f"/documents/{document.pk}/files/original/")
    assert b"".join(original.streaming_content).startswith(b"%PDF")

    # The handler may not sign off; the approver may.
    assert client.post(f"/documents/cases/{review_case.public_id}/signoff/").status_code == 403
    logged(client, staff["approver"])
    page = client.get(f"/documents/cases/{review_case.public_id}/").content.decode()
    assert "审核通过公开文件" in page
    client.post(f"/documents/cases/{review_case.public_id}/signoff/")
    assert ReleaseSignoff.objects.filter(signed_by=staff["approver"]).exists()
    history = client.get(f"/cases/{review_case.public_id}/").content.decode()
    assert "添加公开文件《道路维修材料》" in history and "审核通过公开文件" in history
    assert "不予公开依据：条例第十六条第二款（过程性信息、执法案卷）" in history
    assert "document_id" not in history and "box_id" not in history
    log = client.get(f"/documents/cases/{review_case.public_id}/log.docx")
    table = DocxDocument(io.BytesIO(log.content)).tables[0]
    assert len(table.rows) == 1 + document.boxes.filter(state=BoxState.ACCEPTED).count()


def test_upload_errors_are_shown_and_nothing_saved(client, review_case, staff):
    logged(client, staff["handler"])
    response = upload(client, review_case, data=b"just text", name="a.txt")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "文件类型不支持" in page
    assert not Document.objects.exists()


def test_other_agencies_see_nothing_and_clerks_may_not_act(
    client, review_case, staff, other_agency
):
    logged(client, staff["handler"])
    upload(client, review_case)
    document = Document.objects.get()
    stranger = make_user("stranger", other_agency, "handler", "approver")
    logged(client, stranger)
    for url in (
        f"/documents/cases/{review_case.public_id}/",
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/pages/1.png",
        f"/documents/{document.pk}/files/original/",
        f"/documents/cases/{review_case.public_id}/log.docx",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/documents/{document.pk}/accept-all/").status_code == 404
    assert client.post(f"/documents/cases/{review_case.public_id}/signoff/").status_code == 404
    logged(client, staff["clerk"])
    assert client.get(f"/documents/{document.pk}/").status_code == 200  # may read
    assert upload(client, review_case).status_code == 403
    assert client.post(f"/documents/{document.pk}/accept-all/").status_code == 403
    assert document.boxes.filter(state=BoxState.PROPOSED).exists()


def test_workbench_script_is_served_from_the_site_under_the_csp(client, review_case, staff):
    logged(client, staff["handler"])
    upload(client, review_case)
    response = client.get(f"/documents/{Document.objects.get().pk}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert '<script src="/static/js/redaction.js">' in response.content.decode()
