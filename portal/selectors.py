"""What the portal reads: the agency choice, the tracking view of a case, the downloads, and the
online requests waiting for a staff member."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agencies.models import Agency, Membership
from requests_app import rules
from requests_app.models import Case
from requests_app.services.deadlines import case_deadline

from .models import Submission, SubmissionState
from .services import tracking_letters

AGENCY_CHOICES_MAX = 50


def agencies_search(query: str) -> list[Agency]:
    """Agencies over the whole tree matching a name or code fragment (all when empty), each
    with its path from the top, so that two 办公室 of different cities can be told apart."""
    agencies = {a.pk: a for a in Agency.objects.only("id", "code", "name", "parent_id")}
    query = (query or "").strip()
    found = []
    for agency in sorted(agencies.values(), key=lambda a: (a.name, a.code)):
        chain, node = [], agency
        while node is not None and len(chain) < 10:
            chain.append(node.name)
            node = agencies.get(node.parent_id)
        agency.path = " › ".join(reversed(chain))
        if not query or query in agency.name or query.upper() in agency.code.upper():
            found.append(agency)
    return found[:AGENCY_CHOICES_MAX]


def tracking_downloads(case: Case) -> list[dict]:
    """Everything the applicant can download on the tracking page: the issued letters (and,
    when documents/public.py is wired in, the released documents)."""
    return [
        {
            "kind": "letter",
            "id": letter.public_id,
            "title": str(letter),
            "issued_on": letter.issued_on,
        }
        for letter in tracking_letters(case)
    ]


def tracking_view(case: Case) -> dict:
    """The applicant's view of a case: state, receipt date, due date with its explanation
    (the same as on the staff page), the supplement asked for, the downloads."""
    deadline = case_deadline(case)
    return {
        "case": case,
        "deadline": deadline,
        "supplement_open": case.state == "supplement",
        "downloads": tracking_downloads(case),
    }


def submissions_pending_for_user(user) -> QuerySet[Submission]:
    agency_ids = Membership.objects.filter(
        user=user, role__in=rules.TRANSITION_ROLES["register"]
    ).values("agency_id")
    return Submission.objects.filter(
        Q(agency_id__in=agency_ids), state=SubmissionState.PENDING
    ).select_related("agency")
