"""Monthly circulars (月度通报, SPEC §7): for a supervising office, per unit of its subtree and
month — received, closed, closed on time, open and overdue at the month's end, median working
days to reply, extensions used — ranked. Produced for the previous month on the first working
day of each month (a Celery beat task), frozen when produced, exportable as .docx and .xlsx."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
import io
import statistics
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids
from common.docx_tables import table_fit_to_content
from requests_app.models import FINISHED_STATES, Case, CaseState, ExtensionState
from requests_app.timeliness import overdue_open_at_end_of_q, replied_on_time_q
from workcalendar.selectors import calendar_get

from .models import Circular

# Higher layers add to a unit's row before the circular is frozen (season: the units whose
# annual report is past its deadline). Each hook takes (agency, year, month, {unit_id: row}).
CIRCULAR_ROW_HOOKS: list = []

COLUMNS = [
    ("received", "本月新收"),
    ("closed", "本月办结"),
    ("on_time", "按期办结"),
    ("on_time_rate", "按期率(%)"),
    ("overdue_open", "月末逾期未办结"),
    ("median_days", "办结用时中位数(工作日)"),
    ("extensions", "办结案件中延期"),
]


# Timeliness counts the open overdue cases: a unit cannot rank at 100% while cases it owes are
# past their deadline (issue 11, defect 5). Stated on the page and in both exports.
RATE_FORMULA = (
    "按期率 = 按期办结件数 ÷（本月办结件数 + 月末逾期未办结件数）× 100%，保留一位小数；"
    "月末逾期未办结指月末仍未办结且答复期限已届满的申请，每月计入，直至办结。"
)
RANKING_RULE = (
    "排名依据：按期率高者在前；按期率相同的，月末逾期未办结件数少者在前，再按本月新收件数多者在前；"
    "本月既无办结也无逾期未办结的单位（按期率记为“—”）列于最后。"
)
# Circulars frozen before the formula counted open overdue cases keep their figures.
RATE_FORMULA_BEFORE = "按期率 = 按期办结件数 ÷ 本月办结件数 × 100%（本期通报生成于计入逾期未办结件数之前，数据保持定稿时原样）。"


def circular_formula(rows: list[dict]) -> list[str]:
    """The rate's formula and the ranking rule that produced `rows` (frozen rows keep theirs)."""
    current = all("rate_basis" in row for row in rows)
    return [RATE_FORMULA if current else RATE_FORMULA_BEFORE, RANKING_RULE]


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, monthcal.monthrange(year, month)[1])


def previous_month(day: dt.date) -> tuple[int, int]:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


def circular_compute(agency: Agency, year: int, month: int) -> list[dict]:
    """The ranked rows of every unit in the agency's subtree (one aggregate query for the
    counts, one for the reply times)."""
    start, end = month_bounds(year, month)
    unit_ids = agency_subtree_ids(agency.id)
    units = dict(Agency.objects.filter(id__in=unit_ids).values_list("id", "name"))
    counted = Case.objects.filter(agency_id__in=unit_ids).exclude(state=CaseState.VOID)
    closed_in_month = Q(state__in=FINISHED_STATES, closed_on__gte=start, closed_on__lte=end)
    counts = {
        row["agency_id"]: row
        for row in counted.values("agency_id").annotate(
            received=Count("id", filter=Q(received_on__gte=start, received_on__lte=end)),
            closed=Count("id", filter=closed_in_month),
            on_time=Count("id", filter=closed_in_month & replied_on_time_q()),
            overdue_open=Count("id", filter=overdue_open_at_end_of_q(end)),
            extensions=Count(
                "id", filter=closed_in_month & Q(extension_state=ExtensionState.APPROVED)
            ),
        )
    }
    work = calendar_get(covering=end)
    days: dict[int, list[int]] = defaultdict(list)
    for agency_id, received_on, closed_on in counted.filter(closed_in_month).values_list(
        "agency_id", "received_on", "closed_on"
    ):
        days[agency_id].append(work.working_days_between(received_on, closed_on))
    rows, rows_by_unit = [], {}
    for unit_id, name in units.items():
        c = counts.get(unit_id, {})
        closed, overdue_open = c.get("closed", 0), c.get("overdue_open", 0)
        basis = closed + overdue_open  # RATE_FORMULA's denominator
        rows.append(
            {
                "agency": name,
                "received": c.get("received", 0),
                "closed": closed,
                "on_time": c.get("on_time", 0),
                "on_time_rate": round(100 * c.get("on_time", 0) / basis, 1) if basis else None,
                "overdue_open": overdue_open,
                "median_days": statistics.median(days[unit_id]) if days[unit_id] else None,
                "extensions": c.get("extensions", 0),
                "rate_basis": basis,
            }
        )
        rows_by_unit[unit_id] = rows[-1]
    for hook in CIRCULAR_ROW_HOOKS:
        hook(agency, year, month, rows_by_unit)
    rows.sort(
        key=lambda r: (
            -(r["on_time_rate"] if r["on_time_rate"] is not None else 101),
            r["overdue_open"],
            -r["received"],
            r["agency"],
        )
    )
    rows.sort(key=lambda r: r["on_time_rate"] is None)  # nothing closed nor overdue: last
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def circular_produce(*, agency: Agency, year: int, month: int, by=None) -> Circular:
    """Freeze the month's circular; producing it again returns the one already frozen."""
    existing = Circular.objects.filter(agency=agency, year=year, month=month).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Circular.objects.create(
                agency=agency,
                year=year,
                month=month,
                rows=circular_compute(agency, year, month),
                produced_by=by,
            )
    except IntegrityError:  # produced by a concurrent run meanwhile
        return Circular.objects.get(agency=agency, year=year, month=month)


