"""Year-end statistics (SPEC §3): table three and table four counted straight from the cases.

One function (`cell_q`) says which cases a cell of table three counts; the aggregate query and
the drill-down list both use it, so a cell's number is always the length of its list.
Each table is one aggregate query (GROUP BY applicant type with FILTERed counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet

from agencies.selectors import agency_subtree_ids
from requests_app.models import FINISHED_STATES, Case, CaseState, LegalChallenge
from requests_app.outcomes import (
    APPLICANT_TYPES,
    TABLE3_OUTCOME_ROWS_2019,
    TABLE3_OUTCOME_ROWS_2021,
    ApplicantType,
)

FORMAT_VERSIONS = ("2019", "2021")
COLUMNS = [*APPLICANT_TYPES, "total"]
COLUMN_LABELS = {**{t.value: t.label for t in ApplicantType}, "total": "总计"}

HEAD_ROWS = [
    ("new_requests", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
]
TAIL_ROWS = [
    ("results_total", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
]

CHALLENGE_KINDS = ["review", "litigation_direct", "litigation_after_review"]
CHALLENGE_KIND_LABELS = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
CHALLENGE_RESULTS = ["upheld", "corrected", "other", "pending"]
CHALLENGE_COLUMNS = [*CHALLENGE_RESULTS, "total"]
CHALLENGE_RESULT_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


class ReportInputError(ValueError):
    """A bad request for a report (unknown format, row or column); message in Chinese."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def default_format_version(year: int) -> str:
    """The format of the report year: 2019 format up to 2020, 2021 format from 2021."""
    return "2019" if year <= 2020 else "2021"


def format_version_clean(value: str | None, year: int) -> str:
    if value in (None, ""):
        return default_format_version(year)
    value = str(value)
    if value not in FORMAT_VERSIONS:
        raise ReportInputError("报表格式只能是 2019 或 2021", "format_version")
    return value


def outcome_rows(format_version: str) -> list[tuple[str, str]]:
    return TABLE3_OUTCOME_ROWS_2019 if format_version == "2019" else TABLE3_OUTCOME_ROWS_2021


def table3_rows(format_version: str) -> list[tuple[str, str]]:
    """Every row (key, label) of table three in the published order."""
    return [*HEAD_ROWS, *outcome_rows(format_version), *TAIL_ROWS]


def table3_row_keys(format_version: str) -> list[str]:
    return [key for key, _ in table3_rows(format_version)]


# --- the one filter behind every cell -------------------------------------------------------
def row_q(row: str, year: int, format_version: str) -> Q:
    """Which (non-void) cases a row of table three counts for report year `year`."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    closed_in_year = Q(closed_on__gte=start, closed_on__lte=end)
    if row == "new_requests":
        return Q(received_on__gte=start, received_on__lte=end)
    if row == "carried_over":
        return Q(received_on__lt=start) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    if row == "results_total":
        return closed_in_year & Q(state__in=FINISHED_STATES)
    if row == "carried_forward":
        return Q(received_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    if row not in dict(outcome_rows(format_version)):
        raise ReportInputError(f"表三没有这一行：{row}", "row")
    if row == "other":  # 2019 format: 其他处理 is one row
        return closed_in_year & Q(state__in=FINISHED_STATES, outcome__startswith="other.")
    return closed_in_year & Q(state__in=FINISHED_STATES, outcome=row)


def column_q(column: str) -> Q:
    if column == "total":
        return Q()
    if column not in APPLICANT_TYPES:
        raise ReportInputError(f"表三没有这一列：{column}", "column")
    return Q(applicant_type=column)


def year_scope_q(year: int) -> Q:
    """Every case that can count anywhere in year `year`'s table (narrows the scan)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Q(received_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))


def counted_cases(agency_ids: Iterable[int]) -> QuerySet[Case]:
    """The cases of these agencies that statistics count at all: never a voided one."""
    return Case.objects.filter(agency_id__in=list(agency_ids)).exclude(state=CaseState.VOID)


def cell_q(row: str, column: str, year: int, format_version: str) -> Q:
    """The filter of one cell: the count and the drill-down list both use it."""
    return row_q(row, year, format_version) & column_q(column)


def cell_cases(
    agency_ids: Iterable[int], year: int, format_version: str, row: str, column: str
) -> QuerySet[Case]:
    return counted_cases(agency_ids).filter(cell_q(row, column, year, format_version))


