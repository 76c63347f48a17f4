"""Reads for reports: who may see which agency's report, snapshots, corrections, fees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.http import Http404

from agencies.models import Agency, Membership, Role
from agencies.selectors import STAFF_ROLES, agency_subtree_ids, user_visible_agency_ids
from requests_app.models import FINISHED_STATES, CaseEvent, EventKind

from .models import PublishedReport, ReportSections
from .stats import counted_cases


def agency_ancestor_ids(agency: Agency) -> list[int]:
    """The agency and every agency above it, nearest first."""
    ids, seen = [], set()
    parents = dict(Agency.objects.values_list("id", "parent_id"))
    current = agency.id
    while current is not None and current not in seen:
        seen.add(current)
        ids.append(current)
        current = parents.get(current)
    return ids


def user_supervises(user, agency: Agency) -> bool:
    """A supervisor of the agency or of an agency above it."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, role=Role.SUPERVISOR, agency_id__in=agency_ancestor_ids(agency)
    ).exists()


def supervised_agency_ids(user) -> set[int]:
    """Every agency the user supervises (their supervisor agencies' subtrees), in two queries."""
    if not user.is_authenticated:
        return set()
    roots = Membership.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    )
    supervised: set[int] = set()
    for root in roots:
        supervised |= agency_subtree_ids(root)
    return supervised


def user_is_staff_of(user, agency: Agency) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, agency=agency, role__in=STAFF_ROLES).exists()


def report_agency_get_for_user(user, *, code: str, consolidated: bool = False) -> Agency:
    """The agency whose report the user may read, or 404 (never 403).

    Staff of the agency read its own report; supervisors of it or an ancestor read its own and
    its consolidated report."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404("机关不存在")
    if user_supervises(user, agency):
        return agency
    if not consolidated and user_is_staff_of(user, agency):
        return agency
    raise Http404("机关不存在")


def user_can_publish(user, agency: Agency, consolidated: bool) -> bool:
    """Approvers publish their agency's report; supervisors any report they may read."""
    if user_supervises(user, agency):
        return True
    if consolidated or not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, agency=agency, role=Role.APPROVER).exists()


def report_agencies_for_user(user) -> list[Agency]:
    """Agencies whose reports the user may open (for the index page)."""
    return list(Agency.objects.filter(id__in=user_visible_agency_ids(user)).order_by("code"))


def published_latest(agency: Agency, year: int, consolidated: bool) -> PublishedReport | None:
    return (
        PublishedReport.objects.filter(agency=agency, year=year, consolidated=consolidated)
        .select_related("published_by")
        .order_by("-revision")
        .first()
    )


def sections_get(agency: Agency, year: int) -> ReportSections | None:
    return ReportSections.objects.filter(agency=agency, year=year).first()


def fees_for_year(agency_ids, year: int) -> tuple[Decimal, int]:
    """信息处理费: sum of fees paid in the year and the number of cases (section six)."""
    totals = (
        counted_cases(agency_ids)
        .filter(fee_paid_on__gte=dt.date(year, 1, 1), fee_paid_on__lte=dt.date(year, 12, 31))
        .aggregate(total=Sum("fee_amount"), n=Count("id", filter=Q(fee_amount__isnull=False)))
    )
    return totals["total"] or Decimal("0"), totals["n"]


def corrections_for_year(agency_ids, year: int) -> list[CaseEvent]:
    """Post-publication corrections touching a published figure of the year.

    Filtered on the years in Python (corrections are few) so that SQLite, which has no JSON
    containment lookup, works too."""
    events = (
        CaseEvent.objects.filter(kind=EventKind.CORRECTION, case__agency_id__in=list(agency_ids))
        .select_related("case", "actor")
        .order_by("at", "id")
    )
    return [e for e in events if year in (e.changes or {}).get("years", [])]


def cases_changed_since(case_ids, since):
    """History rows of these cases after a moment (to explain a differing figure)."""
    return (
        CaseEvent.objects.filter(case_id__in=list(case_ids), at__gte=since)
        .select_related("case", "actor")
        .order_by("case_id", "at", "id")
    )


# --- the statistics page --------------------------------------------------------------------------
OUTCOME_GROUP_LABELS = {
    "disclosed": "予以公开",
    "partially_disclosed": "部分公开",
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}


def outcome_mix(agency_ids, year: int) -> list[tuple[str, int]]:
    """Cases closed in the year per outcome group (one query)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts = (
        counted_cases(agency_ids)
        .filter(state__in=FINISHED_STATES)
        .aggregate(
            **{
                group: Count(
                    "id",
                    filter=Q(closed_on__gte=start, closed_on__lte=end)
                    & (
                        Q(outcome=group)
                        if "." not in group and group in ("disclosed", "partially_disclosed")
                        else Q(outcome__startswith=f"{group}.")
                    ),
                )
                for group in OUTCOME_GROUP_LABELS
            }
        )
    )
    return [(label, counts[group]) for group, label in OUTCOME_GROUP_LABELS.items()]


def monthly_counts(agency_ids, year: int) -> tuple[list[int], list[int]]:
    """Requests received and cases closed per month of the year (one query)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    aggregates = {}
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        aggregates[f"in{month}"] = Count(
            "id", filter=Q(received_on__gte=first, received_on__lte=last)
        )
        aggregates[f"out{month}"] = Count(
            "id", filter=Q(state__in=FINISHED_STATES, closed_on__gte=first, closed_on__lte=last)
        )
    counts = (
        counted_cases(agency_ids)
        .filter(
            Q(received_on__gte=start, received_on__lte=end)
            | Q(closed_on__gte=start, closed_on__lte=end)
        )
        .aggregate(**aggregates)
    )
    return [counts[f"in{m}"] for m in range(1, 13)], [counts[f"out{m}"] for m in range(1, 13)]


def on_time_by_unit(agency_ids, year: int) -> list[dict]:
    """Per unit: cases closed in the year, closed by their reply deadline, and the rate (one query)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        counted_cases(agency_ids)
        .filter(state__in=FINISHED_STATES, closed_on__gte=start, closed_on__lte=end)
        .values("agency__code", "agency__name")
        .annotate(
            closed=Count("id"),
            on_time=Count(
                "id", filter=Q(reply_due__isnull=True) | Q(closed_on__lte=F("reply_due"))
            ),
        )
        .order_by("agency__code")
    )
    result = [
        {
            "code": r["agency__code"],
            "name": r["agency__name"],
            "closed": r["closed"],
            "on_time": r["on_time"],
            "rate": round(100 * r["on_time"] / r["closed"], 1) if r["closed"] else 0.0,
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["rate"], r["code"]))
