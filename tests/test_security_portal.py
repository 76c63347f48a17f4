"""The portal's limits cannot be spoofed and are exact (issue 10, item 2); the status lookup
also takes the tracking code in a POST body (item 8)."""

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from rest_framework.test import APIClient

from common.net import client_address
from requests_app.models import Case

from .conftest import valid_id_number

# A frozen moment at the start of a minute: every request of a test falls in one window.
NOW = dt.datetime(2026, 9, 28, 10, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PORTAL = "/api/v1/portal/requests/"


@pytest.fixture(autouse=True)
def limits(settings):
    # Fresh counters for each test without flushing the Redis that Celery shares.
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.PORTAL_RATE_ADDRESS = "1000/minute"
    settings.PORTAL_RATE_IDENTITY = "1000/day"
    settings.PORTAL_RATE_GLOBAL = "100000/day"
    settings.TRUSTED_PROXIES = []
    return settings


def submission(seed: int) -> dict:
    return {
        "agency": "CITY-OFFICE",
        "applicant_type": "natural_person",
        "applicant_name": "赵六",
        "applicant_id_number": valid_id_number(seed),
        "applicant_phone": f"138{seed:08d}",
        "delivery_method": "portal",
        "content": "申请公开本市2025年财政预算执行情况",
    }


def submit(client, seed: int, forwarded_for: str | None = None, remote: str = "127.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(PORTAL, submission(seed), format="json", **extra)


def meta(remote: str, forwarded: str | None = None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_the_forwarded_header_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    assert client_address(meta("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_address(meta("203.0.113.9", "1.2.3.4")) == "203.0.113.9"
    assert client_address(meta("127.0.0.1", "1.2.3.4")) == "1.2.3.4"
    # A client that writes its own header gets its own address, not the one it wrote.
    assert client_address(meta("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.2.3")) == "1.2.3.4"
    assert client_address(meta("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_address(meta("127.0.0.1")) == "127.0.0.1"


@time_machine.travel(NOW, tick=False)
def test_spoofed_forwarded_for_headers_do_not_multiply_the_limit(city, limits):
    limits.PORTAL_RATE_ADDRESS = "30/minute"
    client = APIClient()
    codes = [
        submit(client, seed, forwarded_for=f"198.51.{seed // 250}.{seed % 250}").status_code
        for seed in range(200)
    ]
    assert codes.count(201) == 30 and codes.count(429) == 170
    assert Case.objects.count() == 30


@time_machine.travel(NOW, tick=False)
def test_exactly_the_configured_number_gets_through_in_a_window(city, limits):
    limits.PORTAL_RATE_ADDRESS = "10/minute"
    client = APIClient()
    codes = [submit(client, seed).status_code for seed in range(15)]
    assert codes == [201] * 10 + [429] * 5
    refused = submit(client, 99)
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) == 60
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert submit(client, 100).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_exceed_the_limit(city, limits):
    """Nine clients at once, 45 lookups for a limit of 30: a read-modify-write throttle lets
    more through; the atomic counter lets exactly 30."""
    limits.PORTAL_RATE_ADDRESS = "30/minute"

    def lookup(_):
        try:
            return APIClient().get("/api/v1/portal/requests/NOSUCHCODE00/").status_code
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=False), ThreadPoolExecutor(max_workers=9) as pool:
        codes = list(pool.map(lookup, range(45)))
    assert codes.count(404) == 30 and codes.count(429) == 15


@time_machine.travel(NOW, tick=False)
def test_an_address_has_a_daily_limit_besides_the_per_minute_one(city, limits):
    limits.PORTAL_RATE_ADDRESS = "3/minute,5/day"
    client = APIClient()
    codes = [submit(client, seed).status_code for seed in range(4)]
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        codes += [submit(client, seed).status_code for seed in range(4, 8)]
    assert codes == [201, 201, 201, 429, 201, 201, 429, 429]
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert submit(client, 9).status_code == 201


@time_machine.travel(NOW, tick=False)
def test_a_trusted_proxy_is_honoured(city, limits):
    limits.PORTAL_RATE_ADDRESS = "3/minute"
    limits.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()
    first = [submit(client, seed, forwarded_for="198.51.100.1").status_code for seed in range(5)]
    second = [
        submit(client, seed, forwarded_for="198.51.100.2").status_code for seed in range(5, 10)
    ]
    assert first == second == [201, 201, 201, 429, 429]
    # The same header from a peer that is not a trusted proxy counts for that peer.
    stranger = [
        submit(client, seed, forwarded_for="198.51.100.3", remote="203.0.113.7").status_code
        for seed in range(10, 15)
    ]
    assert stranger == [201, 201, 201, 429, 429]


@time_machine.travel(NOW, tick=False)
def test_one_applicant_is_limited_per_day_whatever_the_address(city, limits):
    limits.PORTAL_RATE_IDENTITY = "3/day"
    limits.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()
    same_id = submission(1)
    codes = []
    for n in range(5):
        body = {**same_id, "applicant_phone": f"1390000{n:04d}"}
        codes.append(
            client.post(
                PORTAL, body, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            ).status_code
        )
    assert codes == [201, 201, 201, 429, 429]
    # The same phone number with other identity numbers is the same applicant too.
    same_phone = [
        client.post(
            PORTAL,
            {**submission(10 + n), "applicant_phone": "139 0000 0000"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.101.{n}",
        ).status_code
        for n in range(3)
    ]
    assert same_phone == [201, 201, 429]  # 13900000000 was used once above
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert client.post(PORTAL, same_id, format="json").status_code == 201


@time_machine.travel(NOW, tick=False)
def test_a_global_ceiling_holds_for_everyone_together(city, limits):
    limits.PORTAL_RATE_GLOBAL = "4/day"
    limits.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()
    codes = [
        submit(client, seed, forwarded_for=f"198.51.100.{seed}").status_code for seed in range(6)
    ]
    assert codes == [201] * 4 + [429] * 2
    # Status lookups are not submissions: the ceiling does not stop them.
    code = Case.objects.first().tracking_code
    assert client.post("/api/v1/portal/status/", {"tracking_code": code}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_the_status_lookup_takes_the_code_in_a_post_body(city):
    client = APIClient()
    body = submit(client, 1).json()
    response = client.post(
        "/api/v1/portal/status/", {"tracking_code": body["tracking_code"].lower()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["case_no"] == body["case_no"]
    assert "applicant_name" not in response.json()
    assert body["tracking_code"] not in response.request["PATH_INFO"]
    missing = client.post("/api/v1/portal/status/", {"tracking_code": "NOSUCHCODE00"})
    assert missing.status_code == 404
    empty = client.post("/api/v1/portal/status/", {}, format="json")
    assert empty.status_code == 400 and "tracking_code" in empty.json()["error"]["fields"]