# --- table three ------------------------------------------------------------------------------
def table3_compute(agency_ids: Iterable[int], year: int, format_version: str) -> dict:
    """Table three as {row: {column: n}}: ONE query grouped by applicant type.

    The total column sums every group the database returns (including any applicant type that
    is not one of the six), so a case with a bad type makes `total` differ from its cells and
    the consistency check names the cell instead of hiding it."""
    keys = table3_row_keys(format_version)
    if connection.vendor == "postgresql":
        grouped = _table3_groups_pg(sorted(set(agency_ids)), year, format_version, keys)
    else:
        grouped = _table3_queryset(agency_ids, year, format_version, keys)
    table = {key: {column: 0 for column in COLUMNS} for key in keys}
    for group in grouped:  # at most one row per applicant type, never one per case
        applicant_type = group["applicant_type"]
        for i, key in enumerate(keys):
            n = group[f"c{i}"]
            if applicant_type in APPLICANT_TYPES:
                table[key][applicant_type] += n
            table[key]["total"] += n
    return table


def _table3_queryset(agency_ids: Iterable[int], year: int, format_version: str, keys) -> QuerySet:
    aggregates = {
        f"c{i}": Count("id", filter=row_q(key, year, format_version)) for i, key in enumerate(keys)
    }
    return (
        counted_cases(agency_ids)
        .filter(year_scope_q(year))
        .values("applicant_type")
        .annotate(**aggregates)
        .order_by()
    )


# The compiled SQL of table three per (year, format): compiling the query's 17 FILTERed counts
# costs as much as running it for one agency, so it is compiled once (from the same queryset,
# the same `row_q` filters) with the agency ids as ONE array parameter.
_TABLE3_SQL: dict[tuple[int, str], tuple[str, list, int]] = {}
_AGENCY_MARKER = -7_310_000_000  # no agency has this id: it marks the parameter to replace
_AGENCY_IN = '"requests_app_case"."agency_id" IN (%s)'


