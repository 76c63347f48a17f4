"""The worklist: filters, search, sort, pagination and counts per state, with a constant
number of queries however many cases there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from agencies.selectors import user_visible_agency_ids
from workcalendar.selectors import calendar_get

from ..forms import WorklistForm
from ..models import Case
from ..selectors import (
    WorklistFilters,
    case_state_counts,
    case_worklist,
)
from ..timeliness import deadline_status, due_soon_limit
from .access import CASE_READER_ROLES, require_role, user_all_roles

PAGE_SIZE = 25


@dataclass
class WorklistQuery:
    """The worklist as the request filters it (the page, the 台账 and batch work share it)."""

    form: WorklistForm
    filters: WorklistFilters
    visible: set[int]
    agencies: list[Agency]
    today: dt.date
    calendar: object
    cases: QuerySet[Case]

    @property
    def soon_limit(self) -> dt.date:
        return due_soon_limit(self.today, calendar=self.calendar)


def worklist_query(request) -> WorklistQuery:
    """Parse the worklist filters of the request (GET) into the user's filtered cases."""
    require_role(request, CASE_READER_ROLES)
    visible = user_visible_agency_ids(request.user)
    agencies = (
        list(Agency.objects.filter(id__in=visible).order_by("code")) if len(visible) > 1 else []
    )
    form = WorklistForm(request.GET or None, agencies=agencies)
    # Valid filters apply; an invalid one is shown with its error next to the field.
    data: dict = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
    requested = request.GET.get("agency", "")
    if requested and (not requested.isdigit() or int(requested) not in visible):
        raise Http404("页面不存在")  # another agency's list: nothing to learn
    agency_id = int(requested) if requested and len(visible) > 1 else None
    filters = WorklistFilters(
        scope=data.get("scope") or "agency",
        state=data.get("state") or "open",
        due_within=data.get("due_within"),
        overdue=bool(data.get("overdue")),
        channel=data.get("channel") or "",
        applicant_type=data.get("applicant_type") or "",
        agency_id=agency_id,
        q=data.get("q") or "",
        sort=data.get("sort") or "due",
    )
    today = timezone.localdate()
    calendar = calendar_get(covering=today + dt.timedelta(days=400))
    cases = case_worklist(request.user, filters, today=today, visible=visible, calendar=calendar)
    return WorklistQuery(form, filters, visible, agencies, today, calendar, cases)


@login_required
def worklist(request):
    found = worklist_query(request)
    filters = found.filters
    page = Paginator(found.cases, PAGE_SIZE).get_page(request.GET.get("page"))
    soon_limit = found.soon_limit
    rows = []
    for case in page.object_list:
        status, days = deadline_status(
            case, today=found.today, calendar=found.calendar, soon_limit=soon_limit
        )
        rows.append({"case": case, "status": status, "days": days})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": found.form,
        "page": page,
        "rows": rows,
        "counts": case_state_counts(
            request.user, agency_id=filters.agency_id, scope=filters.scope, visible=found.visible
        ),
        "filters": filters,
        "query": query.urlencode(),
        "state_query": _without(query, "state"),
        "show_agency": bool(found.agencies),
        # Batch assignment is the approver's (a handler takes one case on its page).
        "handlers": worklist_handlers(found.visible)
        if Role.APPROVER in user_all_roles(request)
        else [],
    }
    template = (
        "requests_app/_worklist_results.html"
        if request.htmx and request.htmx.target == "worklist-results"
        else "requests_app/worklist.html"
    )
    return render(request, template, context)


def worklist_handlers(visible: set[int]) -> list[Membership]:
    """The handlers of the visible agencies, for batch assignment (one query)."""
    return list(
        Membership.objects.filter(agency_id__in=visible, role=Role.HANDLER)
        .select_related("user", "agency")
        .order_by("agency__code", "user__first_name", "user__username")
    )


def _without(query, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()
