"""Builders shared by the audits tests (and handy in a shell): a supervising office with a
district and a department, their staff, a supervisor, two lawyers and a campaign."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from agencies.models import Agency, AgencyLevel, Membership, Role

from . import services
from .models import Campaign


def user_make(
    username: str, agency: Agency | None = None, *roles: str, password: str = "pw-12345678"
):
    user = get_user_model().objects.create_user(username=username, password=password)
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


@dataclass
class AuditWorld:
    city: Agency
    district: Agency
    department: Agency
    outside: Agency
    supervisor: object
    lawyer: object
    other_lawyer: object
    district_staff: dict
    department_staff: dict
    campaign: Campaign


def audit_world(city: Agency, district: Agency) -> AuditWorld:
    """Campaign by the city's supervisor targeting the district and a department; `lawyer`
    is assigned, `other_lawyer` (also an auditor of the city) is not."""
    department = Agency.objects.create(
        code="ZB-EDU",
        name="淄博市教育局",
        level=AgencyLevel.DEPARTMENT,
        parent=city,
        review_body="淄博市人民政府",
        court="淄博市张店区人民法院",
    )
    outside = Agency.objects.create(
        code="ZB-HEALTH", name="淄博市卫生健康委员会", level=AgencyLevel.DEPARTMENT, parent=city
    )
    supervisor = user_make("audit-supervisor", city, Role.SUPERVISOR)
    lawyer = user_make("audit-lawyer", city, Role.AUDITOR)
    other_lawyer = user_make("audit-lawyer-2", city, Role.AUDITOR)
    district_staff = {
        role: user_make(f"zd-{role}", district, role)
        for role in (Role.CLERK, Role.HANDLER, Role.APPROVER, Role.SUPERVISOR)
    }
    department_staff = {
        role: user_make(f"edu-{role}", department, role)
        for role in (Role.CLERK, Role.HANDLER, Role.APPROVER)
    }
    campaign = services.campaign_create(
        by=supervisor,
        supervising_agency=city,
        data={
            "name": "2026年第二轮模拟申请测评",
            "period_start": dt.date(2026, 9, 1),
            "period_end": dt.date(2026, 11, 30),
            "agency_ids": [district.id, department.id],
            "lawyer_ids": [lawyer.id],
        },
    )
    return AuditWorld(
        city,
        district,
        department,
        outside,
        supervisor,
        lawyer,
        other_lawyer,
        district_staff,
        department_staff,
        campaign,
    )


def mock_request_data(agency: Agency, **overrides) -> dict:
    data = {
        "agency_id": agency.id,
        "channel": "mail_signed",
        "sent_on": dt.date(2026, 9, 23),
        "tracking_number": "EMS9988776655",
        "request_text": "申请公开2025年度本机关行政事业性收费项目清单。",
        "applicant_identity": "自然人（律师助理 王某）",
        "expected_outcome": "disclosed",
    }
    data.update(overrides)
    return data
