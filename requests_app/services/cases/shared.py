"""The shared core of the case services: conflict/permission errors, the role check and its
security-logged refusal, the row lock, and `case_act` — the one runner every transition goes
through (lock, permission, guards, transition, clock, deadline, history in one transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed
from django_fsm_log.helpers import FSMLogDescriptor

from agencies.selectors import user_has_role
from common import limits
from common.errors import MSG_NOT_PERMITTED, Conflict, NotPermitted
from security.events import security_event_defer
from security.kinds import SecurityEventKind

from ... import rules
from ...history import history_write
from ...hooks import after_action_run
from ...models import (
    FINISHED_STATES,
    Case,
    ClockEvent,
    EventKind,
)
from ...rules import RuleViolation
from ..deadlines import case_deadline_refresh
from ..period_lock import (  # the published-year lock (SPEC §6, periods app)
    closing_period_check,
)


class CaseConflict(Conflict):
    """Somebody else changed the case first (stale version or a state that moved on)."""


class ActionNotPermitted(NotPermitted):
    """The user's role in the case's agency does not allow the action."""


def _check_role(by, agency_id: int, action: str) -> None:
    if by is None or not user_has_role(by, agency_id, rules.TRANSITION_ROLES[action]):
        action_refused(by=by, agency_id=agency_id, action=action)


def action_refused(*, by, agency_id: int, action: str, case_id: int | None = None):
    """Refuse an action the user's role does not allow, and put the refusal in the security
    log (deferred to the end of the request: the raise rolls the transaction back)."""
    security_event_defer(
        SecurityEventKind.ACCESS_DENIED,
        user=by,
        object_type="agencies.agency",
        object_id=agency_id,
        details={"action": action, "case_id": case_id},
    )
    raise ActionNotPermitted(MSG_NOT_PERMITTED)


def transition_run_unlogged(instance, method, **kwargs) -> tuple[str, str]:
    """Run a model transition (its checks, its body, its target state) without the
    per-instance signals: for bulk writers that log the transitions themselves in one write
    (django-fsm-log's StateLog rows). Returns (source, target)."""
    meta = method._django_fsm
    source = meta.field.get_state(instance)
    if not meta.has_transition(source) or not meta.conditions_met(instance, source):
        raise TransitionNotAllowed(
            f"Can't switch from state '{source}' using method '{method.__name__}'",
            object=instance,
            method=method,
        )
    target = meta.next_state(source)
    result = method.__wrapped__(instance, **kwargs)
    if target is not None:
        if hasattr(target, "get_state"):
            target = target.get_state(instance, None, result, args=(), kwargs=kwargs)
        meta.field.set_proxy(instance, target)
        meta.field.set_state(instance, target)
    return source, target


# --- transitions ---------------------------------------------------------------------------
def _lock(case_id: int, expected_version: int | None) -> Case:
    # of=("self",): lock the case row only, not the joined agency (which every registration
    # and transition of the agency needs to share).
    case = Case.objects.select_for_update(of=("self",)).select_related("agency").get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise CaseConflict(rules.MSG_CONFLICT)
    return case


def _refusal(case: Case, action: str) -> RuleViolation:
    """Why the FSM refuses the action now: wrong state (a conflict) or a failed guard."""
    method = getattr(case, action)
    meta = method._django_fsm
    field_state = getattr(case, meta.field.name)
    transition = meta.get_transition(field_state)
    if transition is None:
        state_label = dict(meta.field.choices).get(field_state, field_state)
        return CaseConflict(
            rules.MSG_WRONG_STATE.format(state=state_label, action=rules.TRANSITION_LABELS[action])
        )
    for condition in transition.conditions:
        if not condition(case):
            return RuleViolation(getattr(condition, "message", "不满足办理条件"))
    return RuleViolation("不满足办理条件")


# What an applicant may do on a case themself (the portal's online supplement, Art. 30).
APPLICANT_ACTIONS = frozenset({"record_supplement"})


# (kind, on, days, note) or, for an Art. 35 deferral, (kind, on, days, note, until)
ClockSpec = list[tuple]


@dataclass(frozen=True)
class Decided:
    """What a check worked out from the locked case: transition arguments and clock events
    added to the ones the caller fixed beforehand."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    clock: ClockSpec = field(default_factory=list)


def case_act(
    *,
    case_id: int,
    by,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    check: Callable[[Case], Decided | None] | None = None,
    kwargs: dict[str, Any] | None = None,
    clock: ClockSpec | None = None,
    by_applicant: bool = False,
) -> Case:
    """Run one transition: lock, permission, guards, transition, clock, deadline, history.

    `check(case)` runs on the locked case after the FSM's guards; it raises to refuse, and may
    return what it `Decided` from the case (e.g. the closing date from the issued reply).
    `by_applicant` (with `by` None): the applicant acts on the public portal, identified by
    the tracking code and phone there; no staff role applies (only record_supplement)."""
    with transaction.atomic():
        case = _lock(case_id, expected_version)
        if not (by_applicant and by is None and action in APPLICANT_ACTIONS):
            _check_role(by, case.agency_id, action)
        method = getattr(case, action)
        if not can_proceed(method):
            raise _refusal(case, action)
        decided = (check(case) if check else None) or Decided()
        kwargs = {**(kwargs or {}), **decided.kwargs}
        clock = [*(clock or []), *decided.clock]
        field_name = method._django_fsm.field.name
        source = getattr(case, field_name)
        with FSMLogDescriptor(case, "by", by), FSMLogDescriptor(case, "description", reason):
            method(**kwargs)
        for kind, on, days, note, *until in clock:
            ClockEvent.objects.create(
                case=case, kind=kind, on=on, days=days, note=note, until=until[0] if until else None
            )
        old_due = case.reply_due
        if case.is_open:
            case_deadline_refresh(case)
        else:
            case.clock_stopped = False
        if case.is_finished and source not in FINISHED_STATES:
            closing_period_check(case=case, by=by, reason=reason)
        case.version += 1
        case.save()
        event = history_write(
            case=case,
            kind=EventKind.TRANSITION,
            transition=action,
            from_state=source,
            to_state=getattr(case, field_name),
            by=by,
            reason=reason,
            changes=_transition_changes(kwargs, old_due, case),
        )
        # Apps above the cases react in the same transaction (e.g. letters drafts the notice).
        after_action_run(action, case=case, by=by, event=event)
    return case


def _transition_changes(kwargs, old_due, case: Case) -> dict:
    changes = {k: _jsonable(v) for k, v in (kwargs or {}).items() if k not in ("by", "at")}
    if old_due != case.reply_due:
        changes["reply_due"] = [_iso(old_due), _iso(case.reply_due)]
    return changes


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _on(on: dt.date | None, field: str = "on") -> dt.date:
    """The day an act happened: today by default, never before 2008-05-01 nor after today."""
    on = on or timezone.localdate()
    if message := limits.event_date_error(on):
        raise RuleViolation(message, field)
    return on


def _not_before(on: dt.date, earlier: dt.date | None, what: str) -> None:
    if earlier and on < earlier:
        raise RuleViolation(rules.MSG_DATE_BEFORE.format(what=what, date=earlier), "on")
