"""Shared helpers of the letters tests: cases brought to a state, and reading .docx back."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from docx import Document
from docx.oxml.ns import qn

from requests_app.services import cases as svc

D = dt.date
TODAY = dt.datetime(2026, 11, 20, 10, 0)


def case_for_outcome(outcome: str, *, agency, staff, intake, **data):
    """A case received 2026-09-25, in review with the proposed outcome, or closed where the
    outcome has its own path (no supplement, fee unpaid, withdrawn)."""
    handler = staff["handler"]
    case = svc.case_register(agency=agency, by=staff["clerk"], data=intake(**data))
    if outcome == "other.no_supplement":
        svc.case_request_supplement(
            case_id=case.id,
            by=handler,
            missing="请写明文件名称",
            due=D(2026, 10, 9),
            on=D(2026, 9, 28),
        )
        svc.case_deem_abandoned(case_id=case.id, by=handler, on=D(2026, 10, 14))
    elif outcome == "other.fee_unpaid":
        svc.case_issue_fee_notice(
            case_id=case.id, by=handler, amount=Decimal("700"), on=D(2026, 9, 29)
        )
        svc.case_close_fee_unpaid(case_id=case.id, by=handler, on=D(2026, 11, 20))
    elif outcome == "other.other":
        svc.case_withdraw(
            case_id=case.id, by=handler, reason="申请人书面撤回申请", on=D(2026, 10, 9)
        )
    else:
        if outcome == "unavailable.still_unclear_after_supplement":
            svc.case_request_supplement(
                case_id=case.id,
                by=handler,
                missing="请写明文件名称",
                due=D(2026, 10, 20),
                on=D(2026, 9, 28),
            )
            svc.case_record_supplement(case_id=case.id, by=handler, on=D(2026, 9, 30))
        svc.case_start_drafting(case_id=case.id, by=handler)
        svc.case_submit_for_approval(case_id=case.id, by=handler, outcome=outcome)
    case.refresh_from_db()
    return case


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def docx_paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def east_asia_fonts(data: bytes) -> set[str]:
    """East Asian font names of every run that has text; fails if a run has none."""
    document = Document(io.BytesIO(data))
    fonts = set()
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if not run.text.strip():
                continue
            rfonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
            assert rfonts is not None and rfonts.get(qn("w:eastAsia")), (
                f"no eastAsia font on {run.text!r}"
            )
            fonts.add(rfonts.get(qn("w:eastAsia")))
    return fonts


def layout(data: bytes) -> dict:
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    footer_xml = section.footer._element.xml
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    return {
        "page_mm": (round(section.page_width.mm), round(section.page_height.mm)),
        "margins_mm": tuple(
            round(getattr(section, f"{side}_margin").mm)
            for side in ("top", "bottom", "left", "right")
        ),
        "page_field": "PAGE" in footer_xml and "fldChar" in footer_xml,
        "normal_east_asia": normal.get(qn("w:eastAsia")),
        "body_size_pt": document.styles["Normal"].font.size.pt,
    }


def is_docx(data: bytes) -> bool:
    return (
        zipfile.is_zipfile(io.BytesIO(data))
        and "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    )
