"""Issue 11 defect 6: the audit ranking was published while scoring was incomplete — a unit
ranked first at 100 % though one of its test requests was never answered (every verdict
"cannot tell" or "not applicable", so it counted for nothing). Publishing now needs every test
request scored (at least one pass/fail verdict) or explicitly excluded with a reason (who,
when, why); the report title reads "…测评报告", never "测评测评报告"."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document

from audits import reports, selectors, services
from audits.models import AuditEvent, Campaign
from audits.testing import audit_world, mock_request_data
from requests_app.rules import RuleViolation

NEVER_ANSWERED = {  # what the pre-fill gives for a request with no receipt and no reply
    "accepted": "cannot_tell",
    "supplement": "not_applicable",
    "timely": "cannot_tell",
    "written_sealed": "cannot_tell",
    "outcome_fits": "cannot_tell",
    "legal_basis": "cannot_tell",
    "withholding_reasons": "cannot_tell",
    "referral": "cannot_tell",
    "remedy_notice": "cannot_tell",
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False):
        yield


@pytest.fixture
def world(city, district):
    return audit_world(city, district)


def _score(world, number, verdict_by_key, default="pass"):
    verdicts = {
        item.id: (verdict_by_key.get(item.key, default), f"{item.key} 说明")
        for item in world.campaign.items.all()
    }
    services.mock_request_score(
        campaign_id=world.campaign.pk, number=number, by=world.lawyer, verdicts=verdicts
    )


@pytest.fixture
def scoring_campaign(world):
    """T001 district (one fail), T002 department (all pass), T003 department never answered."""
    campaign = world.campaign
    services.campaign_transition(campaign_id=campaign.pk, by=world.supervisor, action="start")
    for agency in (world.district, world.department, world.department):
        services.mock_request_create(
            campaign_id=campaign.pk, by=world.lawyer, data=mock_request_data(agency)
        )
    services.campaign_transition(campaign_id=campaign.pk, by=world.lawyer, action="start_scoring")
    _score(world, 1, {"timely": "fail"})
    _score(world, 2, {})
    _score(world, 3, NEVER_ANSWERED)
    return campaign


def _publish(world):
    return services.campaign_transition(
        campaign_id=world.campaign.pk, by=world.supervisor, action="publish"
    )


def test_a_request_with_nothing_judged_keeps_the_campaign_from_being_published(
    world, scoring_campaign
):
    # Before the fix the department ranked first at 100 % and this published.
    with pytest.raises(RuleViolation) as refused:
        _publish(world)
    assert refused.value.message == services.MSG_NOTHING_JUDGED.format(codes="T003")
    assert Campaign.objects.get(pk=world.campaign.pk).status == "scoring"
    assert [tr.code for tr in services.mock_requests_incomplete(world.campaign)] == ["T003"]
    assert selectors.campaign_results(world.campaign).scored_count == 2

    # Judging it (the channel did not work: not accepted) lets it publish, at below 100 %.
    _score(world, 3, {**NEVER_ANSWERED, "accepted": "fail"})
    assert _publish(world).status == "published"
    results = selectors.campaign_results(world.campaign)
    department = next(r for r in results.agencies if r.agency.code == "ZB-EDU")
    assert department.score == Decimal("90.9")  # 100 of 110: T003's "accepted" (10) fails
    assert results.scored_count == 3


def test_an_explicit_exclusion_needs_a_reason_and_records_who_when_why(world, scoring_campaign):
    with pytest.raises(RuleViolation) as refused:
        services.mock_request_exclude(
            campaign_id=world.campaign.pk, number=3, by=world.lawyer, reason="  "
        )
    assert (refused.value.message, refused.value.field) == (services.MSG_EXCLUDE_REASON, "reason")
    assert not AuditEvent.objects.filter(kind="excluded").exists()
    agency_staff = world.department_staff["approver"]
    with pytest.raises(services.NotPermitted):
        services.mock_request_exclude(
            campaign_id=world.campaign.pk, number=3, by=agency_staff, reason="x"
        )

    reason = "挂号信被退回（查无此单位），申请未送达，无法评定"
    tr = services.mock_request_exclude(
        campaign_id=world.campaign.pk, number=3, by=world.lawyer, reason=reason
    )
    tr.refresh_from_db()
    assert (tr.excluded_by, tr.exclusion_reason) == (world.lawyer, reason)
    assert tr.excluded_at is not None
    event = AuditEvent.objects.get(kind="excluded")
    assert (event.actor, event.reason, event.test_request) == (world.lawyer, reason, tr)
    with pytest.raises(RuleViolation) as refused:
        _score(world, 3, {})
    assert refused.value.message == services.MSG_EXCLUDED_NO_SCORE

    results = selectors.campaign_results(world.campaign)
    department = next(r for r in results.agencies if r.agency.code == "ZB-EDU")
    assert (department.test_requests, department.score) == (1, Decimal("100.0"))
    assert [t.code for t in results.excluded] == ["T003"]
    assert reports.summary_lines(results)[0].endswith(
        "共向 2 个机关发出模拟申请 3 件，已完成评分 2 件，经说明理由排除出评分 1 件（不计入得分和排名）。"
    )
    assert _publish(world).status == "published"

    document = Document(io.BytesIO(reports.campaign_report_docx(results)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"T003（淄博市教育局）：{reason}（audit-lawyer于 2026-11-02 排除）" in text


def test_including_again_needs_scoring_again(world, scoring_campaign):
    services.mock_request_exclude(
        campaign_id=world.campaign.pk, number=3, by=world.supervisor, reason="测试设计有误"
    )
    with pytest.raises(RuleViolation) as refused:
        services.mock_request_include(
            campaign_id=world.campaign.pk, number=3, by=world.supervisor, reason=""
        )
    assert refused.value.field == "reason"
    services.mock_request_include(
        campaign_id=world.campaign.pk, number=3, by=world.supervisor, reason="已查明已送达"
    )
    event = AuditEvent.objects.get(kind="included")
    assert event.changes["exclusion_reason"] == ["测试设计有误", ""]
    with pytest.raises(RuleViolation):
        _publish(world)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("2026年第二轮模拟申请测评", "2026年第二轮模拟申请测评报告"),
        ("2026年政务公开第三方评估", "2026年政务公开第三方评估测评报告"),
        ("暗访测评报告", "暗访测评报告"),
    ],
)
def test_report_title_never_doubles_the_word(name, title):
    assert reports.report_title(Campaign(name=name)) == title


def test_through_the_pages(world, scoring_campaign):
    client = Client()
    client.force_login(world.supervisor)
    detail = reverse("audits:campaign_detail", args=[world.campaign.pk])
    page = client.get(detail).content.decode()
    problem = services.MSG_NOTHING_JUDGED.format(codes="T003")
    assert problem in page and "无可计分结论" in page
    response = client.post(
        reverse("audits:campaign_transition", args=[world.campaign.pk, "publish"]), follow=True
    )
    assert problem in response.content.decode()
    assert Campaign.objects.get(pk=world.campaign.pk).status == "scoring"

    client.force_login(world.lawyer)
    tr_page = reverse("audits:mock_request_detail", args=[world.campaign.pk, 3])
    assert "排除出评分的理由" in client.get(tr_page).content.decode()
    exclude = reverse("audits:mock_request_exclude", args=[world.campaign.pk, 3])
    response = client.post(exclude, {"reason": ""}, follow=True)
    assert services.MSG_EXCLUDE_REASON in response.content.decode()
    response = client.post(exclude, {"reason": "申请未送达"}, follow=True)
    html = response.content.decode()
    assert (
        "T003 已排除出评分" in html
        and "本模拟申请已排除出评分（不计入得分和排名）：申请未送达" in html
    )
    assert "已排除出评分：申请未送达" in client.get(detail).content.decode()

    client.force_login(world.supervisor)
    response = client.post(
        reverse("audits:campaign_transition", args=[world.campaign.pk, "publish"]), follow=True
    )
    assert "已执行：发布结果" in response.content.decode()
    results = client.get(reverse("audits:campaign_results", args=[world.campaign.pk]))
    html = results.content.decode()
    assert "排除出评分的模拟申请（1 件）" in html and "T003（淄博市教育局）：申请未送达" in html
    docx = client.get(reverse("audits:campaign_report_docx", args=[world.campaign.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert text.startswith("2026年第二轮模拟申请测评报告\n") and "测评测评" not in text
