"""Full identity and phone numbers only on an explicit "show", and every show recorded
(SPEC §10: masked on lists and pages unless a role needs them; 个人信息保护法 access record)."""

from __future__ import annotations

import logging

from security.events import security_event_record
from security.kinds import SecurityEventKind

from ..models import Case, PersonalDataView

log = logging.getLogger("ogi.security")

REVEALABLE_FIELDS = ("applicant_id_number", "applicant_credit_code", "applicant_phone")


def personal_data_reveal(*, case: Case, by, address: str, channel: str) -> dict[str, str]:
    """The case's full numbers for `by` (whose access to the case the caller has checked), after
    recording who looked, when, from where and at what."""
    values = {name: getattr(case, name) for name in REVEALABLE_FIELDS if getattr(case, name)}
    PersonalDataView.objects.create(
        case=case, viewer=by, address=address or None, channel=channel, fields=sorted(values)
    )
    security_event_record(
        SecurityEventKind.PII_REVEAL,
        user=by,
        address=address,
        obj=case,
        object_repr=case.case_no or str(case.public_id),
        details={"fields": sorted(values), "channel": channel},
    )
    log.info(
        "personal data shown: case=%s user=%s address=%s fields=%s",
        case.public_id,
        by.get_username(),
        address,
        ",".join(sorted(values)),
    )
    return values
