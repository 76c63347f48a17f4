"""Timeliness in one place (issue 12): what "overdue" and "due soon" mean, for every page,
export, API field, report and ledger.

- The reply date (`Case.reply_due`) is the deadline computed by services/deadlines.py. While
  the clock is stopped (consultation, fee) the deadline does not run and the case has no reply
  date — unless the deadline had already run out before the stop: then the reply date is the
  day it ran out, and the stop does not revive it. So a stopped case with a past reply date is
  overdue like any other (the worklist badge used to ignore it while the overdue filter counted
  it; this module is the one rule both use now).
- Overdue: an open case past its reply date (reply_due < today); a finished case replied after
  it (closed_on > reply_due); a void case never.
- Due soon: an open case whose reply date is today or within `DUE_SOON_WORKING_DAYS` working
  days (the worklist filter takes another number of days).
- Monthly circulars count the cases open and overdue as a month ends: received by then, not
  closed by then, their reply date on or before that day."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from workcalendar.selectors import calendar_get

from .models import FINISHED_STATES, OPEN_STATES, CaseState

DUE_SOON_WORKING_DAYS = 5


def due_soon_limit(
    today: dt.date, working_days: int = DUE_SOON_WORKING_DAYS, calendar=None
) -> dt.date:
    """The date `working_days` working days after today (the calendar's counting)."""
    if calendar is None:
        calendar = calendar_get(covering=today + dt.timedelta(days=working_days * 2 + 60))
    return calendar.add_working_days(today, working_days)


def is_overdue(
    *, state: str, reply_due: dt.date | None, closed_on: dt.date | None, today: dt.date
) -> bool:
    """Open past its reply date, or finished after it (a void case is never overdue)."""
    if reply_due is None or state == CaseState.VOID:
        return False
    if state in OPEN_STATES:
        return reply_due < today
    if state in FINISHED_STATES and closed_on is not None:
        return closed_on > reply_due
    return False


def is_due_soon(*, state: str, reply_due: dt.date | None, today: dt.date, limit: dt.date) -> bool:
    return state in OPEN_STATES and reply_due is not None and today <= reply_due <= limit


def overdue_q(today: dt.date) -> Q:
    """Open cases past their reply date (the queryset form of `is_overdue` for open cases)."""
    return Q(state__in=OPEN_STATES, reply_due__lt=today)


def due_soon_q(today: dt.date, limit: dt.date) -> Q:
    return Q(state__in=OPEN_STATES, reply_due__gte=today, reply_due__lte=limit)


def replied_on_time_q() -> Q:
    """Finished cases replied by their reply date (or with none to keep)."""
    return Q(reply_due__isnull=True) | Q(closed_on__lte=F("reply_due"))


def overdue_open_at_end_of_q(day: dt.date) -> Q:
    """Cases open and overdue as `day` ends (circulars): received by then, not closed by then,
    reply date on or before it — `is_overdue` on the next morning."""
    return Q(received_on__lte=day, reply_due__lte=day) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


def deadline_status(
    case, *, today: dt.date, calendar, soon_limit: dt.date
) -> tuple[str, int | None]:
    """The worklist badge: ("overdue", working days late), ("due-soon", working days left),
    ("", working days left), or ("", None) when there is no running date (finished, void,
    stopped before its deadline ran out, no date)."""
    if case.state not in OPEN_STATES or not case.reply_due:
        return "", None
    if is_overdue(state=case.state, reply_due=case.reply_due, closed_on=None, today=today):
        return "overdue", calendar.working_days_between(case.reply_due, today)
    if case.clock_stopped:
        return "", None
    days = calendar.working_days_between(today, case.reply_due)
    due_soon = is_due_soon(
        state=case.state, reply_due=case.reply_due, today=today, limit=soon_limit
    )
    return ("due-soon" if due_soon else ""), days
