"""Every write to a letter goes through these services (SPEC §4, STYLE habits 3–5).

Lifecycle: `letter_draft` (handler) → `letter_update` (edit text and fields) → `letter_approve`
(approver signs off) → `letter_issue` (approver: number, freeze, render, store, checksum). An
issued letter never changes; a correction is a new letter whose `replaces` is the old one.
Every event writes a letter event in the case history (requests_app/history.py) in the same transaction."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency, Role
from agencies.selectors import user_has_role
from common.counters import counter_row_locked
from common.errors import MSG_NOT_PERMITTED
from documents.services import release_gate_problem, release_record
from requests_app.history import LetterEvent, history_write
from requests_app.models import (
    Case,
    CaseEvent,
    CaseState,
    ClockEvent,
    ClockKind,
    DeliveryMethod,
    EventKind,
)
from requests_app.outcomes import OUTCOME_KEYS, Outcome
from requests_app.rules import TRANSITION_LABELS, RuleViolation
from requests_app.services.cases import ActionNotPermitted
from security.events import security_event_defer, security_event_record
from security.kinds import SecurityEventKind

from . import checks, compose, integrity, rendering, variants
from .hooks import after_issue_run
from .models import (
    LETTER_KINDS,
    Delivery,
    Letter,
    LetterKind,
    LetterNumberCounter,
    LetterSeries,
    LetterState,
    LetterTemplate,
    RenderStatus,
    letter_series_of,
)
from .placeholders import TEMPLATE_KEYS, template_key_for

logger = logging.getLogger(__name__)

# --- who may do what (SPEC §1: the handler drafts, the approver signs off and issues) --------
LETTER_ROLES: dict[str, frozenset[str]] = {
    "draft": frozenset({Role.HANDLER}),
    "draft_receipt": frozenset({Role.CLERK, Role.HANDLER}),
    "edit": frozenset({Role.HANDLER, Role.APPROVER}),
    "approve": frozenset({Role.APPROVER}),
    "issue": frozenset({Role.APPROVER}),
    # A 登记回执 decides nothing: the handler may sign it off; clerks too where the agency
    # lets them (`letter_action_roles`, the one place for that rule).
    "approve_receipt": frozenset({Role.HANDLER, Role.APPROVER}),
    "issue_receipt": frozenset({Role.HANDLER, Role.APPROVER}),
    "deliver": frozenset({Role.CLERK, Role.HANDLER}),
    "render": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
    "template": frozenset({Role.ADMINISTRATOR}),
}

MSG_REPLY_NOT_ISSUED = "须先签发答复书"
MSG_REPLY_OUTCOME = "答复书的办理结果（{letter}）与案件的办理结果（{case}）不一致"
MSG_REPLY_NEEDS_OUTCOME = "请先确定办理结果再拟写答复书"
MSG_REPLY_STATE = "案件须处于“待审核”或“已办结”状态才能签发答复书"
MSG_REPLY_EXISTS = "本案已签发答复书（{number}），如需更正请制作更正文书"
MSG_UNKNOWN_KIND = "未知的文书类型：{kind}"
MSG_UNKNOWN_OUTCOME = "未知的办理结果：{outcome}"
MSG_ISSUED_FROZEN = "已签发的文书不能修改；如需更正，请制作更正文书"
MSG_NOT_DRAFT = "文书当前状态为“{state}”，不能执行此操作"
MSG_NOT_APPROVED = "文书须经审核人审核后才能签发"
MSG_CASE_VOID = "已作废的案件不能制作文书"
MSG_REPLACES = "只能更正本案已签发的同类文书"
MSG_DETAIL_REQUIRED = "请填写“{label}”"
MSG_DATE_FUTURE = "签发日期不能晚于今天"
MSG_DATE_BEFORE_RECEIPT = "签发日期不能早于收到申请之日（{date}）"
MSG_AGENCY_REMEDY = "本机关未配置{what}，无法写明救济途径，请系统管理员先在机关信息中填写"
MSG_NOT_ISSUED = "文书尚未签发"
MSG_NO_DEFERRAL = "案件尚未确定延迟答复期限（第三十五条），不能签发依第三十五条的延期答复告知书"
MSG_DELIVERY_METHOD = "请选择送达方式"
MSG_TRACKING_REQUIRED = "邮寄送达请填写邮件单号"
MSG_EMAIL_REQUIRED = "电子邮件送达请填写电子邮箱"
MSG_RECEIVED_BEFORE_SENT = "申请人收到日期不能早于发出日期"
MSG_DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
MSG_FEE_AMOUNT = "收费金额须为大于零的数字（元）"
MSG_FEE_MISMATCH = "收费通知的金额（{letter}元）与案件登记的收费金额（{case}元）不一致"
MSG_TEMPLATE_KEY = "未知的模板：{key}"
MSG_DATE_MISMATCH = "文书中的{label}（{letter}）与案件记录（{case}）不一致"
MSG_TEMPLATE_UNSAFE = "机关上传的文书模板不安全，已停用，未生成文件：请重新上传模板后重新生成。"
MSG_TEMPLATE_FILE_MISSING = "模板文件无法读取"
MSG_RECEIPT_NOT_ISSUED = "登记回执未能自动出具，请手工出具：{error}"
MSG_ISSUE_ATTEMPTS = "自动签发已尝试 {attempts} 次仍未完成"


# Replies that hand over information: their documents need the approver's sign-off (issue 14).
RELEASING_OUTCOMES = frozenset({Outcome.DISCLOSED, Outcome.PARTIALLY_DISCLOSED})


class LetterNotPermitted(ActionNotPermitted):
    """The user's role in the case's agency does not allow the letter action."""


RECEIPT_SIGN_OFF_ACTIONS = frozenset({"approve_receipt", "issue_receipt"})


def clerks_issue_receipts(agency: Agency) -> bool:
    """Whether the agency's clerks issue receipts themselves, while the applicant waits (SPEC §1:
    the clerk prints receipts). Agencies that issue receipts automatically on registration have
    the registering clerk issue them, so they allow it too."""
    return agency.clerks_issue_receipts or agency.receipt_on_registration


def letter_action_roles(action: str, agency: Agency) -> frozenset[str]:
    """The roles that may do a letter action in the agency (LETTER_ROLES plus the agency's
    receipt setting)."""
    roles = LETTER_ROLES[action]
    if action in RECEIPT_SIGN_OFF_ACTIONS and clerks_issue_receipts(agency):
        roles = roles | {Role.CLERK}
    return roles


def _check_role(by, agency_id: int, action: str) -> None:
    roles = LETTER_ROLES[action]
    if action in RECEIPT_SIGN_OFF_ACTIONS:
        roles = letter_action_roles(action, Agency.objects.get(pk=agency_id))
    if by is None or not user_has_role(by, agency_id, roles):
        letter_refused(by, agency_id, action)


def letter_refused(by, agency_id: int, action: str):
    """Refuse, with the refusal in the security log (kept past the transaction's rollback)."""
    security_event_defer(
        SecurityEventKind.ACCESS_DENIED,
        user=by,
        object_type="agencies.agency",
        object_id=agency_id,
        details={"action": f"letter_{action}"},
    )
    raise LetterNotPermitted(MSG_NOT_PERMITTED)


def action_for(letter: Letter, action: str) -> str:
    return f"{action}_receipt" if letter.kind == LetterKind.RECEIPT else action


def _event(letter: Letter, by, event: LetterEvent, reason: str = "", **changes: Any) -> None:
    history_write(
        case_id=letter.case_id,
        kind=EventKind.LETTER,
        transition=event,
        by=by,
        reason=reason,
        changes={"letter": str(letter.public_id), "kind": letter.kind, **changes},
    )


def _lock(letter_id: int) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("case__agency", "agency")
        .get(pk=letter_id)
    )


