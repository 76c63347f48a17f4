"""Reads of the season: the dashboard of a supervising office (each unit's status, days left,
published units summed against the consolidated draft) and a unit's problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids
from reporting import selectors as report_selectors
from reporting.models import PublishedReport
from reporting.services import publication_due
from reporting.stats import COLUMN_LABELS, COLUMNS, table3_row_keys, table3_rows, table3_sum
from requests_app.models import CaseEvent, EventKind
from workcalendar.selectors import calendar_get

from .models import Draft, SeasonRun, UnitSweep
from .sweep import KINDS

STATUS_LABELS = {
    "none": "尚无草稿",
    "problems": "草稿有问题",
    "clean": "草稿无问题",
    "published": "已发布",
    "corrected": "已发布后更正",
}


def supervised_roots(user) -> list[Agency]:
    """The supervising offices of the user (where they hold the supervisor role)."""
    if not user.is_authenticated:
        return []
    ids = Membership.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    )
    return list(Agency.objects.filter(id__in=list(ids)).order_by("code"))


def unit_get_for_user(user, code: str) -> Agency:
    """A unit the user supervises (directly or from above) or works in (its own staff, who are
    chased about it), or 404 — never 403."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None or not (
        report_selectors.user_supervises(user, agency)
        or report_selectors.user_is_staff_of(user, agency)
    ):
        raise Http404("机关不存在")
    return agency


def corrected_after(agency_ids, year: int) -> dict[int, dt.datetime]:
    """Per unit: the latest post-publication correction touching the year's figures."""
    latest: dict[int, dt.datetime] = {}
    events = CaseEvent.objects.filter(
        kind=EventKind.CORRECTION, case__agency_id__in=list(agency_ids)
    ).values_list("case__agency_id", "at", "changes")
    for agency_id, at, changes in events:
        if year in (changes or {}).get("years", []):
            latest[agency_id] = max(at, latest.get(agency_id, at))
    return latest


@dataclass
class Deadline:
    due: dt.date
    days_left: int
    working_days_left: int


@dataclass
class Consolidated:
    draft: Draft | None
    published_sum: dict
    differences: list[dict] = field(default_factory=list)
    unpublished: int = 0
    flagged: list[str] = field(default_factory=list)  # units corrected after the draft


@dataclass
class Dashboard:
    root: Agency
    year: int
    units: list[dict]
    counts: dict
    unit_deadline: Deadline
    consolidated_deadline: Deadline
    consolidated: Consolidated
    last_run: SeasonRun | None


def _deadline(due: dt.date, today: dt.date) -> Deadline:
    work = calendar_get(covering=max(due, today))
    left = (
        work.working_days_between(today, due)
        if today <= due
        else -work.working_days_between(due, today)
    )
    return Deadline(due=due, days_left=(due - today).days, working_days_left=left)


def dashboard(root: Agency, year: int, today: dt.date) -> Dashboard:
    """Every unit of the office's subtree with its status, and the consolidated comparison."""
    ids = agency_subtree_ids(root.id)
    agencies = list(Agency.objects.filter(id__in=ids))
    parents = {a.id: a.parent_id for a in agencies}

    def depth(agency_id) -> int:
        n = 0
        while agency_id != root.id and parents.get(agency_id) is not None and n < 50:
            agency_id, n = parents[agency_id], n + 1
        return n

    agencies.sort(key=lambda a: (depth(a.id), a.code))  # the office first, then level by level
    drafts = {
        d.agency_id: d
        for d in Draft.objects.filter(year=year, consolidated=False, agency_id__in=ids).only(
            "agency_id", "clean", "sweep_total", "failures", "carry_over", "computed_at"
        )
    }
    sweeps = {
        agency_id: (total, counts)
        for agency_id, total, counts in UnitSweep.objects.filter(
            year=year, agency_id__in=ids
        ).values_list("agency_id", "total", "counts")
    }
    published: dict[int, PublishedReport] = {}
    first_published: dict[int, dt.datetime] = {}
    for snapshot in PublishedReport.objects.filter(
        year=year, consolidated=False, agency_id__in=ids
    ).order_by("agency_id", "revision"):
        first_published.setdefault(snapshot.agency_id, snapshot.published_at)
        published[snapshot.agency_id] = snapshot  # the latest revision wins
    corrections = corrected_after(ids, year)
    units, counts = [], dict.fromkeys(STATUS_LABELS, 0)
    for agency in agencies:
        draft, snapshot = drafts.get(agency.id), published.get(agency.id)
        correction = corrections.get(agency.id)
        if snapshot is not None:
            corrected = snapshot.revision > 1 or (
                correction is not None and correction > first_published[agency.id]
            )
            status = "corrected" if corrected else "published"
        elif draft is None:
            status = "none"
        else:
            status = "clean" if draft.clean else "problems"
        counts[status] += 1
        units.append(
            {
                "agency": agency,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "draft": draft,
                "snapshot": snapshot,
                "problems": sweeps.get(agency.id, (0, {}))[0],
                "problem_kinds": [
                    (KINDS[kind][0], n)
                    for kind, n in sweeps.get(agency.id, (0, {}))[1].items()
                    if n and kind in KINDS
                ],
                "failures": len(draft.failures) if draft else 0,
                "carry_ok": None
                if draft is None or draft.carry_over is None
                else draft.carry_over["ok"],
            }
        )
    consolidated_draft = Draft.objects.filter(agency=root, year=year, consolidated=True).first()
    format_version = consolidated_draft.format_version if consolidated_draft else None
    same_format = [
        s.data["table3"]
        for s in published.values()
        if format_version is None or s.format_version == format_version
    ]
    keys_format = format_version or (
        next(iter(published.values())).format_version if published else "2021"
    )
    published_sum = table3_sum(same_format, keys_format)
    consolidated = Consolidated(
        draft=consolidated_draft,
        published_sum=published_sum,
        unpublished=len(agencies) - len(published),
    )
    if consolidated_draft is not None:
        labels = dict(table3_rows(keys_format))
        for key in table3_row_keys(keys_format):
            for column in COLUMNS:
                drafted = consolidated_draft.data["table3"][key][column]
                summed = published_sum[key][column]
                if drafted != summed:
                    consolidated.differences.append(
                        {
                            "row": labels[key],
                            "column": COLUMN_LABELS[column],
                            "draft": drafted,
                            "published": summed,
                        }
                    )
        since = consolidated_draft.computed_at
        for agency in agencies:
            snapshot = published.get(agency.id)
            correction = corrections.get(agency.id)
            if (
                snapshot is not None and snapshot.revision > 1 and snapshot.published_at > since
            ) or (snapshot is not None and correction is not None and correction > since):
                consolidated.flagged.append(agency.name)
    return Dashboard(
        root=root,
        year=year,
        units=units,
        counts=counts,
        unit_deadline=_deadline(publication_due(year, False), today),
        consolidated_deadline=_deadline(publication_due(year, True), today),
        consolidated=consolidated,
        last_run=SeasonRun.objects.filter(year=year, agency__isnull=True).first(),
    )
