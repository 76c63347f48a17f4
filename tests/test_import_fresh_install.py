"""On a fresh install (no users at all) the import commands run as the system: a command run
on the server is the operator's, recorded in the history as 系统导入 with the operating-system
account (issue 11 defect 9)."""

import datetime as dt
import getpass

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from requests_app.models import Case, CaseEvent
from workcalendar.models import CalendarYear
from workcalendar.statutory import statutory_holidays

pytestmark = pytest.mark.django_db


def test_agencies_cases_and_calendar_import_without_any_user(tmp_path, capsys):
    assert not get_user_model().objects.exists()
    label = f"系统导入（操作系统账户 {getpass.getuser()}）"
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(
        "code,name,parent_code,level,address,phone,review_body,court\n"
        "CITY-OFFICE,淄博市人民政府办公室,,city,人民西路1号,0533-3182000,淄博市人民政府,"
        "淄博市张店区人民法院\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on\n"
        ",2026-12-14,online,natural_person,王建国,申请公开某路段改造工程立项批复,,\n"
        ",2026-03-02,online,natural_person,李四,申请公开某地块规划条件,disclosed,2026-03-20\n",
        encoding="utf-8",
    )
    calendar = tmp_path / "cal-2027.csv"
    calendar.write_text(
        "date,kind,name\n"
        + "".join(f"{day},holiday,{name}\n" for day, name in statutory_holidays(2027))
        + "2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n2027-01-09,workday,调休\n",
        encoding="utf-8",
    )
    with time_machine.travel(dt.datetime(2026, 12, 16, 10, 0), tick=False):
        call_command("import_agencies", str(agencies))
        call_command("import_cases", str(cases), "--agency", "CITY-OFFICE")
        assert label in capsys.readouterr().out
        call_command("import_calendar", str(calendar))
    assert not get_user_model().objects.exists(), "no account was made up for the import"
    assert Case.objects.count() == 2
    imported = CaseEvent.objects.filter(kind="imported")
    assert {(e.actor, e.reason) for e in imported} == {(None, f"{label}：导入自 cases.csv")}
    moved = CaseEvent.objects.get(kind="deadline_changed")
    assert moved.actor is None and moved.reason.startswith(f"{label}：录入 2027 年节假日安排")
    assert CalendarYear.objects.get(year=2027).entered_by is None