def _body_lines(body: str | list[str]) -> list[str]:
    lines = body if isinstance(body, list) else body.splitlines()
    return [line.strip() for line in lines if line.strip()]


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


def template_bytes_for(letter: Letter) -> bytes:
    if letter.template_id:
        with letter.template.file.open("rb") as handle:
            return handle.read()
    return rendering.default_template_bytes(letter.template_key)


def letter_render(*, letter_id: int, by=None) -> Letter:
    """Render an issued letter from its frozen context and store the file with its SHA-256.
    Safe to run twice: a generated letter is returned unchanged."""
    with transaction.atomic():
        letter = _lock(letter_id)
        if by is not None:
            _check_role(by, letter.agency_id, "render")
        if letter.state != LetterState.ISSUED:
            raise RuleViolation(MSG_NOT_ISSUED)
        if letter.render_status == RenderStatus.GENERATED:
            return letter
        try:
            data = rendering.render_docx(template_bytes_for(letter), letter.context)
        except rendering.TemplateUnsafe as exc:  # never rendered; the template is taken out
            if letter.template_id:
                template_refuse(template_id=letter.template_id, reason=exc.message)
            return _render_failed(letter, by, f"{MSG_TEMPLATE_UNSAFE}{exc.message}"[:2000])
        except Exception as exc:  # any failure becomes visible work, never a lost case state
            return _render_failed(letter, by, f"{type(exc).__name__}: {exc}"[:2000])
        digest = rendering.sha256_hex(data)
        letter.file.save(
            f"{letter.number_seq:05d}-{letter.public_id}.docx", ContentFile(data), save=False
        )
        letter.sha256 = digest
        letter.render_status = RenderStatus.GENERATED
        letter.render_error = ""
        letter.save(update_fields=["file", "sha256", "render_status", "render_error", "updated_at"])
        _event(letter, by, LetterEvent.RENDER, number=letter.number, sha256=digest)
    return letter


