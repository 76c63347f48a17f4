"""Approver queue and supervisor home."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role

from ..actions import ACTIONS, action_form_class
from ..selectors import agency_unit_counts, case_approval_queue
from .access import require_role

REPLY_ACTIONS = ("approve_and_close", "return_for_revision")
EXTENSION_ACTIONS = ("approve_extension", "refuse_extension")
QUEUE_LIMIT = 200


def _entries(case, names):
    return [
        {
            "action": ACTIONS[name],
            "form": action_form_class(ACTIONS[name])(
                prefix=name, initial={"expected_version": case.version}
            ),
        }
        for name in names
    ]


@login_required
def approvals(request):
    require_role(request, {Role.APPROVER})
    replies, extensions = case_approval_queue(request.user)
    next_url = reverse("requests_app:approvals")
    return render(
        request,
        "requests_app/approvals.html",
        {
            "replies": [
                {"case": c, "entries": _entries(c, REPLY_ACTIONS)} for c in replies[:QUEUE_LIMIT]
            ],
            "extensions": [
                {"case": c, "entries": _entries(c, EXTENSION_ACTIONS)}
                for c in extensions[:QUEUE_LIMIT]
            ],
            "next": next_url,
        },
    )


@login_required
def supervision(request):
    require_role(request, {Role.SUPERVISOR})
    today = timezone.localdate()
    rows = agency_unit_counts(request.user, today=today, due_soon_days=5)
    totals = {key: sum(row[key] for row in rows) for key in ("open", "due_soon", "overdue")}
    return render(
        request,
        "requests_app/supervision.html",
        {"rows": rows, "totals": totals, "due_soon_days": 5, "today": today},
    )
