"""The admin: transitions as buttons on the case page (through the same services), the deadline
explanation, history read-only, and no deletes."""

import datetime as dt

import time_machine
from django.test import Client

from requests_app.models import CaseEvent
from requests_app.services import cases as svc

from .conftest import make_user


def admin_client(city, *roles):
    user = make_user("boss", city, *roles)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client, user


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_case_page_offers_the_users_transitions_and_runs_them(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client, user = admin_client(city, "handler")
    page = client.get(f"/admin/requests_app/case/{case.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "开始拟办" in html and "补正告知" in html
    assert "审核通过并答复办结" not in html  # not the handler's
    assert "答复期限的计算" in html and "国庆节" in html

    form = client.get(f"/admin/requests_app/case/{case.pk}/act/request_supplement/")
    assert "需补正的事项" in form.content.decode()
    response = client.post(
        f"/admin/requests_app/case/{case.pk}/act/request_supplement/",
        {"missing": "", "due": "2026-10-20", "expected_version": case.version},
    )
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(
        f"/admin/requests_app/case/{case.pk}/act/request_supplement/",
        {
            "missing": "请写明文件名称",
            "due": "2026-10-20",
            "reason": "内容不明确",
            "expected_version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "supplement"
    event = CaseEvent.objects.get(case=case, transition="request_supplement")
    assert event.actor == user and event.reason == "内容不明确"


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_action_not_available_to_the_user_is_forbidden(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client, _ = admin_client(city, "clerk")
    assert client.get(f"/admin/requests_app/case/{case.pk}/act/start_drafting/").status_code == 403


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_cases_and_history_cannot_be_deleted_or_edited_in_the_admin(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client, _ = admin_client(city)
    assert client.get(f"/admin/requests_app/case/{case.pk}/delete/").status_code == 403
    event = case.events.get()
    assert client.get(f"/admin/requests_app/caseevent/{event.pk}/delete/").status_code == 403
    for model in (
        "agencies/agency",
        "agencies/membership",
        "workcalendar/calendaryear",
        "workcalendar/calendarday",
        "requests_app/case",
        "requests_app/caseevent",
        "requests_app/legalchallenge",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model


@time_machine.travel(dt.datetime(2026, 12, 16, 10, 0), tick=False)
def test_deleting_calendar_days_in_bulk_recomputes_open_deadlines(city, staff, intake):
    from workcalendar.models import CalendarDay, CalendarYear

    CalendarYear.objects.create(year=2027)
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(channel="in_person", submitted_on=dt.date(2026, 12, 15), signed_on=None),
    )
    assert case.reply_due == dt.date(2027, 1, 13)
    client, _ = admin_client(city)
    response = client.post(
        "/admin/workcalendar/calendarday/",
        {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.reply_due == dt.date(2027, 1, 12)
    assert CaseEvent.objects.filter(case=case, kind="deadline_changed").exists()
