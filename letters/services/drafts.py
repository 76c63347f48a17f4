"""Drafting a letter: the draft (by hand or for a case action), edits to its text and fields,
and the approver's sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from requests_app.history import LetterEvent
from requests_app.models import (
    Case,
    CaseEvent,
    CaseState,
)
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.rules import TRANSITION_LABELS, RuleViolation

from .. import checks, compose
from ..models import (
    LETTER_KINDS,
    Letter,
    LetterKind,
    LetterState,
)
from .shared import (
    MSG_CASE_VOID,
    MSG_ISSUED_FROZEN,
    MSG_NOT_DRAFT,
    MSG_REPLACES,
    MSG_REPLY_NEEDS_OUTCOME,
    MSG_UNKNOWN_KIND,
    MSG_UNKNOWN_OUTCOME,
    _body_lines,
    _check_role,
    _event,
    _lock,
    action_for,
)


# --- draft -----------------------------------------------------------------------------------
@transaction.atomic
def letter_draft(
    *,
    case_id: int,
    by,
    kind: str,
    outcome: str | None = None,
    details: dict[str, Any] | None = None,
    replaces_id: int | None = None,
    reason: str = "",
) -> Letter:
    """A new draft of one letter kind for the case, its text generated from the case."""
    if kind not in LETTER_KINDS:
        raise RuleViolation(MSG_UNKNOWN_KIND.format(kind=kind), "kind")
    case = Case.objects.select_related("agency").get(pk=case_id)
    _check_role(by, case.agency_id, "draft_receipt" if kind == LetterKind.RECEIPT else "draft")
    return _draft_create(
        case,
        by=by,
        kind=kind,
        outcome=outcome,
        details=details,
        replaces_id=replaces_id,
        reason=reason,
    )


def letter_draft_for_action(
    *, case: Case, by, kind: str, event: CaseEvent, details: dict[str, Any] | None = None
) -> Letter:
    """The notice an action on the case calls for (letters/orchestration.py), drafted in the
    action's transaction and linked to its history entry. The user was allowed to take the
    action, which is what asks for the notice; issuing it stays the approver's step."""
    return _draft_create(
        case,
        by=by,
        kind=kind,
        details=details,
        reason=f"{TRANSITION_LABELS.get(event.transition, event.transition)}后自动拟写",
        link={"for_event": event.pk, "for_action": event.transition},
    )


def _draft_create(
    case: Case,
    *,
    by,
    kind: str,
    outcome: str | None = None,
    details: dict[str, Any] | None = None,
    replaces_id: int | None = None,
    reason: str = "",
    link: dict[str, Any] | None = None,
) -> Letter:
    if case.state == CaseState.VOID:
        raise RuleViolation(MSG_CASE_VOID)
    replaces = None
    if replaces_id is not None:
        replaces = Letter.objects.filter(
            pk=replaces_id, case=case, kind=kind, state=LetterState.ISSUED
        ).first()
        if replaces is None:
            raise RuleViolation(MSG_REPLACES, "replaces")
    letter_outcome = ""
    if kind == LetterKind.REPLY:
        letter_outcome = outcome or case.proposed_outcome or case.outcome
        if not letter_outcome:
            raise RuleViolation(MSG_REPLY_NEEDS_OUTCOME, "outcome")
        if letter_outcome not in OUTCOME_KEYS:
            raise RuleViolation(MSG_UNKNOWN_OUTCOME.format(outcome=letter_outcome), "outcome")
    merged = compose.default_details(case, kind, letter_outcome)
    if replaces is not None:
        merged.update(replaces.details)
    merged.update({k: str(v) for k, v in (details or {}).items()})
    body = (
        _body_lines(replaces.body)
        if replaces is not None
        else compose.default_body(case, kind, letter_outcome, merged)
    )
    letter = Letter.objects.create(
        case=case,
        agency=case.agency,
        kind=kind,
        outcome=letter_outcome,
        details=merged,
        body="\n".join(body),
        replaces=replaces,
        created_by=by,
    )
    _event(
        letter,
        by,
        LetterEvent.DRAFT,
        reason,
        outcome=letter_outcome,
        replaces=replaces.number if replaces else "",
        **(link or {}),
    )
    return letter


@transaction.atomic
def letter_update(
    *,
    letter_id: int,
    by,
    details: dict[str, Any] | None = None,
    body: str | None = None,
    reason: str = "",
) -> Letter:
    """Edit a draft's fields and paragraphs. An approved letter that is edited needs a new
    sign-off. An empty body is generated again from the fields."""
    letter = _lock(letter_id)
    _check_role(by, letter.agency_id, "edit")
    if letter.state == LetterState.ISSUED:
        raise RuleViolation(MSG_ISSUED_FROZEN)
    old = {"details": dict(letter.details), "body": letter.body}
    if details is not None:
        letter.details = {**letter.details, **{k: str(v) for k, v in details.items()}}
    if body is not None:
        lines = _body_lines(body)
        if not lines:
            lines = compose.default_body(letter.case, letter.kind, letter.outcome, letter.details)
        letter.body = "\n".join(lines)
    changed = {k: [old[k], getattr(letter, k)] for k in old if old[k] != getattr(letter, k)}
    if not changed:
        return letter
    was_approved = letter.state == LetterState.APPROVED
    letter.redraft()
    letter.save()
    _event(letter, by, LetterEvent.EDIT, reason, changes=changed, approval_cleared=was_approved)
    return letter


@transaction.atomic
def letter_approve(*, letter_id: int, by, reason: str = "") -> Letter:
    """审核 (SPEC §1): the approver signs off the draft as it stands."""
    letter = _lock(letter_id)
    _check_role(by, letter.agency_id, action_for(letter, "approve"))
    if letter.state != LetterState.DRAFT:
        raise RuleViolation(MSG_NOT_DRAFT.format(state=letter.get_state_display()))
    _details_check(letter)  # the issuing gate: also the reply's outcome against the case's
    letter.approve(by=by, at=timezone.now())
    letter.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    _event(letter, by, LetterEvent.APPROVE, reason)
    return letter


def _details_check(letter: Letter, *, on: dt.date | None = None) -> None:
    """The issuing gate (letters/checks.py), used by approve and issue: required details filled
    with real content, specific bases, the reply's outcome the case's (errors name the field)."""
    checks.letter_ready_check(letter, on=on)
