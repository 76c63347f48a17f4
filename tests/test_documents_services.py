"""Documents on a case through the real services: upload checks, proposals, boxes, the
released version, the approver's sign-off as the issuing gate of a disclosure reply, the
release package (public.py), the fee's page count, the log annex and Art. 44 suggestions."""

import io

import pytest
import time_machine
from docx import Document as DocxDocument

from documents import engine, public, services
from documents.annex import redaction_log_docx
from documents.grounds import Ground
from documents.models import BoxState, Document, PublicationSuggestion, ReleaseSignoff
from documents.selectors import redaction_log
from letters import compose
from letters import services as letters_svc
from letters.samples import reply_details
from requests_app.models import CaseEvent
from requests_app.rules import RuleViolation
from requests_app.services import cases as svc
from tests.conftest import make_user, valid_id_number

from .documents_support import (
    CARD,
    ID_A,
    KEEP_TEXT,
    MOBILE_A,
    NAME_A,
    multipage_pdf,
    pdftotext,
    scanned_png,
    squash,
    table_docx,
    table_xlsx,
)
from .letters_support import TODAY, case_for_outcome, docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def review_case(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        return case_for_outcome("partially_disclosed", agency=city, staff=staff, intake=intake)


def add_pdf(case, staff, data=None, name="材料.pdf"):
    return services.document_add(
        case=case, by=staff["handler"], data=data or multipage_pdf(3), name=name
    )


def draft_reply(case, staff):
    letter = letters_svc.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        outcome="partially_disclosed",
        details=reply_details("partially_disclosed"),
    )
    letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    return letter


def test_upload_keeps_the_original_with_its_checksum_and_proposes_boxes(review_case, staff):
    data = multipage_pdf(3)
    document = add_pdf(review_case, staff, data)
    assert document.page_count == 3
    with document.original.open("rb") as handle:
        assert handle.read() == data
    assert document.original_sha256 == services.sha256_of(data)
    proposed = {(b.kind, b.matched_text) for b in document.boxes.all()}
    assert {("mobile", MOBILE_A), ("id_number", ID_A), ("bank_card", CARD)} <= proposed
    assert all(b.state == BoxState.PROPOSED for b in document.boxes.all())
    event = CaseEvent.objects.filter(case=review_case, changes__document_id=document.pk).get()
    assert event.actor == staff["handler"] and event.changes["sha256"] == document.original_sha256


@pytest.mark.usefixtures("soffice")
def test_office_files_are_converted_and_scans_wrapped(review_case, staff):
    word = services.document_add(
        case=review_case, by=staff["handler"], data=table_docx(), name="名单.docx"
    )
    assert word.source_kind == "docx" and word.page_count == 2
    assert NAME_A not in {b.matched_text for b in word.boxes.all()}  # not listed yet
    assert services.document_detect(document_id=word.pk, by=staff["handler"], terms=[NAME_A])
    assert NAME_A in {b.matched_text for b in word.boxes.all()}
    sheet = services.document_add(
        case=review_case, by=staff["handler"], data=table_xlsx(), name="表.xlsx"
    )
    assert sheet.source_kind == "xlsx" and MOBILE_A in {b.matched_text for b in sheet.boxes.all()}
    scan = services.document_add(
        case=review_case, by=staff["handler"], data=scanned_png(), name="扫描.png"
    )
    assert scan.source_kind == "image" and scan.page_count == 1 and not scan.boxes.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.pdf", services.MSG_EMPTY),
        (b"hello", "a.txt", services.MSG_TYPE),
        (b"%PDF-1.4 x", "a.docx", services.MSG_EXTENSION.format(kind="PDF")),
        (b"PK\x03\x04not a zip", "a.docx", services.MSG_TYPE),
        (b"%PDF-1.4 damaged", "a.pdf", services.MSG_UNREADABLE),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(review_case, staff, data, name, message):
    with pytest.raises(services.DocumentInvalid) as refused:
        services.document_add(case=review_case, by=staff["handler"], data=data, name=name)
    assert refused.value.message == message and refused.value.field == "file"
    assert not Document.objects.exists()


def test_oversized_upload_is_refused(review_case, staff):
    with pytest.raises(services.DocumentInvalid) as refused:
        services.document_kind(b"%PDF-" + b"0" * services.MAX_DOCUMENT_BYTES, "a.pdf")
    assert refused.value.message.startswith("文件过大")


def test_roles_that_may_not_attach_or_sign(review_case, staff, other_agency):
    with pytest.raises(services.DocumentNotPermitted):
        add_pdf(review_case, {"handler": staff["clerk"]})
    stranger = make_user("stranger", other_agency, "handler")
    with pytest.raises(services.DocumentNotPermitted):
        add_pdf(review_case, {"handler": stranger})
    document = add_pdf(review_case, staff)
    for box in document.boxes.all():
        services.box_decide(box_id=box.pk, by=staff["handler"], accept=True)
    services.document_redact(document_id=document.pk, by=staff["handler"])
    with pytest.raises(services.DocumentNotPermitted) as refused:
        services.release_signoff(case_id=review_case.pk, by=staff["handler"])
    assert refused.value.message == services.MSG_SIGNOFF_NOT_PERMITTED


