"""Writes of the reporting app: sections and table two, publishing (a frozen snapshot, and the
year recorded as published in `periods`, whose lock every writer of counted data asks), and
review/litigation records (table four).

Reporting never changes a case; it only refuses changes that would alter a published figure
unless an approver gives a reason, and records that correction in the case's history."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max

from agencies.models import Agency, Role
from agencies.selectors import user_has_role
from periods.services import period_publish
from requests_app.history import history_write
from requests_app.models import (
    Case,
    ChallengeKind,
    ChallengeResult,
    EventKind,
    LegalChallenge,
)
from requests_app.rules import RuleViolation
from requests_app.services.period_lock import challenge_period_check

from . import selectors
from .exports import ReportTexts, report_docx_bytes
from .models import PublishedReport, ReportSections
from .stats import (
    CHALLENGE_COLUMNS,
    CHALLENGE_KIND_LABELS,
    COLUMN_LABELS,
    COLUMNS,
    AnnualReport,
    annual_report_build,
    cell_cases,
    default_format_version,
    report_agency_ids,
    table3_row_keys,
    table3_rows,
)
from .table2 import table2_fields

MSG_PUBLISH_NOT_PERMITTED = "只有本机关审核人或政务公开办可以发布年度报告"
MSG_PUBLISH_INCONSISTENT = "勾稽关系不成立，不能发布：{cells}"
MSG_CHALLENGE_NOT_PERMITTED = "只有本机关承办人或审核人可以登记复议、诉讼情况"

CHALLENGE_ROLES = {Role.HANDLER, Role.APPROVER}


# --- sections and table two -------------------------------------------------------------------
def table2_clean(data: dict[str, Any], format_version: str) -> dict[str, Any]:
    """Validate table two against its format; errors name the field in Chinese."""
    cleaned, errors = {}, {}
    for name, label, kind in table2_fields(format_version):
        raw = data.get(name)
        if raw in (None, ""):
            cleaned[name] = None
            continue
        try:
            if kind == "amount":
                value = Decimal(str(raw))
                if value < 0 or not value.is_finite():
                    raise InvalidOperation
                cleaned[name] = str(value.quantize(Decimal("0.01")))
            else:
                value = int(str(raw))
                if kind == "int" and value < 0:
                    raise ValueError
                cleaned[name] = value
        except (InvalidOperation, ValueError):
            errors[name] = f"{label}：请填写{'金额' if kind == 'amount' else '整数'}"
    if errors:
        raise SectionsInvalid(errors)
    return cleaned


class SectionsInvalid(RuleViolation):
    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], first)
        self.errors = errors


@transaction.atomic
def report_sections_save(
    *,
    agency: Agency,
    year: int,
    by,
    format_version: str | None = None,
    table2: dict,
    overview: str,
    problems: str,
    other_matters: str,
) -> ReportSections:
    """Save the staff-written sections and table two of an agency's year (all or nothing)."""
    if not (selectors.user_supervises(by, agency) or selectors.user_is_staff_of(by, agency)):
        raise RuleViolation("无权编辑该机关的年度报告")
    format_version = format_version or default_format_version(year)
    cleaned = table2_clean(table2, format_version)
    sections, _ = ReportSections.objects.select_for_update().get_or_create(
        agency=agency, year=year, defaults={"format_version": format_version}
    )
    sections.format_version = format_version
    sections.table2 = cleaned
    sections.overview, sections.problems, sections.other_matters = overview, problems, other_matters
    sections.updated_by = by
    sections.save()
    return sections


def report_texts(agency: Agency, year: int, agency_ids, format_version: str) -> ReportTexts:
    sections = selectors.sections_get(agency, year)
    fee_total, fee_cases = selectors.fees_for_year(agency_ids, year)
    if sections is None:
        return ReportTexts(table2_format=format_version, fee_total=fee_total, fee_cases=fee_cases)
    return ReportTexts(
        overview=sections.overview,
        problems=sections.problems,
        other_matters=sections.other_matters,
        table2=sections.table2,
        table2_format=sections.format_version,
        fee_total=fee_total,
        fee_cases=fee_cases,
    )


def report_docx(report: AnnualReport, agency: Agency) -> bytes:
    agency_ids = report_agency_ids(agency, report.consolidated)
    return report_docx_bytes(
        report, report_texts(agency, report.year, agency_ids, report.format_version)
    )


