"""Working-day arithmetic over a precomputed index (pure: no database).

`WorkingCalendar` holds, for every day of its range, whether it is a working day and the
running count of working days up to it. With that index:
- the working days in (a, b] are `rank(b) - rank(a)` — O(1);
- the n-th working day strictly after a is `workdays[rank(a) + n - 1]` — O(1).
The receipt day is never counted, also when it is itself a day off (SPEC §2)."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import chinese_calendar

from .statutory import statutory_holiday_map

PACKAGE_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@lru_cache(maxsize=16384)
def package_day(day: dt.date) -> tuple[bool, str] | None:
    """(is_workday, name) from chinese_calendar, or None when the package lacks the year.

    Cached: the package's data never changes in a process, and every rebuild of the index
    (after an administrator's calendar change) asks again for each of ~10,000 days."""
    try:
        is_work = chinese_calendar.is_workday(day)
        _, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return is_work, PACKAGE_HOLIDAY_NAMES.get(name, name or "")


class WorkingCalendar:
    def __init__(
        self,
        *,
        first: dt.date,
        last: dt.date,
        overrides: Mapping[dt.date, tuple[bool, str]],
        entered_years: Iterable[int],
        package: Callable[[dt.date], tuple[bool, str] | None] = package_day,
        assumed: Callable[[int], Mapping[dt.date, str]] = statutory_holiday_map,
    ) -> None:
        self.first, self.last = first, last
        self._base = first.toordinal()
        self.overrides = dict(overrides)
        self.official_years = set(entered_years)
        size = last.toordinal() - self._base + 1
        self._is_work = bytearray(size)
        self._names: dict[int, str] = {}
        self._rank = array("l", bytes(8 * size))
        self._workdays = array("l")
        # Statutory holidays assumed for years without an official schedule (SPEC §2).
        self._assumed: dict[int, Mapping[dt.date, str]] = {}
        package_years: dict[int, bool] = {}
        count = 0
        for offset in range(size):
            day = dt.date.fromordinal(self._base + offset)
            if day.year not in package_years:
                package_years[day.year] = package(dt.date(day.year, 6, 1)) is not None
                if package_years[day.year]:
                    self.official_years.add(day.year)
                if day.year not in self.official_years:
                    self._assumed[day.year] = assumed(day.year)
            if day in self.overrides:
                is_work, name = self.overrides[day]
            elif package_years[day.year]:
                is_work, name = package(day)  # type: ignore[misc]
            elif day in self._assumed.get(day.year, ()):
                is_work, name = False, self._assumed[day.year][day]
            else:
                is_work, name = day.weekday() < 5, ""
            if name:
                self._names[offset] = name
            if is_work:
                self._is_work[offset] = 1
                count += 1
                self._workdays.append(self._base + offset)
            self._rank[offset] = count

    # --- lookups -------------------------------------------------------------------------
    def _offset(self, day: dt.date) -> int:
        offset = day.toordinal() - self._base
        if not 0 <= offset < len(self._rank):
            raise OutOfRange(day)
        return offset

    def covers(self, day: dt.date) -> bool:
        return 0 <= day.toordinal() - self._base < len(self._rank)

    def is_workday(self, day: dt.date) -> bool:
        return bool(self._is_work[self._offset(day)])

    def day_name(self, day: dt.date) -> str:
        return self._names.get(self._offset(day), "")

    def is_official(self, year: int) -> bool:
        return year in self.official_years

    def rank(self, day: dt.date) -> int:
        """Number of working days from the start of the index up to and including `day`."""
        return self._rank[self._offset(day)]

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: start excluded, end included; 0 if end <= start."""
        if end <= start:
            return 0
        return self.rank(end) - self.rank(start)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after `start` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        index = self.rank(start) + n - 1
        if index >= len(self._workdays):
            raise OutOfRange(start)
        return dt.date.fromordinal(self._workdays[index])

    def provisional_between(self, start: dt.date, end: dt.date) -> bool:
        """True if any year in [start.year, end.year] has no official schedule."""
        return any(not self.is_official(y) for y in range(start.year, end.year + 1))

    def days_off_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Days off in (start, end], with their names; for explanations, not the hot path."""
        result = []
        day = start + dt.timedelta(days=1)
        while day <= end:
            if not self.is_workday(day):
                result.append((day, self.day_name(day) or WEEKDAY_NAMES[day.weekday()]))
            day += dt.timedelta(days=1)
        return result

    def assumed_holidays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Statutory holidays assumed in (start, end] for years without an official schedule
        (days an administrator entered keep their own status and are left out)."""
        return [
            (day, name)
            for year in range(start.year, end.year + 1)
            for day, name in sorted(self._assumed.get(year, {}).items())
            if start < day <= end and day not in self.overrides
        ]

    def makeup_workdays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Weekend days in (start, end] that are working days (调休上班)."""
        result = []
        day = start + dt.timedelta(days=1)
        while day <= end:
            if day.weekday() >= 5 and self.is_workday(day):
                result.append((day, self.day_name(day)))
            day += dt.timedelta(days=1)
        return result


WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class OutOfRange(Exception):
    """The date lies outside the calendar's index; the service rebuilds a wider one."""
