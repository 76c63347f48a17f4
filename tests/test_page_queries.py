"""The case page's query count does not grow with its history, and the worklist's does not
grow with the agency's cases (the 100,000-case timings are in bench/pages.py)."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from letters.models import Letter
from requests_app.models import CaseEvent, ClockEvent
from requests_app.services import cases as svc
from tests.conftest import make_user
from tests.test_web_worklist import bulk_cases

NOW = dt.datetime(2026, 9, 28, 10, 0)
MAX_CASE_PAGE_QUERIES = 40
MAX_WORKLIST_QUERIES = 10


def detail(client, case):
    response = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    return response


@time_machine.travel(NOW, tick=False)
def test_case_page_queries_do_not_grow_with_the_history(
    client, city, staff, intake, django_assert_max_num_queries
):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["handler"])
    detail(client, case)  # warm the process-wide caches (calendar, agency tree)
    with CaptureQueriesContext(connection) as short:
        detail(client, case)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=case, kind="note", actor=staff["handler"], reason=f"第{i}条备注")
            for i in range(300)
        ]
    )
    ClockEvent.objects.bulk_create(
        [
            ClockEvent(case=case, kind="pause", on=dt.date(2026, 9, 25)),
            ClockEvent(case=case, kind="resume", on=dt.date(2026, 9, 26)),
        ]
    )
    with django_assert_max_num_queries(MAX_CASE_PAGE_QUERIES):
        with CaptureQueriesContext(connection) as long:
            response = detail(client, case)
    assert "第299条备注" in response.content.decode()
    assert len(long) == len(short), [q["sql"][:120] for q in long.captured_queries]


@time_machine.travel(NOW, tick=False)
def test_worklist_and_supervisor_pages_keep_their_query_count(
    client, city, district, staff, django_assert_max_num_queries
):
    supervisor = make_user("sup-q", city, "supervisor")
    bulk_cases(city, 20)
    bulk_cases(district, 20, start=100)
    client.force_login(staff["handler"])
    client.get(reverse("requests_app:worklist"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("requests_app:worklist"), {"sort": "due"}).status_code == 200
    bulk_cases(city, 2000, start=1000)
    with django_assert_max_num_queries(MAX_WORKLIST_QUERIES):
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("requests_app:worklist"), {"sort": "due"})
    assert len(few) == len(many)

    client.force_login(supervisor)
    client.get(reverse("requests_app:supervision"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("requests_app:supervision")).status_code == 200
    bulk_cases(district, 2000, start=5000)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("requests_app:supervision"))
    assert len(few) == len(many)


@time_machine.travel(NOW, tick=False)
def test_approvals_page_while_an_issued_reply_is_still_being_rendered(client, city, staff, intake):
    """An issued reply is committed as pending before its file is stored; an approver's page
    load in that moment lists the case instead of failing (found by bench/load/run.py)."""
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="disclosed")
    Letter.objects.create(
        case=case,
        agency=city,
        kind="reply",
        outcome="disclosed",
        state="issued",
        number="淄政办信复〔2026〕1号",
        number_year=2026,
        number_seq=1,
        issued_on=dt.date(2026, 9, 28),
        template_key="reply_disclosed",
        render_status="pending",
        created_by=staff["handler"],
        issued_by=staff["approver"],
    )
    client.force_login(staff["approver"])
    response = client.get(reverse("approvals:queue"))
    assert response.status_code == 200
    assert case.case_no in response.content.decode()
