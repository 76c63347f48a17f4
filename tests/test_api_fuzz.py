"""A schema-driven fuzz test of the whole API (issue 10, Must show): schemathesis generates
requests from the project's own OpenAPI schema (/api/schema/) — valid ones and invalid ones —
and sends them through the WSGI application to the test PostgreSQL database, as a handler and
as an approver (token header). Every response must be no server error and must conform to the
schema: a documented status code, content type and body.

Path identifiers are mostly real ones (cases in several states, their letters, a campaign, a
tracking code), so the operations reach the services instead of stopping at a 404; one draw in
several keeps the generated identifier. The examples per operation are bounded and derandomized,
so the run is repeatable and takes about a minute per role."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from audits.testing import audit_world
from config.wsgi import application
from letters import services as letters_svc
from letters.models import Letter
from requests_app.services import cases as svc
from tests.conftest import valid_id_number
from tests.helpers import close_via_approval

EXAMPLES_PER_OPERATION = 8  # per generation mode (valid and invalid data)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api(transactional_db, city, district, staff, settings, monkeypatch):
    """The fixture world on the test database (committed, so after-commit work such as letter
    rendering runs too), requests through the WSGI app, no throttling."""
    # The WSGI handler would close the connection after each request (Django's own test client
    # avoids this too): keep one connection for the whole run.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["*"]
    # The rate limits are tested elsewhere; here they would only turn requests into 429s.
    monkeypatch.setattr(APIView, "get_throttles", lambda view: [])
    cache.clear()
    try:
        yield _world(city, district, staff)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _world(city, district, staff) -> dict:
    today = timezone.localdate()
    received = today - dt.timedelta(days=2)

    def register(n: int):
        return svc.case_register(
            agency=city,
            by=staff["clerk"],
            data={
                "channel": "mail_signed",
                "submitted_on": received - dt.timedelta(days=1),
                "signed_on": received,
                "mail_tracking_number": f"EMS{n:010d}",
                "applicant_type": "natural_person",
                "applicant_name": f"申请人{n}",
                "applicant_id_number": valid_id_number(n),
                "applicant_phone": "13800001111",
                "applicant_address": "淄博市张店区共青团路1号",
                "applicant_postcode": "255000",
                "delivery_method": "post",
                "content": f"申请公开第{n}号文件。",
            },
        )

    handler, approver = staff["handler"], staff["approver"]
    cases = [register(n) for n in range(1, 7)]
    svc.case_start_drafting(case_id=cases[1].id, by=handler)
    svc.case_start_drafting(case_id=cases[2].id, by=handler)
    svc.case_submit_for_approval(case_id=cases[2].id, by=handler, outcome="disclosed")
    letters_svc.letter_draft(case_id=cases[2].id, by=handler, kind="reply", outcome="disclosed")
    svc.case_request_supplement(
        case_id=cases[3].id, by=handler, missing="请写明文件名称", due=today + dt.timedelta(20)
    )
    svc.case_issue_fee_notice(case_id=cases[4].id, by=handler, amount=Decimal("10.00"))
    close_via_approval(cases[5], handler=handler, approver=approver)
    world = audit_world(city, district)
    return {
        "public_id": [str(c.public_id) for c in cases],
        "letter": [str(pk) for pk in Letter.objects.values_list("public_id", flat=True)],
        "pk": [world.campaign.pk],
        "tracking_code": [c.tracking_code for c in cases],
        "tokens": {
            role: Token.objects.get_or_create(user=staff[role])[0].key
            for role in ("handler", "approver")
        },
    }


def _identifiers(world: dict, operation, name: str) -> list:
    if name == "public_id" and operation.path.startswith("/api/v1/letters/"):
        return world["letter"]
    return world.get(name, [])


@dataclass
class Tally:
    sent: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    no_invalid_input: list[str] = field(default_factory=list)


def fuzz(operation, mode: GenerationMode, pools: dict, headers: dict, tally: Tally) -> None:
    """Send EXAMPLES_PER_OPERATION generated requests of one kind to one operation."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode), pick=st.integers(min_value=0, max_value=99))
    def run(case, pick):
        for name, pool in pools.items():
            # Mostly a real identifier; one draw in five keeps the generated one.
            if pool and pick % 5:
                case.path_parameters[name] = pool[pick % len(pool)]
        response = case.call(headers=headers)
        tally.sent[operation.label] += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            titles = "; ".join(f"{f.title}: {str(f.message)[:400]}" for f in group.exceptions)
            titles += f" [{case.path_parameters} {case.query} {str(case.body)[:200]}]"
            tally.failures.append(f"{operation.label} {mode} → {response.status_code}: {titles}")

    try:
        run()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE, operation.label
        tally.no_invalid_input.append(operation.label)


@pytest.mark.parametrize("role", ["handler", "approver"])
def test_the_whole_api_answers_every_generated_request_as_its_schema_says(api, role):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = {"Authorization": f"Token {api['tokens'][role]}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30, "every operation of the API is in the schema"
    tally = Tally()
    for operation in operations:
        pools = {p.name: _identifiers(api, operation, p.name) for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, pools, headers, tally)

    print(
        f"\n[{role}] {len(operations)} operations, {sum(tally.sent.values())} requests, "
        f"statuses {dict(sorted(tally.statuses.items()))}, {len(tally.failures)} failures; "
        f"no invalid input possible for {len(tally.no_invalid_input)}"
    )
    assert len(tally.sent) == len(operations), "every operation was exercised"
    assert tally.statuses[500] == 0 and not tally.failures, "\n".join(
        sorted(set(tally.failures))[:40]
    )
