"""Exports of the annual report: JSON (SPEC §9), CSV, XLSX laid out as published, and the whole
annual report as .docx in the six sections of SPEC §6. Pure functions of their inputs: no ORM."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from common.docx_fonts import run_font
from common.docx_tables import page_text_width, table_fit_to_content, table_set_widths
from requests_app.outcomes import APPLICANT_TYPES

from .stats import (
    CHALLENGE_COLUMNS,
    CHALLENGE_KIND_LABELS,
    CHALLENGE_KINDS,
    CHALLENGE_RESULT_LABELS,
    COLUMN_LABELS,
    COLUMNS,
    AnnualReport,
    table3_rows,
)
from .table2 import TABLE2_BLOCKS

CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
SECTION_TITLES = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]


def report_json_bytes(report: AnnualReport) -> bytes:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode("utf-8")


# --- layout shared by XLSX and .docx ----------------------------------------------------------
@dataclass
class LayoutRow:
    key: str
    top: str  # 一、… / 三、本年度办理结果 / 四、…
    group: str  # （一）… (outcome rows only)
    sub: str  # 1.… (outcome sub-rows only)


def table3_layout(format_version: str) -> list[LayoutRow]:
    rows = []
    for key, label in table3_rows(format_version):
        if key in ("new_requests", "carried_over", "carried_forward"):
            rows.append(LayoutRow(key, label, "", ""))
            continue
        group, _, sub = label.partition(" ")
        rows.append(LayoutRow(key, "三、本年度办理结果", group, sub))
    return rows


def _runs(rows: list[LayoutRow], attr: str) -> list[tuple[int, int, str]]:
    """(first, last, text) runs of equal consecutive values of one label column."""
    runs: list[tuple[int, int, str]] = []
    for i, row in enumerate(rows):
        value = getattr(row, attr)
        if runs and runs[-1][2] == value and value:
            runs[-1] = (runs[-1][0], i, value)
        else:
            runs.append((i, i, value))
    return runs


# --- CSV ------------------------------------------------------------------------------------
def report_csv_bytes(report: AnnualReport) -> bytes:
    """Table three (one line per row key) then table four; UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "label", *COLUMNS])
    for key, label in table3_rows(report.format_version):
        writer.writerow(["table3", key, label, *[report.table3[key][c] for c in COLUMNS]])
    writer.writerow([])
    writer.writerow(["table", "row", "label", *CHALLENGE_COLUMNS])
    for kind in CHALLENGE_KINDS:
        writer.writerow(
            [
                "table4",
                kind,
                CHALLENGE_KIND_LABELS[kind],
                *[report.table4[kind][c] for c in CHALLENGE_COLUMNS],
            ]
        )
    writer.writerow([])
    writer.writerow(["consistent", "true" if report.consistent else "false"])
    for failure in report.failures:
        writer.writerow(["failure", failure.cell, failure.message])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def report_xlsx_bytes(report: AnnualReport) -> bytes:
    """Table three and four as published: merged header cells, merged row labels."""
    wb = Workbook()
    ws = wb.active
    ws.title = "表三"
    title = f"{report.agency_name}{report.year}年 三、收到和处理政府信息公开申请情况"
    if report.consolidated:
        title += "（汇总）"
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
    top = 2
    # header: corner 3×3, 申请人情况 over 7 columns, 法人或其他组织 over 5
    ws.cell(top, 1, CORNER)
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 2, end_column=3)
    ws.cell(top, 4, "申请人情况")
    ws.merge_cells(start_row=top, start_column=4, end_row=top, end_column=10)
    ws.cell(top + 1, 4, "自然人")
    ws.merge_cells(start_row=top + 1, start_column=4, end_row=top + 2, end_column=4)
    ws.cell(top + 1, 5, "法人或其他组织")
    ws.merge_cells(start_row=top + 1, start_column=5, end_row=top + 1, end_column=9)
    for i, applicant_type in enumerate(APPLICANT_TYPES[1:]):
        ws.cell(top + 2, 5 + i, COLUMN_LABELS[applicant_type])
    ws.cell(top + 1, 10, "总计")
    ws.merge_cells(start_row=top + 1, start_column=10, end_row=top + 2, end_column=10)
    first = top + 3
    layout = table3_layout(report.format_version)
    for i, row in enumerate(layout):
        for j, column in enumerate(COLUMNS):
            ws.cell(first + i, 4 + j, report.table3[row.key][column])
    _merge_labels_xlsx(ws, layout, first)
    last = first + len(layout) - 1
    for r in range(top, last + 1):
        for c in range(1, 11):
            cell = ws.cell(r, c)
            cell.border = BOX
            cell.alignment = (
                CENTER if c >= 4 or r < first else Alignment(vertical="center", wrap_text=True)
            )
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 36
    for c in range(4, 11):
        ws.column_dimensions[get_column_letter(c)].width = 10
    if not report.consistent:
        ws.cell(last + 2, 1, "勾稽关系不成立：" + "；".join(f.message for f in report.failures))
    _table4_sheet(wb.create_sheet("表四"), report)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _merge_labels_xlsx(ws, layout: list[LayoutRow], first: int) -> None:
    for a, b, text in _runs(layout, "top"):
        rows = layout[a : b + 1]
        if rows[0].group:  # 三、本年度办理结果 spans the outcome rows in column A
            ws.cell(first + a, 1, text)
            ws.merge_cells(start_row=first + a, start_column=1, end_row=first + b, end_column=1)
            for ga, gb, group in _runs(rows, "group"):
                if rows[ga].sub:
                    ws.cell(first + a + ga, 2, group)
                    if gb > ga:
                        ws.merge_cells(
                            start_row=first + a + ga,
                            start_column=2,
                            end_row=first + a + gb,
                            end_column=2,
                        )
                    for k in range(ga, gb + 1):
                        ws.cell(first + a + k, 3, rows[k].sub)
                else:
                    for k in range(ga, gb + 1):
                        ws.cell(first + a + k, 2, group)
                        ws.merge_cells(
                            start_row=first + a + k,
                            start_column=2,
                            end_row=first + a + k,
                            end_column=3,
                        )
        else:
            for k in range(a, b + 1):
                ws.cell(first + k, 1, layout[k].top)
                ws.merge_cells(start_row=first + k, start_column=1, end_row=first + k, end_column=3)


