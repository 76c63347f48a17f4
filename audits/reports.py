"""The campaign report for the review meeting: .docx (python-docx) and .xlsx (openpyxl).

Pure renderers over `CampaignResults` plus the per-request verdict table (no ORM writes)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from common.docx_tables import table_fit_to_content

from . import scoring
from .models import ItemScore
from .selectors import CampaignResults

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"

RULE_TEXT = (
    "评分规则：每个评分项设有分值。某机关得分 = 该机关全部模拟申请中“符合”项的分值之和 ÷ "
    "（“符合”项与“不符合”项的分值之和）× 100，保留一位小数（四舍五入）。“不适用”和“无法判断”"
    "的评分项不计入分子和分母。评分项通过率 = 符合次数 ÷（符合次数 + 不符合次数）。得分相同的机关名次并列。"
)


REPORT_SUFFIX = "测评报告"


def report_title(campaign) -> str:
    """The report's title: the campaign's name with 测评报告, without doubling the 测评 that most
    campaign names already end with (“…模拟申请测评” → “…模拟申请测评报告”)."""
    name = campaign.name.strip()
    if name.endswith(REPORT_SUFFIX):
        return name
    if name.endswith("测评"):
        return f"{name}报告"
    return f"{name}{REPORT_SUFFIX}"


def exclusion_lines(results: CampaignResults) -> list[str]:
    """Each test request left out of the scores: who excluded it, when and why."""
    return [
        f"{tr.code}（{tr.agency.name}）：{tr.exclusion_reason}"
        f"（{_person(tr.excluded_by)}于 {_day(tr.excluded_at)} 排除）"
        for tr in results.excluded
    ]


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def fmt_score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}"


def fmt_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(doc, text: str, *, font=BODY_FONT, size=16, bold=False, center=False, indent=True):
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(text)), BODY_FONT, 11)
    table_fit_to_content(doc, table)
    return table


def summary_lines(results: CampaignResults) -> list[str]:
    campaign = results.campaign
    scored = [r for r in results.agencies if r.score is not None]
    average = (
        (sum(r.score for r in scored) / len(scored)).quantize(Decimal("0.1")) if scored else None
    )
    passes = sum(i.passes for i in results.items)
    fails = sum(i.fails for i in results.items)
    overall = scoring.pass_rate([scoring.PASS] * passes + [scoring.FAIL] * fails)
    lines = [
        f"本次测评（{campaign.name}）于 {campaign.period_start.isoformat()} 至 "
        f"{campaign.period_end.isoformat()} 进行，由{campaign.supervising_agency.name}组织，"
        f"共向 {len(results.agencies)} 个机关发出模拟申请 "
        f"{results.test_request_count + len(results.excluded)} 件，"
        f"已完成评分 {results.scored_count} 件"
        + (
            f"，经说明理由排除出评分 {len(results.excluded)} 件（不计入得分和排名）。"
            if results.excluded
            else "。"
        ),
        f"各机关平均得分 {fmt_score(average)} 分；全部评分项符合 {passes} 项次、不符合 {fails} 项次，"
        f"总体通过率 {fmt_rate(overall)}。",
    ]
    if results.common_problems:
        worst = "、".join(
            f"{i.item.label}（不符合 {i.fails} 次）" for i in results.common_problems[:3]
        )
        lines.append(f"问题较集中的评分项：{worst}。")
    else:
        lines.append("本次测评未发现不符合项。")
    return lines


def campaign_report_docx(results: CampaignResults) -> bytes:
    """The review-meeting report: summary, ranking table, per-item pass rates, problems."""
    campaign = results.campaign
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _para(doc, report_title(campaign), font=TITLE_FONT, size=22, center=True)
    _para(doc, "（政府信息公开依申请公开模拟申请测评）", size=14, center=True)

    _para(doc, "一、总体情况", font=HEADING_FONT, indent=True)
    for line in summary_lines(results):
        _para(doc, line)

    _para(doc, "二、各机关得分排名", font=HEADING_FONT)
    _table(
        doc,
        ["名次", "机关", "模拟申请数", "得分", "得分/应得分", "不符合项"],
        [
            [
                str(r.rank) if r.rank else "—",
                r.agency.name,
                str(r.test_requests),
                fmt_score(r.score),
                f"{r.earned}/{r.possible}",
                str(r.fails),
            ]
            for r in results.agencies
        ],
    )

    _para(doc, "三、各评分项通过率", font=HEADING_FONT)
    _table(
        doc,
        ["评分项", "分值", "符合", "不符合", "不适用", "无法判断", "通过率"],
        [
            [
                i.item.label,
                str(i.item.weight),
                str(i.passes),
                str(i.fails),
                str(i.not_applicable),
                str(i.cannot_tell),
                fmt_rate(i.rate),
            ]
            for i in results.items
        ],
    )

    _para(doc, "四、发现的主要问题", font=HEADING_FONT)
    if results.common_problems:
        for n, item in enumerate(results.common_problems, start=1):
            _para(
                doc,
                f"{n}. {item.item.label}：不符合 {item.fails} 次（通过率 {fmt_rate(item.rate)}）。",
            )
        _table(
            doc,
            ["序号", "机关", "模拟申请", "评分项", "问题说明"],
            [
                [str(n), p.agency.name, p.test_request.code, p.item.label, p.note or "—"]
                for n, p in enumerate(results.problems, start=1)
            ],
        )
    else:
        _para(doc, "未发现不符合项。")

    _para(doc, "五、评分说明", font=HEADING_FONT)
    _para(doc, RULE_TEXT)
    if results.excluded:
        _para(doc, "排除出评分的模拟申请：")
        for line in exclusion_lines(results):
            _para(doc, line)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def campaign_report_xlsx(results: CampaignResults) -> bytes:
    """The same results as a workbook: ranking, item pass rates, problems, every verdict."""
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list], first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(max(10, width * 1.8), 60)
            for c in column:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        return ws

    def num(value: Decimal | None):
        return None if value is None else float(value)

    sheet(
        "排名",
        ["名次", "机关代码", "机关", "模拟申请数", "得分", "得分分值", "应得分值", "不符合项"],
        [
            [
                r.rank,
                r.agency.code,
                r.agency.name,
                r.test_requests,
                num(r.score),
                r.earned,
                r.possible,
                r.fails,
            ]
            for r in results.agencies
        ],
        first=True,
    )
    sheet(
        "评分项通过率",
        ["代码", "评分项", "分值", "符合", "不符合", "不适用", "无法判断", "未评", "通过率（%）"],
        [
            [
                i.item.key,
                i.item.label,
                i.item.weight,
                i.passes,
                i.fails,
                i.not_applicable,
                i.cannot_tell,
                i.unscored,
                num(i.rate),
            ]
            for i in results.items
        ],
    )
    sheet(
        "问题清单",
        ["序号", "机关代码", "机关", "模拟申请", "评分项", "问题说明"],
        [
            [n, p.agency.code, p.agency.name, p.test_request.code, p.item.label, p.note]
            for n, p in enumerate(results.problems, start=1)
        ],
    )
    items = [i.item for i in results.items]
    verdicts = {
        (s.test_request_id, s.item_id): s.verdict
        for s in ItemScore.objects.filter(test_request__campaign=results.campaign)
    }
    requests = results.campaign.test_requests.select_related("agency", "excluded_by").order_by(
        "number"
    )
    sheet(
        "模拟申请明细",
        [
            "编号",
            "机关代码",
            "机关",
            "渠道",
            "发出日期",
            "单号",
            "预期结果",
            *[i.label for i in items],
            "排除出评分",
        ],
        [
            [
                tr.code,
                tr.agency.code,
                tr.agency.name,
                tr.get_channel_display(),
                tr.sent_on.isoformat() if tr.sent_on else "",
                tr.tracking_number,
                tr.expected_outcome,
                *[scoring.VERDICT_LABELS.get(verdicts.get((tr.id, i.id), ""), "") for i in items],
                (
                    f"{tr.exclusion_reason}（{_person(tr.excluded_by)}，{_day(tr.excluded_at)}）"
                    if tr.excluded_at
                    else ""
                ),
            ]
            for tr in requests
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