def _table3_groups_pg(agency_ids: list[int], year: int, format_version: str, keys) -> list:
    cached = _TABLE3_SQL.get((year, format_version))
    if cached is None:
        queryset = _table3_queryset([_AGENCY_MARKER], year, format_version, keys)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        params = list(params)
        assert sql.count(_AGENCY_IN) == 1 and params.count(_AGENCY_MARKER) == 1, sql
        sql = sql.replace(_AGENCY_IN, '"requests_app_case"."agency_id" = ANY(%s::bigint[])')
        cached = _TABLE3_SQL[(year, format_version)] = (sql, params, params.index(_AGENCY_MARKER))
    sql, params, position = cached
    params = [*params[:position], agency_ids, *params[position + 1 :]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table3_sum(tables: Iterable[dict], format_version: str) -> dict:
    """Cell-by-cell sum of several tables (e.g. snapshots of units)."""
    keys = table3_row_keys(format_version)
    result = {key: {column: 0 for column in COLUMNS} for key in keys}
    for table in tables:
        for key in keys:
            for column in COLUMNS:
                result[key][column] += table[key][column]
    return result


@dataclass
class Failure:
    cell: str
    message: str


def table3_check(table: dict, format_version: str) -> list[Failure]:
    """勾稽关系 (SPEC §3), in every column; each failure names its cell."""
    failures: list[Failure] = []
    labels = dict(table3_rows(format_version))
    for key in table3_row_keys(format_version):
        cells = sum(table[key][t] for t in APPLICANT_TYPES)
        if cells != table[key]["total"]:
            failures.append(
                Failure(
                    f"{key}.total",
                    f"“{labels[key]}”的总计 {table[key]['total']} 不等于六类申请人之和 {cells}",
                )
            )
    outcome_keys = [key for key, _ in outcome_rows(format_version)]
    for column in COLUMNS:
        outcomes = sum(table[key][column] for key in outcome_keys)
        if outcomes != table["results_total"][column]:
            failures.append(
                Failure(
                    f"results_total.{column}",
                    f"“{COLUMN_LABELS[column]}”列（七）总计 {table['results_total'][column]}"
                    f" 不等于各办理结果之和 {outcomes}",
                )
            )
        left = table["new_requests"][column] + table["carried_over"][column]
        right = table["results_total"][column] + table["carried_forward"][column]
        if left != right:
            failures.append(
                Failure(
                    f"carried_forward.{column}",
                    f"“{COLUMN_LABELS[column]}”列：本年新收 + 上年结转 = {left}，"
                    f"而办理结果总计 + 结转下年度 = {right}",
                )
            )
    return failures


# --- table four -------------------------------------------------------------------------------
def challenge_result_q(result: str, year: int) -> Q:
    """A record's result as of 31 December of `year` (concluded later: still pending then)."""
    end = dt.date(year, 12, 31)
    concluded = Q(concluded_on__isnull=False, concluded_on__lte=end)
    if result == "pending":
        return ~concluded | Q(result="pending")
    return concluded & Q(result=result)


def challenge_cell_q(kind: str, column: str, year: int) -> Q:
    if kind not in CHALLENGE_KINDS:
        raise ReportInputError(f"表四没有这一类：{kind}", "kind")
    if column not in CHALLENGE_COLUMNS:
        raise ReportInputError(f"表四没有这一列：{column}", "column")
    q = Q(kind=kind, filed_on__gte=dt.date(year, 1, 1), filed_on__lte=dt.date(year, 12, 31))
    if column != "total":
        q &= challenge_result_q(column, year)
    return q


def counted_challenges(agency_ids: Iterable[int]) -> QuerySet[LegalChallenge]:
    return LegalChallenge.objects.filter(case__agency_id__in=list(agency_ids)).exclude(
        case__state=CaseState.VOID
    )


def table4_compute(agency_ids: Iterable[int], year: int) -> dict:
    """Table four as {kind: {result: n, total: n}}: ONE aggregate query."""
    aggregates = {
        f"{kind}__{column}": Count("id", filter=challenge_cell_q(kind, column, year))
        for kind in CHALLENGE_KINDS
        for column in CHALLENGE_COLUMNS
    }
    counts = counted_challenges(agency_ids).aggregate(**aggregates)
    return {
        kind: {column: counts[f"{kind}__{column}"] for column in CHALLENGE_COLUMNS}
        for kind in CHALLENGE_KINDS
    }


def table4_check(table: dict) -> list[Failure]:
    failures = []
    for kind in CHALLENGE_KINDS:
        parts = sum(table[kind][r] for r in CHALLENGE_RESULTS)
        if parts != table[kind]["total"]:
            failures.append(
                Failure(
                    f"table4.{kind}.total",
                    f"表四“{CHALLENGE_KIND_LABELS[kind]}”总计 {table[kind]['total']}"
                    f" 不等于各结果之和 {parts}",
                )
            )
    return failures


# --- the report -----------------------------------------------------------------------------
@dataclass
class AnnualReport:
    agency_code: str
    agency_name: str
    year: int
    format_version: str
    consolidated: bool
    table3: dict
    table4: dict
    failures: list[Failure] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.failures

    def as_json(self) -> dict:
        """The contract of SPEC §9, key for key."""
        return {
            "agency": self.agency_code,
            "year": self.year,
            "format_version": self.format_version,
            "consolidated": self.consolidated,
            "table3": {key: dict(self.table3[key]) for key in table3_row_keys(self.format_version)},
            "table4": {kind: dict(self.table4[kind]) for kind in CHALLENGE_KINDS},
            "consistent": self.consistent,
        }

    def failing_cells(self) -> set[str]:
        return {failure.cell for failure in self.failures}


def annual_report_build(
    *, agency, year: int, format_version: str | None = None, consolidated: bool = False
) -> AnnualReport:
    """Table three and four of one agency (or its subtree, summed cell by cell) for a year.

    Two aggregate queries, plus one for the agency tree when consolidated."""
    format_version = format_version_clean(format_version, year)
    agency_ids = agency_subtree_ids(agency.id) if consolidated else {agency.id}
    table3 = table3_compute(agency_ids, year, format_version)
    table4 = table4_compute(agency_ids, year)
    return AnnualReport(
        agency_code=agency.code,
        agency_name=agency.name,
        year=year,
        format_version=format_version,
        consolidated=consolidated,
        table3=table3,
        table4=table4,
        failures=[*table3_check(table3, format_version), *table4_check(table4)],
    )


def report_agency_ids(agency, consolidated: bool) -> set[int]:
    return agency_subtree_ids(agency.id) if consolidated else {agency.id}
