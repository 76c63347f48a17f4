"""Issuing a letter: its number in the agency's series, the checks against the case record, and
the issue itself (number, freeze, render, store, checksum); closing a case needs the issued
reply."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from common.counters import counter_row_locked
from documents.services import release_gate_problem, release_record
from requests_app.history import LetterEvent
from requests_app.models import (
    Case,
    CaseState,
    ClockEvent,
    ClockKind,
)
from requests_app.outcomes import Outcome
from requests_app.rules import RuleViolation

from .. import compose, variants
from ..hooks import after_issue_run
from ..models import (
    Letter,
    LetterKind,
    LetterNumberCounter,
    LetterSeries,
    LetterState,
    RenderStatus,
    letter_series_of,
)
from ..placeholders import template_key_for
from .drafts import _details_check
from .files import letter_render
from .shared import (
    MSG_AGENCY_REMEDY,
    MSG_CASE_VOID,
    MSG_DATE_BEFORE_RECEIPT,
    MSG_DATE_FUTURE,
    MSG_DATE_MISMATCH,
    MSG_ISSUED_FROZEN,
    MSG_NO_DEFERRAL,
    MSG_NOT_APPROVED,
    MSG_REPLY_EXISTS,
    MSG_REPLY_NOT_ISSUED,
    MSG_REPLY_OUTCOME,
    MSG_REPLY_STATE,
    RELEASING_OUTCOMES,
    _body_lines,
    _check_role,
    _event,
    _lock,
    action_for,
)
from .templates import template_in_force


# --- issue -----------------------------------------------------------------------------------
def letter_number_prefix(agency: Agency, series: str = LetterSeries.REPLY) -> str:
    """The 文号 prefix of a series: the agency's own for receipts and notices, else the reply
    prefix (`letter_prefix`, else the agency's name) followed by 回执 / 告知."""
    base = agency.letter_prefix or agency.name
    if series == LetterSeries.RECEIPT:
        return agency.receipt_prefix or f"{base}回执"
    if series == LetterSeries.NOTICE:
        return agency.notice_prefix or f"{base}告知"
    return base


def letter_number_format(
    agency: Agency, year: int, seq: int, series: str = LetterSeries.REPLY
) -> str:
    return f"{letter_number_prefix(agency, series)}〔{year}〕{seq}号"


def letter_number_next(*, agency: Agency, year: int, series: str = LetterSeries.REPLY) -> int:
    """The next letter number of the agency, series and year. The counter row stays locked
    until the issuing transaction ends, so numbers are unique and gapless per series under
    concurrent issuing; a transaction that dies rolls its number back with it."""
    counter = counter_row_locked(LetterNumberCounter, agency=agency, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# A notice tells the applicant what the case records: the case step comes first.
NOTICE_NEEDS = {
    LetterKind.SUPPLEMENT_NOTICE: (
        lambda case: case.supplement_requested_on is not None,
        "请先在案件上办理“补正告知”（记录需补正事项和期限），再签发补正告知书",
    ),
    LetterKind.EXTENSION_NOTICE: (
        lambda case: case.extension_state == "approved",
        "延期尚未获批准，不能签发延期答复告知书",
    ),
    LetterKind.FEE_NOTICE: (
        lambda case: case.fee_amount is not None,
        "请先在案件上办理“发出收费通知”（记录金额），再签发收费通知书",
    ),
}


def _issue_checks(letter: Letter, case: Case, on: dt.date) -> None:
    if on > timezone.localdate():
        raise RuleViolation(MSG_DATE_FUTURE, "on")
    if on < case.received_on:
        raise RuleViolation(MSG_DATE_BEFORE_RECEIPT.format(date=case.received_on), "on")
    if case.state == CaseState.VOID:
        raise RuleViolation(MSG_CASE_VOID)
    needs = NOTICE_NEEDS.get(letter.kind)
    if _is_art35_notice(letter):  # Art. 35: the case must record the deferral, not an extension
        needs = (_deferral_recorded, MSG_NO_DEFERRAL)
    if needs and not needs[0](case):
        raise RuleViolation(needs[1], "kind")
    _notice_dates_check(letter, case)
    if letter.kind != LetterKind.REPLY:
        return
    if not case.agency.review_body:
        raise RuleViolation(MSG_AGENCY_REMEDY.format(what="行政复议机关"), "review_body")
    if not case.agency.court:
        raise RuleViolation(MSG_AGENCY_REMEDY.format(what="管辖法院"), "court")
    if case.state == CaseState.REVIEW:
        expected = case.proposed_outcome
    elif case.is_finished:
        expected = case.outcome
    else:
        raise RuleViolation(MSG_REPLY_STATE)
    if letter.outcome != expected:
        raise RuleViolation(
            MSG_REPLY_OUTCOME.format(
                letter=Outcome(letter.outcome).label, case=Outcome(expected).label
            ),
            "outcome",
        )
    if letter.outcome in RELEASING_OUTCOMES and (problem := release_gate_problem(case)):
        raise RuleViolation(problem, "documents")  # issue 14: the approver's sign-off first
    if letter.replaces_id is None:
        existing = (
            Letter.objects.filter(case=case, kind=LetterKind.REPLY, state=LetterState.ISSUED)
            .exclude(pk=letter.pk)
            .first()
        )
        if existing:
            raise RuleViolation(MSG_REPLY_EXISTS.format(number=existing.number), "replaces")


def _is_art35_notice(letter: Letter) -> bool:
    return (
        letter.kind == LetterKind.EXTENSION_NOTICE
        and (letter.details or {}).get("extension_basis") == variants.EXTENSION_ART35
    )


def _deferral_of(case: Case) -> ClockEvent | None:
    return case.clock_events.filter(kind=ClockKind.DEFERRAL).order_by("-on", "-id").first()


def _deferral_recorded(case: Case) -> bool:
    return _deferral_of(case) is not None


def _notice_dates_check(letter: Letter, case: Case) -> None:
    """A notice may not tell the applicant another date than the case records: the supplement
    period of a supplement notice, the new reply deadline of an extension notice (under Art. 35,
    the date the recorded deferral fixed)."""
    checks = {
        LetterKind.SUPPLEMENT_NOTICE: ("supplement_due", "补正期限", case.supplement_due),
        LetterKind.EXTENSION_NOTICE: ("new_due", "延期后的答复期限", case.reply_due),
    }
    if _is_art35_notice(letter):
        deferral = _deferral_of(case)
        checks[LetterKind.EXTENSION_NOTICE] = (
            "new_due",
            "延迟答复期限",
            deferral.until if deferral else None,
        )
    if letter.kind not in checks:
        return
    name, label, recorded = checks[letter.kind]
    stated = str(letter.details.get(name, "")).strip()
    if recorded and stated and stated != recorded.isoformat():
        raise RuleViolation(
            MSG_DATE_MISMATCH.format(label=label, letter=stated, case=recorded.isoformat()), name
        )


def letter_issue(*, letter_id: int, by, on: dt.date | None = None, reason: str = "") -> Letter:
    """签发: number (文号), freeze the context, then render and store the file. A failed render
    leaves the letter issued with its number and marked failed (work for staff: render again);
    it never undoes anything on the case."""
    on = on or timezone.localdate()
    with transaction.atomic():
        letter = _lock(letter_id)
        _check_role(by, letter.agency_id, action_for(letter, "issue"))
        if letter.state == LetterState.ISSUED:
            raise RuleViolation(MSG_ISSUED_FROZEN)
        if letter.state != LetterState.APPROVED:
            raise RuleViolation(MSG_NOT_APPROVED)
        case = Case.objects.select_for_update().select_related("agency").get(pk=letter.case_id)
        _issue_checks(letter, case, on)
        _details_check(letter, on=on)
        key = template_key_for(letter.kind, letter.outcome)
        template = template_in_force(letter.agency, key)
        series = letter_series_of(letter.kind)
        seq = letter_number_next(agency=letter.agency, year=on.year, series=series)
        letter.number_series, letter.number_year, letter.number_seq = series, on.year, seq
        letter.number = letter_number_format(letter.agency, on.year, seq, series)
        letter.issued_on = on
        letter.context = compose.letter_context(
            case,
            kind=letter.kind,
            outcome=letter.outcome,
            details=letter.details,
            body=_body_lines(letter.body),
            number=letter.number,
            issue_date=on,
            draft=False,
            replaces_number=letter.replaces.number if letter.replaces_id else "",
        )
        letter.template_key, letter.template = key, template
        letter.issue(by=by, at=timezone.now())
        letter.render_status = RenderStatus.PENDING
        letter.issue_requested_at = None
        letter.save()
        _event(
            letter, by, LetterEvent.ISSUE, reason, number=letter.number, issued_on=on.isoformat()
        )
        if letter.kind == LetterKind.REPLY and letter.outcome in RELEASING_OUTCOMES:
            release_record(case=case, letter_number=letter.number, by=by)
        issued_id = letter.pk
        transaction.on_commit(lambda: after_issue_run(Letter.objects.get(pk=issued_id)))
    return letter_render(letter_id=letter.pk)


# --- closing the case needs the issued reply ---------------------------------------------------
def reply_issued_check(case: Case, outcome: str | None = None) -> Letter:
    """The issued reply letter for the outcome the case closes with; raise if there is none."""
    outcome = outcome or case.proposed_outcome or case.outcome
    issued = Letter.objects.filter(case=case, kind=LetterKind.REPLY, state=LetterState.ISSUED)
    if not issued.exists():
        raise RuleViolation(MSG_REPLY_NOT_ISSUED, "letter")
    if outcome and not issued.filter(outcome=outcome).exists():
        latest = issued.order_by("-issued_at").first()
        raise RuleViolation(
            MSG_REPLY_OUTCOME.format(
                letter=Outcome(latest.outcome).label, case=Outcome(outcome).label
            ),
            "letter",
        )
    return (issued.filter(outcome=outcome) if outcome else issued).order_by("-issued_at").first()
