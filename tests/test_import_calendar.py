"""import_calendar (SPEC §9, §2): one official year, all or nothing; open deadlines running into
that year are recomputed (no longer provisional, possibly moved) with a history event."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from tests.conftest import make_user
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.selectors import calendar_get
from workcalendar.statutory import statutory_holidays

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "samples" / "calendar-2027-EXAMPLE.csv"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 12, 16, 10, 0), tick=False):
        yield


def statutory_rows(year=2027) -> str:
    """The year's statutory holidays as calendar rows: the least an official year holds."""
    return "".join(f"{day},holiday,{name}\n" for day, name in statutory_holidays(year))


def write(tmp_path, text, name="cal-2027.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path) -> list[str]:
    with pytest.raises(CommandError) as info:
        call_command("import_calendar", str(path))
    lines = str(info.value).splitlines()
    assert lines[0].startswith("导入失败，未导入任何数据")
    return lines[1:]


@pytest.fixture
def year_end_case(city, staff, intake):
    """Received Tuesday 2026-12-15: 20 working days run into 2027, unknown so far."""
    return svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(submitted_on=dt.date(2026, 12, 12), signed_on=dt.date(2026, 12, 15)),
    )


def test_importing_2027_recomputes_a_deadline_running_into_it(
    tmp_path, city, staff, year_end_case, capsys
):
    case = year_end_case
    # Provisional: weekends and the statutory holidays, 元旦 off.
    assert (case.reply_due, case.deadline_provisional) == (dt.date(2027, 1, 13), True)
    in_2026 = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake_like(staff, city, dt.date(2026, 11, 2)),
    )
    closed = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake_like(staff, city, dt.date(2026, 12, 14), name="结案人"),
    )
    svc.case_withdraw(
        case_id=closed.id, by=staff["clerk"], reason="申请人撤回", on=dt.date(2026, 12, 15)
    )
    admin = make_user("calendar-admin", city, "administrator")

    path = write(
        tmp_path,
        "date,kind,name\n"
        + statutory_rows()
        + "2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n2027-01-09,workday,调休\n",
    )
    call_command("import_calendar", str(path), "--user", admin.username)
    out = capsys.readouterr().out
    assert "已导入 2027 年日历：放假 15 天，调休上班 1 天" in out
    assert "1 件期限变化" in out

    case.refresh_from_db()
    # Saturday 9 January is a make-up working day: Dec 16–31 12 working days, Jan 4–8 17,
    # Jan 9 18, Jan 11 19, Jan 12 20 — a day earlier, and no longer provisional.
    assert (case.reply_due, case.deadline_provisional) == (dt.date(2027, 1, 12), False)
    event = CaseEvent.objects.get(case=case, kind="deadline_changed")
    assert event.actor == admin
    assert "2027" in event.reason and "cal-2027.csv" in event.reason
    assert event.changes["deadline_provisional"] == [True, False]
    assert event.changes["reply_due"] == ["2027-01-13", "2027-01-12"]
    assert not CaseEvent.objects.filter(case=in_2026, kind="deadline_changed").exists()
    assert not CaseEvent.objects.filter(case=closed, kind="deadline_changed").exists()
    entry = CalendarYear.objects.get(year=2027)
    assert (entry.source, entry.entered_by) == ("cal-2027.csv", admin)
    assert calendar_get().is_official(2027)


def intake_like(staff, city, day, name="李四"):
    from tests.conftest import valid_id_number

    return {
        "channel": "in_person",
        "submitted_on": day,
        "applicant_type": "natural_person",
        "applicant_name": name,
        "applicant_id_number": valid_id_number(5),
        "applicant_address": "淄博市张店区",
        "delivery_method": "post",
        "content": "申请公开某文件",
        "receipt_date_confirmed": True,
    }


def test_the_example_sample_moves_the_deadline(year_end_case, capsys):
    case = year_end_case
    call_command("import_calendar", str(SAMPLE))
    assert "1 件期限变化" in capsys.readouterr().out
    case.refresh_from_db()
    # Jan 1–3 off and no make-up day in January: the date stays, no longer provisional.
    assert (case.reply_due, case.deadline_provisional) == (dt.date(2027, 1, 13), False)
    event = CaseEvent.objects.get(case=case, kind="deadline_changed")
    assert event.changes["reply_due"] == ["2027-01-13", "2027-01-13"]
    assert event.changes["deadline_provisional"] == [True, False]
    assert (
        CalendarDay.objects.filter(date__year=2027, name__contains="示例").count()
        == CalendarDay.objects.count()
    )


