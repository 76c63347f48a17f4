"""Reads of cases, always through the user's access (SPEC §10: no one sees what is not theirs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids, user_visible_agency_ids

from .models import (
    FINISHED_FILTER,
    FINISHED_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseState,
    EventKind,
)
from .timeliness import DUE_SOON_WORKING_DAYS, due_soon_limit, due_soon_q, overdue_q


def case_list_for_user(user) -> QuerySet[Case]:
    """Cases the user may read: own agencies for staff, the subtree for supervisors."""
    return Case.objects.filter(agency_id__in=user_visible_agency_ids(user))


def case_get_for_user(user, *, public_id=None, case_id: int | None = None) -> Case:
    """One case the user may read, or 404 (never 403: a guessed URL learns nothing)."""
    queryset = case_list_for_user(user).select_related("agency", "handler")
    try:
        if public_id is not None:
            return queryset.get(public_id=public_id)
        return queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("案件不存在") from exc


def case_current_receipt_date(case: Case) -> dt.date:
    """The receipt date the reply period runs from now: the supplemented request's arrival
    after a supplement (Art. 30), else the first receipt (which the statistics count by)."""
    latest = (
        case.clock_events.filter(kind__in=["receipt", "restart"]).order_by("-on", "-id").first()
    )
    return latest.on if latest else case.received_on


def mask_id_number(value: str) -> str:
    """身份证号码脱敏: keep the first 6 and last 4 characters."""
    return f"{value[:6]}********{value[-4:]}" if len(value) >= 10 else ("*" * len(value))


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else ("*" * len(value))


# Masked wherever a case's history is shown (pages and API): full numbers only on a recorded
# "show" (services.personal_data).
MASKED_IN_HISTORY = {
    "applicant_id_number": mask_id_number,
    "applicant_credit_code": mask_id_number,
    "applicant_phone": mask_phone,
}


# --- worklists (constant number of queries however many cases there are) -----------------
SORTS = {
    "due": ("reply_due", "id"),
    "-due": ("-reply_due", "-id"),
    "received": ("received_on", "id"),
    "-received": ("-received_on", "-id"),
    "case_no": ("case_no", "id"),
}


@dataclass(frozen=True)
class WorklistFilters:
    scope: str = "agency"  # agency | mine
    state: str = "open"  # open | all | finished | one CaseState value
    due_within: int | None = None  # working days from today
    overdue: bool = False
    channel: str = ""
    applicant_type: str = ""
    agency_id: int | None = None
    q: str = ""
    sort: str = "due"


def _visible(user, visible: set[int] | None) -> QuerySet[Case]:
    if visible is None:
        return case_list_for_user(user)
    return Case.objects.filter(agency_id__in=visible)


def case_worklist(
    user,
    filters: WorklistFilters,
    *,
    today: dt.date,
    visible: set[int] | None = None,
    calendar=None,
) -> QuerySet[Case]:
    """The worklist: the user's visible cases filtered, searched and sorted (one query).

    `visible` (the user's visible agency ids) and `calendar` may be passed in by a caller
    that already has them, to save queries."""
    queryset = _visible(user, visible).select_related("agency", "handler")
    if filters.scope == "mine":
        acted = CaseEvent.objects.filter(case_id=OuterRef("pk"), actor=user)
        queryset = queryset.filter(Q(handler=user) | Q(created_by=user) | Exists(acted))
    if filters.agency_id:
        queryset = queryset.filter(agency_id=filters.agency_id)
    queryset = queryset.filter(**case_state_lookup(filters.state))
    if filters.due_within is not None:
        limit = due_soon_limit(today, filters.due_within, calendar)
        queryset = queryset.filter(due_soon_q(today, limit))
    if filters.overdue:
        queryset = queryset.filter(overdue_q(today))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.applicant_type:
        queryset = queryset.filter(applicant_type=filters.applicant_type)
    if filters.q.strip():
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(case_no__icontains=term)
            | Q(applicant_name__icontains=term)
            | Q(content__icontains=term)
            | Q(tracking_code__iexact=term)
        )
    order = SORTS.get(filters.sort, SORTS["due"])
    first = order[0].lstrip("-")
    nulls = (
        F(first).desc(nulls_last=True)
        if order[0].startswith("-")
        else F(first).asc(nulls_last=True)
    )
    return queryset.order_by(nulls, *order[1:])


def case_state_lookup(state: str) -> dict:
    """The filter of a state choice: `open`, `finished` (the six terminal states), one state;
    anything else (`all`, empty) filters nothing."""
    if state == "open":
        return {"state__in": OPEN_STATES}
    if state == FINISHED_FILTER:
        return {"state__in": FINISHED_STATES}
    if state in CaseState.values:
        return {"state": state}
    return {}


def case_state_counts(
    user, *, agency_id: int | None = None, scope: str = "agency", visible: set[int] | None = None
) -> dict[str, int]:
    """Cases per state among the user's visible cases (one aggregate query)."""
    queryset = _visible(user, visible)
    if agency_id:
        queryset = queryset.filter(agency_id=agency_id)
    if scope == "mine":
        acted = CaseEvent.objects.filter(case_id=OuterRef("pk"), actor=user)
        queryset = queryset.filter(Q(handler=user) | Q(created_by=user) | Exists(acted))
    aggregates = {state: Count("id", filter=Q(state=state)) for state in CaseState.values}
    counts = queryset.aggregate(**aggregates)
    counts["open"] = sum(counts[s] for s in OPEN_STATES)
    counts[FINISHED_FILTER] = sum(counts[s] for s in FINISHED_STATES)
    counts["all"] = sum(counts[s] for s in CaseState.values)
    return counts


def case_approval_queue(user) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """Replies waiting for sign-off and extension requests, in the agencies where the user
    is an approver."""
    agency_ids = Membership.objects.filter(user=user, role=Role.APPROVER).values_list(
        "agency_id", flat=True
    )
    base = Case.objects.filter(agency_id__in=list(agency_ids)).select_related("agency", "handler")
    replies = base.filter(state=CaseState.REVIEW).order_by(
        F("reply_due").asc(nulls_last=True), "id"
    )
    extensions = base.filter(extension_state="requested", state__in=OPEN_STATES).order_by(
        F("reply_due").asc(nulls_last=True), "id"
    )
    return replies, extensions


def agency_unit_counts(
    user, *, today: dt.date, due_soon_days: int = DUE_SOON_WORKING_DAYS
) -> list[dict]:
    """Per unit of the supervisor's subtrees: open, due-soon and overdue cases.

    The counts come from one aggregate query grouped by agency; agencies without open cases
    are listed with zeros."""
    roots = Membership.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    )
    subtree: set[int] = set()
    for root in list(roots):
        subtree |= agency_subtree_ids(root)
    if not subtree:
        return []
    limit = due_soon_limit(today, due_soon_days)
    rows = (
        Case.objects.filter(agency_id__in=subtree, state__in=OPEN_STATES)
        .values("agency_id")
        .annotate(
            open=Count("id"),
            due_soon=Count("id", filter=due_soon_q(today, limit)),
            overdue=Count("id", filter=overdue_q(today)),
        )
    )
    counts = {row["agency_id"]: row for row in rows}
    result = []
    for agency in Agency.objects.filter(id__in=subtree).order_by("level", "code"):
        row = counts.get(agency.id, {})
        result.append(
            {
                "agency": agency,
                "open": row.get("open", 0),
                "due_soon": row.get("due_soon", 0),
                "overdue": row.get("overdue", 0),
            }
        )
    return result


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


def case_repeat_flags(case: Case) -> list[dict]:
    """The possible-repeat notes stored on the case (services.repeats writes them)."""
    return [
        event.changes
        for event in case.events.filter(kind=EventKind.NOTE, changes__has_key="possible_repeat_of")
    ]