# --- publishing -------------------------------------------------------------------------------
@transaction.atomic
def report_publish(
    *, agency: Agency, year: int, by, consolidated: bool = False, format_version: str | None = None
) -> PublishedReport:
    """Freeze the report as published: JSON, .docx, the cases behind each row, who and when.

    An inconsistent report cannot be published. Publishing again adds a revision."""
    if not selectors.user_can_publish(by, agency, consolidated):
        raise RuleViolation(MSG_PUBLISH_NOT_PERMITTED)
    # Serialise publications of the same report.
    Agency.objects.select_for_update().get(pk=agency.pk)
    report = annual_report_build(
        agency=agency, year=year, format_version=format_version, consolidated=consolidated
    )
    if not report.consistent:
        cells = "、".join(sorted(report.failing_cells()))
        raise RuleViolation(MSG_PUBLISH_INCONSISTENT.format(cells=cells))
    agency_ids = report_agency_ids(agency, consolidated)
    case_ids = {
        key: list(
            cell_cases(agency_ids, year, report.format_version, key, "total")
            .order_by("id")
            .values_list("id", flat=True)
        )
        for key in table3_row_keys(report.format_version)
        if report.table3[key]["total"]
    }
    docx = report_docx(report, agency)
    last = (
        PublishedReport.objects.filter(
            agency=agency, year=year, consolidated=consolidated
        ).aggregate(m=Max("revision"))["m"]
        or 0
    )
    period_publish(agency_id=agency.id, year=year)  # the year's figures are frozen (periods)
    return PublishedReport.objects.create(
        agency=agency,
        year=year,
        consolidated=consolidated,
        revision=last + 1,
        format_version=report.format_version,
        data=report.as_json(),
        case_ids=case_ids,
        docx=docx,
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        published_by=by,
    )


def publication_due(year: int, consolidated: bool) -> dt.date:
    """Departments publish by 31 January; the consolidated (municipal) overview by 31 March."""
    return dt.date(year + 1, 3, 31) if consolidated else dt.date(year + 1, 1, 31)


def snapshot_differences(snapshot: PublishedReport, live: AnnualReport) -> list[dict]:
    """Cells whose live figure differs from the published snapshot (never applied silently)."""
    diffs = []
    labels = dict(table3_rows(snapshot.format_version))
    published = snapshot.data
    current = live.as_json()
    for key in table3_row_keys(snapshot.format_version):
        for column in COLUMNS:
            old = published["table3"].get(key, {}).get(column, 0)
            new = current["table3"].get(key, {}).get(column, 0)
            if old != new:
                diffs.append(
                    {
                        "table": "表三",
                        "row": labels[key],
                        "column": COLUMN_LABELS[column],
                        "key": f"{key}.{column}",
                        "published": old,
                        "live": new,
                    }
                )
    for kind, kind_label in CHALLENGE_KIND_LABELS.items():
        for column in CHALLENGE_COLUMNS:
            old = published["table4"][kind][column]
            new = current["table4"][kind][column]
            if old != new:
                diffs.append(
                    {
                        "table": "表四",
                        "row": kind_label,
                        "column": column,
                        "key": f"table4.{kind}.{column}",
                        "published": old,
                        "live": new,
                    }
                )
    return diffs


def snapshot_changed_cases(snapshot: PublishedReport, agency_ids) -> dict[str, dict]:
    """Per row whose cases changed: the case ids that left it and that entered it since publishing."""
    result = {}
    for key in table3_row_keys(snapshot.format_version):
        old_ids = set(snapshot.case_ids.get(key, []))
        new_ids = set(
            cell_cases(
                agency_ids, snapshot.year, snapshot.format_version, key, "total"
            ).values_list("id", flat=True)
        )
        if old_ids != new_ids:
            result[key] = {"left": sorted(old_ids - new_ids), "entered": sorted(new_ids - old_ids)}
    return result


def carry_over_check(*, agency: Agency, year: int, live: AnnualReport) -> dict | None:
    """carried_over(Y) must equal the published carried_forward(Y−1).

    None when Y−1 was not published; otherwise {'ok', 'published', 'live', 'cases'} where cases
    are those in one figure and not the other, with their history since publication."""
    previous = selectors.published_latest(agency, year - 1, live.consolidated)
    if previous is None:
        return None
    published = previous.data["table3"]["carried_forward"]
    current = live.table3["carried_over"]
    ok = all(published.get(column) == current[column] for column in current)
    result = {"ok": ok, "published": published, "live": current, "snapshot": previous, "cases": []}
    if not ok:
        agency_ids = report_agency_ids(agency, live.consolidated)
        old_ids = set(previous.case_ids.get("carried_forward", []))
        new_ids = set(
            cell_cases(agency_ids, year, live.format_version, "carried_over", "total").values_list(
                "id", flat=True
            )
        )
        changed = old_ids ^ new_ids
        cases = Case.objects.filter(id__in=changed).select_related("agency").order_by("id")
        events = list(selectors.cases_changed_since(changed, previous.published_at))
        result["cases"] = [
            {
                "case": case,
                "in_published": case.id in old_ids,
                "in_live": case.id in new_ids,
                "events": [e for e in events if e.case_id == case.id],
            }
            for case in cases
        ]
    return result