def test_reimport_replaces_the_year(tmp_path, year_end_case):
    call_command("import_calendar", str(SAMPLE))
    path = write(tmp_path, "date,kind,name\n" + statutory_rows())
    call_command("import_calendar", str(path))
    assert list(CalendarDay.objects.values_list("date", "kind")) == [
        (day, "holiday") for day, _ in statutory_holidays(2027)
    ]
    assert CalendarYear.objects.get(year=2027).source == "cal-2027.csv"
    year_end_case.refresh_from_db()
    assert year_end_case.reply_due == dt.date(2027, 1, 13)


def test_row_errors_are_all_reported_and_nothing_changes(tmp_path, year_end_case):
    path = write(
        tmp_path,
        "\n".join(
            [
                "date,kind,name",
                "2027-01-01,holiday,元旦",  # 2
                "2027/01/02,holiday,元旦",  # 3
                "2027-01-03,rest,元旦",  # 4
                "2027-01-01,holiday,元旦",  # 5
                "2028-01-01,holiday,元旦",  # 6
                ",workday,",  # 7
                "2027-02-30,holiday,春节",  # 8
            ]
        )
        + "\n",
    )
    assert errors_of(path) == [
        "row 3: date：日期格式应为 YYYY-MM-DD（填写的是“2027/01/02”）",
        "row 4: kind：类型须为 holiday（放假）或 workday（调休上班），填写的是“rest”",
        "row 5: date：日期 2027-01-01 与第 2 行重复",
        "row 6: date：一个文件只能包含一个年度，2028-01-01 不属于 2027 年（以第 2 行为准）",
        "row 7: date：此项为必填项",
        "row 8: date：日期格式应为 YYYY-MM-DD（填写的是“2027-02-30”）",
    ]
    assert CalendarDay.objects.count() == 0 and CalendarYear.objects.count() == 0
    year_end_case.refresh_from_db()
    assert year_end_case.deadline_provisional is True
    assert not CaseEvent.objects.filter(kind="deadline_changed").exists()


def test_missing_columns_empty_file_and_header_only(tmp_path, db):
    assert errors_of(write(tmp_path, "date,name\n2027-01-01,元旦\n")) == ["row 1: 缺少列：kind"]
    assert errors_of(write(tmp_path, "")) == ["row 1: 文件为空（缺少表头）"]
    assert errors_of(write(tmp_path, "# only a comment\ndate,kind,name\n")) == [
        "row 3: 文件没有数据行"
    ]
    assert errors_of(write(tmp_path, "date,kind,name\n", name="x.txt")) == [
        "row 1: 日历文件须为 .csv"
    ]
    assert CalendarDay.objects.count() == 0


def test_year_out_of_range(tmp_path, db):
    path = write(tmp_path, "date,kind,name\n1999-01-01,holiday,元旦\n2099-01-01,holiday,元旦\n")
    assert errors_of(path) == [
        "row 2: date：年度须在 2004 至 2032 年之间",
        "row 3: date：年度须在 2004 至 2032 年之间",
    ]


def test_comment_lines_keep_line_numbers(tmp_path, db):
    path = write(
        tmp_path, "# 示例\ndate,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,nope,元旦\n"
    )
    assert errors_of(path) == [
        "row 4: kind：类型须为 holiday（放假）或 workday（调休上班），填写的是“nope”"
    ]


def test_a_year_without_all_statutory_holidays_is_not_marked_official(tmp_path, year_end_case):
    """Issue 11: a year is official only when it holds at least the statutory holidays."""
    path = write(tmp_path, "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-09,workday,调休\n")
    [error] = errors_of(path)
    assert error.startswith("2027 年的安排缺少法定节假日：2027-02-05 春节、2027-02-06 春节")
    assert "2027-09-15 中秋" in error and "2027-01-01" not in error
    assert CalendarDay.objects.count() == 0 and CalendarYear.objects.count() == 0
    year_end_case.refresh_from_db()
    assert (year_end_case.reply_due, year_end_case.deadline_provisional) == (
        dt.date(2027, 1, 13),
        True,
    )
    # A statutory day entered as a working day does not count either.
    text = statutory_rows().replace("2027-10-03,holiday", "2027-10-03,workday")
    [error] = errors_of(write(tmp_path, "date,kind,name\n" + text))
    assert "2027-10-03 国庆节" in error
