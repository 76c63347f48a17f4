"""The campaign's checklist: the weighted items the test requests are scored against."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from ..models import (
    AuditEventKind,
    Campaign,
    ChecklistItem,
)
from .helpers import _bump, _event, _lock, _require_status, _require_supervisor
from .messages import EDITABLE_STATUSES, MSG_ITEM_KEY, MSG_REQUIRED, MSG_WEIGHT, AuditInvalid

# --- checklist -------------------------------------------------------------------------------


@transaction.atomic
def checklist_update(
    *,
    campaign_id: int,
    by,
    items: list[dict[str, Any]],
    reason: str = "",
    expected_version: int | None = None,
) -> Campaign:
    """Set labels, weights, order of existing items (by id) and add new ones (no id).
    Items are never deleted: weight 0 leaves an item out of the score."""
    campaign = _lock(campaign_id, expected_version)
    _require_supervisor(by, campaign)
    _require_status(campaign, EDITABLE_STATUSES, "修改评分项")
    existing = {i.id: i for i in campaign.items.all()}
    keys = {i.key for i in existing.values()}
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    to_create: list[ChecklistItem] = []
    for n, row in enumerate(items):
        prefix = f"items-{n}-"
        label = str(row.get("label") or "").strip()
        if not label:
            errors[prefix + "label"] = MSG_REQUIRED
        try:
            weight = int(row.get("weight"))
            if not 0 <= weight <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors[prefix + "weight"] = MSG_WEIGHT
            continue
        position = int(row.get("position") or n + 1)
        item_id = row.get("id")
        if item_id:
            item = existing.get(int(item_id))
            if item is None:
                errors[prefix + "id"] = MSG_REQUIRED
                continue
            diff = {}
            for name, value in (
                ("label", label),
                ("weight", weight),
                ("position", position),
                ("description", str(row.get("description") or item.description)),
            ):
                if getattr(item, name) != value:
                    diff[name] = [getattr(item, name), value]
                    setattr(item, name, value)
            if diff:
                changes[item.key] = diff
                item.save()
        else:
            key = str(row.get("key") or "").strip()
            if not re.fullmatch(r"[a-z0-9_]{1,40}", key) or key in keys:
                errors[prefix + "key"] = MSG_ITEM_KEY
                continue
            keys.add(key)
            to_create.append(
                ChecklistItem(
                    campaign=campaign,
                    key=key,
                    label=label,
                    weight=weight,
                    position=position,
                    description=str(row.get("description") or ""),
                )
            )
            changes[key] = {"added": [label, weight]}
    if errors:
        transaction.set_rollback(True)
        raise AuditInvalid(errors)
    ChecklistItem.objects.bulk_create(to_create)
    if changes:
        _bump(campaign)
        _event(campaign, by, AuditEventKind.CHECKLIST, reason=reason, changes=changes)
    return campaign