def _render_failed(letter: Letter, by, error: str) -> Letter:
    repeated = letter.render_status == RenderStatus.FAILED and letter.render_error == error
    letter.render_status, letter.render_error = RenderStatus.FAILED, error
    letter.save(update_fields=["render_status", "render_error", "updated_at"])
    if not repeated:  # the periodic sweep retries; the history says it once
        _event(letter, by, LetterEvent.RENDER_FAILED, error)
    return letter


def letter_draft_bytes(letter: Letter, *, today: dt.date | None = None) -> bytes:
    """The letter as a draft (marked 草稿, not numbered), rendered from the case as it stands."""
    case = letter.case
    key = template_key_for(letter.kind, letter.outcome)
    context = compose.letter_context(
        case,
        kind=letter.kind,
        outcome=letter.outcome,
        details=letter.details,
        body=_body_lines(letter.body),
        number="",
        issue_date=today or timezone.localdate(),
        draft=True,
        replaces_number=letter.replaces.number if letter.replaces_id else "",
    )
    return rendering.render_docx(agency_template_bytes(case.agency, key), context)


def letter_file_bytes(letter: Letter) -> bytes:
    """The stored file of an issued letter, checked against the SHA-256 frozen when it was
    rendered (integrity.letter_file_verified: a mismatch is refused, logged and reported), or
    a draft rendering of an unissued one."""
    if letter.state == LetterState.ISSUED:
        if letter.render_status != RenderStatus.GENERATED:
            raise RuleViolation(
                f"文书文件尚未生成（{letter.get_render_status_display()}），请重新生成"
            )
        return integrity.letter_file_verified(letter)
    return letter_draft_bytes(letter)


def envelope_bytes(letter: Letter) -> bytes:
    """The envelope / mailing slip of a letter: recipient, postcode, the agency as sender and
    the letter number."""
    if letter.state == LetterState.ISSUED:
        context = compose.envelope_context(letter.context)
    else:
        context = compose.envelope_context(
            compose.letter_context(
                letter.case,
                kind=letter.kind,
                outcome=letter.outcome,
                details=letter.details,
                body=[],
                number="",
                issue_date=None,
                draft=True,
            )
        )
    return rendering.render_docx(agency_template_bytes(letter.agency, "envelope"), context)


def render_draft_for_case(*, case: Case, kind: str, today: dt.date | None = None) -> bytes:
    """A draft of one letter kind for the case as it stands, without storing anything
    (the `render_letter` command). The reply variant follows the case's outcome key."""
    if kind not in LETTER_KINDS:
        raise RuleViolation(MSG_UNKNOWN_KIND.format(kind=kind), "kind")
    outcome = ""
    if kind == LetterKind.REPLY:
        outcome = case.outcome or case.proposed_outcome
        if not outcome:
            raise RuleViolation(MSG_REPLY_NEEDS_OUTCOME, "outcome")
    details = compose.default_details(case, kind, outcome)
    body = compose.default_body(case, kind, outcome, details)
    context = compose.letter_context(
        case,
        kind=kind,
        outcome=outcome,
        details=details,
        body=body,
        number="",
        issue_date=today or timezone.localdate(),
        draft=True,
    )
    return rendering.render_docx(
        agency_template_bytes(case.agency, template_key_for(kind, outcome)), context
    )


def letter_pdf_bytes(letter: Letter) -> bytes:
    """An optional PDF copy through LibreOffice; the .docx stays the record."""
    return rendering.docx_to_pdf(letter_file_bytes(letter))


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


