"""Audits through the web pages: a supervisor sets up a campaign, a lawyer enters, links and
scores test requests, the supervisor publishes and downloads the report (read back as .docx
and .xlsx); who sees what before and after publication."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from agencies.models import Role
from audits import services
from audits.models import Campaign, ItemScore
from audits.testing import audit_world, mock_request_data
from requests_app.services import cases as case_svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city, district):
    return audit_world(city, district)


def _campaign_urls(campaign, number=1):
    pk = campaign.pk
    return [
        reverse("audits:campaign_detail", args=[pk]),
        reverse("audits:campaign_results", args=[pk]),
        reverse("audits:campaign_report_docx", args=[pk]),
        reverse("audits:campaign_report_xlsx", args=[pk]),
        reverse("audits:campaign_checklist", args=[pk]),
        reverse("audits:mock_request_new", args=[pk]),
        reverse("audits:mock_request_detail", args=[pk, number]),
        f"/api/v1/audits/campaigns/{pk}/results/",
    ]


def _score_post(campaign, overrides=None, default="pass"):
    data = {}
    for item in campaign.items.all():
        data[f"verdict_{item.id}"] = (overrides or {}).get(item.key, default)
        data[f"note_{item.id}"] = f"{item.label}：律师意见"
    return data


@time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False)
def test_supervisor_creates_a_campaign_through_the_page(world, client):
    client.force_login(world.supervisor)
    page = client.get(reverse("audits:campaign_create"))
    assert page.status_code == 200 and "新建测评" in page.content.decode()
    bad = client.post(
        reverse("audits:campaign_create"),
        {
            "name": "坏的",
            "period_start": "2026-12-01",
            "period_end": "2026-11-01",
            "agency_ids": [str(world.district.id)],
        },
    )
    assert bad.status_code == 200 and services.MSG_PERIOD in bad.content.decode()
    assert not Campaign.objects.filter(name="坏的").exists()
    response = client.post(
        reverse("audits:campaign_create"),
        {
            "name": "2026年第三轮",
            "period_start": "2026-11-01",
            "period_end": "2026-12-31",
            "agency_ids": [str(world.district.id)],
            "lawyer_ids": [str(world.other_lawyer.id)],
        },
    )
    campaign = Campaign.objects.get(name="2026年第三轮")
    assert response.status_code == 302 and response["Location"] == reverse(
        "audits:campaign_detail", args=[campaign.pk]
    )
    assert list(campaign.lawyers.all()) == [world.other_lawyer]
    assert campaign.items.count() == 9
    # lawyers and agency staff cannot open the creation page
    for user in (world.lawyer, world.district_staff[Role.HANDLER]):
        client.force_login(user)
        assert client.get(reverse("audits:campaign_create")).status_code == 404


@time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False)
def test_a_lawyer_scores_and_the_supervisor_publishes_and_downloads(
    world, client, intake, settings, tmp_path
):
    campaign = world.campaign
    staff = world.district_staff
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 0), tick=False):
        case = case_svc.case_register(agency=world.district, by=staff[Role.CLERK], data=intake())

    client.force_login(world.supervisor)
    assert (
        client.post(reverse("audits:campaign_transition", args=[campaign.pk, "start"])).status_code
        == 302
    )

    # lawyer: one test request by form, two by import
    client.force_login(world.lawyer)
    form = mock_request_data(world.district)
    form["sent_on"] = "2026-09-23"
    response = client.post(reverse("audits:mock_request_new", args=[campaign.pk]), form)
    assert response.status_code == 302
    csv_body = (
        ",".join(services.IMPORT_COLUMNS) + "\n"
        "ZB-EDU,email,2026-09-21,MAIL-1,申请公开2025年招生计划,自然人,disclosed\n"
        "ZB-EDU,email,2026-09-21,MAIL-2,申请公开内部考核细则,自然人,withheld.internal_affairs\n"
    ).encode()
    bad_upload = io.BytesIO(
        csv_body.replace(b"email,2026-09-21,MAIL-2", b"email,2026-02-30,MAIL-2")
    )
    bad_upload.name = "batch.csv"
    bad = client.post(
        reverse("audits:mock_request_import", args=[campaign.pk]), {"file": bad_upload}
    )
    assert bad.status_code == 400
    assert "row 3: sent_on（发出日期） " + services.MSG_DATE in bad.content.decode()
    assert campaign.test_requests.count() == 1
    upload = io.BytesIO(csv_body)
    upload.name = "batch.csv"
    assert (
        client.post(
            reverse("audits:mock_request_import", args=[campaign.pk]), {"file": upload}
        ).status_code
        == 302
    )
    assert campaign.test_requests.count() == 3

    # link T001 to the district's case found by its tracking number
    detail = client.get(
        reverse("audits:mock_request_detail", args=[campaign.pk, 1]), {"q": "EMS1234567890"}
    )
    assert case.case_no in detail.content.decode()
    assert (
        client.post(
            reverse("audits:mock_request_link", args=[campaign.pk, 1]), {"case_id": case.id}
        ).status_code
        == 302
    )
    detail = client.get(
        reverse("audits:mock_request_detail", args=[campaign.pk, 1])
    ).content.decode()
    assert "2026-10-29" in detail  # due date from the case's clock, across National Day
    assert 'value="cannot_tell"' in detail
    # the timeliness item is pre-filled: no reply yet and 2026-11-02 is after the due date
    timely = campaign.items.get(key="timely")
    checked = re.findall(
        rf'<input type="radio" name="verdict_{timely.id}" value="(\w+)"[^>]*checked', detail
    )
    assert checked == ["fail"]

    # T002: the department replied on paper — recorded by hand, scan uploaded
    scan = io.BytesIO(b"%PDF-1.4 scanned reply")
    scan.name = "reply.pdf"
    response = client.post(
        reverse("audits:mock_request_reply", args=[campaign.pk, 2]),
        {
            "received_on": "2026-09-22",
            "replied_on": "2026-10-30",
            "reply_outcome": "disclosed",
            "extension_days": "0",
            "reply_scan": scan,
        },
    )
    assert response.status_code == 302
    exe = io.BytesIO(b"MZ")
    exe.name = "reply.exe"
    refused = client.post(
        reverse("audits:mock_request_reply", args=[campaign.pk, 2]),
        {
            "received_on": "2026-09-22",
            "replied_on": "2026-10-30",
            "reply_outcome": "disclosed",
            "reply_scan": exe,
        },
    )
    assert refused.status_code == 400 and services.MSG_SCAN_TYPE in refused.content.decode()
    download = client.get(reverse("audits:mock_request_scan", args=[campaign.pk, 2]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scanned reply"
    bad = client.post(
        reverse("audits:mock_request_reply", args=[campaign.pk, 3]),
        {
            "received_on": "2026-09-22",
            "replied_on": "2026-09-20",
            "reply_outcome": "disclosed",
        },
    )
    assert bad.status_code == 400 and services.MSG_REPLY_BEFORE_RECEIPT in bad.content.decode()

    # scoring
    client.post(reverse("audits:campaign_transition", args=[campaign.pk, "start_scoring"]))
    campaign.refresh_from_db()
    assert campaign.status == "scoring"
    assert (
        client.post(
            reverse("audits:mock_request_score", args=[campaign.pk, 1]),
            _score_post(
                campaign, {"timely": "fail", "legal_basis": "fail", "referral": "not_applicable"}
            ),
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("audits:mock_request_score", args=[campaign.pk, 2]),
            _score_post(campaign, {"timely": "fail", "withholding_reasons": "not_applicable"}),
        ).status_code
        == 302
    )
    invalid = _score_post(campaign)
    invalid[f"verdict_{timely.id}"] = "maybe"
    assert (
        client.post(
            reverse("audits:mock_request_score", args=[campaign.pk, 3]), invalid
        ).status_code
        == 400
    )
    assert not ItemScore.objects.filter(test_request__number=3).exists()
    client.post(
        reverse("audits:mock_request_score", args=[campaign.pk, 3]),
        _score_post(campaign, {"withholding_reasons": "fail", "referral": "not_applicable"}),
    )

    # before publication the agency staff see nothing at all
    for user in (*staff.values(), *world.department_staff.values(), world.other_lawyer):
        client.force_login(user)
        for url in _campaign_urls(campaign):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.get("/api/v1/audits/campaigns/").json() == []
        assert (
            "暂无已发布的本单位测评结果"
            in client.get(reverse("audits:our_results")).content.decode()
        )

    # the supervisor publishes and downloads the report
    client.force_login(world.supervisor)
    client.post(reverse("audits:campaign_transition", args=[campaign.pk, "publish"]))
    campaign.refresh_from_db()
    assert campaign.status == "published"
    results_page = client.get(
        reverse("audits:campaign_results", args=[campaign.pk])
    ).content.decode()
    assert "各机关得分排名" in results_page
    docx = client.get(reverse("audits:campaign_report_docx", args=[campaign.pk]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年第二轮模拟申请测评报告" in text and "测评测评" not in text
    for heading in (
        "一、总体情况",
        "二、各机关得分排名",
        "三、各评分项通过率",
        "四、发现的主要问题",
        "五、评分说明",
    ):
        assert heading in text
    assert "共向 2 个机关发出模拟申请 3 件，已完成评分 3 件" in text
    ranking, items, problems = document.tables
    rows = [[c.text for c in r.cells] for r in ranking.rows]
    # district: T001 fails timely 20 + basis 10, referral n/a → 65/95 = 68.4
    # department: T002 fails timely 20, reasons n/a → 70/90 = 77.8; T003 fails reasons 10, referral n/a → 85/95;
    # together 155/185 = 83.8
    assert rows == [
        ["名次", "机关", "模拟申请数", "得分", "得分/应得分", "不符合项"],
        ["1", "淄博市教育局", "2", "83.8", "155/185", "2"],
        ["2", "张店区人民政府", "1", "68.4", "65/95", "2"],
    ]
    item_rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in items.rows[1:]}
    assert item_rows["在法定期限内答复"] == ["20", "1", "2", "0", "0", "33.3%"]
    assert item_rows["告知负责机关"] == ["5", "1", "0", "2", "0", "100.0%"]
    problem_rows = [[c.text for c in r.cells] for r in problems.rows[1:]]
    assert [(r[1], r[2], r[3]) for r in problem_rows] == [
        ("张店区人民政府", "T001", "在法定期限内答复"),
        ("张店区人民政府", "T001", "引用法律依据且正确"),
        ("淄博市教育局", "T002", "在法定期限内答复"),
        ("淄博市教育局", "T003", "不予公开说明理由"),
    ]
    assert problem_rows[0][4] == "在法定期限内答复：律师意见"
    # the fonts are set as East Asian fonts so Word and WPS show them
    run = document.paragraphs[0].runs[0]
    assert (
        run._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "方正小标宋简体"
    )

    xlsx = client.get(reverse("audits:campaign_report_xlsx", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["排名", "评分项通过率", "问题清单", "模拟申请明细"]
    ranking_rows = list(book["排名"].iter_rows(values_only=True))
    assert ranking_rows[1][:5] == (1, "ZB-EDU", "淄博市教育局", 2, 83.8)
    assert ranking_rows[2][:5] == (2, "ZD-GOV", "张店区人民政府", 1, 68.4)
    assert len(list(book["问题清单"].iter_rows())) == 5
    detail_rows = list(book["模拟申请明细"].iter_rows(values_only=True))
    assert detail_rows[1][0] == "T001" and "不符合" in detail_rows[1]

    api = client.get(f"/api/v1/audits/campaigns/{campaign.pk}/results/").json()
    assert [(a["agency"], a["rank"], a["score"]) for a in api["agencies"]] == [
        ("ZB-EDU", 1, 83.8),
        ("ZD-GOV", 2, 68.4),
    ]

    # after publication each agency's staff see their own results only
    client.force_login(staff[Role.HANDLER])
    own = client.get(reverse("audits:our_results")).content.decode()
    assert "张店区人民政府" in own and "68.4" in own and "T001" in own and case.case_no in own
    assert "淄博市教育局" not in own and "T002" not in own and "83.8" not in own
    assert "申请公开2025年招生计划" not in own
    for url in _campaign_urls(campaign):
        assert client.get(url).status_code == 404  # the campaign itself stays closed to them
    client.force_login(world.department_staff[Role.APPROVER])
    own = client.get(reverse("audits:our_results")).content.decode()
    assert "淄博市教育局" in own and "T002" in own and "T003" in own and "83.8" in own
    assert "T001" not in own and "张店区人民政府" not in own and "68.4" not in own


def test_campaign_pages_for_the_assigned_lawyer_and_the_supervisor(world, client):
    services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    for user in (world.lawyer, world.supervisor):
        client.force_login(user)
        listing = client.get(reverse("audits:campaign_list")).content.decode()
        assert world.campaign.name in listing
        for url in _campaign_urls(world.campaign):
            if "checklist" in url and user == world.lawyer:
                assert client.get(url).status_code == 404
            else:
                assert client.get(url).status_code == 200, url
        assert [c["id"] for c in client.get("/api/v1/audits/campaigns/").json()] == [
            world.campaign.pk
        ]
    client.logout()
    assert client.get(reverse("audits:campaign_list")).status_code == 302


def test_checklist_page_changes_weights_with_history(world, client):
    client.force_login(world.supervisor)
    items = list(world.campaign.items.all())
    data = {f"label_{i.id}": i.label for i in items}
    data.update({f"weight_{i.id}": str(i.weight) for i in items})
    data.update({f"position_{i.id}": str(i.position) for i in items})
    data[f"weight_{items[0].id}"] = "abc"
    bad = client.post(reverse("audits:campaign_checklist", args=[world.campaign.pk]), data)
    assert bad.status_code == 200 and services.MSG_WEIGHT in bad.content.decode()
    data[f"weight_{items[0].id}"] = "20"
    data.update({"new_key": "receipt", "new_label": "出具登记回执", "new_weight": "5"})
    assert (
        client.post(
            reverse("audits:campaign_checklist", args=[world.campaign.pk]), data
        ).status_code
        == 302
    )
    assert dict(world.campaign.items.values_list("key", "weight"))["accepted"] == 20
    assert world.campaign.items.filter(key="receipt", weight=5).exists()
    assert world.campaign.events.filter(kind="checklist").count() == 1


def test_a_lawyer_corrects_the_date_sent(world, client):
    services.mock_request_create(
        campaign_id=world.campaign.pk,
        by=world.lawyer,
        data=mock_request_data(world.district, sent_on=None),
    )
    client.force_login(world.lawyer)
    url = reverse("audits:mock_request_edit", args=[world.campaign.pk, 1])
    data = {**mock_request_data(world.district), "sent_on": "2026-09-30"}
    bad = client.post(url, {**data, "sent_on": "2026-09-31"})
    assert bad.status_code == 200 and "有效的日期" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    tr = world.campaign.test_requests.get(number=1)
    assert tr.sent_on == dt.date(2026, 9, 30)
    event = tr.events.get(kind="edit")
    assert event.changes == {"sent_on": ["None", "2026-09-30"]} and event.actor == world.lawyer
    client.force_login(world.other_lawyer)
    assert client.get(url).status_code == 404


def test_history_is_shown_in_words(world, client):
    services.campaign_transition(campaign_id=world.campaign.pk, by=world.supervisor, action="start")
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk,
        by=world.lawyer,
        data=mock_request_data(world.district, sent_on=None),
    )
    services.mock_request_update(
        campaign_id=world.campaign.pk,
        number=tr.number,
        by=world.lawyer,
        data=mock_request_data(world.district, sent_on=dt.date(2026, 9, 30)),
    )
    client.force_login(world.supervisor)
    page = client.get(reverse("audits:campaign_detail", args=[world.campaign.pk])).content.decode()
    assert "状态变更：筹备中 → 测试中" in page
    assert "发出日期：（空） → 2026-09-30" in page
