"""Importing cases from a spreadsheet (SPEC §9 `import_cases`): one contract, all or nothing.

The file is read into rows (`table_read`), every row is checked against the rules of intake and
of the contract, and only when no row is bad are the cases written — through the real services:
`case_create` (an `imported` history event naming the file and the user) and, for a closed row,
the logged `close_imported` transition run by `case_act`. Every bad row is reported as
`row N: problem`, N counting the file's lines with the header as row 1."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import user_has_role
from common import tables
from common.operators import system_import_label
from common.tables import TableError, TableRow, row_error
from workcalendar.selectors import FIRST_DAY as CALENDAR_FIRST_DAY

from .. import rules
from ..models import Case, Channel, EventKind
from ..outcomes import OUTCOME_KEYS
from ..receipt import RECEIPT_BY_CHANNEL, receipt_field
from .cases import NewCase, cases_create_bulk
from .intake import IntakeInvalid, intake_clean

CASE_COLUMNS = [
    "case_no",
    "received_on",
    "channel",
    "applicant_type",
    "applicant_name",
    "content",
    "outcome",
    "closed_on",
]
CASE_NO_MAX = Case._meta.get_field("case_no").max_length
IMPORT_CHUNK = 2000  # rows written per step of an import (memory, not transactions)

MSG_DATE_FORMAT = "{column}：日期格式应为 YYYY-MM-DD（填写的是“{value}”）"
MSG_CELL_REQUIRED = "{column}：此项为必填项"
MSG_OUTCOME_WITHOUT_CLOSED = "closed_on：填写了办理结果（outcome）须同时填写办结日期"
MSG_CLOSED_WITHOUT_OUTCOME = "outcome：填写了办结日期（closed_on）须同时填写办理结果"
MSG_CLOSED_BEFORE_RECEIVED = "closed_on：办结日期（{closed}）不能早于收到申请之日（{received}）"
MSG_OUTCOME_UNKNOWN = "outcome：" + rules.MSG_OUTCOME_UNKNOWN
MSG_CASE_NO_DUP_FILE = "case_no：案件编号“{case_no}”与第 {other} 行重复"
MSG_CASE_NO_DUP_DB = "case_no：案件编号“{case_no}”在本机关已存在"
MSG_CASE_NO_TOO_LONG = "case_no：案件编号不能超过{n}个字符"
MSG_BEFORE_CALENDAR = "received_on：日期早于系统日历的起始日（{first}）"
MSG_NOT_PERMITTED = (
    "用户“{user}”在“{agency}”没有导入案件的权限（须为该机关的登记员、承办人、审核人或系统管理员）"
)

# intake_clean's field names → the contract's columns (the receipt-date fields are received_on)
_INTAKE_FIELD_COLUMN = {
    "channel": "channel",
    "applicant_type": "applicant_type",
    "applicant_name": "applicant_name",
    "content": "content",
    **{rule.receipt_field: "received_on" for rule in RECEIPT_BY_CHANNEL.values()},
}
_COLUMN_ORDER = {name: i for i, name in enumerate(CASE_COLUMNS)}


class ImportFailed(TableError):
    """The file cannot be imported; `errors` lists every problem as `row N: problem`."""


def table_read(path: str | Path, *, columns: list[str], comments: bool = False) -> list[TableRow]:
    """The file's rows (see `common.tables.table_read`), problems of the file raised as
    ImportFailed; a malformed row comes back with its `problem`, reported with the others."""
    try:
        return tables.table_read(path, columns=columns, comments=comments, keep_malformed=True)
    except TableError as exc:
        raise ImportFailed(exc.errors) from exc


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: Any) -> dt.date | None:
    """A contract date: a real date (xlsx) or text YYYY-MM-DD; None if not one."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# --- checking the rows ----------------------------------------------------------------------
@dataclass
class CaseRow:
    line: int
    case_no: str
    cleaned: dict[str, Any]
    outcome: str
    closed_on: dt.date | None


