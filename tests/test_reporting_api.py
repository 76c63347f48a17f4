"""annual_report command and GET /api/v1/reports/annual/ (SPEC §9), with access rules."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.conftest import make_user
from tests.test_reporting_support import REFERENCE_2020_TABLE3, build_reference_2020, make_case

COLS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
]


def test_command_writes_the_json_contract(city, tmp_path):
    build_reference_2020(city)
    out = tmp_path / "r.json"
    call_command("annual_report", "--agency", "CITY-OFFICE", "--year", "2020", "--output", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format_version"] == "2019" and data["consistent"] is True
    for key, expected in REFERENCE_2020_TABLE3.items():
        assert [data["table3"][key][c] for c in COLS] == expected
    assert data["table4"]["review"]["upheld"] == 1


def test_command_writes_csv_and_xlsx_with_merged_headers(city, tmp_path):
    build_reference_2020(city)
    call_command(
        "annual_report",
        "--agency",
        "CITY-OFFICE",
        "--year",
        "2020",
        "--output",
        str(tmp_path / "r.csv"),
    )
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    by_key = {r[1]: r for r in rows if r and r[0] == "table3"}
    assert by_key["new_requests"][3:] == ["83", "5", "0", "0", "0", "0", "88"]
    assert by_key["other"][2] == "（六）其他处理"
    call_command(
        "annual_report",
        "--agency",
        "CITY-OFFICE",
        "--year",
        "2020",
        "--format-version",
        "2021",
        "--output",
        str(tmp_path / "r.xlsx"),
    )
    wb = load_workbook(tmp_path / "r.xlsx")
    ws = wb["表三"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:C4", "D2:J2", "D3:D4", "E3:I3", "J3:J4"} <= merged
    assert ws["D2"].value == "申请人情况" and ws["E3"].value == "法人或其他组织"
    assert ws["A5"].value.startswith("一、本年新收")
    assert [ws.cell(5, c).value for c in range(4, 11)] == [83, 5, 0, 0, 0, 0, 88]
    # 三、本年度办理结果 spans the 21 outcome rows and （七）总计 in the 2021 format
    assert "A7:A28" in merged
    assert ws["A7"].value == "三、本年度办理结果"
    assert (
        ws["B9"].value == "（三）不予公开"
        and "B9:B16" in merged
        and ws["C9"].value == "1.属于国家秘密"
    )
    assert ws["B28"].value == "（七）总计" and [ws.cell(28, c).value for c in range(4, 11)] == [
        86,
        5,
        0,
        0,
        0,
        0,
        91,
    ]
    t4 = wb["表四"]
    assert [t4.cell(5, c).value for c in range(1, 16)] == [
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
    ]


def test_command_reports_bad_arguments_by_name(city, tmp_path):
    with pytest.raises(CommandError, match="--agency"):
        call_command(
            "annual_report",
            "--agency",
            "NOPE",
            "--year",
            "2020",
            "--output",
            str(tmp_path / "a.json"),
        )
    with pytest.raises(CommandError, match="--output"):
        call_command(
            "annual_report",
            "--agency",
            "CITY-OFFICE",
            "--year",
            "2020",
            "--output",
            str(tmp_path / "a.pdf"),
        )
    assert not (tmp_path / "a.json").exists()


def test_command_does_not_produce_an_inconsistent_report_silently(city, tmp_path):
    from requests_app.models import Case

    case = make_case(city, dt.date(2020, 2, 1))
    Case.objects.filter(pk=case.pk).update(applicant_type="")
    err = io.StringIO()
    with pytest.raises(CommandError, match="勾稽关系不成立"):
        call_command(
            "annual_report",
            "--agency",
            "CITY-OFFICE",
            "--year",
            "2020",
            "--output",
            str(tmp_path / "x.json"),
            stderr=err,
        )
    assert "new_requests.total" in err.getvalue()
    assert json.loads((tmp_path / "x.json").read_text())["consistent"] is False


@pytest.fixture
def api():
    return APIClient()


def test_api_serves_the_report_to_staff_and_supervisors(city, district, staff, api):
    build_reference_2020(city)
    api.force_authenticate(staff["handler"])
    r = api.get("/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020})
    assert r.status_code == 200, r.content
    assert r.json()["table3"]["new_requests"]["total"] == 88
    assert r.json()["format_version"] == "2019"
    r = api.get(
        "/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020, "format_version": "2021"}
    )
    assert "other.other" in r.json()["table3"]
    # staff do not get the consolidated report; the city's supervisor gets both, and the district's
    assert (
        api.get(
            "/api/v1/reports/annual/",
            {"agency": "CITY-OFFICE", "year": 2020, "consolidated": "true"},
        ).status_code
        == 404
    )
    api.force_authenticate(staff["supervisor"])
    r = api.get(
        "/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020, "consolidated": "true"}
    )
    assert r.status_code == 200 and r.json()["consolidated"] is True
    assert api.get("/api/v1/reports/annual/", {"agency": "ZD-GOV", "year": 2020}).status_code == 200


def test_api_hides_other_agencies_and_refuses_bad_parameters(
    city, district, other_agency, staff, api
):
    assert api.get(
        "/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020}
    ).status_code in (401, 403)
    api.force_authenticate(staff["handler"])
    assert api.get("/api/v1/reports/annual/", {"agency": "OTHER", "year": 2020}).status_code == 404
    assert api.get("/api/v1/reports/annual/", {"agency": "ZD-GOV", "year": 2020}).status_code == 404
    assert api.get("/api/v1/reports/annual/", {"agency": "NOPE", "year": 2020}).status_code == 404
    district_staff = make_user("zd-handler", district, "handler")
    api.force_authenticate(district_staff)
    assert (
        api.get("/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020}).status_code
        == 404
    )
    lawyer = staff["auditor"]
    api.force_authenticate(lawyer)
    assert (
        api.get("/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020}).status_code
        == 404
    )
    api.force_authenticate(staff["handler"])
    r = api.get("/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": "abc"})
    assert r.status_code == 400 and "year" in r.json()["error"]["fields"]
    r = api.get(
        "/api/v1/reports/annual/", {"agency": "CITY-OFFICE", "year": 2020, "format_version": "2018"}
    )
    assert r.status_code == 400
    assert "2019 或 2021" in r.json()["error"]["fields"]["format_version"]


def test_api_is_in_the_openapi_schema(db, staff, api):
    api.force_authenticate(staff["supervisor"])
    r = api.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = json.loads(r.content)
    op = schema["paths"]["/api/v1/reports/annual/"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {
        "agency",
        "year",
        "format_version",
        "consolidated",
    }
