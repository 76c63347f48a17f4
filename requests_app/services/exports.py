"""Exporting cases (SPEC §9 `export_cases`): the import columns plus the derived ones.

An export can be imported again (into another agency, say) and gives the same cases: the
columns and formats are those of `import_cases`. Applicants' identity numbers, credit codes,
phones and addresses are never exported (SPEC §10). Void cases (registration errors, not
requests) are left out unless asked for."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from django.utils import timezone

from agencies.models import Agency
from common.tables import csv_safe

from ..models import FINISHED_STATES, OPEN_STATES, Case, CaseState
from .imports import CASE_COLUMNS

EXPORT_COLUMNS = [*CASE_COLUMNS, "state", "reply_due", "deadline_provisional", "overdue"]
MSG_BAD_OUTPUT = "输出文件须以 .csv 或 .xlsx 结尾"

_FIELDS = [*CASE_COLUMNS, "state", "reply_due", "deadline_provisional"]


def case_is_overdue(
    *, state: str, reply_due: dt.date | None, closed_on: dt.date | None, today: dt.date
) -> bool:
    """Overdue: open past its reply date, or closed after it (a void case is never overdue)."""
    if reply_due is None:
        return False
    if state in OPEN_STATES:
        return reply_due < today
    if state in FINISHED_STATES and closed_on is not None:
        return closed_on > reply_due
    return False


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


def cases_export_rows(
    *,
    agency: Agency,
    year: int | None = None,
    include_void: bool = False,
    today: dt.date | None = None,
) -> Iterator[list[str]]:
    """The export's data rows (text cells, in EXPORT_COLUMNS order), one query."""
    today = today or timezone.localdate()
    cases = Case.objects.filter(agency=agency)
    if year is not None:
        cases = cases.filter(received_on__year=year)
    if not include_void:
        cases = cases.exclude(state=CaseState.VOID)
    for values in cases.order_by("received_on", "case_no", "id").values_list(*_FIELDS).iterator():
        row = dict(zip(_FIELDS, values, strict=True))
        yield [
            row["case_no"],
            _iso(row["received_on"]),
            row["channel"],
            row["applicant_type"],
            row["applicant_name"],
            row["content"],
            row["outcome"],
            _iso(row["closed_on"]),
            row["state"],
            _iso(row["reply_due"]),
            _bool(row["deadline_provisional"]),
            _bool(
                case_is_overdue(
                    state=row["state"],
                    reply_due=row["reply_due"],
                    closed_on=row["closed_on"],
                    today=today,
                )
            ),
        ]


def cases_export_file(
    path: str | Path,
    *,
    agency: Agency,
    year: int | None = None,
    include_void: bool = False,
    today: dt.date | None = None,
) -> int:
    """Write the export to .csv (UTF-8 with BOM, so Excel reads the Chinese) or .xlsx; returns
    the number of cases written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(MSG_BAD_OUTPUT)
    rows = cases_export_rows(agency=agency, year=year, include_void=include_void, today=today)
    count = 0
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for row in rows:
                writer.writerow([csv_safe(value) for value in row])  # no formula injection
                count += 1
        return count

    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("cases")
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        # Every cell as text: content beginning with "=" must stay text, never a formula.
        cells = []
        for value in row:
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(path)
    return count
