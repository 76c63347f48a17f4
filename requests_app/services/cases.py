"""Every write to a case goes through these services: lock the row, check the role, run the
transition, record the clock events, refresh the cached deadline, write the history — all in
one transaction. Side effects (letters, notifications) are scheduled after commit."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed
from django_fsm_log.helpers import FSMLogDescriptor
from django_fsm_log.models import StateLog

from agencies.models import Agency, Role
from agencies.selectors import user_has_role, user_roles
from common import limits
from common.counters import counter_row_locked
from common.errors import MSG_NOT_PERMITTED, Conflict, NotPermitted
from security.events import security_event_defer
from security.kinds import SecurityEventKind
from workcalendar.selectors import calendar_get

from .. import rules
from ..history import history_event, history_write, history_write_many
from ..hooks import after_action_run, after_registration_run, issued_reply_check
from ..models import (
    FINISHED_STATES,
    Case,
    CaseNumberCounter,
    CaseState,
    Channel,
    ClockEvent,
    ClockKind,
    EventKind,
    ExtensionState,
)
from ..outcomes import Outcome
from ..rules import RuleViolation
from ..selectors import case_current_receipt_date
from .bulk import bulk_set, copy_insert
from .deadlines import ClockFact, case_deadline_refresh, deadline_compute
from .intake import (
    MSG_CONFIRMATION_LATE,
    MSG_RECEIPT_DATE_CHECK,
    IntakeInvalid,
    intake_clean,
    receipt_date_unusual,
)
from .period_lock import (  # the published-year lock (SPEC §6, periods app)
    case_period_check,
    closing_period_check,
    published_years,
    registration_period_events,
)
from .repeats import case_repeat_flag


class CaseConflict(Conflict):
    """Somebody else changed the case first (stale version or a state that moved on)."""


class ActionNotPermitted(NotPermitted):
    """The user's role in the case's agency does not allow the action."""


TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def tracking_code_new() -> str:
    # 32 letters: the low five bits of a random byte pick one without bias (one system call).
    return "".join(TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(12))


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


@transaction.atomic
def case_register(
    *,
    agency: Agency,
    by,
    data: dict[str, Any],
    today: dt.date | None = None,
) -> Case:
    """登记 (Art. 29–31): validate, number, store the receipt clock event and the deadline."""
    _check_role(by, agency.id, "register")
    today = today or timezone.localdate()
    cleaned = intake_clean(data, today=today)
    case = case_create(agency=agency, by=by, cleaned=cleaned, event_kind=EventKind.REGISTERED)
    case_repeat_flag(case=case, by=by)  # web, API and commands alike (open or answered before)
    if agency.receipt_on_registration:
        # Letters sends the receipt (回执) after commit, through requests_app/hooks.py.
        transaction.on_commit(lambda: after_registration_run(case_id=case.id, by_id=by.id))
    return case


@transaction.atomic
def case_submit_online(
    *,
    agency: Agency,
    data: dict[str, Any],
    submitted_on: dt.date | None = None,
    confirmed_on: dt.date | None = None,
    tracking_code: str = "",
    reason: str = "网上申请平台提交",
) -> Case:
    """网上申请 through the public portal: no staff user. The receipt date is the day both
    sides confirm (Art. 31(3)): the day of submission when the portal confirms at once (the
    default), or the day staff confirm a submission that waited (portal.Submission), which
    then brings the tracking code the applicant was already given."""
    today = timezone.localdate()
    cleaned = intake_clean(
        {
            **data,
            "channel": "online",
            "submitted_on": submitted_on or today,
            "confirmed_on": confirmed_on or today,
        },
        today=today,
    )
    case = case_create(
        agency=agency,
        by=None,
        cleaned=cleaned,
        event_kind=EventKind.REGISTERED,
        reason=reason,
        tracking_code=tracking_code,
    )
    case_repeat_flag(case=case, by=None)
    return case


def case_create(
    *,
    agency: Agency,
    by,
    cleaned: dict[str, Any],
    event_kind: str,
    reason: str = "",
    case_no: str = "",
    tracking_code: str = "",
) -> Case:
    """Create an open case from cleaned intake values (callers validate and check roles)."""
    received_on: dt.date = cleaned["received_on"]
    if not case_no:
        (case_no,) = case_numbers_reserve(agency=agency, year=received_on.year, count=1)
    fields = {k: v for k, v in cleaned.items() if k in _CASE_FIELDS}
    case = Case(
        agency=agency,
        year=received_on.year,
        case_no=case_no,
        tracking_code=tracking_code or tracking_code_new(),
        created_by=by,
        **fields,
    )
    case.save()
    note = cleaned.get("receipt_note", "")
    ClockEvent.objects.create(case=case, kind=ClockKind.RECEIPT, on=received_on, note=note)
    case_deadline_refresh(case)
    case.save(update_fields=["reply_due", "deadline_provisional", "clock_stopped"])
    changes = {"received_on": received_on.isoformat(), "reply_due": _iso(case.reply_due)}
    if note:
        changes["receipt_note"] = note
    history_write(
        case=case, kind=event_kind, by=by, to_state=case.state, reason=reason, changes=changes
    )
    history_write_many(registration_period_events([case], by=by, reason=""))
    return case


_CASE_FIELDS = {f.name for f in Case._meta.get_fields() if getattr(f, "concrete", False)}


@dataclass(frozen=True)
class NewCase:
    """One case to create in bulk: cleaned intake values, an optional number and, for a case
    that was already closed before it came into the system, its outcome and closing date."""

    cleaned: dict[str, Any]
    case_no: str = ""
    outcome: str = ""
    closed_on: dt.date | None = None


def case_numbers_reserve(
    *, agency: Agency, year: int, count: int, also_taken: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """`count` new case numbers of the agency and year under one counter lock, skipping any
    number already taken (e.g. by an import that brought its own) or in `also_taken`."""
    counter = counter_row_locked(CaseNumberCounter, agency=agency, year=year)
    numbers: list[str] = []
    while len(numbers) < count:  # only the candidates are looked up, not the year's numbers
        first = counter.last + 1
        counter.last += count - len(numbers)
        candidates = [f"{year}-{n:04d}" for n in range(first, counter.last + 1)]
        taken = set(also_taken) | set(
            Case.objects.filter(agency=agency, case_no__in=candidates).values_list(
                "case_no", flat=True
            )
        )
        numbers += [c for c in candidates if c not in taken]
    counter.save(update_fields=["last"])
    return numbers


def cases_create_bulk(
    *,
    agency: Agency,
    by,
    new: list[NewCase],
    event_kind: str,
    reason: str,
    close_reason: str = "",
    system: bool = False,
) -> list[Case]:
    """Create many cases as `case_create` would, in a few statements: the same receipt clock
    events, derived deadlines and history rows; closed ones go through the logged
    `close_imported` transition. Callers validate the rows and check the creating user's role;
    `system` (with `by` None): the server's operator imports, no user's role applies."""
    if any(item.outcome for item in new) and not (system and by is None):
        _check_role(by, agency.id, "close_imported")
    if not new:
        return []
    latest = max(item.cleaned["received_on"] for item in new)
    calendar = calendar_get(covering=latest + dt.timedelta(days=400))
    numbers: dict[int, list[str]] = {}
    for year in {item.cleaned["received_on"].year for item in new if not item.case_no}:
        count = sum(1 for i in new if not i.case_no and i.cleaned["received_on"].year == year)
        numbers[year] = case_numbers_reserve(
            agency=agency, year=year, count=count, also_taken={i.case_no for i in new if i.case_no}
        )
    generated = {year: iter(found) for year, found in numbers.items()}
    cases = []
    for item in new:
        received_on = item.cleaned["received_on"]
        deadline = deadline_compute([ClockFact(ClockKind.RECEIPT, received_on)], calendar)
        cases.append(
            Case(
                agency=agency,
                year=received_on.year,
                case_no=item.case_no or next(generated[received_on.year]),
                tracking_code=tracking_code_new(),
                created_by=by,
                reply_due=deadline.due,
                deadline_provisional=deadline.provisional,
                **{k: v for k, v in item.cleaned.items() if k in _CASE_FIELDS},
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    bulk_insert = copy_insert if connection.vendor == "postgresql" else _bulk_create
    bulk_insert(
        ClockEvent, [ClockEvent(case=c, kind=ClockKind.RECEIPT, on=c.received_on) for c in cases]
    )
    history = [
        history_event(
            case=c,
            kind=event_kind,
            by=by,
            to_state=c.state,
            reason=reason,
            changes={"received_on": c.received_on.isoformat(), "reply_due": _iso(c.reply_due)},
        )
        for c in cases
    ]
    closed_rows, transition_log = [], []
    for case, item in zip(cases, new, strict=True):
        if not item.outcome:
            continue
        # The model's transition, logged in one bulk write below instead of a row per case.
        source, target = transition_run_unlogged(
            case, Case.close_imported, on=item.closed_on, outcome=item.outcome
        )
        transition_log.append(
            StateLog(
                by=by,
                source_state=source,
                state=target,
                transition="close_imported",
                content_type=ContentType.objects.get_for_model(Case),
                object_id=case.id,
                description=close_reason,
            )
        )
        case.version += 1
        closed_rows.append((case.id, case.state, case.outcome, case.closed_on))
        history.append(
            history_event(
                case=case,
                kind=EventKind.TRANSITION,
                transition="close_imported",
                from_state=source,
                to_state=case.state,
                by=by,
                reason=close_reason,
                changes={"on": item.closed_on.isoformat(), "outcome": item.outcome},
            )
        )
    bulk_insert(StateLog, transition_log)
    bulk_set(Case, ["state", "outcome", "closed_on"], closed_rows)
    history += registration_period_events(
        cases,
        by=by,
        reason=f"{reason}：收到申请之日在已发布年度内",
        published=published_years(agency.id),
    )
    history_write_many(history, batch_size=1000, copy=True)
    return cases


def _bulk_create(model, objects) -> None:
    model.objects.bulk_create(objects, batch_size=1000)


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


# --- field edits ---------------------------------------------------------------------------
EDITABLE_FIELDS = [
    "applicant_name",
    "applicant_id_number",
    "applicant_credit_code",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_postcode",
    "delivery_method",
    "content",
    "information_form",
    "applicant_type",
]


@transaction.atomic
def case_update(
    *, case_id: int, by, changes: dict[str, Any], reason: str, expected_version: int | None = None
) -> Case:
    """Edit registration fields; every change is in the history with old and new values."""
    case = _lock(case_id, expected_version)
    _check_role(by, case.agency_id, "edit")
    if case.state == CaseState.VOID:
        raise RuleViolation("已作废的案件不能修改")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(f"不能修改的字段：{', '.join(sorted(unknown))}", sorted(unknown)[0])
    current = {name: getattr(case, name) for name in EDITABLE_FIELDS}
    # Reuse the intake rules on the whole, edited record.
    probe = {
        **current,
        **changes,
        "channel": case.channel,
        "submitted_on": case.submitted_on,
        "signed_on": case.signed_on,
        "confirmed_on": case.confirmed_on,
        "mail_tracking_number": case.mail_tracking_number,
    }
    cleaned = intake_clean(probe, today=timezone.localdate(), strict_identity=False)
    diff = {
        name: [current[name], cleaned[name]] for name in changes if cleaned[name] != current[name]
    }
    if not diff:
        return case
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    case_period_check(case=case, by=by, changed_fields=list(diff), reason=reason)
    for name, (_, new) in diff.items():
        setattr(case, name, new)
    case.version += 1
    case.save(update_fields=[*diff, "version", "updated_at"])
    history_write(case=case, kind=EventKind.EDIT, by=by, reason=reason, changes=diff)
    return case


# --- correction of a registration error (issue 11, defect 2) -------------------------------
CORRECTABLE_DATES = ["submitted_on", "signed_on", "confirmed_on", "mail_tracking_number"]
MSG_CORRECTION_AFTER_LETTER = (
    "本案已签发文书（{number}），收到日期等登记日期不能再更正；如属登记错误，请作废后重新登记"
)
MSG_CORRECTION_CLOSED = "已办结或作废的案件不能更正登记日期；如属登记错误，请作废后重新登记"
MSG_CORRECTION_NOTHING = "登记日期没有变化"


@transaction.atomic
def case_correct_registration(
    *,
    case_id: int,
    by,
    changes: dict[str, Any],
    reason: str,
    receipt_date_confirmed: bool = False,
    expected_version: int | None = None,
) -> Case:
    """更正登记错误: the channel's dates (and so the receipt date, the deadline and — across a
    year — the case number) of an open case, until any letter of the case is issued; afterwards
    only voiding. The same intake rules apply (an unusual receipt date needs confirmation);
    the history keeps old and new values with the reason."""
    case = _lock(case_id, expected_version)
    _check_role(by, case.agency_id, "edit")
    if not case.is_open:
        raise RuleViolation(MSG_CORRECTION_CLOSED)
    issued = case.letters.filter(state="issued").order_by("issued_at").first()  # letters app
    if issued is not None:
        raise RuleViolation(MSG_CORRECTION_AFTER_LETTER.format(number=issued.number))
    unknown = set(changes) - set(CORRECTABLE_DATES) - {"confirmation_delay_reason"}
    if unknown:
        raise RuleViolation(f"不能更正的字段：{', '.join(sorted(unknown))}", sorted(unknown)[0])
    current = {name: getattr(case, name) for name in CORRECTABLE_DATES}
    probe = {
        **{name: getattr(case, name) for name in EDITABLE_FIELDS},
        **current,
        **changes,
        "channel": case.channel,
        "receipt_date_confirmed": True,  # checked below against the correction's own flag
    }
    cleaned = intake_clean(probe, today=timezone.localdate(), strict_identity=False)
    errors: dict[str, str] = {}
    diff = {
        name: [_jsonable(current[name]), _jsonable(cleaned[name])]
        for name in CORRECTABLE_DATES
        if cleaned[name] != current[name]
    }
    if not diff:
        raise RuleViolation(MSG_CORRECTION_NOTHING)
    received_on = cleaned["received_on"]
    why = receipt_date_unusual(received_on, timezone.localdate())
    arrived, confirmed = cleaned.get("submitted_on"), cleaned.get("confirmed_on")
    late = arrived and confirmed and confirmed > arrived
    if case.channel == Channel.MAIL_ORDINARY and late and not cleaned.get("receipt_note"):
        errors["confirmation_delay_reason"] = MSG_CONFIRMATION_LATE.format(
            arrived=arrived.isoformat(), confirmed=confirmed.isoformat()
        )
    if why and received_on != case.received_on and not receipt_date_confirmed:
        errors["receipt_date_confirmed"] = MSG_RECEIPT_DATE_CHECK.format(
            date=received_on.isoformat(), why=why
        )
    if errors:
        raise IntakeInvalid(errors)
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    for name in CORRECTABLE_DATES:
        setattr(case, name, cleaned[name])
    old_received, old_due, old_no = case.received_on, case.reply_due, case.case_no
    if received_on != old_received:
        diff["received_on"] = [old_received.isoformat(), received_on.isoformat()]
        case.received_on = received_on
        receipt = case.clock_events.filter(kind=ClockKind.RECEIPT).order_by("id").first()
        if receipt is not None:
            receipt.on = received_on
            receipt.note = cleaned.get("receipt_note", "")
            receipt.save(update_fields=["on", "note"])
        if received_on.year != case.year:
            (case.case_no,) = case_numbers_reserve(
                agency=case.agency, year=received_on.year, count=1
            )
            case.year = received_on.year
            diff["case_no"] = [old_no, case.case_no]
    case_deadline_refresh(case)
    if case.reply_due != old_due:
        diff["reply_due"] = [_iso(old_due), _iso(case.reply_due)]
    case.version += 1
    case.save()
    history_write(case=case, kind=EventKind.EDIT, by=by, reason=reason, changes=diff)
    if "received_on" in diff:
        history_write_many(registration_period_events([case], by=by, reason=reason))
    return case


@transaction.atomic
def case_assign(
    *, case_id: int, by, handler_id: int, reason: str = "", expected_version: int | None = None
) -> Case:
    """指定承办人: an approver assigns (or reassigns) any handler of the agency; a handler may
    take an unassigned case for themselves. In the history with the old and new handler."""
    case = _lock(case_id, expected_version)
    roles = user_roles(by, case.agency_id) if by is not None else set()
    if Role.APPROVER not in roles and not (
        Role.HANDLER in roles and handler_id == by.id and case.handler_id in (None, by.id)
    ):
        if Role.HANDLER in roles and handler_id == by.id:
            raise RuleViolation(rules.MSG_ASSIGN_TAKEN, "handler")
        action_refused(by=by, agency_id=case.agency_id, action="assign", case_id=case.id)
    if not case.is_open:
        raise RuleViolation(rules.MSG_ASSIGN_CLOSED)
    handler = get_user_model().objects.filter(pk=handler_id).first()
    if handler is None or Role.HANDLER not in user_roles(handler, case.agency_id):
        raise RuleViolation(rules.MSG_ASSIGN_NOT_HANDLER, "handler")
    if case.handler_id == handler.id:
        return case
    old = case.handler.username if case.handler else None
    case.handler = handler
    case.version += 1
    case.save(update_fields=["handler", "version", "updated_at"])
    history_write(
        case=case,
        kind=EventKind.EDIT,
        by=by,
        reason=reason or "指定承办人",
        changes={"handler": [old, handler.username]},
    )
    return case


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


def case_request_supplement(
    *,
    case_id: int,
    by,
    missing: str,
    due: dt.date,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """补正告知 (Art. 30): once, within 7 working days of receipt, what is missing and by when."""
    on = _on(on)
    if message := limits.planned_date_error(due):
        raise RuleViolation(message, "due")

    def check(case: Case) -> None:
        if not missing.strip():
            raise RuleViolation(rules.MSG_SUPPLEMENT_MISSING, "missing")
        _not_before(on, case.received_on, "收到申请之日")
        calendar = calendar_get(covering=due)
        used = calendar.working_days_between(case.received_on, on)
        if used > rules.SUPPLEMENT_WINDOW_DAYS:
            raise RuleViolation(rules.MSG_SUPPLEMENT_LATE.format(days=used), "on")
        if due <= on:
            raise RuleViolation(rules.MSG_SUPPLEMENT_DUE_BEFORE, "due")
        if case.extension_state in (ExtensionState.REQUESTED, ExtensionState.APPROVED):
            # The restart would carry the extended allowance over to the new period.
            raise RuleViolation(rules.MSG_SUPPLEMENT_AFTER_EXTENSION)

    return case_act(
        case_id=case_id,
        by=by,
        action="request_supplement",
        reason=reason or missing,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "due": due, "missing": missing.strip()},
        clock=[(ClockKind.PAUSE, on, 0, "补正告知，等待申请人补正")],
    )


def case_record_supplement(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    by_applicant: bool = False,
) -> Case:
    """收到补正 (Art. 30, 31): the reply period restarts from the day the supplement arrives.
    Staff record it, or the applicant answers on the portal (`by_applicant`, `by` None)."""
    on = _on(on)

    def check(case: Case) -> None:
        _not_before(on, case.supplement_requested_on, "补正告知日期")

    return case_act(
        case_id=case_id,
        by=by,
        action="record_supplement",
        reason=reason or "申请人已补正",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.RESTART, on, 0, "收到补正")],
        by_applicant=by_applicant,
    )


def case_deem_abandoned(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """视为放弃 (Art. 30): only after the supplement period has passed."""
    on = _on(on)

    def check(case: Case) -> None:
        if case.supplement_due and on <= case.supplement_due:
            raise RuleViolation(rules.MSG_SUPPLEMENT_NOT_DUE.format(due=case.supplement_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="deem_abandoned",
        reason=reason or "申请人逾期未补正",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )


def case_start_consultation(
    *,
    case_id: int,
    by,
    party: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """征求意见 (Art. 32, 34): the clock stops while the third party or agency answers."""
    on = _on(on)
    if not party.strip():
        raise RuleViolation("请填写征求意见的对象", "party")

    def check(case: Case) -> None:
        _not_before(on, case_current_receipt_date(case), "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="start_consultation",
        reason=reason or f"征求{party}意见",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.PAUSE, on, 0, f"征求{party.strip()}意见")],
    )


def case_finish_consultation(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)

    def check(case: Case) -> None:
        paused = case.clock_events.filter(kind=ClockKind.PAUSE).order_by("-on").first()
        _not_before(on, paused.on if paused else None, "征求意见之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="finish_consultation",
        reason=reason or "意见已收回",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
        clock=[(ClockKind.RESUME, on, 0, "征求意见结束")],
    )


def case_issue_fee_notice(
    *,
    case_id: int,
    by,
    amount: Decimal,
    on: dt.date | None = None,
    received_on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """收费通知: the reply clock stops from the day the notice is sent (`on`); the applicant
    pays within 20 working days from the day after receiving it (`received_on`, by default the
    sending day — in person or by e-mail)."""
    on = _on(on)
    received_on = _on(received_on, "received_on") if received_on else on
    amount = Decimal(amount)
    if amount <= 0:
        raise RuleViolation(rules.MSG_FEE_AMOUNT, "amount")
    if received_on < on:
        raise RuleViolation(rules.MSG_DATE_BEFORE.format(what="发出日期", date=on), "received_on")
    payment_due = calendar_get(covering=received_on + dt.timedelta(days=90)).add_working_days(
        received_on, rules.FEE_PAYMENT_DAYS
    )

    def check(case: Case) -> None:
        _not_before(on, case_current_receipt_date(case), "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="issue_fee_notice",
        reason=reason or f"收费 {amount} 元",
        expected_version=expected_version,
        check=check,
        kwargs={"received_on": received_on, "amount": amount, "payment_due": payment_due},
        clock=[(ClockKind.PAUSE, on, 0, "等待缴纳信息处理费")],
    )


def case_record_fee_payment(
    *,
    case_id: int,
    by,
    receipt_no: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)
    if not receipt_no.strip():
        raise RuleViolation(rules.MSG_RECEIPT_NO, "receipt_no")

    def check(case: Case) -> None:
        _not_before(on, case.fee_notice_received_on, "收费通知日期")

    return case_act(
        case_id=case_id,
        by=by,
        action="record_fee_payment",
        reason=reason or "已缴费",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "receipt_no": receipt_no.strip()},
        clock=[(ClockKind.RESUME, on, 0, "已缴费")],
    )


def case_close_fee_unpaid(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    on = _on(on)

    def check(case: Case) -> None:
        if case.fee_payment_due and on <= case.fee_payment_due:
            raise RuleViolation(rules.MSG_FEE_NOT_DUE.format(due=case.fee_payment_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="close_fee_unpaid",
        reason=reason or "逾期未缴费",
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )


def case_start_drafting(
    *, case_id: int, by, reason: str = "", expected_version: int | None = None
) -> Case:
    return case_act(
        case_id=case_id,
        by=by,
        action="start_drafting",
        reason=reason,
        expected_version=expected_version,
    )


def _outcome_for_decision(case: Case, outcome: str) -> None:
    rules.outcome_check(outcome)
    if outcome in (Outcome.NO_SUPPLEMENT, Outcome.FEE_UNPAID):
        raise RuleViolation(rules.MSG_OUTCOME_OWN_PATH.format(key=outcome), "outcome")
    if outcome == Outcome.STILL_UNCLEAR and case.supplement_requested_on is None:
        raise RuleViolation(rules.MSG_OUTCOME_NEEDS_SUPPLEMENT, "outcome")


def case_submit_for_approval(
    *, case_id: int, by, outcome: str, reason: str = "", expected_version: int | None = None
) -> Case:
    return case_act(
        case_id=case_id,
        by=by,
        action="submit_for_approval",
        reason=reason,
        expected_version=expected_version,
        check=lambda case: _outcome_for_decision(case, outcome),
        kwargs={"outcome": outcome},
    )


def case_return_for_revision(
    *, case_id: int, by, reason: str, expected_version: int | None = None
) -> Case:
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    return case_act(
        case_id=case_id,
        by=by,
        action="return_for_revision",
        reason=reason,
        expected_version=expected_version,
    )


def case_approve_and_close(
    *,
    case_id: int,
    by,
    outcome: str | None = None,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """审核通过并答复 (Art. 33, 36): closes with the proposed (or the approver's) outcome. The
    case is closed on the day its reply was issued unless another (later) date is given."""
    given = _on(on) if on else None

    def check(case: Case) -> Decided:
        decided = outcome or case.proposed_outcome
        _outcome_for_decision(case, decided)
        reply = issued_reply_check(case, decided)  # the issued reply (SPEC §4), from letters
        closed_on = given or reply.issued_on
        if closed_on < reply.issued_on:
            raise RuleViolation(
                rules.MSG_DATE_BEFORE.format(what="答复书签发日期", date=reply.issued_on), "on"
            )
        _not_before(closed_on, case.received_on, "收到申请之日")
        return Decided(kwargs={"on": closed_on, "outcome": decided})

    return case_act(
        case_id=case_id,
        by=by,
        action="approve_and_close",
        reason=reason,
        expected_version=expected_version,
        check=check,
    )


def case_answer_on_the_spot(
    *,
    case_id: int,
    by,
    outcome: str,
    note: str,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """当场答复 (Art. 33 para 1): in-person requests answered the day they are handed in."""
    on = _on(on)

    def check(case: Case) -> None:
        _outcome_for_decision(case, outcome)
        if case.channel != "in_person" or on != case.received_on:
            raise RuleViolation(rules.MSG_ON_THE_SPOT, "on")
        if not note.strip():
            raise RuleViolation(
                "请写明当场答复的方式（如当场提供复印件、口头告知获取途径）", "note"
            )

    return case_act(
        case_id=case_id,
        by=by,
        action="answer_on_the_spot",
        reason=reason or note,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on, "outcome": outcome, "note": note.strip()},
    )


def case_withdraw(
    *, case_id: int, by, reason: str, on: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """申请人撤回: closes as other.other with the applicant's statement as reason."""
    on = _on(on)
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")

    def check(case: Case) -> None:
        _not_before(on, case.received_on, "收到申请之日")

    return case_act(
        case_id=case_id,
        by=by,
        action="withdraw",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"on": on},
    )


