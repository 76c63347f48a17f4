"""Reads of letters, always through the user's access to the case (404 otherwise)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from common.downloads import download_name
from requests_app.selectors import case_get_for_user

from .models import Letter, LetterKind, LetterState

# The names clerks call the letters by, in file names (`2026-0023_答复书.docx`).
FILE_LABELS = {LetterKind.REPLY: "答复书"}


def letter_download_name(letter: Letter, ext: str, *, what: str = "") -> str:
    """`<case number>_<letter kind>[_<what>][_<state>].<ext>`, e.g. 2026-0023_答复书.docx; a
    letter not yet issued says so (…_答复书_草稿.docx)."""
    label = FILE_LABELS.get(letter.kind) or letter.get_kind_display()
    state = "" if letter.state == LetterState.ISSUED else letter.get_state_display()
    return download_name(letter.case.case_no, label, what, state, ext=ext)


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
