"""Celery tasks: take ids, call the service (STYLE habit 4)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from . import integrity, services
from .models import Letter, LetterState, RenderStatus
from .services import letter_render, receipt_issue_on_registration


@shared_task(name="letters.letters_render_batch")
def letters_render_batch(letter_ids: list[int]) -> dict[str, int]:
    """Render issued letters from their frozen context; safe to run twice."""
    counts = {"generated": 0, "failed": 0}
    for letter_id in letter_ids:
        letter = letter_render(letter_id=letter_id)
        counts["generated" if letter.render_status == "generated" else "failed"] += 1
    return counts


@shared_task(name="letters.letters_render_outstanding")
def letters_render_outstanding() -> dict[str, int]:
    """Sweep: render every issued letter whose file is pending or failed (safe to run twice:
    each letter is locked and a generated one is left as it is)."""
    ids = list(
        Letter.objects.filter(
            state=LetterState.ISSUED, render_status__in=[RenderStatus.PENDING, RenderStatus.FAILED]
        ).values_list("id", flat=True)
    )
    return letters_render_batch(ids)


@shared_task(name="letters.letters_receipt_on_registration")
def letters_receipt_on_registration(case_id: int, user_id: int) -> int | None:
    """The receipt of a newly registered case (queued after the registration commits)."""
    letter = receipt_issue_on_registration(
        case_id=case_id, by=get_user_model().objects.get(pk=user_id)
    )
    return letter.pk if letter else None


@shared_task(name="letters.letters_issue_outstanding")
def letters_issue_outstanding(retry_after_seconds: int | None = None) -> dict[str, int]:
    """Sweep: letters whose issuing was asked for (the receipt on registration) but left
    approved by a worker that died are issued, or reported on the case; then every issued
    letter left unrendered is rendered. Safe to run twice (claims are conditional updates)."""
    seconds = (
        settings.LETTER_ISSUE_RETRY_SECONDS if retry_after_seconds is None else retry_after_seconds
    )
    counts = services.letters_issue_outstanding(
        retry_after=dt.timedelta(seconds=seconds),
        max_attempts=settings.LETTER_ISSUE_ATTEMPTS,
    )
    rendered = letters_render_outstanding()
    return {**counts, **rendered}


@shared_task(name="letters.letters_integrity_sweep")
def letters_integrity_sweep() -> dict[str, int]:
    """Sweep: every issued letter's file against the SHA-256 frozen at issue (letters.integrity)."""
    report = integrity.letters_integrity_check()
    return {"checked": report.checked, "mismatched": len(report.mismatched)}
