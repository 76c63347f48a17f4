"""Supervisor home: open, due-soon and overdue cases per unit of the supervised agencies.
(The approver queue is letters/approvals.py: it signs letters.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Role

from ..selectors import agency_unit_counts
from ..timeliness import DUE_SOON_WORKING_DAYS
from .access import require_role


@login_required
def supervision(request):
    require_role(request, {Role.SUPERVISOR})
    today = timezone.localdate()
    rows = agency_unit_counts(request.user, today=today, due_soon_days=DUE_SOON_WORKING_DAYS)
    totals = {key: sum(row[key] for row in rows) for key in ("open", "due_soon", "overdue")}
    return render(
        request,
        "requests_app/supervision.html",
        {"rows": rows, "totals": totals, "due_soon_days": DUE_SOON_WORKING_DAYS, "today": today},
    )