# --- delivery ----------------------------------------------------------------------------------
@transaction.atomic
def delivery_record(
    *,
    letter_id: int,
    by,
    method: str,
    sent_on: dt.date,
    tracking_number: str = "",
    email: str = "",
    received_on: dt.date | None = None,
    note: str = "",
) -> Delivery:
    """送达: how and when the issued letter went out (post with its tracking number, e-mail,
    in person, portal) and, when known, when the applicant received it."""
    letter = _lock(letter_id)
    _check_role(by, letter.agency_id, "deliver")
    if letter.state != LetterState.ISSUED:
        raise RuleViolation(MSG_NOT_ISSUED)
    if method not in DeliveryMethod.values:
        raise RuleViolation(MSG_DELIVERY_METHOD, "method")
    if sent_on > timezone.localdate():
        raise RuleViolation("发出日期不能晚于今天", "sent_on")
    if sent_on < letter.issued_on:
        raise RuleViolation(f"发出日期不能早于签发日期（{letter.issued_on}）", "sent_on")
    if method == DeliveryMethod.POST and not tracking_number.strip():
        raise RuleViolation(MSG_TRACKING_REQUIRED, "tracking_number")
    if method == DeliveryMethod.EMAIL and not email.strip():
        raise RuleViolation(MSG_EMAIL_REQUIRED, "email")
    if received_on is not None:
        _receipt_date_check(received_on, sent_on)
    delivery = Delivery.objects.create(
        letter=letter,
        method=method,
        tracking_number=tracking_number.strip(),
        email=email.strip(),
        sent_on=sent_on,
        received_on=received_on,
        note=note.strip(),
        recorded_by=by,
    )
    _event(
        letter,
        by,
        LetterEvent.DELIVERY,
        note,
        method=method,
        sent_on=sent_on.isoformat(),
        tracking_number=delivery.tracking_number,
        received_on=received_on.isoformat() if received_on else None,
    )
    return delivery


def _receipt_date_check(received_on: dt.date, sent_on: dt.date) -> None:
    if received_on > timezone.localdate():
        raise RuleViolation("收到日期不能晚于今天", "received_on")
    if received_on < sent_on:
        raise RuleViolation(MSG_RECEIVED_BEFORE_SENT, "received_on")


@transaction.atomic
def delivery_receipt_record(
    *, delivery_id: int, by, received_on: dt.date, reason: str = ""
) -> Delivery:
    """The applicant's receipt date of a letter, learnt later (e.g. the postal return slip)."""
    delivery = Delivery.objects.select_for_update().select_related("letter").get(pk=delivery_id)
    _check_role(by, delivery.letter.agency_id, "deliver")
    _receipt_date_check(received_on, delivery.sent_on)
    old = delivery.received_on
    if old == received_on:
        return delivery
    delivery.received_on = received_on
    delivery.save(update_fields=["received_on"])
    _event(
        delivery.letter,
        by,
        LetterEvent.DELIVERY_RECEIPT,
        reason,
        received_on=[old.isoformat() if old else None, received_on.isoformat()],
    )
    return delivery


@transaction.atomic
def delivery_record_electronic(
    *, letter_id: int, method: str, email: str = "", note: str = ""
) -> Delivery:
    """电子送达 done by the system (no staff user): the letter made available for download on
    the portal, or e-mailed to the applicant, today. One row per letter and method."""
    letter = _lock(letter_id)
    if letter.state != LetterState.ISSUED:
        raise RuleViolation(MSG_NOT_ISSUED)
    if method not in (DeliveryMethod.PORTAL, DeliveryMethod.EMAIL):
        raise RuleViolation(MSG_DELIVERY_METHOD, "method")
    existing = Delivery.objects.filter(letter=letter, method=method, recorded_by=None).first()
    if existing:
        return existing
    today = timezone.localdate()
    delivery = Delivery.objects.create(
        letter=letter,
        method=method,
        email=email.strip(),
        sent_on=max(today, letter.issued_on),
        note=note.strip(),
        recorded_by=None,
    )
    _event(
        letter,
        None,
        LetterEvent.DELIVERY,
        note,
        method=method,
        sent_on=delivery.sent_on.isoformat(),
        email=delivery.email,
    )
    return delivery


