"""The one writer of a case's history (CaseEvent), issue 12: every service — cases, imports,
deadlines, attachments, the period lock, letters, reports — writes through these functions.

- The event type is enumerated: `kind` is an `EventKind`; a transition names a workflow
  transition (rules.TRANSITION_LABELS); a letter event is a `LetterEvent` (never assembled at
  run time from a verb).
- Changes of a field are [old, new] pairs (`history_diff` builds them): an edit, a deadline
  change, a transition's moved reply date. Facts recorded with a creation (a registration's
  receipt date, an import, a draft's details) are the new values, there being no old one; a
  post-publication correction lists the years and fields it touched.

django-fsm-log's StateLog is configured in config/settings.py; the reason it stays is written
there."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from .models import CaseEvent, EventKind
from .rules import TRANSITION_LABELS
from .services.bulk import copy_insert, copy_rows


class LetterEvent(models.TextChoices):
    """What happened to a letter, as the case history names it (kind=letter)."""

    DRAFT = "letter_draft", "拟写文书"
    EDIT = "letter_edit", "修改文书"
    APPROVE = "letter_approve", "审核文书"
    ISSUE = "letter_issue", "签发文书"
    RENDER = "letter_render", "生成文书文件"
    RENDER_FAILED = "letter_render_failed", "文书文件生成失败"
    RETURN = "letter_return", "退回文书修改"
    DELIVERY = "letter_delivery", "登记送达"
    DELIVERY_RECEIPT = "letter_delivery_receipt", "登记申请人收到日期"


# Kinds whose `changes` are changes of fields: every value an [old, new] pair.
PAIR_KINDS = frozenset({EventKind.EDIT, EventKind.DEADLINE_CHANGED})


def history_event(
    *,
    kind: str,
    case=None,
    case_id: int | None = None,
    by=None,
    reason: str = "",
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    changes: dict[str, Any] | None = None,
) -> CaseEvent:
    """One history row, checked but not saved (for a bulk insert)."""
    kind = EventKind(kind)
    if kind == EventKind.LETTER:
        transition = LetterEvent(transition).value
    elif transition and transition not in TRANSITION_LABELS:
        raise ValueError(f"unknown transition in the case history: {transition!r}")
    changes = changes or {}
    if kind in PAIR_KINDS:
        bad = [k for k, v in changes.items() if not (isinstance(v, list) and len(v) == 2)]
        if bad:
            raise ValueError(f"{kind} history must record [old, new] for {', '.join(bad)}")
    target = {"case": case} if case is not None else {"case_id": case_id}
    return CaseEvent(
        **target,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=by,
        reason=reason,
        changes=changes,
    )


def history_write(**fields) -> CaseEvent:
    """Write one history row (see `history_event` for the fields)."""
    event = history_event(**fields)
    event.save()
    return event


def history_write_many(
    events: Iterable[CaseEvent], batch_size: int = 1000, *, copy: bool = False
) -> None:
    """Write rows built by `history_event` in bulk; `copy`: with PostgreSQL's COPY (imports of
    many cases: no statement per row, no ids returned)."""
    if copy and connection.vendor == "postgresql":
        copy_insert(CaseEvent, list(events))
        return
    CaseEvent.objects.bulk_create(list(events), batch_size=batch_size)


_COPY_COLUMNS = [
    "case_id", "kind", "transition", "from_state", "to_state", "actor_id", "at", "reason", "changes",
]  # fmt: skip


def history_copy_deadline_changes(
    moved: Iterable[tuple[int, dict[str, list]]], *, by, reason: str, at: dt.datetime
) -> int:
    """PostgreSQL bulk path of the deadline recompute (100,000s of rows): one
    `deadline_changed` row per (case_id, {field: [old, new]}) COPYed as plain tuples — the same
    kind and [old, new] shape `history_event` checks, without building a model per row."""
    actor_id = getattr(by, "pk", None)
    rows = []
    for case_id, changes in moved:
        if not all(isinstance(v, list) and len(v) == 2 for v in changes.values()):
            raise ValueError("deadline_changed history must record [old, new] pairs")
        rows.append(
            (
                case_id,
                EventKind.DEADLINE_CHANGED.value,
                "",
                "",
                "",
                actor_id,
                at,
                reason,
                json.dumps(changes),
            )
        )
    copy_rows(CaseEvent, _COPY_COLUMNS, rows)
    return len(rows)


def history_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for every field whose value changed."""
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}
