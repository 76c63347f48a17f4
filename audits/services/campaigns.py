"""Campaigns: creating and editing one, its status transitions and what blocks them, and the
scoring state of its test requests that publishing depends on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from agencies.models import Agency, Membership, Role
from agencies.selectors import agency_subtree_ids
from common.errors import MSG_NOT_PERMITTED
from requests_app.rules import RuleViolation

from .. import scoring
from ..models import (
    AuditEventKind,
    Campaign,
    ChecklistItem,
    ItemScore,
    MockRequest,
)
from ..selectors import campaign_user_is_lawyer, campaign_user_is_supervisor
from .helpers import (
    _date,
    _event,
    _iso,
    _lock,
    _require_lawyer,
    _require_status,
    _require_supervisor,
)
from .messages import (
    EDITABLE_STATUSES,
    MSG_AGENCY_HAS_REQUESTS,
    MSG_AGENCY_NOT_BELOW,
    MSG_NO_AGENCIES,
    MSG_NO_LAWYERS,
    MSG_NO_REQUESTS,
    MSG_NOT_AUDITOR,
    MSG_NOT_SCORED,
    MSG_NOT_SENT,
    MSG_NOTHING_JUDGED,
    MSG_PERIOD,
    MSG_REQUIRED,
    MSG_STATUS,
    STATUS_LABELS,
    AuditInvalid,
    NotPermitted,
)

# --- campaigns -------------------------------------------------------------------------------


def _clean_campaign(data: dict[str, Any], supervising: Agency) -> tuple[dict, list[Agency], list]:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = MSG_REQUIRED
    start = _date(data.get("period_start"), "period_start", errors, required=True)
    end = _date(data.get("period_end"), "period_end", errors, required=True)
    if start and end and end < start:
        errors["period_end"] = MSG_PERIOD
    allowed = agency_subtree_ids(supervising.id)
    agencies = list(Agency.objects.filter(pk__in=list(data.get("agency_ids") or [])))
    for agency in agencies:
        if agency.id not in allowed:
            errors["agency_ids"] = MSG_AGENCY_NOT_BELOW.format(name=agency.name)
    User = get_user_model()
    lawyers = list(User.objects.filter(pk__in=list(data.get("lawyer_ids") or [])))
    auditor_ids = set(
        Membership.objects.filter(role=Role.AUDITOR, user__in=lawyers).values_list(
            "user_id", flat=True
        )
    )
    for lawyer in lawyers:
        if lawyer.id not in auditor_ids:
            errors["lawyer_ids"] = MSG_NOT_AUDITOR.format(name=lawyer.get_username())
    if errors:
        raise AuditInvalid(errors)
    fields = {
        "name": name,
        "period_start": start,
        "period_end": end,
        "description": str(data.get("description") or "").strip(),
    }
    return fields, agencies, lawyers


def campaign_lawyer_candidates(supervising: Agency):
    """Users holding the auditor role in the supervising office (assigned by default)."""
    return (
        get_user_model()
        .objects.filter(memberships__agency=supervising, memberships__role=Role.AUDITOR)
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def campaign_create(*, by, supervising_agency: Agency, data: dict[str, Any]) -> Campaign:
    """New campaign in `planning`, with the default checklist. Only a supervisor of the
    supervising agency (or above it) may create one. Without explicit lawyers, the auditors
    of the supervising office are assigned."""
    covered: set[int] = set()
    for agency_id in Membership.objects.filter(user=by, role=Role.SUPERVISOR).values_list(
        "agency_id", flat=True
    ):
        covered |= agency_subtree_ids(agency_id)
    if supervising_agency.id not in covered:
        raise NotPermitted(MSG_NOT_PERMITTED)
    data = dict(data)
    if not data.get("lawyer_ids"):
        data["lawyer_ids"] = list(
            campaign_lawyer_candidates(supervising_agency).values_list("id", flat=True)
        )
    fields, agencies, lawyers = _clean_campaign(data, supervising_agency)
    campaign = Campaign.objects.create(
        supervising_agency=supervising_agency, created_by=by, **fields
    )
    campaign.agencies.set(agencies)
    campaign.lawyers.set(lawyers)
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                campaign=campaign,
                key=s.key,
                label=s.label,
                description=s.description,
                weight=s.weight,
                position=i + 1,
            )
            for i, s in enumerate(scoring.DEFAULT_CHECKLIST)
        ]
    )
    _event(
        campaign,
        by,
        AuditEventKind.CREATED,
        to_status=campaign.status,
        changes={
            **{k: _iso(v) for k, v in fields.items()},
            "agencies": sorted(a.code for a in agencies),
            "lawyers": sorted(u.get_username() for u in lawyers),
        },
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign_id: int,
    by,
    data: dict[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> Campaign:
    """Edit name, period, description, targeted agencies and lawyers (not after publishing).
    An agency with test requests cannot be removed."""
    campaign = _lock(campaign_id, expected_version)
    _require_supervisor(by, campaign)
    _require_status(campaign, EDITABLE_STATUSES, "修改")
    fields, agencies, lawyers = _clean_campaign(data, campaign.supervising_agency)
    used = set(campaign.test_requests.values_list("agency_id", flat=True))
    kept = {a.id for a in agencies}
    for agency in Agency.objects.filter(pk__in=used - kept):
        raise AuditInvalid({"agency_ids": MSG_AGENCY_HAS_REQUESTS.format(name=agency.name)})
    changes: dict[str, list] = {}
    for name, value in fields.items():
        old = getattr(campaign, name)
        if old != value:
            changes[name] = [_iso(old), _iso(value)]
            setattr(campaign, name, value)
    old_agencies = sorted(campaign.agencies.values_list("code", flat=True))
    new_agencies = sorted(a.code for a in agencies)
    if old_agencies != new_agencies:
        changes["agencies"] = [old_agencies, new_agencies]
        campaign.agencies.set(agencies)
    old_lawyers = sorted(u.get_username() for u in campaign.lawyers.all())
    new_lawyers = sorted(u.get_username() for u in lawyers)
    if old_lawyers != new_lawyers:
        changes["lawyers"] = [old_lawyers, new_lawyers]
        campaign.lawyers.set(lawyers)
    if not changes:
        return campaign
    campaign.version += 1
    campaign.save()
    _event(campaign, by, AuditEventKind.EDIT, reason=reason, changes=changes)
    return campaign


TRANSITIONS = {
    "start": ("开始测试", "supervisor"),
    "start_scoring": ("进入评分", "member"),
    "reopen": ("退回测试中", "supervisor"),
    "publish": ("发布结果", "supervisor"),
}


def campaign_transition_problems(campaign: Campaign, action: str) -> list[str]:
    """The guards of a transition: empty when it may run."""
    problems: list[str] = []
    requests = list(campaign.test_requests.order_by("number"))
    if action == "start":
        if not campaign.agencies.exists():
            problems.append(MSG_NO_AGENCIES)
        if not campaign.lawyers.exists():
            problems.append(MSG_NO_LAWYERS)
    elif action == "start_scoring":
        if not requests:
            problems.append(MSG_NO_REQUESTS)
        unsent = [tr.code for tr in requests if tr.sent_on is None]
        if unsent:
            problems.append(MSG_NOT_SENT.format(codes="、".join(unsent)))
    elif action == "publish":
        if not requests:
            problems.append(MSG_NO_REQUESTS)
        states = mock_request_scoring_states(campaign)
        for state, message in ((UNSCORED, MSG_NOT_SCORED), (UNJUDGED, MSG_NOTHING_JUDGED)):
            codes = [tr.code for tr in requests if states.get(tr.id) == state]
            if codes:
                problems.append(message.format(codes="、".join(codes)))
    return problems


# A test request's scoring state: every weighted item has a verdict and at least one is
# pass or fail (SCORED); a weighted item has no verdict yet (UNSCORED); every verdict is
# not_applicable or cannot_tell, so it counts for nothing (UNJUDGED) — an agency would rank
# at 100 % on its other requests while this one was, say, never answered; or it was
# explicitly left out with a reason (EXCLUDED). Publishing needs SCORED or EXCLUDED for all.
SCORED, UNSCORED, UNJUDGED, EXCLUDED = "scored", "unscored", "unjudged", "excluded"
SCORING_STATE_LABELS = {
    SCORED: "已评分",
    UNSCORED: "待评分",
    UNJUDGED: "无可计分结论",
    EXCLUDED: "已排除出评分",
}


def mock_request_scoring_states(campaign: Campaign) -> dict[int, str]:
    """{test request id: SCORED / UNSCORED / UNJUDGED / EXCLUDED} (two queries)."""
    item_ids = set(campaign.items.filter(weight__gt=0).values_list("id", flat=True))
    verdicts: dict[int, dict[int, str]] = {}
    for tr_id, item_id, verdict in ItemScore.objects.filter(
        test_request__campaign=campaign
    ).values_list("test_request_id", "item_id", "verdict"):
        verdicts.setdefault(tr_id, {})[item_id] = verdict
    states = {}
    for tr_id, excluded_at in campaign.test_requests.values_list("id", "excluded_at"):
        given = verdicts.get(tr_id, {})
        if excluded_at is not None:
            states[tr_id] = EXCLUDED
        elif not item_ids <= given.keys():
            states[tr_id] = UNSCORED
        elif item_ids and not any(given[i] in scoring.JUDGED for i in item_ids):
            states[tr_id] = UNJUDGED
        else:
            states[tr_id] = SCORED
    return states


def mock_requests_incomplete(campaign: Campaign) -> list[MockRequest]:
    """Test requests that keep the campaign from being published: not excluded, and either a
    weighted checklist item without a verdict or no pass/fail verdict at all."""
    states = mock_request_scoring_states(campaign)
    return [
        tr
        for tr in campaign.test_requests.order_by("number")
        if states.get(tr.id) in (UNSCORED, UNJUDGED)
    ]


def campaign_actions_available(campaign: Campaign, user) -> list[tuple[str, str]]:
    """(action, label) the user may run now (status allows; guards are checked on running)."""
    found = []
    is_supervisor = campaign_user_is_supervisor(user, campaign)
    is_lawyer = campaign_user_is_lawyer(user, campaign)
    for action, (label, who) in TRANSITIONS.items():
        if not can_proceed(getattr(campaign, action)):
            continue
        if is_supervisor or (who == "member" and is_lawyer):
            found.append((action, label))
    return found


@transaction.atomic
def campaign_transition(
    *, campaign_id: int, by, action: str, reason: str = "", expected_version: int | None = None
) -> Campaign:
    """planning → running → scoring (→ running) → published, with guards and history."""
    if action not in TRANSITIONS:
        raise RuleViolation(MSG_NOT_PERMITTED)
    label, who = TRANSITIONS[action]
    campaign = _lock(campaign_id, expected_version)
    if who == "member":
        _require_lawyer(by, campaign, or_supervisor=True)
    else:
        _require_supervisor(by, campaign)
    if not can_proceed(getattr(campaign, action)):
        raise RuleViolation(
            MSG_STATUS.format(status=STATUS_LABELS[campaign.status], action=label), "status"
        )
    problems = campaign_transition_problems(campaign, action)
    if problems:
        raise RuleViolation("；".join(problems), "status")
    old = campaign.status
    if action == "publish":
        campaign.publish(at=timezone.now())
    else:
        getattr(campaign, action)()
    campaign.version += 1
    campaign.save()
    _event(
        campaign,
        by,
        AuditEventKind.TRANSITION,
        from_status=old,
        to_status=campaign.status,
        reason=reason,
        changes={"action": action},
    )
    return campaign
