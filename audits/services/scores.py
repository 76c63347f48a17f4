"""Scoring a test request against the checklist: prefill from the facts, the verdicts, and
excluding a request from (or including it back in) the scores with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from requests_app.rules import RuleViolation

from .. import scoring
from ..models import (
    AuditEventKind,
    ItemScore,
    MockRequest,
    Verdict,
)
from ..selectors import mock_request_facts
from .helpers import _bump, _event, _lock, _require_lawyer, _require_status
from .messages import (
    MSG_ALREADY_EXCLUDED,
    MSG_EXCLUDE_REASON,
    MSG_EXCLUDED_NO_SCORE,
    MSG_INCLUDE_REASON,
    MSG_NOT_EXCLUDED,
    MSG_VERDICT,
    REPLY_STATUSES,
    AuditInvalid,
)

# --- scoring ---------------------------------------------------------------------------------


def mock_request_prefill(
    test_request: MockRequest, *, today: dt.date | None = None
) -> dict[str, tuple[str, str]]:
    """The system's suggestions for the test request's checklist, keyed by item key."""
    facts = mock_request_facts(test_request, today=today)
    return scoring.checklist_prefill(facts, test_request.expected_outcome)


@transaction.atomic
def mock_request_score(
    *,
    campaign_id: int,
    number: int,
    by,
    verdicts: dict[int, tuple[str, str]],
    today: dt.date | None = None,
) -> MockRequest:
    """Store the lawyer's verdicts ({item_id: (verdict, note)}) with the system's suggestion
    kept beside each; every change is in the history. Assigned lawyers only, while running or
    scoring."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign)
    _require_status(campaign, REPLY_STATUSES, "评分")
    tr = (
        MockRequest.objects.select_for_update(of=("self",))
        .select_related("case", "agency")
        .get(campaign=campaign, number=number)
    )
    if tr.excluded_at is not None:
        raise RuleViolation(MSG_EXCLUDED_NO_SCORE)
    items = {i.id: i for i in campaign.items.all()}
    errors: dict[str, str] = {}
    for item_id, (verdict, _note) in verdicts.items():
        if item_id not in items:
            errors[f"item_{item_id}"] = MSG_VERDICT
        elif verdict not in Verdict.values:
            errors[f"item_{item_id}"] = MSG_VERDICT
    if errors:
        raise AuditInvalid(errors)
    suggestions = mock_request_prefill(tr, today=today)
    existing = {s.item_id: s for s in tr.scores.all()}
    changes: dict[str, Any] = {}
    for item_id, (verdict, note) in verdicts.items():
        item = items[item_id]
        suggested = suggestions.get(item.key, ("", ""))
        note = (note or "").strip()
        score = existing.get(item_id)
        if score is None:
            ItemScore.objects.create(
                test_request=tr,
                item=item,
                verdict=verdict,
                note=note,
                suggested_verdict=suggested[0],
                suggested_note=suggested[1],
                scored_by=by,
            )
            changes[item.key] = [None, verdict]
        elif (score.verdict, score.note) != (verdict, note):
            changes[item.key] = [score.verdict, verdict]
            score.verdict, score.note, score.scored_by = verdict, note, by
            score.suggested_verdict, score.suggested_note = suggested
            score.save()
    if changes:
        tr.scored_at, tr.scored_by = timezone.now(), by
        tr.version += 1
        tr.save(update_fields=["scored_at", "scored_by", "version"])
        _event(campaign, by, AuditEventKind.SCORED, test_request=tr, changes=changes)
    return tr


@transaction.atomic
def mock_request_exclude(*, campaign_id: int, number: int, by, reason: str) -> MockRequest:
    """Leave a test request out of the scores and the ranking, with a reason (who, when and why
    are kept on the request and in the history). Assigned lawyers or the supervisor, while
    running or scoring; undone by `mock_request_include`."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REPLY_STATUSES, "排除出评分")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(MSG_EXCLUDE_REASON, "reason")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    if tr.excluded_at is not None:
        raise RuleViolation(MSG_ALREADY_EXCLUDED)
    tr.excluded_at, tr.excluded_by, tr.exclusion_reason = timezone.now(), by, reason
    tr.version += 1
    tr.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason", "version"])
    _event(
        campaign,
        by,
        AuditEventKind.EXCLUDED,
        test_request=tr,
        reason=reason,
        changes={"excluded": [False, True]},
    )
    _bump(campaign)
    return tr


@transaction.atomic
def mock_request_include(*, campaign_id: int, number: int, by, reason: str) -> MockRequest:
    """Count an excluded test request again (the exclusion stays in the history)."""
    campaign = _lock(campaign_id)
    _require_lawyer(by, campaign, or_supervisor=True)
    _require_status(campaign, REPLY_STATUSES, "恢复计入评分")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(MSG_INCLUDE_REASON, "reason")
    tr = MockRequest.objects.select_for_update(of=("self",)).get(campaign=campaign, number=number)
    if tr.excluded_at is None:
        raise RuleViolation(MSG_NOT_EXCLUDED)
    old_reason = tr.exclusion_reason
    tr.excluded_at, tr.excluded_by, tr.exclusion_reason = None, None, ""
    tr.version += 1
    tr.save(update_fields=["excluded_at", "excluded_by", "exclusion_reason", "version"])
    _event(
        campaign,
        by,
        AuditEventKind.INCLUDED,
        test_request=tr,
        reason=reason,
        changes={"excluded": [True, False], "exclusion_reason": [old_reason, ""]},
    )
    _bump(campaign)
    return tr
