"""Issue 11, daily tool: the calendar upload in the admin — the import_calendar CSV through the
same reader, checks and service; open deadlines recomputed; a year marked official only when
it holds at least the statutory holidays (workcalendar.statutory)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from workcalendar.models import CalendarDay, CalendarYear
from workcalendar.statutory import statutory_holidays

from .test_admin import admin_client

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/workcalendar/calendaryear/upload/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0), tick=False):
        yield


@pytest.fixture
def year_end_case(city, staff, intake):
    """Received in person 2026-12-18: provisionally due 2027-01-18 (元旦 off)."""
    return svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(channel="in_person", submitted_on=dt.date(2026, 12, 18), signed_on=None),
    )


def csv_file(text: str, name="2027.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def statutory_rows(year=2027) -> str:
    return "".join(f"{day},holiday,{name}\n" for day, name in statutory_holidays(year))


def test_the_changelist_links_to_the_upload(city):
    client, _ = admin_client(city)
    html = client.get("/admin/workcalendar/calendaryear/").content.decode()
    assert f'href="{UPLOAD}"' in html
    page = client.get(UPLOAD)
    assert page.status_code == 200 and "上传并导入" in page.content.decode()


def test_uploading_a_year_marks_it_official_and_recomputes_open_deadlines(city, year_end_case):
    case = year_end_case
    assert (case.reply_due, case.deadline_provisional) == (dt.date(2027, 1, 18), True)
    client, admin = admin_client(city)
    text = (
        "# 国办发明电〔2026〕示例\ndate,kind,name\n"
        + statutory_rows()
        + "2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n2027-01-09,workday,元旦调休\n"
    )
    response = client.post(
        UPLOAD, {"file": csv_file(text), "source": "国办发明电〔2026〕示例"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/admin/workcalendar/calendaryear/"
    html = response.content.decode()
    assert "已导入 2027 年日历：放假 15 天，调休上班 1 天" in html
    assert "1 件期限变化" in html

    entry = CalendarYear.objects.get(year=2027)
    assert (entry.source, entry.entered_by) == ("国办发明电〔2026〕示例", admin)
    assert CalendarDay.objects.filter(date__year=2027).count() == 16
    case.refresh_from_db()
    # Saturday 9 January is a make-up working day: due a working day earlier, not provisional.
    assert (case.reply_due, case.deadline_provisional) == (dt.date(2027, 1, 15), False)
    event = CaseEvent.objects.get(case=case, kind="deadline_changed")
    assert event.actor == admin and "2027" in event.reason
    assert event.changes["reply_due"] == ["2027-01-18", "2027-01-15"]


def test_a_bad_file_reports_every_row_as_the_command_does_and_saves_nothing(city, year_end_case):
    client, _ = admin_client(city)
    text = "date,kind,name\n2027/01/02,holiday,元旦\n2027-01-03,rest,元旦\n"
    response = client.post(UPLOAD, {"file": csv_file(text)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入失败，未导入任何数据（共 2 处错误）" in html
    assert "row 2: date：日期格式应为 YYYY-MM-DD（填写的是“2027/01/02”）" in html
    assert "row 3: kind：类型须为 holiday（放假）或 workday（调休上班），填写的是“rest”" in html
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()
    year_end_case.refresh_from_db()
    assert year_end_case.deadline_provisional is True
    assert not CaseEvent.objects.filter(kind="deadline_changed").exists()

    response = client.post(UPLOAD, {"file": csv_file("date,kind,name\n", name="2027.txt")})
    assert "row 1: 日历文件须为 .csv" in response.content.decode()


def test_a_file_without_all_statutory_holidays_is_refused(city, year_end_case):
    client, _ = admin_client(city)
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-09,workday,调休\n"
    response = client.post(UPLOAD, {"file": csv_file(text)})
    html = response.content.decode()
    assert "2027 年的安排缺少法定节假日：2027-02-05 春节" in html
    assert "2027-10-03 国庆节" in html
    assert not CalendarYear.objects.exists() and not CalendarDay.objects.exists()


def test_marking_a_year_official_by_hand_needs_the_statutory_holidays(city, year_end_case):
    client, _ = admin_client(city)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    response = client.post(
        "/admin/workcalendar/calendaryear/add/", {"year": 2027, "source": "手工录入"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "2027 年的安排缺少法定节假日：2027-02-05 春节" in html
    assert "2027-01-01 元旦" not in html.split("缺少法定节假日")[1].split("。")[0]
    assert not CalendarYear.objects.exists()

    for day, name in statutory_holidays(2027):
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "holiday", "name": name})
    response = client.post(
        "/admin/workcalendar/calendaryear/add/", {"year": 2027, "source": "手工录入"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027, source="手工录入").exists()
    year_end_case.refresh_from_db()
    assert (year_end_case.reply_due, year_end_case.deadline_provisional) == (
        dt.date(2027, 1, 18),
        False,
    )


def test_a_published_year_carried_by_the_package_passes_the_check(city):
    client, _ = admin_client(city)
    response = client.post("/admin/workcalendar/calendaryear/add/", {"year": 2026})
    assert response.status_code == 302
