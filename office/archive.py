"""案卷: one PDF per closed case, for the archive, in the order archives file it:

1. 封面及卷内目录 — case number, applicant, dates, outcome, handler, the letters issued and
   the list of the file's contents;
2. 申请材料 — the request as registered, then the request's scans (letter, envelope, identity);
3. 办理文书 — every issued letter, in the order issued (the stored .docx, via LibreOffice);
4. 送达记录 — how and when each letter went out and was received (the delivery proofs);
5. 其他材料 — supplement material and other attachments (PDFs appended, images as pages);
6. 办理记录 — the case's history, last (the 备考表).

Pure reads: building the file changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from common.docx_fonts import run_font
from common.docx_tables import table_fit_to_content
from letters.models import Delivery, Letter, LetterState, RenderStatus
from letters.rendering import docx_to_pdfs
from letters.services import letter_file_bytes
from requests_app import labels
from requests_app.models import Attachment, AttachmentKind, Case, DeliveryMethod
from requests_app.rules import RuleViolation
from requests_app.selectors import case_events, mask_id_number, mask_phone

from .ledger import person_name
from .pdf import IMAGE_TYPES, image_to_pdf, pdf_merge

MSG_NOT_CLOSED = "只有已办结的案件才能生成案卷"
MSG_LETTER_NOT_RENDERED = "文书 {number} 的文件尚未生成，请先在文书页重新生成"
REQUEST_KINDS = (AttachmentKind.LETTER_SCAN, AttachmentKind.ENVELOPE, AttachmentKind.IDENTITY)
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"


@dataclass
class _Part:
    """One piece of the file: a generated or stored .docx, or ready PDF bytes."""

    title: str
    number: str = ""
    date: str = ""
    docx: bytes | None = None
    pdf: bytes | None = None


def _font(run, font: str = BODY_FONT, size: float = 12, bold: bool = False) -> None:
    run_font(run, east_asian=font, size=size, bold=bold)


def _document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    return document


def _title(document, text: str, size: float = 22) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), TITLE_FONT, size)


def _heading(document, text: str) -> None:
    _font(document.add_paragraph().add_run(text), HEADING_FONT, 14)


def _table(document, header: list[str] | None, rows: list[list[str]]):
    table = document.add_table(rows=0, cols=len(rows[0] if rows else header))
    table.style = "Table Grid"
    for number, cells in enumerate(([header] if header else []) + rows):
        row = table.add_row().cells
        for cell, text in zip(row, cells, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(text)), size=11, bold=bool(header) and not number)
    table_fit_to_content(document, table, font_pt=11)
    return table


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _date(day) -> str:
    return day.isoformat() if day else "—"


def _label(kind: str, value: str) -> str:
    return labels.choice_label(value, kind) or "—"


def _cover(case: Case, letters: list[Letter], contents: list[_Part], today) -> bytes:
    document = _document()
    _title(document, "政府信息公开申请办理案卷", 26)
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(case.agency.name), size=16)
    identity = case.applicant_id_number or case.applicant_credit_code
    _table(
        document,
        None,
        [
            ["案件编号", case.case_no],
            ["受理机关", case.agency.name],
            ["申请人", f"{case.applicant_name}（{_label('applicant_type', case.applicant_type)}）"],
            ["证件号码", mask_id_number(identity) if identity else "—"],
            ["联系电话", mask_phone(case.applicant_phone) if case.applicant_phone else "—"],
            ["申请渠道", _label("channel", case.channel)],
            ["收到申请之日", _date(case.received_on)],
            ["答复期限", _date(case.reply_due)],
            ["办结日期", _date(case.closed_on)],
            ["办理结果", _label("outcome", case.outcome)],
            ["承办人", person_name(case.handler) or "—"],
            ["立卷日期", today.isoformat()],
        ],
    )
    _heading(document, "已签发文书")
    if letters:
        _table(
            document,
            ["文书", "文号", "签发日期", "签发人"],
            [
                [
                    letter.get_kind_display(),
                    letter.number,
                    _date(letter.issued_on),
                    person_name(letter.issued_by),
                ]
                for letter in letters
            ],
        )
    else:
        _font(document.add_paragraph().add_run("无"))
    _heading(document, "卷内目录")
    _table(
        document,
        ["序号", "材料", "文号", "日期"],
        [
            [str(index), part.title, part.number or "", part.date or ""]
            for index, part in enumerate(contents, start=1)
        ],
    )
    return _save(document)


def _request(case: Case) -> bytes:
    document = _document()
    _title(document, "政府信息公开申请（登记表）", 18)
    _table(
        document,
        None,
        [
            ["案件编号", case.case_no],
            ["查询码", case.tracking_code],
            ["申请人", case.applicant_name],
            ["通信地址", case.applicant_address or "—"],
            ["邮政编码", case.applicant_postcode or "—"],
            ["申请渠道", _label("channel", case.channel)],
            ["提交/到达日期", _date(case.submitted_on)],
            ["收到申请之日", _date(case.received_on)],
            ["信息形式要求", case.get_information_form_display() or "—"],
            ["答复送达方式", case.get_delivery_method_display() or "—"],
        ],
    )
    _heading(document, "申请内容")
    for line in case.content.splitlines() or [""]:
        _font(document.add_paragraph().add_run(line), size=12)
    return _save(document)


def _deliveries(deliveries: list[Delivery]) -> bytes:
    document = _document()
    _title(document, "送达记录", 18)
    rows = [
        [
            delivery.letter.number,
            DeliveryMethod(delivery.method).label,
            delivery.tracking_number or delivery.email or "—",
            _date(delivery.sent_on),
            _date(delivery.received_on),
            delivery.note or "",
        ]
        for delivery in deliveries
    ]
    if rows:
        _table(
            document, ["文书文号", "方式", "邮件单号/邮箱", "发出日期", "收到日期", "备注"], rows
        )
    else:
        _font(document.add_paragraph().add_run("无送达记录。"))
    return _save(document)


def _event_text(event) -> str:
    """What the history row says, with the labels every page uses (one place)."""
    parts = [f"{name}：{text}" for name, text in labels.change_rows(event.changes)]
    if event.reason:
        parts.append(event.reason)
    return "；".join(parts)


def _history(case: Case) -> bytes:
    document = _document()
    _title(document, "办理记录（备考表）", 18)
    rows = []
    for event in case_events(case):
        what = labels.event_title(event)
        if event.transition.startswith("letter_"):
            what += labels.choice_label((event.changes or {}).get("kind", ""), "letter")
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
        rows.append([when, labels.person(event.actor), what, _event_text(event)])
    _table(document, ["时间", "经办人", "事项", "说明"], rows or [["—", "—", "—", "—"]])
    return _save(document)


def _attachment_pdf(attachment: Attachment) -> bytes | None:
    with attachment.file.open("rb") as handle:
        data = handle.read()
    if attachment.content_type == "application/pdf":
        try:
            with pikepdf.open(io.BytesIO(data)):
                return data
        except pikepdf.PdfError:
            return None
    if attachment.content_type in IMAGE_TYPES:
        return image_to_pdf(data)
    return None


def _attachment_parts(attachments: list[Attachment]) -> list[_Part]:
    parts = []
    for attachment in attachments:
        title = f"{AttachmentKind(attachment.kind).label}：{attachment.original_name}"
        pdf = _attachment_pdf(attachment)
        if pdf is None:
            title += "（无法转换，见电子附件）"
        parts.append(
            _Part(
                title=title,
                date=timezone.localtime(attachment.uploaded_at).date().isoformat(),
                pdf=pdf,
            )
        )
    return parts


def case_archive_parts(case: Case) -> tuple[list[Letter], list[_Part]]:
    """The file's parts in archive order (cover excluded), from a few queries."""
    if not case.is_finished:
        raise RuleViolation(MSG_NOT_CLOSED)
    letters = list(
        Letter.objects.filter(case=case, state=LetterState.ISSUED)
        .select_related("issued_by", "agency", "template")
        .order_by("issued_on", "issued_at", "id")
    )
    for letter in letters:
        if letter.render_status != RenderStatus.GENERATED:
            raise RuleViolation(MSG_LETTER_NOT_RENDERED.format(number=letter.number))
    deliveries = list(
        Delivery.objects.filter(letter__case=case)
        .select_related("letter")
        .order_by("sent_on", "id")
    )
    attachments = list(case.attachments.order_by("uploaded_at", "id"))
    request_scans = [a for a in attachments if a.kind in REQUEST_KINDS]
    others = [a for a in attachments if a.kind not in REQUEST_KINDS]
    parts = [
        _Part(title="政府信息公开申请（登记表）", date=_date(case.received_on), docx=_request(case))
    ]
    parts += _attachment_parts(request_scans)
    parts += [
        _Part(
            title=letter.get_kind_display(),
            number=letter.number,
            date=_date(letter.issued_on),
            docx=letter_file_bytes(letter),
        )
        for letter in letters
    ]
    parts.append(_Part(title="送达记录", docx=_deliveries(deliveries)))
    parts += _attachment_parts(others)
    parts.append(_Part(title="办理记录（备考表）", docx=_history(case)))
    return letters, parts


def case_archive_pdf(*, case: Case) -> bytes:
    """The whole 案卷 as one PDF (cover first, history last). Raises RuleViolation for a case
    that is not closed or whose letters are not all generated; RuntimeError if LibreOffice
    fails."""
    letters, parts = case_archive_parts(case)
    cover = _Part(title="封面及卷内目录")
    cover.docx = _cover(case, letters, [cover, *parts], timezone.localdate())
    everything = [cover, *parts]
    documents = [part.docx for part in everything if part.docx is not None]
    converted = iter(docx_to_pdfs(documents))
    pdfs = []
    for part in everything:
        if part.docx is not None:
            pdfs.append(next(converted))
        elif part.pdf is not None:
            pdfs.append(part.pdf)
    return pdf_merge(pdfs)
