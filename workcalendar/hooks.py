"""After a calendar change: a registry through which the cases (above the calendar) recompute
their deadlines without workcalendar importing them (issue 12).

Every writer of the calendar — the admin pages (a year, a day, a bulk delete) and the CSV
import — calls `calendar_changed` once after its write, in its transaction; each registered
hook returns how many records it changed. requests_app registers its open-case recompute in
requests_app/apps.py."""

from __future__ import annotations

from collections.abc import Callable

CalendarHook = Callable[..., int]  # hook(by=..., reason=...) -> records changed

_ON_CHANGE: list[CalendarHook] = []


def calendar_change_register(hook: CalendarHook) -> None:
    if hook not in _ON_CHANGE:
        _ON_CHANGE.append(hook)


def calendar_changed(*, by=None, reason: str) -> int:
    """Run every hook after a calendar change; the number of records they changed."""
    return sum(hook(by=by, reason=reason) for hook in list(_ON_CHANGE))
