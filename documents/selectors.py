"""Reads of the documents of a case: access (404 outside the user's agencies), the workbench
data, the redaction log, the Art. 44 suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from requests_app.selectors import case_get_for_user, case_list_for_user

from .engine import PATTERN_LABELS
from .grounds import Ground
from .models import BoxState, Document, PublicationSuggestion, RedactionBox, SuggestionState


def document_get_for_user(user, document_id: int) -> Document:
    """A document of a case the user may read, or 404."""
    try:
        return Document.objects.select_related("case", "case__agency").get(
            pk=document_id, case__in=case_list_for_user(user)
        )
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("文件不存在") from exc


def case_documents(user, public_id) -> tuple:
    case = case_get_for_user(user, public_id=public_id)
    return case, list(case.documents.order_by("id"))


@dataclass(frozen=True)
class LogRow:
    document: str
    page: int
    box: str
    kind: str
    ground: str
    who: str
    when: str


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def redaction_log(case) -> list[LogRow]:
    """Every accepted box of the case's release set: document, page, box (points from the
    top-left corner), ground, who decided and when (the annex to the reply)."""
    rows = []
    boxes = (
        RedactionBox.objects.filter(
            document__case=case, document__withdrawn=False, state=BoxState.ACCEPTED
        )
        .select_related("document", "decided_by", "created_by")
        .order_by("document_id", "page", "y0", "x0", "id")
    )
    for box in boxes:
        when = box.decided_at or box.created_at
        rows.append(
            LogRow(
                document=box.document.title,
                page=box.page,
                box=f"({box.x0:.0f},{box.y0:.0f})–({box.x1:.0f},{box.y1:.0f})",
                kind=PATTERN_LABELS.get(box.kind, box.kind),
                ground=Ground(box.ground).label,
                who=_who(box.decided_by or box.created_by),
                when=when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "",
            )
        )
    return rows


def suggestion_list(user) -> QuerySet[PublicationSuggestion]:
    agencies = case_list_for_user(user).values("agency_id")
    return (
        PublicationSuggestion.objects.filter(agency_id__in=agencies)
        .prefetch_related("cases")
        .order_by("state", "-created_at")
    )


def suggestions_open_for_case(case) -> QuerySet[PublicationSuggestion]:
    return case.publication_suggestions.filter(state=SuggestionState.OPEN)