@dataclass
class CaseImportResult:
    agency: Agency
    source: str
    dry_run: bool
    total: int = 0
    closed: int = 0
    cases: list[Case] = field(default_factory=list)  # not filled (memory of large imports)

    @property
    def open(self) -> int:
        return self.total - self.closed


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.isoformat() if isinstance(value, dt.date) else str(value).strip()


def cases_import_check(rows: list[TableRow], *, agency: Agency, today: dt.date) -> list[CaseRow]:
    """Check every row; return the cleaned rows or raise ImportFailed with every problem.
    The rows are consumed: each row's values are dropped once it is checked."""
    errors: list[tuple[int, int, str]] = []  # (line, column order, message) for a stable report
    checked: list[CaseRow] = []
    seen: dict[str, int] = {}
    wanted = [_text(r.values, "case_no") for r in rows]
    existing = set(
        Case.objects.filter(agency=agency, case_no__in=[n for n in wanted if n]).values_list(
            "case_no", flat=True
        )
    )

    for row in rows:
        if row.problem:  # a malformed row: said on its line, the other rows still checked
            errors.append((row.line, -1, row.problem))
            continue
        problems: list[tuple[str, str]] = []
        values = row.values
        case_no = _text(values, "case_no")
        if case_no:
            if len(case_no) > CASE_NO_MAX:
                problems.append(("case_no", MSG_CASE_NO_TOO_LONG.format(n=CASE_NO_MAX)))
            elif case_no in seen:
                problems.append(
                    ("case_no", MSG_CASE_NO_DUP_FILE.format(case_no=case_no, other=seen[case_no]))
                )
            elif case_no in existing:
                problems.append(("case_no", MSG_CASE_NO_DUP_DB.format(case_no=case_no)))
            seen.setdefault(case_no, row.line)

        received_raw = values.get("received_on", "")
        received_on = parse_date(received_raw)
        if received_raw == "":
            problems.append(("received_on", MSG_CELL_REQUIRED.format(column="received_on")))
        elif received_on is None:
            problems.append(
                ("received_on", MSG_DATE_FORMAT.format(column="received_on", value=received_raw))
            )
        elif received_on < CALENDAR_FIRST_DAY:
            problems.append(
                ("received_on", MSG_BEFORE_CALENDAR.format(first=CALENDAR_FIRST_DAY.isoformat()))
            )
            received_on = None

        channel = _text(values, "channel")
        data: dict[str, Any] = {
            "channel": channel,
            "applicant_type": _text(values, "applicant_type"),
            "applicant_name": _text(values, "applicant_name"),
            "content": _text(values, "content"),
            "delivery_method": "post",
        }
        if channel in Channel.values and received_on is not None:
            data[receipt_field(channel)[0]] = received_on
        cleaned: dict[str, Any] = {}
        try:
            cleaned = intake_clean(data, today=today, strict_identity=False)
        except IntakeInvalid as exc:
            for name, message in exc.errors.items():
                column = _INTAKE_FIELD_COLUMN.get(name, name)
                if column == "received_on" and received_on is None:
                    continue  # already reported as missing or malformed
                problems.append((column, f"{column}：{message}"))

        outcome = _text(values, "outcome")
        closed_raw = values.get("closed_on", "")
        closed_on = parse_date(closed_raw)
        if outcome and outcome not in OUTCOME_KEYS:
            problems.append(("outcome", MSG_OUTCOME_UNKNOWN.format(key=outcome)))
        if closed_raw != "" and closed_on is None:
            problems.append(
                ("closed_on", MSG_DATE_FORMAT.format(column="closed_on", value=closed_raw))
            )
        elif closed_on is not None:
            if closed_on > today:
                problems.append(("closed_on", f"closed_on：{rules.MSG_DATE_FUTURE}"))
            if received_on is not None and closed_on < received_on:
                problems.append(
                    (
                        "closed_on",
                        MSG_CLOSED_BEFORE_RECEIVED.format(
                            closed=closed_on.isoformat(), received=received_on.isoformat()
                        ),
                    )
                )
        if outcome and closed_raw == "":
            problems.append(("closed_on", MSG_OUTCOME_WITHOUT_CLOSED))
        if closed_raw != "" and not outcome:
            problems.append(("outcome", MSG_CLOSED_WITHOUT_OUTCOME))

        if problems:
            for column, message in problems:
                errors.append((row.line, _COLUMN_ORDER.get(column, 99), message))
        else:
            # Empty values are the model's defaults anyway: not kept (a 100,000-row file's
            # memory), and the row's raw values are dropped once checked.
            cleaned = {k: v for k, v in cleaned.items() if v not in ("", None)}
            checked.append(CaseRow(row.line, case_no, cleaned, outcome, closed_on))
        row.values = {}

    if errors:
        errors.sort(key=lambda e: (e[0], e[1]))
        raise ImportFailed([row_error(line, message) for line, _, message in errors])
    return checked