@transaction.atomic
def delivery_download_record(*, letter_id: int) -> Delivery | None:
    """The applicant downloaded the letter on the portal: the first download is the proof of
    receipt (its date is the received date, written into the case history); later ones change
    nothing."""
    delivery = (
        Delivery.objects.select_for_update()
        .select_related("letter")
        .filter(letter_id=letter_id, method=DeliveryMethod.PORTAL, recorded_by=None)
        .first()
    )
    if delivery is None or delivery.received_on is not None:
        return delivery
    delivery.received_on = max(timezone.localdate(), delivery.sent_on)
    delivery.save(update_fields=["received_on"])
    _event(
        delivery.letter,
        None,
        LetterEvent.DELIVERY_RECEIPT,
        "申请人在网上首次下载（送达凭证）",
        received_on=[None, delivery.received_on.isoformat()],
        downloaded_at=timezone.now().isoformat(timespec="seconds"),
    )
    return delivery


# --- per-agency templates -------------------------------------------------------------------------
def _template_in_force(agency: Agency, key: str) -> tuple[LetterTemplate | None, bytes]:
    """The agency's newest accepted upload for the key that is not refused, with its bytes, or
    (None, the default). An upload found unsafe here (one that predates the sandbox check, or
    was changed behind the application's back) is refused on the spot and the next one tried:
    it is never rendered."""
    for template in LetterTemplate.objects.filter(agency=agency, key=key, refused_at__isnull=True):
        with template.file.open("rb") as handle:
            data = handle.read()
        try:
            rendering.template_safety_check(data)
        except rendering.TemplateUnsafe as exc:
            template_refuse(template_id=template.pk, reason=exc.message)
            continue
        return template, data
    return None, rendering.default_template_bytes(key)


def template_in_force(agency: Agency, key: str) -> LetterTemplate | None:
    """The agency's upload in force for the key (None: the default template)."""
    return _template_in_force(agency, key)[0]


def agency_template_bytes(agency: Agency, key: str) -> bytes:
    """The template in force for the agency and key: its newest accepted upload, else the default."""
    return _template_in_force(agency, key)[1]


@transaction.atomic
def template_upload(*, agency: Agency, by, key: str, data: bytes, filename: str) -> LetterTemplate:
    """Accept a replacement template after checking it; a refused one changes nothing."""
    if not (
        getattr(by, "is_superuser", False) or user_has_role(by, agency.id, LETTER_ROLES["template"])
    ):
        letter_refused(by, agency.id, "template")
    if key not in TEMPLATE_KEYS:
        raise RuleViolation(MSG_TEMPLATE_KEY.format(key=key), "key")
    used = rendering.template_check(data, key)  # raises TemplateInvalid listing the problems
    template = LetterTemplate(
        agency=agency,
        key=key,
        original_name=filename[:200],
        sha256=rendering.sha256_hex(data),
        placeholders=sorted(used),
        uploaded_by=by,
    )
    template.file.save(
        f"{agency.code}-{key}-{template.sha256[:12]}.docx", ContentFile(data), save=False
    )
    template.save()
    security_event_record(
        SecurityEventKind.TEMPLATE_CHANGE,
        user=by,
        obj=template,
        details={"action": "upload", "agency": agency.code, "key": key, "sha256": template.sha256},
    )
    return template


def template_refuse(*, template_id: int, reason: str) -> bool:
    """Take an uploaded template out of use (found unsafe or unusable after its upload); the
    default template or an older accepted upload is in force again. True if it was in use."""
    refused = bool(
        LetterTemplate.objects.filter(pk=template_id, refused_at__isnull=True).update(
            refused_at=timezone.now(), refused_reason=reason[:2000]
        )
    )
    if refused:
        security_event_record(
            SecurityEventKind.TEMPLATE_CHANGE,
            object_type="letters.lettertemplate",
            object_id=template_id,
            details={"action": "refuse", "reason": reason[:500]},
        )
    return refused


def templates_recheck() -> list[tuple[LetterTemplate, list[str]]]:
    """Check every uploaded template in use again with today's checks (`template_check`): the
    ones refused now are taken out of use. Returns the refused ones with their problems."""
    refused = []
    for template in LetterTemplate.objects.filter(refused_at__isnull=True).select_related("agency"):
        try:
            with template.file.open("rb") as handle:
                rendering.template_check(handle.read(), template.key)
        except rendering.TemplateInvalid as exc:
            problems = exc.errors
        except OSError as exc:
            problems = [f"{MSG_TEMPLATE_FILE_MISSING}（{exc}）"]
        else:
            continue
        template_refuse(template_id=template.pk, reason="；".join(problems))
        refused.append((template, problems))
    return refused


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