def case_void(*, case_id: int, by, reason: str, expected_version: int | None = None) -> Case:
    """作废 (registration error): approver only, reason required; the case stays, counted nowhere."""
    if not reason.strip():
        raise RuleViolation(rules.MSG_VOID_REASON, "reason")

    def check(case: Case) -> None:
        case_period_check(case=case, by=by, changed_fields=["void"], reason=reason)

    return case_act(
        case_id=case_id,
        by=by,
        action="void",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"reason": reason.strip(), "by": by, "at": timezone.now()},
    )


def case_request_extension(
    *,
    case_id: int,
    by,
    days: int,
    reason: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """延期申请 (Art. 33 para 2): before the deadline passes, at most 20 working days."""
    on = _on(on)
    if not 1 <= int(days) <= rules.MAX_EXTENSION_DAYS:
        raise RuleViolation(rules.MSG_EXTENSION_DAYS, "days")
    if not reason.strip():
        raise RuleViolation(rules.MSG_EXTENSION_REASON, "reason")

    def check(case: Case) -> None:
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_EXTENSION_LATE.format(due=case.reply_due), "on")

    return case_act(
        case_id=case_id,
        by=by,
        action="request_extension",
        reason=reason,
        expected_version=expected_version,
        check=check,
        kwargs={"days": int(days), "reason": reason.strip()},
    )