def is_first_working_day_of_month(day: dt.date) -> bool:
    work = calendar_get(covering=day)
    first = day.replace(day=1)
    return (
        work.is_workday(day) and work.working_days_between(first - dt.timedelta(days=1), day) == 1
    )


def circulars_produce_due(*, today: dt.date) -> list[Circular]:
    """On the month's first working day, the previous month's circular of every supervising
    office (an agency where someone holds the supervisor role). Safe to run more than once."""
    if not is_first_working_day_of_month(today):
        return []
    year, month = previous_month(today)
    offices = Agency.objects.filter(
        id__in=Membership.objects.filter(role=Role.SUPERVISOR).values("agency_id")
    )
    return [circular_produce(agency=office, year=year, month=month) for office in offices]


def _value(row: dict, key: str) -> str:
    value = row[key]
    return "—" if value is None else str(value)


def circular_docx_bytes(agency_name: str, year: int, month: int, rows: list[dict]) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "仿宋_GB2312", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{agency_name}\n{year}年{month}月政府信息公开申请办理情况通报")
    run.font.size, run.bold = Pt(18), True
    run.font.name = "方正小标宋简体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    received = sum(r["received"] for r in rows)
    closed = sum(r["closed"] for r in rows)
    overdue = sum(r["overdue_open"] for r in rows)
    document.add_paragraph(
        f"{year}年{month}月，全系统{len(rows)}个单位共新收政府信息公开申请{received}件，办结{closed}件，"
        f"月末逾期未办结{overdue}件。各单位排名如下（按期率的计算方法和排名依据见表后）。"
    )
    table = document.add_table(rows=1, cols=len(COLUMNS) + 2)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["排名", "单位", *(label for _, label in COLUMNS)], strict=True
    ):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            [str(row["rank"]), row["agency"], *(_value(row, key) for key, _ in COLUMNS)],
            strict=True,
        ):
            cell.text = text
    table_fit_to_content(document, table)
    for text in circular_formula(rows):
        document.add_paragraph(text)
    late = [r for r in rows if r["overdue_open"]]
    if late:
        document.add_paragraph(
            "月末存在逾期未办结申请的单位："
            + "、".join(f"{r['agency']}（{r['overdue_open']}件）" for r in late)
            + "。请于收到通报后及时办结并说明原因。"
        )
    unpublished = [r for r in rows if r.get("report_overdue")]
    if unpublished:
        document.add_paragraph(
            f"逾期未发布{unpublished[0]['report_overdue']}年度政府信息公开工作年度报告的单位："
            + "、".join(r["agency"] for r in unpublished)
            + "。请尽快发布。"
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def circular_xlsx_bytes(agency_name: str, year: int, month: int, rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}-{month:02d}"
    headers = ["排名", "单位", *(label for _, label in COLUMNS)]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(1, 1, f"{agency_name} {year}年{month}月依申请公开办理情况通报").font = Font(
        bold=True, size=14
    )
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    for col, text in enumerate(headers, 1):
        sheet.cell(2, col, text).font = Font(bold=True)
    for index, row in enumerate(rows, 3):
        values = [row["rank"], row["agency"], *(row[key] for key, _ in COLUMNS)]
        for col, value in enumerate(values, 1):
            sheet.cell(index, col, value)
    below = len(rows) + 4
    for offset, text in enumerate(circular_formula(rows)):
        sheet.merge_cells(
            start_row=below + offset,
            start_column=1,
            end_row=below + offset,
            end_column=len(headers),
        )
        sheet.cell(below + offset, 1, text).alignment = Alignment(wrap_text=True)
        sheet.row_dimensions[below + offset].height = 36
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
