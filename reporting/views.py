"""Report pages: the annual report per agency and year (table three as published, table four,
consistency, drill-down, downloads, publishing, snapshot comparison), table two and the
staff-written sections, the statistics page, and review/litigation records on the case page.

Thin views: access through `reporting.selectors`, numbers from `reporting.stats`, writes
through `reporting.services`."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency, Membership, Role
from common.downloads import download_name, file_download
from requests_app.models import Case, LegalChallenge
from requests_app.rules import RuleViolation
from requests_app.selectors import case_get_for_user

from . import charts, circulars, selectors, services
from .exports import (
    SECTION_TITLES,
    report_csv_bytes,
    report_json_bytes,
    report_xlsx_bytes,
    table3_label_cells,
    table3_layout,
)
from .forms import ChallengeForm, SectionsForm
from .models import Circular, PublishedReport
from .stats import (
    CHALLENGE_COLUMNS,
    CHALLENGE_KIND_LABELS,
    CHALLENGE_KINDS,
    CHALLENGE_RESULT_LABELS,
    COLUMN_LABELS,
    COLUMNS,
    ReportInputError,
    annual_report_build,
    cell_cases,
    challenge_cell_q,
    counted_challenges,
    default_format_version,
    format_version_clean,
    report_agency_ids,
    table3_rows,
)

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _params(request, year: int) -> tuple[str, bool]:
    consolidated = request.GET.get("consolidated") in ("1", "true", "on")
    try:
        format_version = format_version_clean(request.GET.get("format_version"), year)
    except ReportInputError as exc:
        raise Http404(exc.message) from exc
    return format_version, consolidated


def _query(format_version: str, consolidated: bool, year: int) -> str:
    parts = []
    if format_version != default_format_version(year):
        parts.append(f"format_version={format_version}")
    if consolidated:
        parts.append("consolidated=1")
    return ("?" + "&".join(parts)) if parts else ""


@login_required
def report_index(request):
    """Agencies whose reports the user may open, with recent years."""
    agencies = selectors.report_agencies_for_user(request.user)
    this_year = timezone.localdate().year
    years = list(range(this_year, 2018, -1))  # from the 2019 format on
    supervised = selectors.supervised_agency_ids(request.user)
    return render(
        request,
        "reporting/index.html",
        {
            "agencies": agencies,
            "years": years,
            "supervised": supervised,
            "default_year": this_year - 1,
        },
    )


@login_required
def annual_report_page(request, code: str, year: int):
    format_version, consolidated = _params(request, year)
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    report = annual_report_build(
        agency=agency, year=year, format_version=format_version, consolidated=consolidated
    )
    agency_ids = report_agency_ids(agency, consolidated)
    snapshot = selectors.published_latest(agency, year, consolidated)
    differences, changed = [], {}
    if snapshot is not None:
        live = report
        if snapshot.format_version != format_version:
            live = annual_report_build(
                agency=agency,
                year=year,
                format_version=snapshot.format_version,
                consolidated=consolidated,
            )
        differences = services.snapshot_differences(snapshot, live)
        if differences:
            changed = services.snapshot_changed_cases(snapshot, agency_ids)
    carry = services.carry_over_check(agency=agency, year=year, live=report)
    due = services.publication_due(year, consolidated)
    failing = report.failing_cells()
    layout = table3_layout(format_version)
    label_cells = table3_label_cells(format_version)
    labels = dict(table3_rows(format_version))
    rows = [
        {
            "key": row.key,
            "label": labels[row.key],
            "label_cells": label_cells[i],
            "cells": [
                {
                    "column": column,
                    "value": report.table3[row.key][column],
                    "failing": f"{row.key}.{column}" in failing,
                }
                for column in COLUMNS
            ],
        }
        for i, row in enumerate(layout)
    ]
    table4 = [
        {
            "kind": kind,
            "label": CHALLENGE_KIND_LABELS[kind],
            "cells": [(column, report.table4[kind][column]) for column in CHALLENGE_COLUMNS],
        }
        for kind in CHALLENGE_KINDS
    ]
    changed_cases = {}
    if changed:
        ids = {i for entry in changed.values() for part in entry.values() for i in part}
        by_id = Case.objects.in_bulk(ids)
        labels_all = dict(table3_rows(snapshot.format_version))
        changed_cases = {
            labels_all[key]: {
                "left": [by_id[i] for i in entry["left"] if i in by_id],
                "entered": [by_id[i] for i in entry["entered"] if i in by_id],
            }
            for key, entry in changed.items()
        }
    return render(
        request,
        "reporting/annual.html",
        {
            "agency": agency,
            "year": year,
            "report": report,
            "rows": rows,
            "columns": [(c, COLUMN_LABELS[c]) for c in COLUMNS],
            "table4": table4,
            "challenge_columns": [(c, CHALLENGE_RESULT_LABELS[c]) for c in CHALLENGE_COLUMNS],
            "format_version": format_version,
            "other_format": "2021" if format_version == "2019" else "2019",
            "consolidated": consolidated,
            "query": _query(format_version, consolidated, year),
            "other_format_query": _query(
                "2021" if format_version == "2019" else "2019", consolidated, year
            ),
            "can_publish": selectors.user_can_publish(request.user, agency, consolidated),
            "can_consolidate": selectors.user_supervises(request.user, agency),
            "can_edit_sections": not consolidated
            and (
                selectors.user_supervises(request.user, agency)
                or selectors.user_is_staff_of(request.user, agency)
            ),
            "snapshot": snapshot,
            "snapshots": PublishedReport.objects.filter(
                agency=agency, year=year, consolidated=consolidated
            ).select_related("published_by"),
            "differences": differences,
            "changed_cases": changed_cases,
            "carry": carry,
            "due": due,
            "overdue": snapshot is None and timezone.localdate() > due,
            "corrections": selectors.corrections_for_year(agency_ids, year),
            "section_titles": SECTION_TITLES,
        },
    )


@login_required
def cell_list(request, code: str, year: int, row: str, column: str):
    """The cases one cell of table three counts (the same filter as the count)."""
    format_version, consolidated = _params(request, year)
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    agency_ids = report_agency_ids(agency, consolidated)
    try:
        cases = cell_cases(agency_ids, year, format_version, row, column)
    except ReportInputError as exc:
        raise Http404(exc.message) from exc
    cases = cases.select_related("agency").order_by("received_on", "id")
    return render(
        request,
        "reporting/cell.html",
        {
            "agency": agency,
            "year": year,
            "row_label": dict(table3_rows(format_version))[row],
            "column_label": COLUMN_LABELS[column],
            "cases": cases,
            "consolidated": consolidated,
            "query": _query(format_version, consolidated, year),
        },
    )


@login_required
def challenge_list(request, code: str, year: int, kind: str, column: str):
    """The review/litigation records one cell of table four counts."""
    format_version, consolidated = _params(request, year)
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    try:
        q = challenge_cell_q(kind, column, year)
    except ReportInputError as exc:
        raise Http404(exc.message) from exc
    records = (
        counted_challenges(report_agency_ids(agency, consolidated))
        .filter(q)
        .select_related("case", "case__agency")
        .order_by("filed_on", "id")
    )
    return render(
        request,
        "reporting/challenge_cell.html",
        {
            "agency": agency,
            "year": year,
            "kind_label": CHALLENGE_KIND_LABELS[kind],
            "column_label": CHALLENGE_RESULT_LABELS[column],
            "records": records,
            "query": _query(format_version, consolidated, year),
        },
    )


@login_required
def report_download(request, code: str, year: int, ext: str):
    format_version, consolidated = _params(request, year)
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    report = annual_report_build(
        agency=agency, year=year, format_version=format_version, consolidated=consolidated
    )
    if ext == "json":
        content = report_json_bytes(report)
    elif ext == "csv":
        content = report_csv_bytes(report)
    elif ext == "xlsx":
        content = report_xlsx_bytes(report)
    elif ext == "docx":
        content = services.report_docx(report, agency)
    else:
        raise Http404("不支持的格式")
    return file_download(
        content,
        download_name(
            agency.name,
            f"{year}年度报告",
            "汇总" if consolidated else "",
            f"{format_version}格式",
            ext=ext,
        ),
        CONTENT_TYPES[ext],
    )


@login_required
def snapshot_download(request, code: str, year: int, revision: int, ext: str):
    consolidated = request.GET.get("consolidated") in ("1", "true", "on")
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    snapshot = get_object_or_404(
        PublishedReport, agency=agency, year=year, consolidated=consolidated, revision=revision
    )
    if ext == "docx":
        content = bytes(snapshot.docx)
    elif ext == "json":
        content = json.dumps(snapshot.data, ensure_ascii=False, indent=2)
    else:
        raise Http404("不支持的格式")
    name = download_name(
        agency.name,
        f"{year}年度报告",
        "汇总" if consolidated else "",
        f"已发布第{revision}版",
        ext=ext,
    )
    return file_download(content, name, CONTENT_TYPES[ext])


@login_required
@require_POST
def report_publish(request, code: str, year: int):
    format_version, consolidated = _params(request, year)
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    url = reverse("reporting:annual", args=[agency.code, year]) + _query(
        format_version, consolidated, year
    )
    try:
        snapshot = services.report_publish(
            agency=agency,
            year=year,
            by=request.user,
            consolidated=consolidated,
            format_version=format_version,
        )
    except RuleViolation as exc:
        messages.error(request, str(exc))
        return redirect(url)
    messages.success(request, f"已发布 {year} 年度报告（第 {snapshot.revision} 版），数据已冻结。")
    return redirect(url)


@login_required
def sections_edit(request, code: str, year: int):
    """Table two (fields of the year's format) and sections one, five and six."""
    agency = selectors.report_agency_get_for_user(request.user, code=code)
    if not (
        selectors.user_supervises(request.user, agency)
        or selectors.user_is_staff_of(request.user, agency)
    ):
        raise Http404("机关不存在")
    sections = selectors.sections_get(agency, year)
    format_version = (
        request.POST.get("format_version")
        or request.GET.get("format_version")
        or (sections.format_version if sections else default_format_version(year))
    )
    if format_version not in ("2019", "2021"):
        raise Http404("报表格式不正确")
    initial = {}
    if sections:
        initial = {
            "overview": sections.overview,
            "problems": sections.problems,
            "other_matters": sections.other_matters,
            **(sections.table2 if sections.format_version == format_version else {}),
        }
    if request.method == "POST":
        form = SectionsForm(request.POST, format_version=format_version)
        if form.is_valid():
            try:
                services.report_sections_save(
                    agency=agency,
                    year=year,
                    by=request.user,
                    format_version=format_version,
                    table2=form.table2_values(),
                    overview=form.cleaned_data["overview"],
                    problems=form.cleaned_data["problems"],
                    other_matters=form.cleaned_data["other_matters"],
                )
            except services.SectionsInvalid as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, "已保存表二及报告文字。")
                return redirect(reverse("reporting:annual", args=[agency.code, year]))
    else:
        form = SectionsForm(initial=initial, format_version=format_version)
    return render(
        request,
        "reporting/sections.html",
        {
            "agency": agency,
            "year": year,
            "form": form,
            "blocks": form.block_rows(),
            "format_version": format_version,
            "other_format": "2021" if format_version == "2019" else "2019",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def statistics_page(request, code: str, year: int):
    """Charts: outcome mix, monthly intake and closures, on-time rate by unit (inline SVG)."""
    consolidated = request.GET.get("consolidated") in ("1", "true", "on")
    agency = selectors.report_agency_get_for_user(
        request.user, code=code, consolidated=consolidated
    )
    agency_ids = report_agency_ids(agency, consolidated)
    mix = selectors.outcome_mix(agency_ids, year)
    received, closed = selectors.monthly_counts(agency_ids, year)
    units = selectors.on_time_by_unit(agency_ids, year)
    return render(
        request,
        "reporting/statistics.html",
        {
            "agency": agency,
            "year": year,
            "consolidated": consolidated,
            "can_consolidate": selectors.user_supervises(request.user, agency),
            "mix": mix,
            "received": received,
            "closed": closed,
            "months": [(m + 1, received[m], closed[m]) for m in range(12)],
            "units": units,
            "mix_chart": charts.hbar_chart(f"{year}年办理结果构成", mix, unit=" 件"),
            "monthly_chart": charts.monthly_chart(
                f"{year}年每月新收与办结", [("新收", received), ("办结", closed)]
            ),
            "on_time_chart": charts.hbar_chart(
                f"{year}年各单位按期办结率",
                [(u["name"], u["rate"]) for u in units],
                unit="%",
                max_value=100,
            ),
        },
    )


# --- review and litigation records on the case page -------------------------------------------
@login_required
@require_POST
def challenge_add(request, public_id):
    return _challenge_save(request, public_id, None)


@login_required
@require_POST
def challenge_edit(request, public_id, pk: int):
    return _challenge_save(request, public_id, pk)


def _challenge_save(request, public_id, pk: int | None):
    case = case_get_for_user(request.user, public_id=public_id)
    if pk is not None:
        get_object_or_404(LegalChallenge, pk=pk, case=case)
    url = reverse("requests_app:case_detail", args=[case.public_id]) + "#challenges"
    form = ChallengeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect(url)
    try:
        services.challenge_save(
            case_id=case.id,
            by=request.user,
            data=form.cleaned_data,
            challenge_id=pk,
            reason=request.POST.get("reason", ""),
        )
    except services.SectionsInvalid as exc:
        for message in exc.errors.values():
            messages.error(request, message)
    except RuleViolation as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存复议、诉讼情况。")
    return redirect(url)


# --- monthly circulars (SPEC §7) -------------------------------------------------------------
def _supervised_agency(request, code: str):
    agency = get_object_or_404(Agency, code=code)
    if not selectors.user_supervises(request.user, agency):
        raise Http404("机关不存在")
    return agency


@login_required
def circular_home(request):
    """The circulars of the first office the user supervises."""
    membership = (
        Membership.objects.filter(user=request.user, role=Role.SUPERVISOR)
        .select_related("agency")
        .order_by("agency__code")
        .first()
    )
    if membership is None:
        raise Http404("没有可查看的通报")
    return redirect("reporting:circulars", code=membership.agency.code)


@login_required
def circular_index(request, code: str):
    agency = _supervised_agency(request, code)
    year, month = circulars.previous_month(timezone.localdate())
    return redirect("reporting:circular", code=agency.code, year=year, month=month)


@login_required
def circular_page(request, code: str, year: int, month: int):
    """The month's circular: the frozen one when produced, else a live preview."""
    agency = _supervised_agency(request, code)
    if not 1 <= month <= 12:
        raise Http404("月份无效")
    _, month_end = circulars.month_bounds(year, month)
    if request.method == "POST":
        if month_end >= timezone.localdate():
            messages.error(request, "本月尚未结束，不能生成通报")
        else:
            circulars.circular_produce(agency=agency, year=year, month=month, by=request.user)
            messages.success(request, f"已生成 {year} 年 {month} 月通报")
        return redirect("reporting:circular", code=code, year=year, month=month)
    frozen = Circular.objects.filter(agency=agency, year=year, month=month).first()
    rows = frozen.rows if frozen else circulars.circular_compute(agency, year, month)
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = month_end + dt.timedelta(days=1)
    return render(
        request,
        "reporting/circular.html",
        {
            "agency": agency,
            "year": year,
            "month": month,
            "rows": rows,
            "columns": circulars.COLUMNS,
            "formula": circulars.circular_formula(rows),
            "frozen": frozen,
            "can_produce": frozen is None and month_end < timezone.localdate(),
            "previous": previous,
            "following": following,
            "produced": Circular.objects.filter(agency=agency).order_by("-year", "-month")[:24],
        },
    )


@login_required
def circular_download(request, code: str, year: int, month: int, ext: str):
    agency = _supervised_agency(request, code)
    if ext not in ("docx", "xlsx") or not 1 <= month <= 12:
        raise Http404("格式无效")
    frozen = Circular.objects.filter(agency=agency, year=year, month=month).first()
    rows = frozen.rows if frozen else circulars.circular_compute(agency, year, month)
    build = circulars.circular_docx_bytes if ext == "docx" else circulars.circular_xlsx_bytes
    return file_download(
        build(agency.name, year, month, rows),
        download_name(agency.name, f"{year}年{month}月通报", ext=ext),
        CONTENT_TYPES[ext],
    )
