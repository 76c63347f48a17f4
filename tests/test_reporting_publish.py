"""Publishing freezes a snapshot; later changes to a published year's figures need an approver's
reasoned correction, are listed, and never change the snapshot (SPEC §6)."""

import datetime as dt
import io

import pytest
import time_machine
from docx import Document

from periods.services import MSG_PERIOD_LOCKED
from reporting.models import PublishedReport
from reporting.services import report_publish, report_sections_save
from reporting.stats import annual_report_build
from requests_app.models import Case, CaseEvent
from requests_app.rules import RuleViolation
from requests_app.services import cases as svc
from tests.conftest import make_user
from tests.test_reporting_support import build_reference_2020, make_case


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_publishing_freezes_json_docx_and_who(city, staff):
    build_reference_2020(city)
    snapshot = report_publish(agency=city, year=2020, by=staff["approver"])
    assert snapshot.revision == 1 and snapshot.published_by == staff["approver"]
    assert snapshot.data["table3"]["new_requests"]["total"] == 88
    assert snapshot.data["consistent"] is True
    assert len(snapshot.case_ids["carried_forward"]) == 3
    text = _docx_text(bytes(snapshot.docx))
    assert "三、收到和处理政府信息公开申请情况" in text
    assert len(snapshot.docx_sha256) == 64
    again = report_publish(agency=city, year=2020, by=staff["supervisor"])
    assert again.revision == 2 and PublishedReport.objects.count() == 2  # the first is kept


def test_only_approvers_and_supervisors_publish(city, district, staff):
    for role in ("clerk", "handler", "auditor", "administrator"):
        with pytest.raises(RuleViolation, match="审核人或政务公开办"):
            report_publish(agency=city, year=2020, by=staff[role])
    with pytest.raises(RuleViolation):
        report_publish(agency=city, year=2020, by=staff["approver"], consolidated=True)
    zd_approver = make_user("zd-approver", district, "approver")
    with pytest.raises(RuleViolation):
        report_publish(agency=city, year=2020, by=zd_approver)
    report_publish(agency=district, year=2020, by=staff["supervisor"])  # supervisor of an ancestor
    report_publish(agency=city, year=2020, by=staff["supervisor"], consolidated=True)
    assert PublishedReport.objects.count() == 2


def test_an_inconsistent_report_cannot_be_published(city, staff):
    case = make_case(city, dt.date(2020, 2, 1))
    Case.objects.filter(pk=case.pk).update(applicant_type="")
    with pytest.raises(RuleViolation, match="new_requests.total"):
        report_publish(agency=city, year=2020, by=staff["approver"])
    assert not PublishedReport.objects.exists()


@time_machine.travel(dt.datetime(2021, 2, 10, 9, 0), tick=False)
def test_a_change_to_a_published_year_needs_an_approvers_reasoned_correction(city, staff):
    case = make_case(city, dt.date(2020, 3, 2), closed_on=dt.date(2020, 3, 20), outcome="disclosed")
    other = make_case(
        city, dt.date(2019, 3, 2), closed_on=dt.date(2019, 3, 20), outcome="disclosed"
    )
    report_publish(agency=city, year=2020, by=staff["approver"])
    # a clerk may edit registration fields, but not one that changes a published 2020 figure
    with pytest.raises(RuleViolation) as exc:
        svc.case_update(
            case_id=case.id,
            by=staff["clerk"],
            changes={"applicant_type": "other_org"},
            reason="录错",
        )
    assert str(exc.value) == MSG_PERIOD_LOCKED.format(years="2020")
    case.refresh_from_db()
    assert case.applicant_type == "natural_person"
    # a field that does not change any figure is not locked
    svc.case_update(
        case_id=case.id,
        by=staff["clerk"],
        changes={"applicant_phone": "13900001111"},
        reason="更新",
    )
    # a case that counts in no published year is not locked either
    svc.case_update(
        case_id=other.id, by=staff["clerk"], changes={"applicant_type": "other_org"}, reason="录错"
    )
    # the approver corrects with a reason: recorded as a correction event
    svc.case_update(
        case_id=case.id,
        by=staff["approver"],
        changes={"applicant_type": "other_org"},
        reason="申请人实为企业，登记有误",
    )
    correction = CaseEvent.objects.get(case=case, kind="correction")
    assert correction.actor == staff["approver"] and correction.changes == {
        "years": [2020],
        "fields": ["applicant_type"],
    }
    assert correction.reason == "申请人实为企业，登记有误"
    # the snapshot did not move; the live report differs
    snapshot = PublishedReport.objects.get()
    assert snapshot.data["table3"]["disclosed"]["natural_person"] == 1
    assert annual_report_build(agency=city, year=2020).table3["disclosed"]["other_org"] == 1