# --- table four: review and litigation records ---------------------------------------------------
CHALLENGE_FIELDS = ["kind", "filed_on", "result", "concluded_on", "note"]


def challenge_clean(data: dict[str, Any], case: Case) -> dict[str, Any]:
    errors = {}
    kind = data.get("kind") or ""
    if kind not in ChallengeKind.values:
        errors["kind"] = "类型：请选择行政复议、未经复议直接起诉或复议后起诉"
    result = data.get("result") or ChallengeResult.PENDING
    if result not in ChallengeResult.values:
        errors["result"] = "结果：请选择结果维持、结果纠正、其他结果或尚未审结"
    filed_on = _date(data.get("filed_on"))
    if filed_on is None:
        errors["filed_on"] = "申请/起诉日期：请填写日期（YYYY-MM-DD）"
    concluded_on = _date(data.get("concluded_on"))
    if data.get("concluded_on") not in (None, "") and concluded_on is None:
        errors["concluded_on"] = "审结日期：请填写日期（YYYY-MM-DD）"
    elif result == ChallengeResult.PENDING and concluded_on is not None:
        errors["concluded_on"] = "审结日期：尚未审结的不填写审结日期"
    elif result != ChallengeResult.PENDING and concluded_on is None and "result" not in errors:
        errors["concluded_on"] = "审结日期：已审结的请填写审结日期"
    elif filed_on and concluded_on and concluded_on < filed_on:
        errors["concluded_on"] = "审结日期：不能早于申请/起诉日期"
    if filed_on and filed_on < case.received_on:
        errors["filed_on"] = "申请/起诉日期：不能早于收到申请之日"
    if errors:
        raise SectionsInvalid(errors)
    return {
        "kind": kind,
        "filed_on": filed_on,
        "result": result,
        "concluded_on": concluded_on,
        "note": (data.get("note") or "").strip(),
    }


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


CHALLENGE_COUNTED_FIELDS = ["kind", "filed_on", "result", "concluded_on"]  # table four


@transaction.atomic
def challenge_save(
    *, case_id: int, by, data: dict[str, Any], challenge_id: int | None = None, reason: str = ""
) -> LegalChallenge:
    """Add or edit a review/litigation record; the case history records old and new values.

    Table four of a published year is locked like every counted figure (periods): a record
    filed in a published year, or a change of a counted field of one, needs an approver of the
    agency and a reason, and is recorded as a correction."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if by is None or not user_has_role(by, case.agency_id, CHALLENGE_ROLES):
        raise RuleViolation(MSG_CHALLENGE_NOT_PERMITTED)
    cleaned = challenge_clean(data, case)
    if challenge_id is None:
        year = cleaned["filed_on"].year
        challenge_period_check(
            case=case, by=by, first_year=year, last_year=year, reason=reason, fields=["challenge"]
        )
        challenge = LegalChallenge.objects.create(case=case, **cleaned)
        changes = {"challenge": challenge.id, **{k: _plain(v) for k, v in cleaned.items()}}
    else:
        challenge = LegalChallenge.objects.select_for_update().get(pk=challenge_id, case=case)
        changes = {
            name: [_plain(getattr(challenge, name)), _plain(cleaned[name])]
            for name in CHALLENGE_FIELDS
            if getattr(challenge, name) != cleaned[name]
        }
        if not changes:
            return challenge
        counted = [name for name in CHALLENGE_COUNTED_FIELDS if name in changes]
        if counted:
            years = (challenge.filed_on.year, cleaned["filed_on"].year)
            challenge_period_check(
                case=case,
                by=by,
                first_year=min(years),
                last_year=max(years),
                reason=reason,
                fields=[f"challenge.{name}" for name in counted],
            )
        for name in changes:
            setattr(challenge, name, cleaned[name])
        challenge.save()
        changes["challenge"] = challenge.id
    history_write(case=case, kind=EventKind.CHALLENGE, by=by, reason=reason, changes=changes)
    return challenge


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value