def case_approve_extension(
    *,
    case_id: int,
    by,
    on: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """延期批准 (Art. 33 para 2): adds the requested working days to the reply period; it must
    be approved (and notified) before the period runs out."""
    on = _on(on)

    def check(case: Case) -> Decided:
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_EXTENSION_APPROVE_LATE.format(due=case.reply_due), "on")
        return Decided(clock=[(ClockKind.EXTENSION, on, case.extension_days, "批准延期")])

    return case_act(
        case_id=case_id,
        by=by,
        action="approve_extension",
        check=check,
        reason=reason or "同意延期",
        expected_version=expected_version,
    )


def case_defer_reply(
    *,
    case_id: int,
    by,
    until: dt.date | None,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """确定延迟答复的合理期限 (Art. 35, second branch): the applicant's reasons for a request far
    beyond a reasonable amount are accepted, but it cannot be answered within Art. 33's period;
    the office head (approver) fixes a later reply date. The case stays open and is answered
    later: this is not a 不予处理. Decided while the clock runs and before the reply is due."""
    if not (reason or "").strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    if until is None:
        raise RuleViolation(rules.MSG_REQUIRED, "until")
    if message := limits.planned_date_error(until):
        raise RuleViolation(message, "until")
    on = timezone.localdate()

    def check(case: Case) -> None:
        if case.reply_due and until <= case.reply_due:
            raise RuleViolation(rules.MSG_DEFERRAL_NOT_LATER.format(due=case.reply_due), "until")
        if case.reply_due and on > case.reply_due:
            raise RuleViolation(rules.MSG_DEFERRAL_LATE.format(due=case.reply_due), "until")

    return case_act(
        case_id=case_id,
        by=by,
        action="defer_reply",
        check=check,
        reason=reason,
        expected_version=expected_version,
        kwargs={},
        clock=[(ClockKind.DEFERRAL, on, 0, reason.strip()[:300], until)],
    )


def case_refuse_extension(
    *, case_id: int, by, reason: str, expected_version: int | None = None
) -> Case:
    if not reason.strip():
        raise RuleViolation(rules.MSG_REASON_REQUIRED, "reason")
    return case_act(
        case_id=case_id,
        by=by,
        action="refuse_extension",
        reason=reason,
        expected_version=expected_version,
    )
