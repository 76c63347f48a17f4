"""Shared fixtures: an agency tree, users with roles, and a helper to register cases.

The suite runs on PostgreSQL (make test sets DATABASE_URL); a missing database fails loudly."""

import datetime as dt

import pytest

from agencies.models import Agency, AgencyLevel, Role
from requests_app.rules import credit_code_check_char, id_number_check_char
from tests.factories import user_with_roles


def valid_id_number(seed: int = 1) -> str:
    first17 = f"370302198{seed % 10}0101{seed % 1000:03d}"
    return first17 + id_number_check_char(first17)


def valid_credit_code(seed: int = 1) -> str:
    first17 = f"91370300MA3C{seed % 100000:05d}"
    return first17 + credit_code_check_char(first17)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores uploads and letters under its own temporary MEDIA_ROOT (the one
    media-folder fixture of the suite)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture
def soffice():
    """LibreOffice for the PDF checks: `make test` installs it; a missing one fails, never skips."""
    from letters.rendering import soffice_path

    path = soffice_path()
    assert path, "LibreOffice (soffice) is not installed: run `make browser-deps`"
    return path


@pytest.fixture
def city(db):
    return Agency.objects.create(
        code="CITY-OFFICE",
        name="淄博市人民政府办公室",
        level=AgencyLevel.CITY,
        address="淄博市张店区人民西路",
        postcode="255000",
        phone="0533-1234567",
        review_body="淄博市人民政府",
        court="淄博市张店区人民法院",
        letter_prefix="淄政办信复",
    )


@pytest.fixture
def district(city):
    return Agency.objects.create(
        code="ZD-GOV",
        name="张店区人民政府",
        level=AgencyLevel.DISTRICT,
        parent=city,
        review_body="淄博市人民政府",
        court="淄博市张店区人民法院",
    )


@pytest.fixture
def other_agency(db):
    return Agency.objects.create(code="OTHER", name="另一市政府办公室", level=AgencyLevel.CITY)


def make_user(username: str, agency: Agency | None = None, *roles: str):
    return user_with_roles(username, agency, *roles)


@pytest.fixture
def staff(city):
    """One user per role in the city office."""
    return {role: make_user(f"{role}-user", city, role) for role in Role.values}


@pytest.fixture
def intake():
    """Registration data for a signed-for letter; override keys per test."""

    def build(**overrides):
        data = {
            "channel": "mail_signed",
            "submitted_on": dt.date(2026, 9, 24),
            "signed_on": dt.date(2026, 9, 25),
            "mail_tracking_number": "EMS1234567890",
            "applicant_type": "natural_person",
            "applicant_name": "张三",
            "applicant_id_number": valid_id_number(7),
            "applicant_phone": "13800001111",
            "applicant_address": "淄博市张店区共青团路1号",
            "applicant_postcode": "255000",
            "delivery_method": "post",
            "content": "申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账。",
            # The fixed dates lie weeks before the days tests travel to: checked on purpose.
            "receipt_date_confirmed": True,
        }
        data.update(overrides)
        return data

    return build