def import_user_check(user, agency: Agency) -> None:
    """The user who runs an import must hold a role allowed to close imported cases there."""
    if user is None or not user_has_role(user, agency.id, rules.TRANSITION_ROLES["close_imported"]):
        raise ImportFailed(
            [MSG_NOT_PERMITTED.format(user=getattr(user, "username", user), agency=agency.name)]
        )


def cases_import_rows(
    rows: list[TableRow],
    *,
    agency: Agency,
    by,
    source: str,
    dry_run: bool = False,
    today: dt.date | None = None,
    system_account: str = "",
) -> CaseImportResult:
    """Check and (unless dry_run) write the rows in one transaction. Cases with a number in the
    file are created first so that generated numbers never take a number the file asks for.
    `by` None with `system_account`: the system imports (a command run on the server without
    --user), recorded in the history as 系统导入 with the operating-system account."""
    today = today or timezone.localdate()
    _importer_check(by, agency, system_account)
    checked = cases_import_check(rows, agency=agency, today=today)
    result = CaseImportResult(agency=agency, source=source, dry_run=dry_run)
    result.total = len(checked)
    result.closed = sum(1 for row in checked if row.outcome)
    if dry_run:
        return result
    if by is None:
        reason = f"{system_import_label(system_account)}：导入自 {source}"
    else:
        reason = f"导入自 {source}，操作人 {by.username}"
    ordered = [r for r in checked if r.case_no] + [r for r in checked if not r.case_no]
    del rows, checked  # the file's rows are not needed any more: a large file's memory goes
    # Written in chunks, all in one transaction (all or nothing): the model instances, clock
    # events and history rows of one chunk are dropped before the next is built, so a
    # 100,000-row file never holds them all at once. `result.cases` stays empty.
    with transaction.atomic():
        for start in range(0, len(ordered), IMPORT_CHUNK):
            cases_create_bulk(
                agency=agency,
                by=by,
                system=by is None,
                new=[
                    NewCase(row.cleaned, row.case_no, row.outcome, row.closed_on)
                    for row in ordered[start : start + IMPORT_CHUNK]
                ],
                event_kind=EventKind.IMPORTED,
                reason=reason,
                close_reason=f"导入已办结案件，{reason}",
            )
            for row in ordered[start : start + IMPORT_CHUNK]:
                row.cleaned = {}
    return result


def _importer_check(by, agency: Agency, system_account: str) -> None:
    if by is None and system_account:
        return  # the server's operator: no account of the application needed
    import_user_check(by, agency)


def cases_import_file(
    path: str | Path,
    *,
    agency: Agency,
    by,
    dry_run: bool = False,
    today: dt.date | None = None,
    system_account: str = "",
) -> CaseImportResult:
    """`import_cases`: read the .csv/.xlsx file and import it (see `cases_import_rows`)."""
    path = Path(path)
    _importer_check(by, agency, system_account)
    return cases_import_rows(
        table_read(path, columns=CASE_COLUMNS),  # no second reference: freed once checked
        agency=agency,
        by=by,
        source=path.name,
        dry_run=dry_run,
        today=today,
        system_account=system_account,
    )
