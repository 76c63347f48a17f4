"""Deadlines are derived from events with the calendar as it stands: entering a year's schedule
moves every open deadline and says so in each case's history."""

import datetime as dt

import time_machine

from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from requests_app.services.deadlines import case_deadline, case_deadlines_recompute_open
from workcalendar.models import CalendarDay, CalendarYear

D = dt.date


def test_year_end_deadline_is_provisional_until_2027_is_entered(city, staff, intake):
    with time_machine.travel(dt.datetime(2026, 12, 16, 10, 0), tick=False):
        case = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(channel="in_person", submitted_on=D(2026, 12, 15), signed_on=None),
        )
        closed = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(channel="in_person", submitted_on=D(2026, 12, 16), signed_on=None),
        )
        svc.case_withdraw(case_id=closed.id, by=staff["clerk"], reason="撤回")
        # 2027 unknown: weekends and the statutory holidays (元旦 off) → 13 January.
        assert (case.reply_due, case.deadline_provisional) == (D(2027, 1, 13), True)
        assert any("2027 年的官方节假日安排尚未录入" in s for s in case_deadline(case).steps)

        year = CalendarYear.objects.create(year=2027, source="示例：国务院办公厅通知")
        CalendarDay.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦")
        CalendarDay.objects.create(date=D(2027, 1, 9), kind="workday", name="调休（示例）")
        changed = case_deadlines_recompute_open(
            by=staff["administrator"], reason=f"录入 {year.year} 年官方日历"
        )

    case.refresh_from_db()
    assert changed == 1
    # The official schedule makes Saturday 9 January a working day: one day earlier.
    assert (case.reply_due, case.deadline_provisional) == (D(2027, 1, 12), False)
    event = CaseEvent.objects.get(case=case, kind="deadline_changed")
    assert event.changes == {
        "reply_due": ["2027-01-13", "2027-01-12"],
        "deadline_provisional": [True, False],
    }
    assert event.actor == staff["administrator"]
    assert not CaseEvent.objects.filter(case=closed, kind="deadline_changed").exists()
    steps = case_deadline(case).steps
    assert any("元旦" in s for s in steps) and not any("暂定" in s for s in steps)


def test_a_holiday_entered_later_moves_open_deadlines_in_a_published_year(city, staff, intake):
    with time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False):
        case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        assert case.reply_due == D(2026, 10, 29)
        CalendarDay.objects.create(date=D(2026, 10, 20), kind="holiday", name="临时停工")
        assert case_deadlines_recompute_open(reason="临时调整") == 1
        # Recomputing again with nothing changed touches nothing.
        assert case_deadlines_recompute_open(reason="再算一次") == 0
    case.refresh_from_db()
    assert case.reply_due == D(2026, 10, 30)