def test_box_input_is_checked(review_case, staff):
    document = add_pdf(review_case, staff)
    args = dict(document_id=document.pk, by=staff["handler"], ground=Ground.PERSONAL)
    with pytest.raises(services.DocumentInvalid) as refused:
        services.box_add(page=4, x0=1, y0=1, x1=10, y1=10, **args)
    assert refused.value.field == "page"
    with pytest.raises(services.DocumentInvalid) as refused:
        services.box_add(page=1, x0=50, y0=50, x1=40, y1=60, **args)
    assert refused.value.message == services.MSG_BOX
    with pytest.raises(services.DocumentInvalid) as refused:
        services.box_add(
            page=1,
            x0=1,
            y0=1,
            x1=10,
            y1=10,
            document_id=document.pk,
            by=staff["handler"],
            ground="art99",
        )
    assert refused.value.field == "ground"
    assert not document.boxes.filter(kind="manual").exists()


def test_release_needs_decisions_then_signoff_and_gates_the_reply(review_case, staff):
    document = add_pdf(review_case, staff)
    handler, approver = staff["handler"], staff["approver"]
    with pytest.raises(services.DocumentInvalid) as refused:
        services.document_redact(document_id=document.pk, by=handler)
    assert refused.value.message.startswith("《材料》还有")
    page3 = list(document.boxes.filter(page=3))
    for box in document.boxes.all():
        services.box_decide(box_id=box.pk, by=handler, accept=box.page != 3, ground=Ground.PERSONAL)
    services.box_add(
        document_id=document.pk,
        by=handler,
        page=2,
        x0=60,
        y0=70,
        x1=300,
        y1=90,
        ground=Ground.ART16_2,
    )
    services.document_redact(document_id=document.pk, by=handler)
    document.refresh_from_db()
    with document.redacted.open("rb") as handle:
        released = handle.read()
    assert document.redacted_sha256 == services.sha256_of(released)
    # Page 3's proposals were rejected: it keeps its text; pages 1 and 2 became images.
    assert MOBILE_A in pdftotext(released, page=3)
    assert squash(pdftotext(released, page=1)) == squash(pdftotext(released, page=2)) == ""

    with time_machine.travel(TODAY, tick=False):
        letter = draft_reply(review_case, staff)
        with pytest.raises(RuleViolation) as gate:
            letters_svc.letter_issue(letter_id=letter.id, by=approver)
        assert gate.value.message == services.MSG_NOT_SIGNED and gate.value.field == "documents"

        services.release_signoff(case_id=review_case.pk, by=approver)
        # A change after sign-off voids it.
        services.box_decide(box_id=page3[0].pk, by=handler, accept=True)
        assert services.release_signoff_current(review_case) is None
        with pytest.raises(RuleViolation):
            letters_svc.letter_issue(letter_id=letter.id, by=approver)
        services.document_redact(document_id=document.pk, by=handler)
        signoff = services.release_signoff(case_id=review_case.pk, by=approver)
        assert services.release_signoff_current(review_case) == signoff

        assert public.released_documents(review_case) == []  # not before the reply
        issued = letters_svc.letter_issue(letter_id=letter.id, by=approver)

    body = "".join(issued.context["body"])
    assert "《材料》，共3页，其中第1、2、3页部分内容已作遮盖处理" in body
    assert "第十五条、《中华人民共和国个人信息保护法》" in body
    assert "第十六条第二款" in body
    assert "第十四条" not in body
    assert "材料" in docx_text(letters_svc.letter_file_bytes(issued))

    document.refresh_from_db()
    released_docs = public.released_documents(review_case)
    assert [d.pk for d in released_docs] == [document.pk]
    assert released_docs[0].sha256 == document.redacted_sha256 and released_docs[0].title
    with public.open_released_file(released_docs[0]) as handle:
        assert services.sha256_of(handle.read()) == document.redacted_sha256
    [(filename, data, content_type)] = public.release_attachments(review_case)
    assert filename.endswith("材料.pdf") and content_type == "application/pdf"
    assert MOBILE_A not in pdftotext(data)
    assert public.release_page_count(review_case) == 3
    # What was released stays as released; after closing nothing changes at all.
    with pytest.raises(services.DocumentInvalid) as refused:
        services.box_decide(box_id=page3[0].pk, by=handler, accept=False)
    assert refused.value.message == services.MSG_RELEASED.format(title="材料", number=issued.number)
    with time_machine.travel(TODAY, tick=False):
        svc.case_approve_and_close(case_id=review_case.id, by=approver)
    with pytest.raises(services.DocumentInvalid) as refused:
        services.box_decide(box_id=page3[0].pk, by=handler, accept=False)
    assert refused.value.message == services.MSG_CASE_FINISHED


