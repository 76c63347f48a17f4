"""台账: the worklist as filtered, to .xlsx — the `export_cases` columns plus the handler, the
deadline state and the letters issued; identity numbers and phones masked (SPEC §10).

A constant number of queries whatever the number of cases: the cases with their handler and
agency in one query, the issued letters of all of them in one more."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from django.db.models import Prefetch, QuerySet
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from letters.models import Letter, LetterState
from requests_app import labels
from requests_app.models import FINISHED_LABEL, Case, CaseState
from requests_app.selectors import mask_id_number, mask_phone
from requests_app.timeliness import deadline_status, is_overdue

LEDGER_COLUMNS: list[tuple[str, str, int]] = [
    # (key, header, column width in characters)
    ("case_no", "案件编号", 14),
    ("received_on", "收到申请之日", 13),
    ("channel", "申请渠道", 14),
    ("applicant_type", "申请人类型", 14),
    ("applicant_name", "申请人姓名/名称", 18),
    ("applicant_id", "证件号码（脱敏）", 22),
    ("applicant_phone", "联系电话（脱敏）", 15),
    ("content", "申请内容", 48),
    ("outcome", "办理结果", 22),
    ("closed_on", "办结日期", 12),
    ("state", "状态", 10),
    ("reply_due", "答复期限", 12),
    ("deadline_provisional", "期限为暂定", 10),
    ("overdue", "是否超期", 9),
    ("handler", "承办人", 12),
    ("deadline_state", "期限状态", 18),
    ("letters", "已签发文书", 48),
]
MAX_ROWS = 20000
MSG_TOO_MANY = "筛选结果超过 {n} 件，请缩小筛选范围后再导出台账"


def person_name(user) -> str:
    return labels.person(user) if user is not None else ""


def deadline_state_text(status: str, days: int | None, case: Case) -> str:
    if status == "overdue":
        return f"已超期 {days} 个工作日"
    if days is not None:
        return f"剩 {days} 个工作日"
    if case.is_finished:
        return FINISHED_LABEL  # the state column says which outcome group
    if case.state == CaseState.VOID:
        return labels.choice_label(case.state, "state")
    if case.clock_stopped:
        return "计时中止"
    return ""


def ledger_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The worklist's cases with what the ledger shows (issued letters in one more query)."""
    issued = Letter.objects.filter(state=LetterState.ISSUED).order_by("issued_on", "id")
    return cases.select_related("agency", "handler").prefetch_related(
        Prefetch("letters", queryset=issued, to_attr="issued_letters")
    )


def ledger_rows(cases: QuerySet[Case], *, today: dt.date, calendar, soon_limit: dt.date):
    """The ledger's rows (lists of cells in LEDGER_COLUMNS order)."""
    yes_no = {True: "是", False: "否"}
    for case in ledger_cases(cases):
        status, days = deadline_status(case, today=today, calendar=calendar, soon_limit=soon_limit)
        identity = case.applicant_id_number or case.applicant_credit_code
        letters = "；".join(
            f"{letter.get_kind_display()} {letter.number}（{letter.issued_on:%Y-%m-%d}）"
            for letter in case.issued_letters
        )
        overdue = is_overdue(
            state=case.state, reply_due=case.reply_due, closed_on=case.closed_on, today=today
        )
        yield [
            case.case_no,
            case.received_on,
            labels.choice_label(case.channel, "channel"),
            labels.choice_label(case.applicant_type, "applicant_type"),
            case.applicant_name,
            mask_id_number(identity) if identity else "",
            mask_phone(case.applicant_phone) if case.applicant_phone else "",
            case.content,
            labels.choice_label(case.outcome, "outcome"),
            case.closed_on,
            labels.choice_label(case.state, "state"),
            case.reply_due,
            yes_no[case.deadline_provisional],
            yes_no[overdue],
            person_name(case.handler),
            deadline_state_text(status, days, case),
            letters,
        ]


def ledger_xlsx(cases: QuerySet[Case], *, today: dt.date, calendar, soon_limit: dt.date) -> bytes:
    """The ledger workbook: a header row, one row per case; text stays text (an applicant's
    "=…" is never a formula), dates are dates."""
    workbook = openpyxl.Workbook(write_only=True)
    # The same cases give the same bytes on the same day (no clock time inside the file).
    workbook.properties.created = workbook.properties.modified = dt.datetime.combine(
        today, dt.time()
    )
    sheet = workbook.create_sheet("台账")
    for index, (_, _, width) in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for _, title, _ in LEDGER_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in ledger_rows(cases, today=today, calendar=calendar, soon_limit=soon_limit):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif value is not None:
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return zip_without_times(out.getvalue())


def zip_without_times(data: bytes) -> bytes:
    """The same package with every member dated 1980-01-01 (zip stores each member's time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
