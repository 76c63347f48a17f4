"""The working-day index: hand-counted examples across 2026's holidays and the year end."""

import datetime as dt

import chinese_calendar
import pytest

from workcalendar.engine import WorkingCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar(
        first=D(2004, 1, 1), last=D(2030, 12, 31), overrides={}, entered_years=[]
    )


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        # SPEC §2: Friday 2026-09-25 (Mid-Autumn Festival) → 2026-10-29 across National Day,
        # with Saturday 2026-10-10 a make-up working day.
        (D(2026, 9, 25), 20, D(2026, 10, 29)),
        # Received on a holiday: the 20th working day after it, not find_workday's off-by-one.
        (D(2026, 10, 3), 20, D(2026, 11, 3)),
        # Spring Festival 2026: 2-15..2-23 off; Saturdays 2-14 and 2-28 are working days.
        (D(2026, 2, 10), 20, D(2026, 3, 16)),
        (D(2026, 2, 13), 20, D(2026, 3, 19)),
        # Supplement window: 7 working days after 2026-09-25 ends on 2026-10-12.
        (D(2026, 9, 25), 7, D(2026, 10, 12)),
        # 2026 → 2027 with 2027 unknown: weekends and the statutory holidays, so 元旦
        # 2027-01-01 is off (SPEC §2; issue 9 item 7: 2026-12-18 → 2027-01-18).
        (D(2026, 12, 15), 20, D(2027, 1, 13)),
        (D(2026, 12, 18), 20, D(2027, 1, 18)),
    ],
)
def test_nth_working_day_after_receipt(cal, received, n, due):
    assert cal.add_working_days(received, n) == due


def test_matches_chinese_calendar_over_every_day_of_2025_and_2026(cal):
    day = D(2025, 1, 1)
    while day <= D(2026, 12, 31):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    # find_workday(n - 1, next day) is the n-th working day strictly after `day`; the package
    # raises NotImplementedError once it steps into 2027, so compare up to late November.
    day = D(2025, 1, 1)
    while day <= D(2026, 11, 25):
        expected = chinese_calendar.find_workday(19, day + dt.timedelta(days=1))
        assert cal.add_working_days(day, 20) == expected, day
        day += dt.timedelta(days=1)


def test_working_days_between_excludes_start_and_includes_end(cal):
    assert cal.working_days_between(D(2026, 9, 25), D(2026, 10, 12)) == 7
    assert cal.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert cal.working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0
    assert cal.working_days_between(D(2026, 10, 13), D(2026, 10, 12)) == 0


def test_make_up_saturday_is_a_working_day_and_holiday_names_are_chinese(cal):
    assert cal.is_workday(D(2026, 10, 10))
    assert not cal.is_workday(D(2026, 10, 5))
    assert cal.day_name(D(2026, 10, 5)) == "国庆节"
    assert [d for d, _ in cal.makeup_workdays_between(D(2026, 9, 25), D(2026, 10, 29))] == [
        D(2026, 10, 10)
    ]


def test_unknown_year_is_weekends_and_statutory_holidays_and_provisional(cal):
    assert not cal.is_official(2027)
    assert cal.is_official(2026)
    assert not cal.is_workday(D(2027, 1, 1))  # Friday, 元旦 by the statutory rule
    assert cal.day_name(D(2027, 1, 1)) == "元旦"
    assert cal.is_workday(D(2027, 1, 4))
    assert cal.provisional_between(D(2026, 12, 15), D(2027, 1, 13))
    assert cal.assumed_holidays_between(D(2026, 12, 15), D(2027, 1, 13)) == [
        (D(2027, 1, 1), "元旦")
    ]
    assert not cal.provisional_between(D(2026, 1, 5), D(2026, 12, 31))


def test_entered_year_overrides_weekend_rule():
    cal = WorkingCalendar(
        first=D(2004, 1, 1),
        last=D(2030, 12, 31),
        overrides={D(2027, 1, 1): (False, "元旦")},
        entered_years=[2027],
    )
    assert not cal.provisional_between(D(2026, 12, 15), D(2027, 1, 13))
    assert cal.add_working_days(D(2026, 12, 15), 20) == D(2027, 1, 13)


def test_overrides_win_over_the_package_for_published_years():
    cal = WorkingCalendar(
        first=D(2004, 1, 1),
        last=D(2030, 12, 31),
        overrides={D(2026, 10, 12): (False, "临时调整")},
        entered_years=[],
    )
    assert not cal.is_workday(D(2026, 10, 12))
    assert cal.add_working_days(D(2026, 9, 25), 7) == D(2026, 10, 13)


def test_lookups_outside_the_index_raise_rather_than_guess(cal):
    from workcalendar.engine import OutOfRange

    with pytest.raises(OutOfRange):
        cal.rank(D(2003, 12, 31))
