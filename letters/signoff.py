"""Sign-off on one page (issue 11): the approver reads a waiting letter and, in one action,
approves it, issues it and — for a reply — closes the case; or returns it to the handler with
a reason. This module orchestrates the existing services (`letters.services` for the letter,
`requests_app.services.cases` for the case) in one transaction; it adds no rule of its own
beyond the order of the steps.

It lives one layer above both apps: letters already depend on cases, so the orchestration that
needs both belongs here, not in an import hidden inside a case service."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from agencies.models import Membership, Role
from agencies.selectors import user_has_role
from requests_app import rules
from requests_app.history import LetterEvent, history_write
from requests_app.models import Case, CaseEvent, CaseState, EventKind
from requests_app.rules import RuleViolation
from requests_app.services import cases as case_services
from requests_app.services.cases import CaseConflict

from . import services as letter_services
from .models import Letter, LetterKind, LetterState

WAITING_STATES = (LetterState.DRAFT, LetterState.APPROVED)
MSG_REPLY_CASE_STATE = "案件须处于“待审核”状态，答复书才能在此签发并办结"
MSG_LETTER_DONE = "该文书已签发"
MSG_RETURN_REASON = "退回须写明理由"


def _case_locked(case_id: int, expected_version: int | None) -> Case:
    case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise CaseConflict(rules.MSG_CONFLICT)
    return case


@transaction.atomic
def letter_sign_off(
    *,
    letter_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Letter:
    """审核、签发 (and, for a reply, 办结) in one action and one transaction: a refusal at any
    step (a missing detail, an outcome that differs from the proposed one, a published year)
    leaves the letter, its number series and the case exactly as they were."""
    letter = Letter.objects.select_related("case").get(pk=letter_id)
    case = _case_locked(letter.case_id, expected_version)
    if letter.state == LetterState.ISSUED and letter.kind != LetterKind.REPLY:
        raise RuleViolation(MSG_LETTER_DONE)
    if letter.kind == LetterKind.REPLY and case.state != CaseState.REVIEW:
        raise CaseConflict(MSG_REPLY_CASE_STATE)
    if letter.state == LetterState.DRAFT:
        letter = letter_services.letter_approve(letter_id=letter.pk, by=by, reason=reason)
    if letter.state == LetterState.APPROVED:
        letter = letter_services.letter_issue(letter_id=letter.pk, by=by, on=on, reason=reason)
    if letter.kind == LetterKind.REPLY:
        case_services.case_approve_and_close(
            case_id=case.pk, by=by, on=letter.issued_on, reason=reason
        )
    return letter


@transaction.atomic
def letter_return(
    *, letter_id: int, by, reason: str, expected_version: int | None = None
) -> Letter:
    """退回承办人修改, with the reason in the case's history. A reply under review sends the
    case back to drafting (`case_return_for_revision`); a notice or receipt stays a draft
    and leaves the approver's queue until the handler edits it."""
    if not reason.strip():
        raise RuleViolation(MSG_RETURN_REASON, "reason")
    letter = Letter.objects.select_related("case").get(pk=letter_id)
    case = _case_locked(letter.case_id, expected_version)
    if letter.state == LetterState.ISSUED:
        raise RuleViolation(MSG_LETTER_DONE)
    roles_needed = letter_services.LETTER_ROLES[letter_services.action_for(letter, "approve")]
    if by is None or not user_has_role(by, letter.agency_id, roles_needed):
        letter_services.letter_refused(by, letter.agency_id, "return")
    if letter.kind == LetterKind.REPLY and case.state == CaseState.REVIEW:
        case_services.case_return_for_revision(case_id=case.pk, by=by, reason=reason)
    history_write(
        case=case,
        kind=EventKind.LETTER,
        transition=LetterEvent.RETURN,
        by=by,
        reason=reason,
        changes={"letter": str(letter.public_id), "kind": letter.kind},
    )
    return letter


# --- reads of the approver's queue -------------------------------------------------------------
def _returned_since_edit() -> Exists:
    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("case_id"),
            kind=EventKind.LETTER,
            transition=LetterEvent.RETURN,
            at__gte=OuterRef("updated_at"),
        )
        .annotate(letter_key=KeyTextTransform("letter", "changes"))
        .filter(letter_key=OuterRef("public_id_text"))
    )


def letters_waiting_for(user) -> QuerySet[Letter]:
    """Letters of every kind waiting for sign-off (drafted or approved, not issued) in the
    agencies where the user approves, except those returned and not edited since, and replies
    whose case is not (yet) under review."""
    agency_ids = Membership.objects.filter(user=user, role=Role.APPROVER).values_list(
        "agency_id", flat=True
    )
    return (
        Letter.objects.filter(agency_id__in=list(agency_ids), state__in=WAITING_STATES)
        .exclude(case__state=CaseState.VOID)
        .exclude(Q(kind=LetterKind.REPLY) & ~Q(case__state=CaseState.REVIEW))
        .annotate(public_id_text=Cast("public_id", TextField()))
        .annotate(returned=_returned_since_edit())
        .filter(returned=False)
        .select_related("case", "case__agency", "case__handler", "created_by")
        .order_by(F("case__reply_due").asc(nulls_last=True), "created_at", "id")
    )


def letter_paragraphs(letter: Letter) -> list[str]:
    """The letter's text as the applicant would read it, paragraph by paragraph: the agency's
    template rendered from the letter's context (the frozen one once issued, the draft's
    otherwise) and read back, so the approver reads what will be sent."""
    data = letter_services.letter_file_bytes(letter)
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs if p.text.strip()]