def _table4_sheet(ws, report: AnnualReport) -> None:
    ws.cell(1, 1, "四、政府信息公开行政复议、行政诉讼情况").font = Font(bold=True, size=14)
    ws.merge_cells("A1:O1")
    ws.cell(2, 1, "行政复议")
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=5)
    ws.cell(2, 6, "行政诉讼")
    ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=15)
    ws.cell(3, 6, "未经复议直接起诉")
    ws.merge_cells(start_row=3, start_column=6, end_row=3, end_column=10)
    ws.cell(3, 11, "复议后起诉")
    ws.merge_cells(start_row=3, start_column=11, end_row=3, end_column=15)
    for k, kind in enumerate(CHALLENGE_KINDS):
        for j, column in enumerate(CHALLENGE_COLUMNS):
            ws.cell(4, 1 + 5 * k + j, CHALLENGE_RESULT_LABELS[column])
            ws.cell(5, 1 + 5 * k + j, report.table4[kind][column])
    for r in range(2, 6):
        for c in range(1, 16):
            ws.cell(r, c).border = BOX
            ws.cell(r, c).alignment = CENTER


# --- .docx ----------------------------------------------------------------------------------
@dataclass
class ReportTexts:
    """What staff write and enter: sections one, five, six and table two."""

    overview: str = ""
    problems: str = ""
    other_matters: str = ""
    table2: dict | None = None
    table2_format: str = ""
    fee_total: Decimal = Decimal("0")
    fee_cases: int = 0


def _font(run, size: float = 16, bold: bool = False, east_asian: str = "仿宋_GB2312") -> None:
    run_font(run, east_asian=east_asian, size=size, bold=bold)


def _para(
    doc, text: str, *, size: float = 16, bold: bool = False, font: str = "仿宋_GB2312", center=False
):
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size=size, bold=bold, east_asian=font)
    return paragraph


def _cell(table, r: int, c: int, text) -> None:
    cell = table.cell(r, c)
    cell.text = ""
    _font(cell.paragraphs[0].add_run(str(text)), size=10.5)
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _texts(doc, text: str) -> None:
    for line in [t.strip() for t in text.splitlines() if t.strip()] or ["无"]:
        _para(doc, line)


