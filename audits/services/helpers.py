"""Helpers every campaign service uses: the history row (`AuditEvent`), the campaign row lock
and version bump, the supervisor/lawyer/status guards, date parsing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from common.errors import MSG_NOT_PERMITTED
from requests_app.rules import RuleViolation

from ..models import (
    AuditEvent,
    Campaign,
)
from ..selectors import campaign_user_is_lawyer, campaign_user_is_supervisor
from .messages import MSG_CONFLICT, MSG_DATE, MSG_REQUIRED, MSG_STATUS, STATUS_LABELS, NotPermitted

# --- helpers ---------------------------------------------------------------------------------


def _event(
    campaign: Campaign,
    by,
    kind: str,
    *,
    test_request=None,
    reason="",
    changes=None,
    from_status="",
    to_status="",
) -> AuditEvent:
    return AuditEvent.objects.create(
        campaign=campaign,
        test_request=test_request,
        kind=kind,
        actor=by,
        reason=reason,
        changes=changes or {},
        from_status=from_status,
        to_status=to_status,
    )


def _lock(campaign_id: int, expected_version: int | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if expected_version is not None and expected_version != campaign.version:
        raise RuleViolation(MSG_CONFLICT)
    return campaign


def _bump(campaign: Campaign) -> None:
    campaign.version += 1
    campaign.save(update_fields=["version"])


def _require_supervisor(by, campaign: Campaign) -> None:
    if by is None or not campaign_user_is_supervisor(by, campaign):
        raise NotPermitted(MSG_NOT_PERMITTED)


def _require_lawyer(by, campaign: Campaign, *, or_supervisor: bool = False) -> None:
    if by is not None and campaign_user_is_lawyer(by, campaign):
        return
    if or_supervisor and by is not None and campaign_user_is_supervisor(by, campaign):
        return
    raise NotPermitted(MSG_NOT_PERMITTED)


def _require_status(campaign: Campaign, allowed: Iterable[str], action: str) -> None:
    if campaign.status not in allowed:
        raise RuleViolation(
            MSG_STATUS.format(status=STATUS_LABELS[campaign.status], action=action), "status"
        )


def _date(value: Any, field: str, errors: dict[str, str], *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[field] = MSG_REQUIRED
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = MSG_DATE
        return None


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value
