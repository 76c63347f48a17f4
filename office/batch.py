"""Batch work on the worklist: assign a handler, print receipts or envelopes, record postal
deliveries for many cases at once.

Each case goes through the same service as on its own page (permissions, rules and history
row per case) in its own transaction: a case that fails is reported with the reason and
changes nothing; the others go ahead."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from letters import services as letters_svc
from letters.models import Letter, LetterState
from requests_app.models import Case, DeliveryMethod
from requests_app.rules import RuleViolation
from requests_app.selectors import case_list_for_user
from requests_app.services.cases import case_assign

MAX_CASES = 200
MSG_NO_CASES = "请先勾选案件"
MSG_TOO_MANY = f"一次最多处理 {MAX_CASES} 件"
MSG_NOT_FOUND = "案件不存在或无权访问"
MSG_UNCHANGED = "已由该承办人承办，未变更"
MSG_NO_LETTER = "本案尚无已签发的文书"
MSG_BATCH_REASON = "批量{what}"


@dataclass
class CaseResult:
    """What happened to one case of the batch."""

    key: str  # the public id as posted
    case: Case | None = None
    ok: bool = False
    message: str = ""
    letter: Letter | None = None

    @property
    def label(self) -> str:
        return self.case.case_no if self.case is not None else self.key


@dataclass
class BatchResult:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def succeeded(self) -> list[CaseResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]


def batch_cases(user, keys: Iterable[str]) -> BatchResult:
    """The posted cases the user may read, in the posted order (duplicates once); an unknown
    id or another agency's case is a failed row, never an error page."""
    ordered: list[str] = []
    for key in keys:
        if key and key not in ordered:
            ordered.append(key)
    if not ordered:
        raise RuleViolation(MSG_NO_CASES, "cases")
    if len(ordered) > MAX_CASES:
        raise RuleViolation(MSG_TOO_MANY, "cases")
    valid = []
    for key in ordered:
        try:
            valid.append(uuid.UUID(key))
        except ValueError:
            continue
    found = {
        str(case.public_id): case
        for case in case_list_for_user(user).filter(public_id__in=valid).select_related("agency")
    }
    result = BatchResult()
    for key in ordered:
        case = found.get(key)
        result.results.append(
            CaseResult(key=key, case=case, message="" if case is not None else MSG_NOT_FOUND)
        )
    return result


def _each(result: BatchResult, run) -> BatchResult:
    """Run `run(row)` for each readable case in its own transaction; a refusal is the row's
    message and rolls back that case only."""
    for row in result.results:
        if row.case is None:
            continue
        try:
            with transaction.atomic():
                row.message = run(row) or "完成"
            row.ok = True
        except RuleViolation as exc:
            row.ok, row.message = False, exc.message
    return result


def batch_assign(*, user, keys: Sequence[str], handler_id: int, reason: str = "") -> BatchResult:
    """指定承办人 for each case (case_assign: its rules, its history row)."""
    reason = reason.strip() or MSG_BATCH_REASON.format(what="指定承办人")

    def run(row: CaseResult) -> str:
        before = row.case.handler_id
        case = case_assign(case_id=row.case.id, by=user, handler_id=handler_id, reason=reason)
        row.case = case
        return MSG_UNCHANGED if before == handler_id else "已指定承办人"

    return _each(batch_cases(user, keys), run)


def batch_receipts(*, user, keys: Sequence[str]) -> BatchResult:
    """The receipt of each case: the issued one, or one issued now (receipt_issue)."""

    def run(row: CaseResult) -> str:
        already = Letter.objects.filter(
            case=row.case, kind="receipt", state=LetterState.ISSUED
        ).exists()
        row.letter = letters_svc.receipt_issue(
            case_id=row.case.id, by=user, reason=MSG_BATCH_REASON.format(what="出具登记回执")
        )
        if row.letter.render_status != "generated":
            raise RuleViolation(f"回执 {row.letter.number} 文件生成失败，请在文书页重新生成")
        return f"{row.letter.number}（{'重新打印' if already else '已出具'}）"

    return _each(batch_cases(user, keys), run)


def latest_issued_letter(case: Case) -> Letter | None:
    return (
        Letter.objects.filter(case=case, state=LetterState.ISSUED)
        .select_related("agency", "case")
        .order_by("-issued_at", "-id")
        .first()
    )


def batch_envelopes(*, user, keys: Sequence[str]) -> BatchResult:
    """The envelope of each case's latest issued letter (nothing is written)."""

    def run(row: CaseResult) -> str:
        row.letter = latest_issued_letter(row.case)
        if row.letter is None:
            raise RuleViolation(MSG_NO_LETTER)
        return row.letter.number

    return _each(batch_cases(user, keys), run)


def batch_documents(result: BatchResult, kind: str) -> list[bytes]:
    """The .docx of each succeeded row: the receipt itself, or the envelope of the letter."""
    documents = []
    for row in result.succeeded:
        if kind == "envelopes":
            documents.append(letters_svc.envelope_bytes(row.letter))
        else:
            documents.append(letters_svc.letter_file_bytes(row.letter))
    return documents


@dataclass(frozen=True)
class PostalEntry:
    key: str
    letter_key: str
    tracking_number: str


def delivery_candidates(case: Case) -> list[Letter]:
    """The case's issued letters, those not yet delivered first, newest first."""
    letters = list(
        Letter.objects.filter(case=case, state=LetterState.ISSUED)
        .prefetch_related("deliveries")
        .order_by("-issued_at", "-id")
    )
    return sorted(letters, key=lambda letter: bool(letter.deliveries.all()))


def batch_postal_deliveries(
    *, user, entries: Sequence[PostalEntry], sent_on: dt.date
) -> BatchResult:
    """邮寄送达 of one issued letter per case with its own tracking number (delivery_record:
    its checks and its history row)."""
    by_key = {entry.key: entry for entry in entries}
    result = batch_cases(user, [entry.key for entry in entries])

    def run(row: CaseResult) -> str:
        entry = by_key[row.key]
        letter = Letter.objects.filter(
            case=row.case, public_id=_uuid(entry.letter_key), state=LetterState.ISSUED
        ).first()
        if letter is None:
            raise RuleViolation(MSG_NO_LETTER, "letter")
        row.letter = letter
        letters_svc.delivery_record(
            letter_id=letter.id,
            by=user,
            method=DeliveryMethod.POST,
            sent_on=sent_on,
            tracking_number=entry.tracking_number,
        )
        return f"{letter.number} 邮件单号 {entry.tracking_number.strip()}"

    return _each(result, run)


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