def report_docx_bytes(report: AnnualReport, texts: ReportTexts) -> bytes:
    """The whole annual report in the six sections of the national format (SPEC §6)."""
    doc = Document()
    title = f"{report.agency_name}{report.year}年政府信息公开工作年度报告"
    if report.consolidated:
        title = f"{report.agency_name}（含下级机关）{report.year}年政府信息公开工作年度报告"
    _para(doc, title, size=22, font="方正小标宋简体", center=True)
    _para(
        doc,
        "本报告按照《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
        f"其他需要报告的事项等六个部分。本报告所列数据统计期限自{report.year}年1月1日起，"
        f"到{report.year}年12月31日止。",
    )
    _para(doc, SECTION_TITLES[0], font="黑体")
    _texts(doc, texts.overview)

    _para(doc, SECTION_TITLES[1], font="黑体")
    _table2_docx(doc, texts)

    _para(doc, SECTION_TITLES[2], font="黑体")
    _table3_docx(doc, report)
    if not report.consistent:
        _para(doc, "注意：勾稽关系不成立：" + "；".join(f.message for f in report.failures))

    _para(doc, SECTION_TITLES[3], font="黑体")
    _table4_docx(doc, report)

    _para(doc, SECTION_TITLES[4], font="黑体")
    _texts(doc, texts.problems)

    _para(doc, SECTION_TITLES[5], font="黑体")
    if texts.fee_cases:
        _para(doc, f"本年度收取信息处理费{texts.fee_total:.2f}元（{texts.fee_cases}件）。")
    else:
        _para(doc, "本年度未收取信息处理费。")
    _texts(doc, texts.other_matters)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _table2_docx(doc, texts: ReportTexts) -> None:
    values = texts.table2 or {}
    for block in TABLE2_BLOCKS[texts.table2_format or "2021"]:
        table = doc.add_table(rows=2 + len(block.rows), cols=1 + len(block.columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.cell(0, 0).merge(table.cell(0, len(block.columns)))
        header.text = ""
        _font(header.paragraphs[0].add_run(block.title), size=10.5, bold=True)
        _cell(table, 1, 0, "信息内容")
        for j, (_, label, _) in enumerate(block.columns):
            _cell(table, 1, 1 + j, label)
        for i, (row, row_label) in enumerate(block.rows):
            _cell(table, 2 + i, 0, row_label)
            for j, (column, _, _) in enumerate(block.columns):
                value = values.get(f"{row}__{column}")
                _cell(table, 2 + i, 1 + j, "" if value in (None, "") else value)
        table_fit_to_content(doc, table)


TABLE3_WEIGHTS = [5, 6, 11, 3.2, 3.2, 3.2, 3.2, 3.2, 3.2, 3.2]


def _table3_docx(doc, report: AnnualReport) -> None:
    layout = table3_layout(report.format_version)
    table = doc.add_table(rows=3 + len(layout), cols=10)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(2, 2))
    _cell(table, 0, 0, CORNER)
    table.cell(0, 3).merge(table.cell(0, 9))
    _cell(table, 0, 3, "申请人情况")
    table.cell(1, 3).merge(table.cell(2, 3))
    _cell(table, 1, 3, "自然人")
    table.cell(1, 4).merge(table.cell(1, 8))
    _cell(table, 1, 4, "法人或其他组织")
    for i, applicant_type in enumerate(APPLICANT_TYPES[1:]):
        _cell(table, 2, 4 + i, COLUMN_LABELS[applicant_type])
    table.cell(1, 9).merge(table.cell(2, 9))
    _cell(table, 1, 9, "总计")
    first = 3
    for i, row in enumerate(layout):
        for j, column in enumerate(COLUMNS):
            _cell(table, first + i, 3 + j, report.table3[row.key][column])
    for a, b, text in _runs(layout, "top"):
        rows = layout[a : b + 1]
        if rows[0].group:
            table.cell(first + a, 0).merge(table.cell(first + b, 0))
            _cell(table, first + a, 0, text)
            for ga, gb, group in _runs(rows, "group"):
                if rows[ga].sub:
                    table.cell(first + a + ga, 1).merge(table.cell(first + a + gb, 1))
                    _cell(table, first + a + ga, 1, group)
                    for k in range(ga, gb + 1):
                        _cell(table, first + a + k, 2, rows[k].sub)
                else:
                    for k in range(ga, gb + 1):
                        table.cell(first + a + k, 1).merge(table.cell(first + a + k, 2))
                        _cell(table, first + a + k, 1, group)
        else:
            for k in range(a, b + 1):
                table.cell(first + k, 0).merge(table.cell(first + k, 2))
                _cell(table, first + k, 0, layout[k].top)
    # Labels in three columns (the third holds the longest), then seven counts.
    table_set_widths(table, TABLE3_WEIGHTS, page_text_width(doc))


def _table4_docx(doc, report: AnnualReport) -> None:
    table = doc.add_table(rows=4, cols=15)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(1, 4))
    _cell(table, 0, 0, "行政复议")
    table.cell(0, 5).merge(table.cell(0, 14))
    _cell(table, 0, 5, "行政诉讼")
    table.cell(1, 5).merge(table.cell(1, 9))
    _cell(table, 1, 5, "未经复议直接起诉")
    table.cell(1, 10).merge(table.cell(1, 14))
    _cell(table, 1, 10, "复议后起诉")
    for k, kind in enumerate(CHALLENGE_KINDS):
        for j, column in enumerate(CHALLENGE_COLUMNS):
            _cell(table, 2, 5 * k + j, CHALLENGE_RESULT_LABELS[column])
            _cell(table, 3, 5 * k + j, report.table4[kind][column])
    table_set_widths(table, [1] * 15, page_text_width(doc))


def table3_label_cells(format_version: str) -> list[list[dict]]:
    """Per row, the label cells an HTML table needs (text, rowspan, colspan), as published."""
    layout = table3_layout(format_version)
    cells: list[list[dict]] = [[] for _ in layout]
    for a, b, text in _runs(layout, "top"):
        rows = layout[a : b + 1]
        if not rows[0].group:
            for k in range(a, b + 1):
                cells[k].append({"text": layout[k].top, "rowspan": 1, "colspan": 3})
            continue
        cells[a].append({"text": text, "rowspan": b - a + 1, "colspan": 1})
        for ga, gb, group in _runs(rows, "group"):
            if rows[ga].sub:
                cells[a + ga].append({"text": group, "rowspan": gb - ga + 1, "colspan": 1})
                for k in range(ga, gb + 1):
                    cells[a + k].append({"text": rows[k].sub, "rowspan": 1, "colspan": 1})
            else:
                for k in range(ga, gb + 1):
                    cells[a + k].append({"text": group, "rowspan": 1, "colspan": 2})
    return cells
