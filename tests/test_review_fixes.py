"""Defects found in review: bad URLs and inputs answer 404/messages, never 500; list pages do
not grow with the number of agencies."""

import datetime as dt

import pytest
from django.test import Client

from agencies.models import Agency

from .conftest import make_user


@pytest.mark.parametrize(
    "url",
    [
        "/reports/annual/CITY-OFFICE/0/",
        "/reports/annual/CITY-OFFICE/9999/",
        "/reports/annual/CITY-OFFICE/0000/cell/new_requests/total/",
        "/reports/annual/CITY-OFFICE/2001/download.json",
        "/reports/statistics/CITY-OFFICE/1999/",
        "/reports/circulars/CITY-OFFICE/0/1/",
        "/reports/circulars/CITY-OFFICE/2026/13/",
        "/reports/circulars/CITY-OFFICE/2026/0/download.xlsx",
    ],
)
def test_out_of_range_years_and_months_are_404(url, city):
    client = Client()
    client.force_login(make_user("sup", city, "supervisor", "approver"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)


def test_report_year_in_range_still_works(city):
    client = Client()
    client.force_login(make_user("sup", city, "supervisor"))
    assert client.get(f"/reports/annual/CITY-OFFICE/{dt.date.today().year - 1}/").status_code == 200


def test_reports_index_query_count_does_not_grow_with_agencies(city, django_assert_max_num_queries):
    client = Client()
    client.force_login(make_user("sup", city, "supervisor"))
    with django_assert_max_num_queries(12) as small:
        assert client.get("/reports/").status_code == 200
    for i in range(40):
        Agency.objects.create(code=f"U{i}", name=f"单位{i}", level="department", parent=city)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/reports/").status_code == 200


def test_linking_a_test_request_to_a_non_number_is_a_message_not_a_crash(city, district):
    from audits import services
    from audits.testing import audit_world, mock_request_data

    world = audit_world(city, district)
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(district)
    )
    services.campaign_transition(campaign_id=world.campaign.pk, by=world.supervisor, action="start")
    client = Client()
    client.force_login(world.lawyer)
    response = client.post(
        f"/audits/{world.campaign.pk}/requests/{tr.number}/link/", {"case_id": "abc"}, follow=True
    )
    assert response.status_code == 200
    tr.refresh_from_db()
    assert tr.case_id is None
