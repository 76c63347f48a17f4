"""The one calendar everybody uses: package days, overridden by administrator-entered days."""

import datetime as dt
import threading

from django.db.models import Count, Max
from django.utils import timezone

from .engine import OutOfRange, WorkingCalendar
from .models import CalendarDay, CalendarYear

FIRST_DAY = dt.date(2004, 1, 1)
YEARS_AHEAD = 6

_lock = threading.Lock()
_cached: dict[str, object] = {"stamp": None, "calendar": None}


def _stamp() -> tuple:
    days = CalendarDay.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (days["n"], days["at"], years["n"], years["at"])


def _build(last_year: int) -> WorkingCalendar:
    overrides = {day.date: (day.kind == "workday", day.name) for day in CalendarDay.objects.all()}
    entered = list(CalendarYear.objects.values_list("year", flat=True))
    last_year = max([last_year, *entered, *(d.year for d in overrides)])
    return WorkingCalendar(
        first=FIRST_DAY,
        last=dt.date(last_year + 2, 12, 31),
        overrides=overrides,
        entered_years=entered,
    )


def calendar_get(*, covering: dt.date | None = None) -> WorkingCalendar:
    """The current working calendar (rebuilt when an administrator changes days or years).

    One small query checks whether the cached index is still current."""
    stamp = _stamp()
    with _lock:
        calendar = _cached["calendar"]
        wanted_last = max(timezone.localdate().year + YEARS_AHEAD, covering.year if covering else 0)
        if (
            calendar is None
            or _cached["stamp"] != stamp
            or not calendar.covers(dt.date(wanted_last, 12, 31))
        ):
            calendar = _build(wanted_last)
            _cached["calendar"], _cached["stamp"] = calendar, stamp
        return calendar


__all__ = ["calendar_get", "OutOfRange"]
