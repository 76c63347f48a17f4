"""Per-agency letter templates: the one in force, uploads checked for safety, refusal and the
recheck of all uploaded templates."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import user_has_role
from requests_app.rules import RuleViolation
from security.events import security_event_record
from security.kinds import SecurityEventKind

from .. import rendering
from ..models import (
    LetterTemplate,
)
from ..placeholders import TEMPLATE_KEYS
from .shared import LETTER_ROLES, MSG_TEMPLATE_FILE_MISSING, MSG_TEMPLATE_KEY, letter_refused


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
