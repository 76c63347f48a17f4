"""The demo data's 2020 report for the city office equals the reference document (SPEC §3)."""

import io
import json

from django.core.management import call_command
from docx import Document

from agencies.models import Agency
from reporting.models import ReportSections
from reporting.stats import COLUMNS, annual_report_build, table3_row_keys
from tests.test_reporting_support import REFERENCE_2020_TABLE3


def test_demo_city_office_2020_report_equals_the_reference_document(db, tmp_path):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)  # idempotent
    assert "2020 年表二及报告文字已存在，未改动" in out.getvalue()
    city = Agency.objects.get(code="CITY-OFFICE")
    report = annual_report_build(agency=city, year=2020)
    assert report.format_version == "2019" and report.consistent
    for key in table3_row_keys("2019"):
        assert [report.table3[key][c] for c in COLUMNS] == REFERENCE_2020_TABLE3.get(
            key, [0] * 7
        ), key
    assert report.table4["review"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 1,
    }
    assert (
        report.table4["litigation_direct"]["other"] == 1
        and report.table4["litigation_direct"]["total"] == 1
    )
    assert report.table4["litigation_after_review"]["total"] == 0
    sections = ReportSections.objects.get(agency=city, year=2020)
    assert ReportSections.objects.count() == 1
    assert sections.table2["normative_documents__in_force"] == 248
    assert sections.table2["procurement__amount"] == "107.20"
    path = tmp_path / "report.docx"
    call_command(
        "annual_report", "--agency", "CITY-OFFICE", "--year", "2020", "--output", str(path)
    )
    doc = Document(str(path))
    t2 = doc.tables[0]
    assert [t2.cell(3, c).text for c in range(4)] == ["规范性文件", "8", "8", "248"]
    assert [doc.tables[4].cell(2, c).text for c in range(3)] == ["政府集中采购", "55", "107.20"]
    json_path = tmp_path / "report.json"
    call_command(
        "annual_report", "--agency", "CITY-OFFICE", "--year", "2020", "--output", str(json_path)
    )
    assert json.loads(json_path.read_text())["table3"]["new_requests"]["total"] == 88
