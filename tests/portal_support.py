"""Shared pieces of the portal tests: a filing as the public types it, fresh rate counters."""

import uuid

import pytest

from .conftest import valid_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def filing(seed: int = 11, **overrides) -> dict:
    data = {
        "agency": "CITY-OFFICE",
        "applicant_type": "natural_person",
        "applicant_name": "王五",
        "applicant_id_number": valid_id_number(seed),
        "applicant_phone": f"1390000{seed:04d}",
        "applicant_email": "",
        "delivery_method": "portal",
        "information_form": "electronic",
        "content": "申请公开本机关2025年度部门预算执行情况说明",
    }
    data.update(overrides)
    return data


@pytest.fixture
def fresh_limits(settings):
    settings.RATELIMIT_PREFIX = f"test-{uuid.uuid4().hex}"
    settings.PORTAL_RATE_ADDRESS = "1000/minute"
    settings.PORTAL_RATE_IDENTITY = "1000/day"
    settings.PORTAL_RATE_GLOBAL = "100000/day"
    settings.PORTAL_RATE_TRACK = "1000/minute"
    settings.TRUSTED_PROXIES = []
    return settings
