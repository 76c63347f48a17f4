"""The worklist: filters, search, sort, pagination, counts per state, masking, and a query
count that does not grow with the number of cases."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Agency, AgencyLevel
from requests_app.models import Case
from tests.conftest import make_user, valid_credit_code, valid_id_number

TODAY = dt.date(2026, 9, 28)  # a Monday
NOW = dt.datetime(2026, 9, 28, 10, 0)


def bulk_cases(agency, n, *, start=0, **fields):
    """Many cases quickly, bypassing the services (for volume and listing tests only)."""
    cases = []
    for i in range(start, start + n):
        values = {
            "agency": agency,
            "year": 2026,
            "case_no": f"2026-{i + 1:05d}",
            "tracking_code": f"T{agency.id:03d}{i:08d}",
            "channel": "online",
            "received_on": dt.date(2026, 9, 1),
            "confirmed_on": dt.date(2026, 9, 1),
            "applicant_type": "natural_person",
            "applicant_name": f"申请人{i}",
            "applicant_id_number": valid_id_number(i),
            "applicant_phone": "13800001111",
            "content": f"申请公开第{i}号文件",
            "reply_due": dt.date(2026, 10, 30) + dt.timedelta(days=i % 30),
        }
        values.update(fields)
        cases.append(Case(**values))
    return Case.objects.bulk_create(cases)


def page(client, **params):
    response = client.get(reverse("requests_app:worklist"), params)
    assert response.status_code == 200
    return response


def case_nos(response):
    return [row["case"].case_no for row in response.context["rows"]]


@pytest.mark.parametrize("n", [10, 1000])
@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_cases(
    client, city, staff, n, django_assert_max_num_queries
):
    bulk_cases(city, n)
    client.force_login(staff["handler"])
    page(client)  # warm the process-wide calendar cache (built once per calendar change)
    with django_assert_max_num_queries(10):
        response = page(client)
    assert response.context["page"].paginator.count == n
    with django_assert_max_num_queries(10):
        page(client, q="申请人", channel="online", due_within=30, sort="-received", page=2)


@time_machine.travel(NOW, tick=False)
def test_same_number_of_queries_for_ten_and_a_thousand_cases(client, city, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff["handler"])
    bulk_cases(city, 10)
    page(client, due_within=5)
    with CaptureQueriesContext(connection) as few:
        page(client, due_within=60, q="申请")
    bulk_cases(city, 990, start=10)
    with CaptureQueriesContext(connection) as many:
        response = page(client, due_within=60, q="申请")
    assert response.context["page"].paginator.count == 1000
    assert len(few) == len(many) <= 10


@time_machine.travel(NOW, tick=False)
def test_sorted_by_due_date_by_default_and_paginated(client, city, staff):
    bulk_cases(city, 60)
    client.force_login(staff["clerk"])
    first = page(client)
    dues = [row["case"].reply_due for row in first.context["rows"]]
    assert dues == sorted(dues) and len(dues) == 25
    second = page(client, page=2)
    assert second.context["page"].number == 2
    assert not set(case_nos(first)) & set(case_nos(second))
    assert "第 2 / 3 页" in second.content.decode()


@time_machine.travel(NOW, tick=False)
def test_filters_by_state_channel_applicant_type_and_counts_per_state(client, city, staff):
    bulk_cases(city, 3)
    bulk_cases(city, 2, start=3, state="drafting", channel="mail_signed")
    bulk_cases(
        city,
        1,
        start=5,
        applicant_type="commercial_enterprise",
        applicant_id_number="",
        applicant_credit_code=valid_credit_code(5),
    )
    bulk_cases(
        city, 1, start=6, state="disclosed", outcome="disclosed", closed_on=dt.date(2026, 9, 20)
    )
    client.force_login(staff["handler"])
    counts = page(client).context["counts"]
    assert counts["received"] == 4 and counts["drafting"] == 2 and counts["disclosed"] == 1
    assert counts["open"] == 6 and counts["all"] == 7 and counts["finished"] == 1
    assert len(case_nos(page(client))) == 6  # default: open cases
    assert case_nos(page(client, state="drafting")) == ["2026-00004", "2026-00005"]
    assert len(case_nos(page(client, state="all"))) == 7
    assert case_nos(page(client, channel="mail_signed")) == ["2026-00004", "2026-00005"]
    assert case_nos(page(client, applicant_type="commercial_enterprise")) == ["2026-00006"]


@time_machine.travel(NOW, tick=False)
def test_due_within_n_working_days_and_overdue(client, city, staff):
    # 5 working days after Mon 2026-09-28 is Fri 2026-10-09 (National Day week off).
    bulk_cases(city, 1, start=0, reply_due=dt.date(2026, 9, 30))
    bulk_cases(city, 1, start=1, reply_due=dt.date(2026, 10, 9))
    bulk_cases(city, 1, start=2, reply_due=dt.date(2026, 10, 12))
    bulk_cases(city, 1, start=3, reply_due=dt.date(2026, 9, 25))
    client.force_login(staff["handler"])
    assert case_nos(page(client, due_within=5)) == ["2026-00001", "2026-00002"]
    assert case_nos(page(client, due_within=6)) == ["2026-00001", "2026-00002", "2026-00003"]
    overdue = page(client, overdue="on")
    assert case_nos(overdue) == ["2026-00004"]
    html = page(client).content.decode()
    assert 'class="overdue" data-case-no="2026-00004"' in html
    assert 'class="due-soon" data-case-no="2026-00001"' in html
    assert "已超期 1 个工作日" in html


@time_machine.travel(NOW, tick=False)
def test_search_by_case_number_applicant_and_text(client, city, staff):
    bulk_cases(city, 5)
    Case.objects.filter(case_no="2026-00003").update(
        applicant_name="李四", content="申请公开城市绿化规划"
    )
    client.force_login(staff["handler"])
    assert case_nos(page(client, q="2026-00002")) == ["2026-00002"]
    assert case_nos(page(client, q="李四")) == ["2026-00003"]
    assert case_nos(page(client, q="绿化")) == ["2026-00003"]


@time_machine.travel(NOW, tick=False)
def test_mine_shows_cases_i_registered_handle_or_acted_on(client, city, staff):
    bulk_cases(city, 3)
    Case.objects.filter(case_no="2026-00001").update(handler=staff["handler"])
    Case.objects.filter(case_no="2026-00002").update(created_by=staff["handler"])
    client.force_login(staff["handler"])
    assert case_nos(page(client, scope="mine")) == ["2026-00001", "2026-00002"]
    assert page(client, scope="mine").context["counts"]["open"] == 2


@time_machine.travel(NOW, tick=False)
def test_identity_numbers_and_phones_are_masked_on_the_list(client, city, staff):
    (case,) = bulk_cases(city, 1, applicant_phone="13912345678")
    client.force_login(staff["clerk"])
    html = page(client).content.decode()
    assert case.applicant_id_number not in html
    assert case.applicant_id_number[:6] + "********" + case.applicant_id_number[-4:] in html
    assert "13912345678" not in html and "139****5678" in html


@time_machine.travel(NOW, tick=False)
def test_htmx_filter_returns_only_the_results(client, city, staff):
    bulk_cases(city, 2)
    client.force_login(staff["clerk"])
    response = client.get(
        reverse("requests_app:worklist"),
        {"q": "申请人1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="worklist-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="worklist-results"')
    assert "<html" not in html
    assert case_nos(response) == ["2026-00002"]


@time_machine.travel(NOW, tick=False)
def test_only_the_users_agencies_and_supervisor_subtree(
    client, city, district, other_agency, staff
):
    bulk_cases(city, 1, start=0)
    bulk_cases(district, 1, start=1)
    bulk_cases(other_agency, 1, start=2)
    client.force_login(staff["clerk"])
    assert case_nos(page(client)) == ["2026-00001"]
    supervisor = staff["supervisor"]
    client.force_login(supervisor)
    assert sorted(case_nos(page(client))) == ["2026-00001", "2026-00002"]
    assert case_nos(page(client, agency=district.id)) == ["2026-00002"]
    assert (
        client.get(reverse("requests_app:worklist"), {"agency": other_agency.id}).status_code == 404
    )
    town = Agency.objects.create(code="T", name="镇", level=AgencyLevel.TOWN, parent=district)
    outsider = make_user("o", other_agency, "clerk")
    client.force_login(outsider)
    assert case_nos(page(client)) == ["2026-00003"]
    assert client.get(reverse("requests_app:worklist"), {"agency": town.id}).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_an_invalid_filter_is_named_and_the_others_still_apply(client, city, staff):
    bulk_cases(city, 2)
    bulk_cases(city, 1, start=2, channel="fax")
    client.force_login(staff["clerk"])
    response = page(client, due_within="abc", channel="fax")
    assert "N个工作日内到期：" in response.content.decode()
    assert case_nos(response) == ["2026-00003"]
