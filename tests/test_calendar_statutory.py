"""Issue 9 item 7 (SPEC §2): a year without an official schedule counts weekends and the
statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision), computed offline with
lunar-python; its due dates stay provisional and their explanation names the holidays assumed."""

import datetime as dt

import chinese_calendar
import pytest
import time_machine
from lunar_python import Lunar, Solar

from requests_app.services import cases as svc
from requests_app.services.deadlines import case_deadline
from workcalendar.engine import PACKAGE_HOLIDAY_NAMES, WorkingCalendar
from workcalendar.statutory import statutory_holiday_map, statutory_holidays

D = dt.date


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_holiday_is_a_day_off_in_the_published_schedule(year):
    """2025 and 2026 are the years of the 2024 revision that chinese_calendar carries: the
    rule's lunar and solar-term dates must fall on the package's holidays of the same name."""
    rule = statutory_holiday_map(year)
    assert len(rule) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days
    names_seen = set()
    day = D(year, 1, 1)
    while day.year == year:
        if day in rule:
            on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            assert on_holiday and not chinese_calendar.is_workday(day), day
            assert PACKAGE_HOLIDAY_NAMES[holiday] == rule[day], (day, holiday, rule[day])
            names_seen.add(rule[day])
        day += dt.timedelta(days=1)
    assert names_seen == {"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"}


def test_the_lunar_dates_against_the_published_schedules():
    """The library's dates for 2025–2026, checked against the first day of each festival period
    in chinese_calendar (除夕 is the period's first day since the 2024 revision)."""
    expected = {
        2025: {
            "除夕": D(2025, 1, 28),
            "清明": D(2025, 4, 4),
            "端午": D(2025, 5, 31),
            "中秋": D(2025, 10, 6),
        },
        2026: {
            "除夕": D(2026, 2, 16),
            "清明": D(2026, 4, 5),
            "端午": D(2026, 6, 19),
            "中秋": D(2026, 9, 25),
        },
    }
    for year, days in expected.items():
        rule = statutory_holiday_map(year)
        spring = sorted(d for d, n in rule.items() if n == "春节")
        assert spring[0] == days["除夕"]
        assert [d for d, n in rule.items() if n == "清明"] == [days["清明"]]
        assert [d for d, n in rule.items() if n == "端午"] == [days["端午"]]
        assert [d for d, n in rule.items() if n == "中秋"] == [days["中秋"]]
        for name, day in days.items():
            assert chinese_calendar.is_holiday(day), (name, day)
        # 除夕 is a holiday, and so is every day of the rule's Spring Festival.
        assert all(chinese_calendar.is_holiday(d) for d in spring)


@pytest.mark.parametrize("year", range(2025, 2036))
def test_chuxi_is_the_last_day_of_the_twelfth_lunar_month(year):
    spring = [d for d, n in statutory_holidays(year) if n == "春节"]
    assert [(b - a).days for a, b in zip(spring, spring[1:], strict=False)] == [1, 1, 1]
    eve = Solar.fromYmd(spring[0].year, spring[0].month, spring[0].day).getLunar()
    assert eve.getMonth() in (12, -12) and eve.getDay() in (29, 30)
    first = Solar.fromYmd(spring[1].year, spring[1].month, spring[1].day).getLunar()
    assert (first.getMonth(), first.getDay()) == (1, 1)
    dragon, autumn = (
        next(d for d, n in statutory_holidays(year) if n == name) for name in ("端午", "中秋")
    )
    assert Lunar.fromYmd(year, 5, 5).getSolar().toYmd() == dragon.isoformat()
    assert Lunar.fromYmd(year, 8, 15).getSolar().toYmd() == autumn.isoformat()


def test_2027_statutory_holidays():
    assert statutory_holidays(2027) == (
        (D(2027, 1, 1), "元旦"),
        (D(2027, 2, 5), "春节"),  # 除夕 (腊月廿九)
        (D(2027, 2, 6), "春节"),
        (D(2027, 2, 7), "春节"),
        (D(2027, 2, 8), "春节"),
        (D(2027, 4, 5), "清明"),
        (D(2027, 5, 1), "劳动节"),
        (D(2027, 5, 2), "劳动节"),
        (D(2027, 6, 9), "端午"),
        (D(2027, 9, 15), "中秋"),
        (D(2027, 10, 1), "国庆节"),
        (D(2027, 10, 2), "国庆节"),
        (D(2027, 10, 3), "国庆节"),
    )


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar(
        first=D(2004, 1, 1), last=D(2030, 12, 31), overrides={}, entered_years=[]
    )


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 12, 18), D(2027, 1, 18)),  # issue 9's example: 元旦 off
        (D(2027, 1, 25), D(2027, 2, 24)),  # 除夕 to 初三: Fri 5 and Mon 8 February off
        (D(2027, 9, 10), D(2027, 10, 12)),  # 中秋 Wed 15 Sep and 国庆 Fri 1 Oct off
        (D(2027, 4, 1), D(2027, 4, 30)),  # 清明 Mon 5 Apr off
    ],
)
def test_2027_provisional_due_dates(cal, received, due):
    assert cal.add_working_days(received, 20) == due
    assert cal.provisional_between(received, due)


def test_an_entered_day_wins_over_the_assumed_holiday():
    cal = WorkingCalendar(
        first=D(2004, 1, 1),
        last=D(2030, 12, 31),
        overrides={D(2027, 1, 1): (True, "示例：照常上班")},
        entered_years=[],
    )
    assert cal.is_workday(D(2027, 1, 1))
    assert cal.assumed_holidays_between(D(2026, 12, 18), D(2027, 1, 18)) == []


@time_machine.travel(dt.datetime(2026, 12, 18, 10, 0), tick=False)
def test_a_case_received_in_person_on_2026_12_18_is_due_2027_01_18_provisionally(
    city, staff, intake
):
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(channel="in_person", submitted_on=D(2026, 12, 18), signed_on=None),
    )
    assert (case.reply_due, case.deadline_provisional) == (D(2027, 1, 18), True)
    steps = case_deadline(case).steps
    assert "跳过法定节假日：2027-01-01 元旦。" in steps
    [note] = [s for s in steps if "暂定" in s]
    assert "2027 年的官方节假日安排尚未录入" in note
    assert "《全国年节及纪念日放假办法》" in note
    assert "本期限内假定放假：2027-01-01 元旦" in note
    assert "调休上班日尚未公布" in note