def test_withdrawn_documents_are_not_released_and_cases_without_documents_are_not_gated(
    review_case, staff
):
    assert services.release_gate_problem(review_case) is None
    document = add_pdf(review_case, staff)
    assert services.release_gate_problem(review_case) == services.MSG_NOT_SIGNED
    services.document_set_withdrawn(document_id=document.pk, by=staff["handler"], withdrawn=True)
    assert services.release_gate_problem(review_case) is None
    assert services.release_problems(review_case) == [services.MSG_NO_DOCUMENTS]


def test_fee_notice_counts_the_pages_to_provide(review_case, staff):
    add_pdf(review_case, staff, multipage_pdf(35))
    add_pdf(review_case, staff, multipage_pdf(5), name="附表.pdf")
    details = compose.default_details(review_case, "fee_notice")
    assert details["fee_standard"] == "per_volume" and details["fee_quantity"] == "40"
    assert compose.fee_of(details).amount == 100  # pages 31–40 at 10 yuan


def test_redaction_log_lists_every_box_with_its_ground_and_prints(review_case, staff):
    document = add_pdf(review_case, staff)
    for box in document.boxes.all():
        services.box_decide(box_id=box.pk, by=staff["handler"], accept=True)
    services.box_add(
        document_id=document.pk,
        by=staff["approver"],
        page=3,
        x0=10,
        y0=10,
        x1=50,
        y1=30,
        ground=Ground.ART14,
    )
    rows = redaction_log(review_case)
    accepted = document.boxes.filter(state=BoxState.ACCEPTED)
    assert len(rows) == accepted.count()
    assert {r.ground for r in rows} == {Ground.PERSONAL.label, Ground.ART14.label}
    assert {r.who for r in rows} == {staff["handler"].username, staff["approver"].username}
    data = redaction_log_docx(rows, case_no=review_case.case_no, agency_name="淄博市人民政府办公室")
    table = DocxDocument(io.BytesIO(data)).tables[0]
    assert len(table.rows) == len(rows) + 1
    printed = docx_text(data) + "".join(c.text for row in table.rows for c in row.cells)
    assert Ground.ART14.label in printed and "材料" in printed
    assert MOBILE_A not in printed and ID_A not in printed  # the annex never shows what it hides


def test_third_parties_consulted_are_suggested_as_terms(city, staff, intake):
    with time_machine.travel(TODAY, tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        svc.case_start_drafting(case_id=case.id, by=staff["handler"])
        svc.case_start_consultation(case_id=case.id, by=staff["handler"], party="宏达物流有限公司")
    assert services.suggested_terms(case) == ["宏达物流有限公司"]


def test_several_applicants_asking_the_same_get_an_art44_suggestion(city, staff, intake, settings):
    settings.ART44_MIN_APPLICANTS = 3
    content = "申请公开2026年城区道路维修工程的招标文件和中标合同。"
    with time_machine.travel(TODAY, tick=False):
        cases = [
            svc.case_register(
                agency=city,
                by=staff["clerk"],
                data=intake(
                    applicant_name=name, applicant_id_number=valid_id_number(seed), content=content
                ),
            )
            for seed, name in ((31, "甲"), (32, "乙"))
        ]
    assert services.publication_suggest(cases[1]) is None  # two applicants: not yet
    with time_machine.travel(TODAY, tick=False):
        third = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(
                applicant_name="丙",
                applicant_id_number=valid_id_number(33),
                content=content + "谢谢",
            ),
        )
    suggestion = services.publication_suggest(third)
    assert set(suggestion.cases.all()) == {*cases, third}
    assert services.publication_suggest(third) == suggestion  # tracked once
    services.suggestion_decide(suggestion_id=suggestion.pk, by=staff["handler"], accept=True)
    assert PublicationSuggestion.objects.get().state == "accepted"


def test_pages_of_a_scan_get_a_drawn_box_burnt_in(review_case, staff):
    scan = services.document_add(
        case=review_case, by=staff["handler"], data=scanned_png(), name="扫描.png"
    )
    services.box_add(
        document_id=scan.pk,
        by=staff["handler"],
        page=1,
        x0=40,
        y0=90,
        x1=460,
        y1=125,
        ground=Ground.PERSONAL,
    )
    services.document_redact(document_id=scan.pk, by=staff["handler"])
    scan.refresh_from_db()
    with scan.redacted.open("rb") as handle:
        assert engine.page_count(handle.read()) == 1
    assert ReleaseSignoff.objects.count() == 0
    assert KEEP_TEXT  # the scan's kept line is checked pixel by pixel in the engine tests
