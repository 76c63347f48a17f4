"""Property: case histories driven through the real workflow services (supplements that restart
the clock across the year end, extensions, deemed abandonment, withdrawals, voids) always give
consistent tables whose every cell equals a slow count written here from the case rows."""

import datetime as dt
import itertools

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Agency
from reporting.stats import annual_report_build
from requests_app.models import Case
from requests_app.services import cases as svc
from workcalendar.selectors import calendar_get

from .conftest import make_user, valid_credit_code, valid_id_number

START = dt.date(2025, 11, 3)
_seq = itertools.count(1)

plan = st.fixed_dictionaries(
    {
        # 2025-11-03 .. late February 2026, often mid/late December so that supplements and
        # closings straddle the year end.
        "received": st.one_of(st.integers(40, 58), st.integers(0, 110)),
        "organisation": st.booleans(),
        "supplement_after": st.one_of(st.none(), st.integers(1, 7)),  # working days
        "supplement_fate": st.sampled_from(["received", "abandoned", "pending"]),
        "extension": st.one_of(st.none(), st.integers(1, 20)),
        "fate": st.sampled_from(["open", "withdrawn", "void", "withdrawn_then_void"]),
        "fate_after": st.integers(1, 60),  # calendar days after the last step
    }
)


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0), tick=False)


def run_history(agency, users, p) -> None:
    clerk, handler, approver = users
    received = START + dt.timedelta(days=p["received"])
    data = {
        "channel": "in_person",
        "submitted_on": received,
        "applicant_name": "申请人",
        "applicant_type": "commercial_enterprise" if p["organisation"] else "natural_person",
        "applicant_id_number": "" if p["organisation"] else valid_id_number(3),
        "applicant_credit_code": valid_credit_code(5) if p["organisation"] else "",
        "applicant_address": "淄博市",
        "content": "申请公开某文件",
    }
    with at(received):
        case = svc.case_register(agency=agency, by=clerk, data=data)
    last = received
    if p["supplement_after"]:
        asked = calendar_get().add_working_days(received, p["supplement_after"])
        with at(asked):
            svc.case_request_supplement(
                case_id=case.id,
                by=handler,
                missing="写明文号",
                due=asked + dt.timedelta(days=15),
                on=asked,
            )
        last = asked
        if p["supplement_fate"] == "received":
            last = asked + dt.timedelta(days=5)
            with at(last):
                svc.case_record_supplement(case_id=case.id, by=clerk, on=last)
        elif p["supplement_fate"] == "abandoned":
            last = asked + dt.timedelta(days=16)
            with at(last):
                svc.case_deem_abandoned(case_id=case.id, by=handler, on=last)
    case.refresh_from_db()
    if p["extension"] and case.state == "received" and case.reply_due and last <= case.reply_due:
        with at(last):
            svc.case_request_extension(
                case_id=case.id, by=handler, days=p["extension"], reason="档案多"
            )
            svc.case_approve_extension(case_id=case.id, by=approver)
    end = last + dt.timedelta(days=p["fate_after"])
    with at(end):
        if p["fate"] in ("withdrawn", "withdrawn_then_void") and not case.is_finished:
            svc.case_withdraw(case_id=case.id, by=clerk, reason="撤回", on=end)
        if p["fate"] in ("void", "withdrawn_then_void"):
            svc.case_void(case_id=case.id, by=approver, reason="登记错误")


def reference(agency, year: int) -> dict:
    """Counted by hand from the rows: new, carried over, outcomes, carried forward per column."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table: dict = {}

    def add(row, column):
        table.setdefault(row, {}).setdefault(column, 0)
        table[row][column] += 1
        table[row].setdefault("total", 0)
        table[row]["total"] += 1

    for case in Case.objects.filter(agency=agency):
        if case.state == "void":
            continue
        # The first receipt, from the clock's own record (a supplement adds a later restart).
        first = case.clock_events.filter(kind="receipt").get().on
        closed = case.closed_on
        if start <= first <= end:
            add("new_requests", case.applicant_type)
        if first < start and (closed is None or closed >= start):
            add("carried_over", case.applicant_type)
        if closed and start <= closed <= end:
            add(case.outcome, case.applicant_type)
            add("results_total", case.applicant_type)
        if first <= end and (closed is None or closed > end):
            add("carried_forward", case.applicant_type)
    return table


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plans=st.lists(plan, min_size=1, max_size=4))
def test_tables_from_real_histories_are_consistent_and_equal_the_slow_count(db, plans):
    n = next(_seq)
    agency = Agency.objects.create(
        code=f"PROP-{n}",
        name=f"测试机关{n}",
        level="department",
        review_body="市政府",
        court="区法院",
    )
    users = tuple(
        make_user(f"p{n}-{role}", agency, role) for role in ("clerk", "handler", "approver")
    )
    for p in plans:
        run_history(agency, users, p)
    for year in (2025, 2026):
        report = annual_report_build(agency=agency, year=year, format_version="2021")
        assert report.consistent, report.failures
        expected = reference(agency, year)
        for row, cells in report.table3.items():
            for column, value in cells.items():
                assert value == expected.get(row, {}).get(column, 0), (year, row, column)
