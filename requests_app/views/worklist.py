"""The worklist: filters, search, sort, pagination and counts per state, with a constant
number of queries however many cases there are."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import user_visible_agency_ids
from workcalendar.selectors import calendar_get

from ..forms import WorklistForm
from ..models import OPEN_STATES
from ..selectors import WorklistFilters, case_state_counts, case_worklist
from .access import CASE_READER_ROLES, require_role

PAGE_SIZE = 25
DUE_SOON_DAYS = 5


@login_required
def worklist(request):
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
    queryset = case_worklist(request.user, filters, today=today, visible=visible, calendar=calendar)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    soon_limit = calendar.add_working_days(today, DUE_SOON_DAYS)
    rows = []
    for case in page.object_list:
        status, days = "", None
        if case.state in OPEN_STATES and case.reply_due and not case.clock_stopped:
            if case.reply_due < today:
                status, days = "overdue", calendar.working_days_between(case.reply_due, today)
            else:
                days = calendar.working_days_between(today, case.reply_due)
                status = "due-soon" if case.reply_due <= soon_limit else ""
        rows.append({"case": case, "status": status, "days": days})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": case_state_counts(
            request.user, agency_id=agency_id, scope=filters.scope, visible=visible
        ),
        "filters": filters,
        "query": query.urlencode(),
        "state_query": _without(query, "state"),
        "show_agency": bool(agencies),
    }
    template = (
        "requests_app/_worklist_results.html"
        if request.htmx and request.htmx.target == "worklist-results"
        else "requests_app/worklist.html"
    )
    return render(request, template, context)


def _without(query, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()
