"""The report pages: access, table three as published, drill-down, downloads, publishing,
snapshot comparison, carried-over check, table two form, statistics charts, challenge panel."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.test import Client
from docx import Document

from reporting.models import ReportSections
from reporting.services import report_publish
from reporting.stats import COLUMNS, table3_row_keys
from requests_app.models import Case, CaseEvent, LegalChallenge
from requests_app.services import cases as svc
from tests.conftest import make_user
from tests.helpers import download_filename
from tests.test_reporting_support import build_reference_2020, make_case


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def cell_value(html: str, cell: str) -> int:
    m = re.search(rf'data-cell="{re.escape(cell)}"><a [^>]*>(\d+)</a>', html)
    assert m, cell
    return int(m.group(1))


def test_access_staff_see_their_agency_supervisors_their_subtree(
    city, district, other_agency, staff
):
    url_city = "/reports/annual/CITY-OFFICE/2020/"
    url_zd = "/reports/annual/ZD-GOV/2020/"
    for role in ("clerk", "handler", "approver", "supervisor"):
        assert client_for(staff[role]).get(url_city).status_code == 200, role
    for role in ("auditor", "administrator"):
        assert client_for(staff[role]).get(url_city).status_code == 404, role
    handler = client_for(staff["handler"])
    assert handler.get(url_zd).status_code == 404
    assert handler.get(url_city + "?consolidated=1").status_code == 404
    assert handler.get("/reports/annual/OTHER/2020/").status_code == 404
    supervisor = client_for(staff["supervisor"])
    assert supervisor.get(url_zd).status_code == 200
    assert supervisor.get(url_city + "?consolidated=1").status_code == 200
    assert supervisor.get("/reports/annual/OTHER/2020/").status_code == 404
    zd = client_for(make_user("zd-clerk", district, "clerk"))
    assert zd.get(url_zd).status_code == 200 and zd.get(url_city).status_code == 404
    zd_super = client_for(make_user("zd-super", district, "supervisor"))
    assert (
        zd_super.get(url_city).status_code == 404
        and zd_super.get(url_zd + "?consolidated=1").status_code == 200
    )
    assert Client().get(url_city).status_code == 302  # login first
    for path in (
        "cell/new_requests/total/",
        "download.docx",
        "download.xlsx",
        "sections/",
        "table4/review/total/",
    ):
        assert handler.get(url_zd + path).status_code == 404, path
    assert handler.get("/reports/statistics/ZD-GOV/2020/").status_code == 404


def test_report_page_shows_the_reference_table_and_each_cell_opens_its_cases(
    city, staff, django_assert_max_num_queries
):
    build_reference_2020(city)
    c = client_for(staff["supervisor"])
    html = c.get("/reports/annual/CITY-OFFICE/2020/").content.decode()
    assert "勾稽关系成立" in html and "2019 格式" in html
    assert cell_value(html, "new_requests.total") == 88
    assert cell_value(html, "unavailable.not_held.commercial_enterprise") == 2
    assert cell_value(html, "results_total.total") == 91
    assert cell_value(html, "carried_forward.natural_person") == 3
    assert cell_value(html, "table4.review.upheld") == 1
    assert cell_value(html, "table4.litigation_direct.other") == 1
    assert 'rowspan="20"' in html  # 三、本年度办理结果 over 18 outcome rows, （六） and （七）
    for key in table3_row_keys("2019"):
        for column in COLUMNS:
            page = c.get(f"/reports/annual/CITY-OFFICE/2020/cell/{key}/{column}/").content.decode()
            listed = page.count("<tr data-case=")
            assert listed == cell_value(html, f"{key}.{column}"), (key, column)
    page = c.get("/reports/annual/CITY-OFFICE/2020/table4/review/upheld/").content.decode()
    assert "共 1 件" in page
    assert c.get("/reports/annual/CITY-OFFICE/2020/cell/bogus/total/").status_code == 404
    with django_assert_max_num_queries(25):  # does not grow with the number of cases
        c.get("/reports/annual/CITY-OFFICE/2020/")


def test_downloads_and_docx_read_back(city, staff):
    build_reference_2020(city)
    c = client_for(staff["handler"])
    r = c.get("/reports/annual/CITY-OFFICE/2020/download.docx")
    assert r.status_code == 200
    assert download_filename(r) == "淄博市人民政府办公室_2020年度报告_2019格式.docx"
    doc = Document(io.BytesIO(r.content))
    assert doc.paragraphs[0].text == "淄博市人民政府办公室2020年政府信息公开工作年度报告"
    assert (
        c.get("/reports/annual/CITY-OFFICE/2020/download.json").json()["table3"]["new_requests"][
            "total"
        ]
        == 88
    )
    assert c.get("/reports/annual/CITY-OFFICE/2020/download.xlsx").status_code == 200
    assert (
        c.get("/reports/annual/CITY-OFFICE/2020/download.csv")
        .content.decode("utf-8-sig")
        .startswith("table,row")
    )
    assert c.get("/reports/annual/CITY-OFFICE/2020/download.pdf").status_code == 404


def test_publish_button_diff_and_corrections_listed(city, staff):
    with time_machine.travel(dt.datetime(2021, 1, 20, 9, 0), tick=False):
        case = make_case(
            city, dt.date(2020, 3, 2), closed_on=dt.date(2020, 3, 20), outcome="disclosed"
        )
        handler_page = (
            client_for(staff["handler"]).get("/reports/annual/CITY-OFFICE/2020/").content.decode()
        )
        assert "发布 2020 年度报告" not in handler_page
        approver = client_for(staff["approver"])
        assert (
            "发布 2020 年度报告"
            in approver.get("/reports/annual/CITY-OFFICE/2020/").content.decode()
        )
        assert (
            client_for(staff["handler"])
            .post("/reports/annual/CITY-OFFICE/2020/publish/")
            .status_code
            == 302
        )
        assert not city_published(city)
        r = approver.post("/reports/annual/CITY-OFFICE/2020/publish/", follow=True)
        assert "已发布 2020 年度报告（第 1 版）" in r.content.decode()
        assert "现时数据与已发布的报告一致" in r.content.decode()
    with time_machine.travel(dt.datetime(2021, 2, 3, 9, 0), tick=False):
        svc.case_update(
            case_id=case.id,
            by=staff["approver"],
            changes={"applicant_type": "research_institution"},
            reason="申请人为科研机构",
        )
        approver = client_for(staff["approver"])  # a fresh session at the new date
        html = approver.get("/reports/annual/CITY-OFFICE/2020/").content.decode()
        assert 'data-diff="disclosed.natural_person"' in html
        assert 'data-diff="disclosed.research_institution"' in html
        assert "申请人为科研机构" in html and case.case_no in html  # a post-publication correction
        r = approver.get("/reports/annual/CITY-OFFICE/2020/published/1.docx")
        assert r.status_code == 200 and Document(io.BytesIO(r.content)).tables


def city_published(city) -> bool:
    from reporting.models import PublishedReport

    return PublishedReport.objects.filter(agency=city).exists()


def test_carried_over_must_match_last_years_published_carried_forward(city, staff):
    with time_machine.travel(dt.datetime(2021, 1, 20, 9, 0), tick=False):
        open_case = make_case(city, dt.date(2020, 12, 28))
        make_case(city, dt.date(2020, 12, 29))
        report_publish(agency=city, year=2020, by=staff["approver"])
        html = (
            client_for(staff["approver"]).get("/reports/annual/CITY-OFFICE/2021/").content.decode()
        )
        assert "上年结转与已发布的 2020 年度报告“结转下年度继续办理”一致" in html
        svc.case_void(case_id=open_case.id, by=staff["approver"], reason="登记错误，并非申请")
        html = (
            client_for(staff["approver"]).get("/reports/annual/CITY-OFFICE/2021/").content.decode()
        )
    assert "上年结转与已发布的 2020 年度报告不一致" in html
    assert (
        open_case.case_no in html
        and "发布时计入结转，现在不计入" in html
        and "登记错误，并非申请" in html
    )


def test_table_two_form_follows_the_years_format(city, staff):
    c = client_for(staff["approver"])
    html = c.get("/reports/annual/CITY-OFFICE/2020/sections/").content.decode()
    assert "本年新制作数量" in html and "政府集中采购" in html
    html = c.get("/reports/annual/CITY-OFFICE/2021/sections/").content.decode()
    assert (
        "本年制发件数" in html
        and "政府集中采购" not in html
        and "本年收费金额（单位：万元）" in html
    )
    r = c.post(
        "/reports/annual/CITY-OFFICE/2020/sections/",
        {"format_version": "2019", "rules__made": "x", "overview": "总体"},
    )
    assert r.status_code == 400 and "规章 本年新制作数量：请填写整数" in r.content.decode()
    assert not ReportSections.objects.exists()
    r = c.post(
        "/reports/annual/CITY-OFFICE/2020/sections/",
        {
            "format_version": "2019",
            "rules__in_force": "79",
            "procurement__amount": "107.20",
            "overview": "总体",
        },
    )
    assert r.status_code == 302
    saved = ReportSections.objects.get()
    assert saved.table2["rules__in_force"] == 79 and saved.table2["procurement__amount"] == "107.20"
    assert (
        client_for(staff["auditor"]).get("/reports/annual/CITY-OFFICE/2020/sections/").status_code
        == 404
    )


def test_statistics_page_draws_svg_charts_without_any_cdn(city, district, staff):
    make_case(city, dt.date(2020, 1, 2), closed_on=dt.date(2020, 1, 9), outcome="disclosed")
    make_case(
        district,
        dt.date(2020, 2, 2),
        closed_on=dt.date(2020, 3, 9),
        outcome="withheld.state_secret",
    )
    Case.objects.update(reply_due=dt.date(2020, 2, 1))
    html = (
        client_for(staff["supervisor"])
        .get("/reports/statistics/CITY-OFFICE/2020/?consolidated=1")
        .content.decode()
    )
    assert html.count("<svg") == 3 and "办理结果构成" in html
    assert "张店区人民政府" in html and "淄博市人民政府办公室" in html
    assert "100.0%" in html and "0.0%" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_challenge_panel_adds_and_edits_records_with_history(city, staff):
    case = make_case(
        city, dt.date(2020, 1, 2), closed_on=dt.date(2020, 1, 9), outcome="unavailable.not_held"
    )
    from django.template.loader import render_to_string

    html = render_to_string("panels/challenges.html", {"case": case, "user": staff["handler"]})
    assert "登记行政复议或诉讼" in html
    assert "登记行政复议或诉讼" not in render_to_string(
        "panels/challenges.html", {"case": case, "user": staff["clerk"]}
    )
    c = client_for(staff["handler"])
    url = f"/reports/cases/{case.public_id}/challenges/"
    r = c.post(url, {"kind": "review", "filed_on": "2020-03-01", "result": "upheld"}, follow=False)
    assert r.status_code == 302 and not LegalChallenge.objects.exists()  # concluded date missing
    r = c.post(url, {"kind": "review", "filed_on": "2020-03-01", "result": "pending"})
    record = LegalChallenge.objects.get()
    r = c.post(
        f"{url}{record.pk}/",
        {
            "kind": "review",
            "filed_on": "2020-03-01",
            "result": "upheld",
            "concluded_on": "2020-05-01",
            "reason": "复议决定维持",
        },
    )
    record.refresh_from_db()
    assert record.result == "upheld" and record.concluded_on == dt.date(2020, 5, 1)
    events = list(CaseEvent.objects.filter(case=case, kind="challenge").order_by("id"))
    assert len(events) == 2 and events[1].changes["result"] == ["pending", "upheld"]
    assert (
        client_for(staff["clerk"])
        .post(url, {"kind": "review", "filed_on": "2020-03-02"})
        .status_code
        == 302
    )
    assert LegalChallenge.objects.count() == 1
    other = make_user("other", None)
    assert (
        client_for(other).post(url, {"kind": "review", "filed_on": "2020-03-02"}).status_code == 404
    )


@pytest.mark.parametrize("role", ["handler", "supervisor"])
def test_index_lists_reports_for_the_user(city, district, staff, role):
    html = client_for(staff[role]).get("/reports/").content.decode()
    assert "淄博市人民政府办公室" in html
    assert ("张店区人民政府" in html) == (role == "supervisor")


def test_case_page_shows_the_challenge_panel(city, staff):
    case = make_case(
        city, dt.date(2020, 1, 2), closed_on=dt.date(2020, 1, 9), outcome="unavailable.not_held"
    )
    LegalChallenge.objects.create(case=case, kind="review", filed_on=dt.date(2020, 2, 1))
    html = client_for(staff["handler"]).get(f"/cases/{case.public_id}/").content.decode()
    assert "行政复议、行政诉讼" in html and "尚未审结" in html
    assert f"/reports/cases/{case.public_id}/challenges/" in html


def test_published_snapshots_are_read_only_in_the_admin(city, staff):
    from django.contrib.auth import get_user_model

    report_publish(agency=city, year=2020, by=staff["approver"])
    admin_user = get_user_model().objects.create_superuser("root", password="pw-12345678")
    c = client_for(admin_user)
    assert c.get("/admin/reporting/publishedreport/").status_code == 200
    assert c.get("/admin/reporting/publishedreport/add/").status_code == 403


def test_report_page_reminds_the_publication_deadline(city, staff):
    with time_machine.travel(dt.datetime(2021, 1, 10, 9, 0), tick=False):
        c = client_for(staff["supervisor"])
        assert (
            "请于 2021年1月31日 前发布"
            in c.get("/reports/annual/CITY-OFFICE/2020/").content.decode()
        )
        html = c.get("/reports/annual/CITY-OFFICE/2020/?consolidated=1").content.decode()
        assert "请于 2021年3月31日 前发布" in html
    with time_machine.travel(dt.datetime(2021, 2, 5, 9, 0), tick=False):
        c = client_for(staff["supervisor"])
        assert (
            "已超过发布期限 2021年1月31日"
            in c.get("/reports/annual/CITY-OFFICE/2020/").content.decode()
        )
