"""Issuing without a person at the desk: the registration receipt issued on registration, a
queued issue request run by the worker, and the sweep of letters whose issue is outstanding."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from requests_app.history import history_write
from requests_app.models import (
    Case,
    EventKind,
)
from requests_app.rules import RuleViolation

from ..models import (
    Letter,
    LetterKind,
    LetterState,
    RenderStatus,
)
from .drafts import letter_approve, letter_draft
from .files import letter_render
from .issue import letter_issue
from .shared import MSG_ISSUE_ATTEMPTS, MSG_RECEIPT_NOT_ISSUED, _check_role

logger = logging.getLogger(__name__)


def receipt_issue_on_registration(*, case_id: int, by) -> Letter | None:
    """登记回执 on registration (agencies that ask for it): draft and sign off the receipt as the
    registering user, with the request to issue it recorded in the same transaction, then issue
    it. Safe to run twice: a receipt already asked for is issued if it is not yet (a worker that
    died between the two steps), an issued one is left alone. A refusal becomes a note on the
    case, so that staff issue the receipt by hand: never a silent loss."""
    existing = Letter.objects.filter(case_id=case_id, kind=LetterKind.RECEIPT).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = letter_draft(
                    case_id=case_id, by=by, kind=LetterKind.RECEIPT, reason=RECEIPT_AUTO
                )
                letter_approve(letter_id=existing.pk, by=by, reason=RECEIPT_AUTO)
                Letter.objects.filter(pk=existing.pk).update(issue_requested_at=timezone.now())
        except RuleViolation as exc:
            _receipt_report(case_id, by, exc.message)
            return None
    elif existing.issue_requested_at is None or not _request_stands(existing):
        return existing  # issued, drafted by hand, or edited and signed off again by a person
    return letter_issue_requested(letter_id=existing.pk)


RECEIPT_AUTO = "登记后自动出具"


def _receipt_report(case_id: int, by, error: str) -> None:
    history_write(
        case_id=case_id,
        kind=EventKind.NOTE,
        by=by,
        reason=MSG_RECEIPT_NOT_ISSUED.format(error=error),
    )


def _request_stands(letter: Letter) -> bool:
    """The automatic issuing still applies to the sign-off it was asked with: a letter edited
    and approved again by a person afterwards is theirs to issue."""
    return letter.approved_at is not None and letter.issue_requested_at >= letter.approved_at


def letter_issue_requested(*, letter_id: int) -> Letter | None:
    """Issue a letter whose issuing was asked for (`issue_requested_at`), as its approver.
    Idempotent: a letter issued meanwhile is returned as it is. A refusal clears the request and
    is reported on the case (staff issue it by hand); the letter stays approved."""
    letter = Letter.objects.select_related("approved_by").get(pk=letter_id)
    if letter.state == LetterState.ISSUED:
        return (
            letter
            if letter.render_status == RenderStatus.GENERATED
            else letter_render(letter_id=letter_id)
        )
    try:
        return letter_issue(letter_id=letter_id, by=letter.approved_by, reason=RECEIPT_AUTO)
    except RuleViolation as exc:
        letter.refresh_from_db()
        if letter.state == LetterState.ISSUED:  # issued by someone else meanwhile
            return letter
        if Letter.objects.filter(pk=letter_id, issue_requested_at__isnull=False).update(
            issue_requested_at=None
        ):
            _receipt_report(letter.case_id, letter.approved_by, exc.message)
        return None


def letters_issue_outstanding(
    *, retry_after: dt.timedelta, max_attempts: int, now: dt.datetime | None = None
) -> dict[str, int]:
    """The sweep of letters whose issuing was asked for but not done (a worker died between
    sign-off and issue): each is claimed by a conditional update (attempt counted, lease renewed,
    so two sweeps never work on the same letter and a dead sweep's claim expires), then issued.
    After `max_attempts` the request is cleared and the letter reported on the case."""
    now = now or timezone.now()
    counts = {"issued": 0, "reported": 0}
    waiting = Letter.objects.filter(
        state=LetterState.APPROVED,
        issue_requested_at__isnull=False,
        issue_requested_at__lte=now - retry_after,
        issue_requested_at__gte=F("approved_at"),  # see _request_stands
    )
    for letter in waiting.only("pk", "case_id", "approved_by", "issue_attempts"):
        if letter.issue_attempts >= max_attempts:
            if Letter.objects.filter(
                pk=letter.pk, state=LetterState.APPROVED, issue_requested_at__isnull=False
            ).update(issue_requested_at=None):
                _receipt_report(
                    letter.case_id,
                    letter.approved_by,
                    MSG_ISSUE_ATTEMPTS.format(attempts=letter.issue_attempts),
                )
                counts["reported"] += 1
            continue
        claimed = Letter.objects.filter(
            pk=letter.pk,
            state=LetterState.APPROVED,
            issue_attempts=letter.issue_attempts,
            issue_requested_at__lte=now - retry_after,
            issue_requested_at__gte=F("approved_at"),
        ).update(issue_attempts=F("issue_attempts") + 1, issue_requested_at=timezone.now())
        if not claimed:
            continue  # another sweep has it, or it was issued meanwhile
        try:
            issued = letter_issue_requested(letter_id=letter.pk)
        except Exception:  # e.g. the database went away: the attempt is counted, retried later
            logger.exception("letter %s: automatic issuing failed", letter.pk)
            continue
        if issued is not None and issued.state == LetterState.ISSUED:
            counts["issued"] += 1
        else:
            counts["reported"] += 1
    return counts


def receipt_issue(*, case_id: int, by, reason: str = "") -> Letter:
    """登记回执 while the applicant waits: the case's issued receipt, or a new one drafted,
    signed off and issued in one step by the same user (a receipt decides nothing). All or
    nothing: a refusal leaves no draft behind. The caller prints the returned letter."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("agency").get(pk=case_id)
        _check_role(by, case.agency_id, "issue_receipt")
        receipts = Letter.objects.filter(case=case, kind=LetterKind.RECEIPT)
        issued = receipts.filter(state=LetterState.ISSUED).order_by("-issued_at", "-id").first()
        if issued is not None:
            return issued
        letter = receipts.exclude(state=LetterState.ISSUED).order_by("-id").first()
        if letter is None:
            letter = letter_draft(case_id=case.id, by=by, kind=LetterKind.RECEIPT, reason=reason)
        if letter.state == LetterState.DRAFT:
            letter_approve(letter_id=letter.pk, by=by, reason=reason)
        return letter_issue(letter_id=letter.pk, by=by, reason=reason)
