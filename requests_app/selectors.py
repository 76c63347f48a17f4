"""Reads of cases, always through the user's access (SPEC §10: no one sees what is not theirs)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from agencies.selectors import user_visible_agency_ids

from .models import Case


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


def mask_id_number(value: str) -> str:
    """身份证号码脱敏: keep the first 6 and last 4 characters."""
    return f"{value[:6]}********{value[-4:]}" if len(value) >= 10 else ("*" * len(value))


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else ("*" * len(value))
