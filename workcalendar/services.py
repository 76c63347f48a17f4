"""Entering a year's official schedule (放假 / 调休上班) and recomputing open deadlines.

`calendar_year_import` replaces the year's administrator-entered days with the file's, marks
the year official (CalendarYear) — only when the file holds at least the statutory holidays of
workcalendar.statutory — and recomputes every open case's deadline with the calendar as
it now stands; each case whose deadline moved gets a `deadline_changed` history event. All in
one transaction: a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from common import tables
from common.operators import system_import_label
from common.tables import row_error
from security.events import security_event_record
from security.kinds import SecurityEventKind

from .engine import package_day
from .hooks import calendar_changed
from .models import CalendarDay, CalendarYear, DayKind
from .selectors import FIRST_DAY, YEARS_AHEAD
from .statutory import STATUTORY_RULE_NAME, statutory_holiday_map

CALENDAR_COLUMNS = ["date", "kind", "name"]
NAME_MAX = CalendarDay._meta.get_field("name").max_length

MSG_NOT_CSV = "日历文件须为 .csv"
MSG_DATE = "date：日期格式应为 YYYY-MM-DD（填写的是“{value}”）"
MSG_DATE_REQUIRED = "date：此项为必填项"
MSG_KIND = "kind：类型须为 holiday（放假）或 workday（调休上班），填写的是“{value}”"
MSG_DUPLICATE = "date：日期 {date} 与第 {other} 行重复"
MSG_OTHER_YEAR = "date：一个文件只能包含一个年度，{date} 不属于 {year} 年（以第 {first} 行为准）"
MSG_NAME_TOO_LONG = "name：名称不能超过{n}个字符"
MSG_YEAR_RANGE = "date：年度须在 {first} 至 {last} 年之间"
MSG_MISSING_STATUTORY = (
    "{year} 年的安排缺少法定节假日：{days}。官方日历至少应将"
    + STATUTORY_RULE_NAME
    + "规定的放假日列为 holiday（放假）"
)


class CalendarImportFailed(tables.TableError):
    """The calendar file cannot be imported; `errors` lists every problem as `row N: ...`."""


@dataclass
class CalendarImportResult:
    year: int
    holidays: int
    workdays: int
    replaced: int
    cases_changed: int


@dataclass
class CalendarRow:
    line: int
    date: dt.date
    kind: str
    name: str


def calendar_missing_statutory(year: int, holidays: set[dt.date]) -> list[tuple[dt.date, str]]:
    """The statutory holidays of `year` (workcalendar.statutory) that `holidays` lacks."""
    return [(day, name) for day, name in statutory_holiday_map(year).items() if day not in holidays]


def _missing_message(year: int, missing: list[tuple[dt.date, str]]) -> str:
    days = "、".join(f"{day.isoformat()} {name}" for day, name in sorted(missing))
    return MSG_MISSING_STATUTORY.format(year=year, days=days)


def calendar_year_check_complete(year: int) -> str | None:
    """Why `year` cannot be marked official yet, or None: every statutory holiday must be a day
    off in what was entered for it (days not entered count as the chinese_calendar package
    has them, for the years it carries)."""
    entered = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    holidays = set()
    for day in statutory_holiday_map(year):
        if day in entered:
            if entered[day] == DayKind.HOLIDAY:
                holidays.add(day)
        elif (known := package_day(day)) is not None and not known[0]:
            holidays.add(day)
    missing = calendar_missing_statutory(year, holidays)
    return _missing_message(year, missing) if missing else None


def calendar_file_read(
    source: str | Path | bytes, *, filename: str | None = None
) -> list[CalendarRow]:
    """Read and check a calendar CSV (`date,kind,name`; lines starting with # are comments),
    given as a path or as the uploaded file's bytes with its `filename`.
    Raises CalendarImportFailed listing every bad row."""
    try:
        table = tables.table_read(
            source,
            filename=filename,
            columns=CALENDAR_COLUMNS,
            suffixes=(".csv",),
            comments=True,
            messages={"bad_type": MSG_NOT_CSV},
            keep_malformed=True,
        )
    except tables.TableError as exc:
        raise CalendarImportFailed(exc.errors) from exc
    errors: list[str] = []
    rows: list[CalendarRow] = []
    seen: dict[dt.date, int] = {}
    year: int | None = None
    first_line = 0
    first_year, last_year = FIRST_DAY.year, timezone.localdate().year + YEARS_AHEAD
    for row in table:
        line = row.line
        if row.problem:  # a malformed row, reported with the others
            errors.append(row_error(line, row.problem))
            continue
        raw_date, kind, name = (str(row.values[c]) for c in CALENDAR_COLUMNS)
        day = None
        if not raw_date:
            errors.append(row_error(line, MSG_DATE_REQUIRED))
        elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
            errors.append(row_error(line, MSG_DATE.format(value=raw_date)))
        else:
            try:
                day = dt.date.fromisoformat(raw_date)
            except ValueError:
                errors.append(row_error(line, MSG_DATE.format(value=raw_date)))
        if day is not None and not first_year <= day.year <= last_year:
            errors.append(row_error(line, MSG_YEAR_RANGE.format(first=first_year, last=last_year)))
            day = None
        if day is not None:
            if year is None:
                year, first_line = day.year, line
            if day.year != year:
                errors.append(
                    row_error(line, MSG_OTHER_YEAR.format(date=day, year=year, first=first_line))
                )
            elif day in seen:
                errors.append(row_error(line, MSG_DUPLICATE.format(date=day, other=seen[day])))
            seen.setdefault(day, line)
        if kind not in DayKind.values:
            errors.append(row_error(line, MSG_KIND.format(value=kind)))
        if len(name) > NAME_MAX:
            errors.append(row_error(line, MSG_NAME_TOO_LONG.format(n=NAME_MAX)))
        if day is not None:
            rows.append(CalendarRow(line, day, kind, name))
    if errors:
        raise CalendarImportFailed(errors)
    return rows


@transaction.atomic
def calendar_year_import(
    rows: list[CalendarRow], *, by=None, source: str = "", reason: str = ""
) -> CalendarImportResult:
    """Replace the year's entered days with `rows`, mark the year official and recompute open
    deadlines (history event per case whose deadline moved)."""
    if not rows:
        raise CalendarImportFailed([row_error(2, tables.MESSAGES["no_rows"])])
    year = rows[0].date.year
    if any(r.date.year != year for r in rows):
        raise CalendarImportFailed(["一个文件只能包含一个年度"])
    missing = calendar_missing_statutory(year, {r.date for r in rows if r.kind == DayKind.HOLIDAY})
    if missing:
        raise CalendarImportFailed([_missing_message(year, missing)])
    replaced, _ = CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=r.date, kind=r.kind, name=r.name) for r in rows]
    )
    entry, created = CalendarYear.objects.get_or_create(
        year=year, defaults={"source": source, "entered_by": by}
    )
    if not created:
        entry.source, entry.entered_by = source or entry.source, by or entry.entered_by
        entry.save()
    security_event_record(
        SecurityEventKind.ADMIN_CHANGE,
        user=by,
        obj=entry,
        details={"action": "calendar_import", "source": source, "days": len(rows)},
    )
    changed = calendar_changed(
        by=by, reason=reason or f"录入 {year} 年节假日安排（{source or '导入'}），重新计算答复期限"
    )
    return CalendarImportResult(
        year=year,
        holidays=sum(1 for r in rows if r.kind == DayKind.HOLIDAY),
        workdays=sum(1 for r in rows if r.kind == DayKind.WORKDAY),
        replaced=replaced,
        cases_changed=changed,
    )


def calendar_file_import(
    path: str | Path, *, by=None, system_account: str = ""
) -> CalendarImportResult:
    """`import_calendar`: read, check and import one year's schedule from a CSV file. `by` None
    with `system_account`: the system imports (a command run on the server without --user),
    said in the history as 系统导入 with the operating-system account."""
    path = Path(path)
    rows = calendar_file_read(path)
    reason = ""
    if by is None and system_account and rows:
        reason = (
            f"{system_import_label(system_account)}：录入 {rows[0].date.year} 年节假日安排"
            f"（{path.name}），重新计算答复期限"
        )
    return calendar_year_import(rows, by=by, source=path.name, reason=reason)
