"""Reads of letters, always through the user's access to the case (404 otherwise)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from requests_app.selectors import case_get_for_user

from .models import Letter


def letter_list_for_case(case) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(case=case)
        .select_related("replaces", "issued_by", "approved_by", "created_by")
        .prefetch_related("deliveries")
        .order_by("created_at", "id")
    )


def letter_get_for_user(user, *, public_id) -> Letter:
    """One letter whose case the user may read, or 404."""
    try:
        letter = Letter.objects.select_related("case", "agency", "replaces").get(
            public_id=public_id
        )
    except (Letter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("文书不存在") from exc
    case = case_get_for_user(user, case_id=letter.case_id)
    letter.case = case
    return letter
