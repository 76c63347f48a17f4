"""Issued letters are records: their file must be the one frozen at issue. The SHA-256 stored
when the file was rendered (Letter.sha256) is checked on every download (`letter_file_verified`)
and by a daily sweep (`letters_integrity_check`, the `check_file_integrity` command and the
beat task). A mismatch or a missing file is never served: it is recorded in the security log,
mailed to the administrators and flagged on the case page until the file is intact again."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.core.mail import mail_admins

from common.errors import RuleViolation
from security.events import security_event_record
from security.kinds import SecurityEventKind
from security.selectors import integrity_flagged

from .models import Letter, LetterState, RenderStatus

log = logging.getLogger("ogi.security")

OBJECT_TYPE = "letters.letter"
MISSING = "missing"
MSG_TAMPERED = (
    "文书文件与签发时的校验值不一致（可能被篡改或损坏），已拒绝下载并通知系统管理员；"
    "请从备份恢复该文件。"
)
MAIL_SUBJECT = "文书文件校验不符：{number}"


@dataclass
class IntegrityReport:
    checked: int = 0
    mismatched: list[str] = field(default_factory=list)  # letter numbers
    restored: list[str] = field(default_factory=list)


def file_sha256(letter: Letter) -> tuple[bytes | None, str]:
    """The stored file's bytes and SHA-256, or (None, "missing") when it cannot be read."""
    try:
        with letter.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None, MISSING
    return data, hashlib.sha256(data).hexdigest()


def letter_flagged_ids(letter_ids) -> set[int]:
    """The letters among `letter_ids` whose file was last found altered or missing."""
    return {int(pk) for pk in integrity_flagged(OBJECT_TYPE, letter_ids)}


def _report_mismatch(letter: Letter, actual: str, *, where: str, already_flagged: bool) -> None:
    security_event_record(
        SecurityEventKind.FILE_INTEGRITY_MISMATCH,
        obj=letter,
        object_repr=letter.number or str(letter.public_id),
        details={
            "case": str(letter.case.public_id),
            "case_no": letter.case.case_no,
            "expected": letter.sha256,
            "actual": actual,
            "file": letter.file.name,
            "where": where,
        },
    )
    log.error(
        "letter file integrity: %s expected=%s actual=%s", letter.number, letter.sha256, actual
    )
    if not already_flagged:  # once per finding, not on every refused download or sweep
        mail_admins(
            MAIL_SUBJECT.format(number=letter.number),
            f"案件 {letter.case.case_no} 的文书 {letter.number}（{letter.file.name}）"
            f"与签发时冻结的 SHA-256 不一致。\n应为：{letter.sha256}\n实际：{actual}\n"
            f"发现于：{where}。该文件已停止提供下载，请从备份恢复。",
        )


def letter_file_verified(letter: Letter) -> bytes:
    """The issued letter's file if its SHA-256 is the frozen one; otherwise RuleViolation
    (MSG_TAMPERED) after recording and reporting the mismatch."""
    data, actual = file_sha256(letter)
    if data is not None and actual == letter.sha256:
        return data
    flagged = bool(letter_flagged_ids([letter.pk]))
    _report_mismatch(letter, actual, where="download", already_flagged=flagged)
    raise RuleViolation(MSG_TAMPERED)


def letters_integrity_check() -> IntegrityReport:
    """Check every issued letter's file; record and report each new mismatch, and record a file
    found intact again (restored from a backup), which lifts the flag on the case."""
    report = IntegrityReport()
    letters = (
        Letter.objects.filter(state=LetterState.ISSUED, render_status=RenderStatus.GENERATED)
        .exclude(sha256="")
        .select_related("case")
        .order_by("pk")
    )
    flagged = integrity_flagged(OBJECT_TYPE, letters.values_list("pk", flat=True))
    for letter in letters.iterator(chunk_size=500):
        report.checked += 1
        _, actual = file_sha256(letter)
        was_flagged = str(letter.pk) in flagged
        if actual != letter.sha256:
            report.mismatched.append(letter.number)
            if not was_flagged:
                _report_mismatch(letter, actual, where="sweep", already_flagged=False)
        elif was_flagged:
            report.restored.append(letter.number)
            security_event_record(
                SecurityEventKind.FILE_INTEGRITY_RESTORED,
                obj=letter,
                object_repr=letter.number,
                details={"case": str(letter.case.public_id), "sha256": actual},
            )
    return report