@time_machine.travel(dt.datetime(2021, 2, 10, 9, 0), tick=False)
def test_voiding_a_case_of_a_published_year_is_recorded_as_a_correction(city, staff):
    case = make_case(city, dt.date(2020, 12, 2))  # still open: counts in 2020 and later
    report_publish(agency=city, year=2020, by=staff["approver"])
    svc.case_void(case_id=case.id, by=staff["approver"], reason="重复登记")
    assert CaseEvent.objects.get(case=case, kind="correction").changes == {
        "years": [2020],
        "fields": ["void"],
    }


def test_docx_annual_report_has_six_sections_tables_and_fees(city, staff):
    build_reference_2020(city)
    make_case(
        city,
        dt.date(2020, 6, 1),
        closed_on=dt.date(2020, 7, 1),
        outcome="disclosed",
        void=True,
        fee_amount="300.00",
        fee_paid_on=dt.date(2020, 6, 20),
    )  # void: not counted
    case = Case.objects.filter(agency=city, outcome="disclosed").first()
    Case.objects.filter(pk=case.pk).update(fee_amount="200.00", fee_paid_on=dt.date(2020, 6, 20))
    report_sections_save(
        agency=city,
        year=2020,
        by=staff["approver"],
        table2={
            "rules__in_force": 79,
            "normative_documents__made": 8,
            "procurement__amount": "107.2",
        },
        overview="2020年，市政府办公室认真做好本机关政府信息公开工作。",
        problems="公开意识有待加强。",
        other_matters="",
    )
    report = annual_report_build(agency=city, year=2020)
    from reporting.services import report_docx

    doc = Document(io.BytesIO(report_docx(report, city)))
    paragraphs = [p.text for p in doc.paragraphs]
    headings = [t for t in paragraphs if t[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert "2020年，市政府办公室认真做好本机关政府信息公开工作。" in paragraphs
    assert "本年度收取信息处理费200.00元（1件）。" in paragraphs
    # table two (2019 format: five blocks), table three, table four
    assert len(doc.tables) == 5 + 2
    t2 = doc.tables[0]
    assert (
        t2.cell(0, 0).text == "第二十条第（一）项"
        and t2.cell(2, 0).text == "规章"
        and t2.cell(2, 3).text == "79"
    )
    assert doc.tables[4].cell(2, 2).text == "107.20"
    t3 = doc.tables[5]
    assert t3.cell(0, 3).text == "申请人情况" and t3.cell(1, 4).text == "法人或其他组织"
    assert [t3.cell(3, c).text for c in range(3, 10)] == ["83", "5", "0", "0", "0", "0", "88"]
    assert t3.cell(3, 0).text.startswith("一、本年新收")
    last = len(t3.rows) - 1
    assert [t3.cell(last - 1, c).text for c in range(3, 10)] == [
        "86",
        "5",
        "0",
        "0",
        "0",
        "0",
        "91",
    ]
    assert t3.cell(last - 1, 1).text == "（七）总计" and t3.cell(5, 0).text == "三、本年度办理结果"
    t4 = doc.tables[6]
    assert [t4.cell(3, c).text for c in range(15)] == [
        "1",
        "0",
        "0",
        "0",
        "1",
        "0",
        "0",
        "1",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    # East Asian fonts are set for Word/WPS
    assert 'w:eastAsia="仿宋_GB2312"' in doc.paragraphs[1].runs[0]._element.xml


def test_table_two_is_validated_against_the_format_and_saves_nothing_on_error(city, staff):
    from reporting.models import ReportSections
    from reporting.services import SectionsInvalid

    with pytest.raises(SectionsInvalid) as exc:
        report_sections_save(
            agency=city,
            year=2021,
            by=staff["approver"],
            table2={"rules__issued": "-1", "fees__amount": "abc"},
            overview="x",
            problems="",
            other_matters="",
        )
    assert set(exc.value.errors) == {"rules__issued", "fees__amount"}
    assert "本年制发件数" in exc.value.errors["rules__issued"]
    assert not ReportSections.objects.exists()
    saved = report_sections_save(
        agency=city,
        year=2021,
        by=staff["approver"],
        table2={"rules__issued": "2", "licensing__decisions": 5, "fees__amount": "1.5"},
        overview="",
        problems="",
        other_matters="",
    )
    assert saved.format_version == "2021"
    assert saved.table2["fees__amount"] == "1.50" and saved.table2["licensing__decisions"] == 5
    assert "procurement__amount" not in saved.table2  # 2021 format has no （九）
