"""Registering cases: one at a time (office, online submission) and in bulk (imports), with
tracking codes and case numbers reserved under the agency's counter."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from agencies.models import Agency
from common.counters import counter_row_locked
from workcalendar.selectors import calendar_get

from ...history import history_event, history_write, history_write_many
from ...hooks import after_registration_run
from ...models import (
    Case,
    CaseNumberCounter,
    ClockEvent,
    ClockKind,
    EventKind,
)
from ..bulk import bulk_set, copy_insert
from ..deadlines import ClockFact, case_deadline_refresh, deadline_compute
from ..intake import (
    intake_clean,
)
from ..period_lock import (  # the published-year lock (SPEC §6, periods app)
    published_years,
    registration_period_events,
)
from ..repeats import case_repeat_flag
from .shared import _check_role, _iso, transition_run_unlogged

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def tracking_code_new() -> str:
    # 32 letters: the low five bits of a random byte pick one without bias (one system call).
    return "".join(TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(12))


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
