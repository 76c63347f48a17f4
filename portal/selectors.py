"""What the portal reads: the agency choice, the tracking view of a case, the downloads, and the
online requests waiting for a staff member."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from agencies.models import Agency, Membership
from documents.public import released_documents
from notifications.models import Channel, Notification
from requests_app import rules
from requests_app.models import Case, CaseState
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
    """Everything the applicant can download on the tracking page: the issued letters, then
    the documents released with the reply (redacted PDFs)."""
    letters = [
        {
            "kind": "letter",
            "id": letter.public_id,
            "title": str(letter),
            "issued_on": letter.issued_on,
        }
        for letter in tracking_letters(case)
    ]
    documents = [
        {
            "kind": "document",
            "id": document.pk,
            "title": f"公开文件《{document.title}》（{document.page_count}页）",
            "issued_on": document.released_at,
        }
        for document in released_documents(case)
    ]
    return letters + documents


def tracking_view(case: Case) -> dict:
    """The applicant's view of a case: state, receipt date, due date with its explanation
    (the same as on the staff page), the supplement asked for, the downloads."""
    deadline = case_deadline(case)
    return {
        "case": case,
        "deadline": deadline,
        "supplement_open": case.state == CaseState.SUPPLEMENT,
        "downloads": tracking_downloads(case),
    }


def submissions_pending_for_user(user) -> QuerySet[Submission]:
    agency_ids = Membership.objects.filter(
        user=user, role__in=rules.TRANSITION_ROLES["register"]
    ).values("agency_id")
    return Submission.objects.filter(
        Q(agency_id__in=agency_ids), state=SubmissionState.PENDING
    ).select_related("agency")


def staff_nav_counts(user) -> dict[str, int]:
    """The nav's two badges in one query: unread in-app messages and online requests waiting
    for this user to confirm."""
    unread = (
        Notification.objects.filter(
            recipient_user=OuterRef("pk"), channel=Channel.IN_APP, read_at__isnull=True
        )
        .order_by()
        .values("recipient_user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pending = (
        Submission.objects.filter(
            state=SubmissionState.PENDING,
            agency__memberships__user=OuterRef("pk"),
            agency__memberships__role__in=rules.TRANSITION_ROLES["register"],
        )
        .order_by()
        .values("state")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(unread=Coalesce(Subquery(unread), 0), pending=Coalesce(Subquery(pending), 0))
        .values("unread", "pending")
        .first()
    )
    return row or {"unread": 0, "pending": 0}
