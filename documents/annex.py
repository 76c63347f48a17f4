"""The redaction log as a printable annex to the reply (.docx): one row per box with its
document, page, position, what found it, the ground, who decided and when. It never prints
the covered text itself (the annex goes to the applicant)."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from common.docx_fonts import run_font
from common.docx_tables import table_fit_to_content

from .selectors import LogRow

HEADERS = ["序号", "文件", "页码", "遮盖区域（磅）", "识别方式", "不予公开依据", "处理人", "时间"]


def redaction_log_docx(rows: list[LogRow], *, case_no: str, agency_name: str) -> bytes:
    document = DocxDocument()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run_font(title.add_run("政府信息遮盖处理记录"), east_asian="黑体", size=16, bold=True)
    intro = document.add_paragraph()
    run_font(
        intro.add_run(f"{agency_name}　案件编号：{case_no}　共{len(rows)}处遮盖"),
        east_asian="仿宋",
        size=12,
    )
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        run_font(cell.paragraphs[0].add_run(header), east_asian="黑体", size=10.5, bold=True)
    for number, row in enumerate(rows, start=1):
        values = [
            str(number),
            row.document,
            str(row.page),
            row.box,
            row.kind,
            row.ground,
            row.who,
            row.when,
        ]
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            run_font(cell.paragraphs[0].add_run(value), east_asian="仿宋", size=10.5)
    table_fit_to_content(document, table)
    note = document.add_paragraph()
    run_font(
        note.add_run("说明：遮盖区域以页面左上角为原点，单位为磅（1/72英寸）。"),
        east_asian="仿宋",
        size=10.5,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
