"""A letter's files: rendering the .docx from the agency's template, draft previews, the issued
file, the envelope and the PDF."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from requests_app.history import LetterEvent
from requests_app.models import (
    Case,
)
from requests_app.rules import RuleViolation

from .. import compose, integrity, rendering
from ..models import (
    LETTER_KINDS,
    Letter,
    LetterKind,
    LetterState,
    RenderStatus,
)
from ..placeholders import template_key_for
from .shared import (
    MSG_NOT_ISSUED,
    MSG_REPLY_NEEDS_OUTCOME,
    MSG_TEMPLATE_UNSAFE,
    MSG_UNKNOWN_KIND,
    _body_lines,
    _check_role,
    _event,
    _lock,
)
from .templates import agency_template_bytes, template_refuse


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
