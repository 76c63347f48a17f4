"""Every write to a letter goes through these services (SPEC §4, STYLE habits 3–5).

Lifecycle: `letter_draft` (handler) → `letter_update` (edit text and fields) → `letter_approve`
(approver signs off) → `letter_issue` (approver: number, freeze, render, store, checksum). An
issued letter never changes; a correction is a new letter whose `replaces` is the old one.
Every event writes a CaseEvent(kind=letter) on the case in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Role
from agencies.selectors import user_has_role
from common.counters import counter_row_locked
from requests_app.models import Case, CaseEvent, CaseState, DeliveryMethod, EventKind
from requests_app.outcomes import OUTCOME_KEYS, Outcome
from requests_app.rules import RuleViolation
from requests_app.services.cases import ActionNotPermitted

from . import compose, rendering
from .models import (
    LETTER_KINDS,
    Delivery,
    Letter,
    LetterKind,
    LetterNumberCounter,
    LetterState,
    LetterTemplate,
    RenderStatus,
)
from .placeholders import TEMPLATE_KEYS, template_key_for

# --- who may do what (SPEC §1: the handler drafts, the approver signs off and issues) --------
LETTER_ROLES: dict[str, frozenset[str]] = {
    "draft": frozenset({Role.HANDLER}),
    "draft_receipt": frozenset({Role.CLERK, Role.HANDLER}),
    "edit": frozenset({Role.HANDLER, Role.APPROVER}),
    "approve": frozenset({Role.APPROVER}),
    "issue": frozenset({Role.APPROVER}),
    # The clerk prints receipts (SPEC §1): no approver's sign-off needed for a 登记回执.
    "approve_receipt": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
    "issue_receipt": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
    "deliver": frozenset({Role.CLERK, Role.HANDLER}),
    "render": frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER}),
    "template": frozenset({Role.ADMINISTRATOR}),
}

MSG_NOT_PERMITTED = "您没有执行此操作的权限"
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
MSG_DELIVERY_METHOD = "请选择送达方式"
MSG_TRACKING_REQUIRED = "邮寄送达请填写邮件单号"
MSG_EMAIL_REQUIRED = "电子邮件送达请填写电子邮箱"
MSG_RECEIVED_BEFORE_SENT = "申请人收到日期不能早于发出日期"
MSG_DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
MSG_FEE_AMOUNT = "收费金额须为大于零的数字（元）"
MSG_FEE_MISMATCH = "收费通知的金额（{letter}元）与案件登记的收费金额（{case}元）不一致"
MSG_TEMPLATE_KEY = "未知的模板：{key}"
MSG_DATE_MISMATCH = "文书中的{label}（{letter}）与案件记录（{case}）不一致"


class LetterNotPermitted(ActionNotPermitted):
    """The user's role in the case's agency does not allow the letter action."""


def _check_role(by, agency_id: int, action: str) -> None:
    if by is None or not user_has_role(by, agency_id, LETTER_ROLES[action]):
        raise LetterNotPermitted(MSG_NOT_PERMITTED)


def action_for(letter: Letter, action: str) -> str:
    return f"{action}_receipt" if letter.kind == LetterKind.RECEIPT else action


def _event(letter: Letter, by, verb: str, reason: str = "", **changes: Any) -> None:
    CaseEvent.objects.create(
        case_id=letter.case_id,
        kind=EventKind.LETTER,
        transition=f"letter_{verb}",
        actor=by,
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
        "draft",
        reason,
        outcome=letter_outcome,
        replaces=replaces.number if replaces else "",
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
    letter.state = LetterState.DRAFT
    letter.approved_by, letter.approved_at = None, None
    letter.save()
    _event(letter, by, "edit", reason, changes=changed, approval_cleared=was_approved)
    return letter


@transaction.atomic
def letter_approve(*, letter_id: int, by, reason: str = "") -> Letter:
    """审核 (SPEC §1): the approver signs off the draft as it stands."""
    letter = _lock(letter_id)
    _check_role(by, letter.agency_id, action_for(letter, "approve"))
    if letter.state != LetterState.DRAFT:
        raise RuleViolation(MSG_NOT_DRAFT.format(state=letter.get_state_display()))
    _details_check(letter)
    letter.state = LetterState.APPROVED
    letter.approved_by, letter.approved_at = by, timezone.now()
    letter.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    _event(letter, by, "approve", reason)
    return letter


def _details_check(letter: Letter) -> None:
    """The fields a letter of this kind cannot go out without (errors name the field)."""
    key = template_key_for(letter.kind, letter.outcome)
    details = letter.details
    required: list[tuple[str, str]] = []
    if key == "supplement_notice":
        required = [("missing", "需要补正的事项"), ("supplement_due", "补正期限")]
    elif key == "extension_notice":
        required = [("new_due", "延期后的答复期限"), ("extension_reason", "延期理由")]
    elif key == "consultation_letter":
        required = [("third_party", "征求意见对象")]
    elif key == "fee_notice":
        _fee_check(letter)
    elif key in ("reply_withheld", "reply_partially_disclosed"):
        required = [("withhold_reason", "不予公开的理由")]
    elif key == "reply_disclosed" and compose._truthy(details.get("already_public", "")):
        required = [("access", "获取方式、途径")]
    elif key == "reply_unavailable" and str(details.get("responsible_agency", "")).strip():
        required = [("responsible_contact", "该机关联系方式")]
    for name, label in required:
        if not str(details.get(name, "")).strip():
            raise RuleViolation(MSG_DETAIL_REQUIRED.format(label=label), name)
    for name in ("supplement_due", "new_due"):
        value = str(details.get(name, "")).strip()
        if value and name in dict(required):
            try:
                dt.date.fromisoformat(value)
            except ValueError as exc:
                raise RuleViolation(MSG_DATE_FORMAT, name) from exc
    if not _body_lines(letter.body):
        raise RuleViolation(MSG_DETAIL_REQUIRED.format(label="正文"), "body")


def _fee_check(letter: Letter) -> None:
    """The fee notice's amount: computed from the standard (SPEC §5) or typed; positive, and
    the same as the amount recorded on the case when the case has one."""
    fee = compose.fee_of(letter.details)
    if fee is None:
        raw = str(letter.details.get("fee_amount", "")).strip()
        if not raw:
            raise RuleViolation(MSG_DETAIL_REQUIRED.format(label="金额（元）"), "fee_amount")
        try:
            amount = Decimal(raw)
        except InvalidOperation as exc:
            raise RuleViolation(MSG_FEE_AMOUNT, "fee_amount") from exc
    else:
        amount = fee.amount
    if amount <= 0:
        raise RuleViolation(MSG_FEE_AMOUNT, "fee_amount")
    case_amount = letter.case.fee_amount
    if case_amount is not None and amount != case_amount:
        raise RuleViolation(MSG_FEE_MISMATCH.format(letter=amount, case=case_amount), "fee_amount")


# --- issue -----------------------------------------------------------------------------------
def letter_number_format(agency: Agency, year: int, seq: int) -> str:
    prefix = agency.letter_prefix or agency.name
    return f"{prefix}〔{year}〕{seq}号"


def letter_number_next(*, agency: Agency, year: int) -> int:
    """The next letter number of the agency and year. The counter row stays locked until the
    issuing transaction ends, so numbers are unique and gapless under concurrent issuing."""
    counter = counter_row_locked(LetterNumberCounter, agency=agency, year=year)
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
    elif case.state == CaseState.CLOSED:
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
    if letter.replaces_id is None:
        existing = (
            Letter.objects.filter(case=case, kind=LetterKind.REPLY, state=LetterState.ISSUED)
            .exclude(pk=letter.pk)
            .first()
        )
        if existing:
            raise RuleViolation(MSG_REPLY_EXISTS.format(number=existing.number), "replaces")


def _notice_dates_check(letter: Letter, case: Case) -> None:
    """A notice may not tell the applicant another date than the case records: the supplement
    period of a supplement notice, the new reply deadline of an extension notice."""
    checks = {
        LetterKind.SUPPLEMENT_NOTICE: ("supplement_due", "补正期限", case.supplement_due),
        LetterKind.EXTENSION_NOTICE: ("new_due", "延期后的答复期限", case.reply_due),
    }
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
        _details_check(letter)
        key = template_key_for(letter.kind, letter.outcome)
        template = LetterTemplate.objects.filter(agency=letter.agency, key=key).first()
        seq = letter_number_next(agency=letter.agency, year=on.year)
        letter.number_year, letter.number_seq = on.year, seq
        letter.number = letter_number_format(letter.agency, on.year, seq)
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
        letter.state = LetterState.ISSUED
        letter.issued_by, letter.issued_at = by, timezone.now()
        letter.render_status = RenderStatus.PENDING
        letter.save()
        _event(letter, by, "issue", reason, number=letter.number, issued_on=on.isoformat())
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
        except Exception as exc:  # any failure becomes visible work, never a lost case state
            error = f"{type(exc).__name__}: {exc}"[:2000]
            repeated = letter.render_status == RenderStatus.FAILED and letter.render_error == error
            letter.render_status, letter.render_error = RenderStatus.FAILED, error
            letter.save(update_fields=["render_status", "render_error", "updated_at"])
            if not repeated:  # the periodic sweep retries; the history says it once
                _event(letter, by, "render_failed", error)
            return letter
        digest = rendering.sha256_hex(data)
        letter.file.save(
            f"{letter.number_seq:05d}-{letter.public_id}.docx", ContentFile(data), save=False
        )
        letter.sha256 = digest
        letter.render_status = RenderStatus.GENERATED
        letter.render_error = ""
        letter.save(update_fields=["file", "sha256", "render_status", "render_error", "updated_at"])
        _event(letter, by, "render", number=letter.number, sha256=digest)
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
    """The stored file of an issued letter, or a draft rendering of an unissued one."""
    if letter.state == LetterState.ISSUED:
        if letter.render_status != RenderStatus.GENERATED:
            raise RuleViolation(
                f"文书文件尚未生成（{letter.get_render_status_display()}），请重新生成"
            )
        with letter.file.open("rb") as handle:
            return handle.read()
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
        "delivery",
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
        "delivery_receipt",
        reason,
        received_on=[old.isoformat() if old else None, received_on.isoformat()],
    )
    return delivery


# --- per-agency templates -------------------------------------------------------------------------
def agency_template_bytes(agency: Agency, key: str) -> bytes:
    """The template in force for the agency and key: its newest accepted upload, else the default."""
    template = LetterTemplate.objects.filter(agency=agency, key=key).first()
    if template is None:
        return rendering.default_template_bytes(key)
    with template.file.open("rb") as handle:
        return handle.read()


@transaction.atomic
def template_upload(*, agency: Agency, by, key: str, data: bytes, filename: str) -> LetterTemplate:
    """Accept a replacement template after checking it; a refused one changes nothing."""
    if not (
        getattr(by, "is_superuser", False) or user_has_role(by, agency.id, LETTER_ROLES["template"])
    ):
        raise LetterNotPermitted(MSG_NOT_PERMITTED)
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
    return template


def receipt_issue_on_registration(*, case_id: int, by) -> Letter | None:
    """登记回执 on registration (agencies that ask for it): draft, sign off and issue the receipt
    as the registering user. Safe to run twice (an existing receipt is left alone). A refusal
    becomes a note on the case, so that staff issue the receipt by hand: never a silent loss."""
    existing = Letter.objects.filter(case_id=case_id, kind=LetterKind.RECEIPT).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            letter = letter_draft(
                case_id=case_id, by=by, kind=LetterKind.RECEIPT, reason="登记后自动出具"
            )
            letter_approve(letter_id=letter.pk, by=by, reason="登记后自动出具")
        return letter_issue(letter_id=letter.pk, by=by, reason="登记后自动出具")
    except RuleViolation as exc:
        CaseEvent.objects.create(
            case_id=case_id,
            kind=EventKind.NOTE,
            actor=by,
            reason=f"登记回执未能自动出具，请手工出具：{exc.message}",
        )
        return None
