"""export_cases (SPEC §9): the import columns plus state, reply_due, deadline_provisional and
overdue; no identity numbers or phones; exporting then importing gives the same cases."""

import csv
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from agencies.models import Role
from requests_app.models import Case
from requests_app.services import cases as svc
from requests_app.services.exports import EXPORT_COLUMNS
from tests.conftest import make_user, valid_id_number

# The export's columns before `overdue`, as SPEC §9 names them.
SPEC_FIELDS = [
    "case_no",
    "received_on",
    "channel",
    "applicant_type",
    "applicant_name",
    "content",
    "outcome",
    "closed_on",
    "state",
    "reply_due",
    "deadline_provisional",
]

pytestmark = pytest.mark.django_db
HEADER = "case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on"


@pytest.fixture
def cases(city, staff, intake):
    """Closed late, closed on time, open overdue, open in time, provisional into 2027, void."""
    clerk, handler, approver = staff["clerk"], staff["handler"], staff["approver"]
    importer = make_user("importer", city, Role.CLERK)
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0), tick=False):
        made = {}
        made["open_overdue"] = svc.case_register(
            agency=city,
            by=clerk,
            data=intake(signed_on=dt.date(2026, 10, 12), submitted_on=dt.date(2026, 10, 10)),
        )
        made["open_in_time"] = svc.case_register(
            agency=city,
            by=clerk,
            data=intake(
                channel="in_person",
                submitted_on=dt.date(2026, 12, 1),
                applicant_id_number=valid_id_number(3),
                applicant_phone="13912345678",
                content="申请公开“=SUM(A1)”字样的文件,含逗号\n第二行",
            ),
        )
        made["provisional"] = svc.case_register(
            agency=city,
            by=clerk,
            data=intake(
                channel="online",
                confirmed_on=dt.date(2026, 12, 9),
                submitted_on=dt.date(2026, 12, 9),
            ),
        )
        made["fee"] = svc.case_register(
            agency=city,
            by=clerk,
            data=intake(
                channel="online",
                confirmed_on=dt.date(2026, 11, 2),
                submitted_on=dt.date(2026, 11, 2),
            ),
        )
        svc.case_issue_fee_notice(
            case_id=made["fee"].id, by=handler, amount=Decimal("100"), on=dt.date(2026, 11, 5)
        )
        void = svc.case_register(
            agency=city,
            by=clerk,
            data=intake(channel="in_person", submitted_on=dt.date(2026, 12, 2)),
        )
        svc.case_void(case_id=void.id, by=approver, reason="重复登记")
    return made, importer


def imported_closed(tmp_path, city, importer):
    path = tmp_path / "hist.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "2020-0001,2020-03-02,online,natural_person,王建国,申请公开A,disclosed,2020-03-20",  # on time
                "2020-0002,2020-03-02,mail_signed,commercial_enterprise,某公司,申请公开B,unavailable.not_held,2020-05-20",  # late
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0), tick=False):
        call_command("import_cases", str(path), "--agency", city.code, "--user", importer.username)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def export(tmp_path, city, name="out.csv", *args):
    out = tmp_path / name
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0), tick=False):
        call_command("export_cases", "--agency", city.code, "--output", str(out), *args)
    return out


def test_export_columns_and_values(tmp_path, city, cases):
    made, importer = cases
    imported_closed(tmp_path, city, importer)
    out = export(tmp_path, city)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert list(rows[0].keys()) == EXPORT_COLUMNS
    by_no = {r["case_no"]: r for r in rows}
    assert len(rows) == 6  # the void case is left out
    on_time, late = by_no["2020-0001"], by_no["2020-0002"]
    assert (
        on_time["state"] == "disclosed"
        and on_time["outcome"] == "disclosed"
        and on_time["closed_on"] == "2020-03-20"
    )
    assert on_time["overdue"] == "false" and on_time["deadline_provisional"] == "false"
    assert on_time["reply_due"] == Case.objects.get(case_no="2020-0001").reply_due.isoformat()
    assert late["overdue"] == "true"  # closed after its reply date

    overdue = by_no[made["open_overdue"].case_no]
    assert (overdue["state"], overdue["received_on"], overdue["channel"]) == (
        "received",
        "2026-10-12",
        "mail_signed",
    )
    assert overdue["reply_due"] == "2026-11-09" and overdue["overdue"] == "true"
    assert overdue["outcome"] == "" and overdue["closed_on"] == ""
    in_time = by_no[made["open_in_time"].case_no]
    assert in_time["overdue"] == "false" and in_time["deadline_provisional"] == "false"
    assert in_time["content"] == "申请公开“=SUM(A1)”字样的文件,含逗号\n第二行"
    provisional = by_no[made["provisional"].case_no]
    assert provisional["deadline_provisional"] == "true" and provisional["reply_due"].startswith(
        "2027-"
    )
    fee = by_no[made["fee"].case_no]
    assert (fee["state"], fee["reply_due"], fee["overdue"]) == ("fee_pending", "", "false")
    # no identity numbers or phones anywhere in the file
    text = raw.decode("utf-8-sig")
    for case in Case.objects.all():
        if case.applicant_id_number:
            assert case.applicant_id_number not in text
        if case.applicant_phone:
            assert case.applicant_phone not in text


def test_year_filter_and_include_void(tmp_path, city, cases):
    made, importer = cases
    imported_closed(tmp_path, city, importer)
    assert {r["case_no"] for r in read_csv(export(tmp_path, city, "y.csv", "--year", "2020"))} == {
        "2020-0001",
        "2020-0002",
    }
    with_void = read_csv(export(tmp_path, city, "v.csv", "--year", "2026", "--include-void"))
    assert len(with_void) == 5 and "void" in {r["state"] for r in with_void}


@pytest.mark.parametrize("name", ["round.csv", "round.xlsx"])
def test_round_trip_into_another_agency(tmp_path, city, other_agency, cases, name):
    made, importer = cases
    imported_closed(tmp_path, city, importer)
    other_clerk = make_user("other-clerk", other_agency, Role.CLERK)
    fields = SPEC_FIELDS

    def snapshot(agency):
        return sorted(Case.objects.filter(agency=agency).exclude(state="void").values_list(*fields))

    out = export(tmp_path, city, name)
    with time_machine.travel(dt.datetime(2026, 12, 10, 10, 0), tick=False):
        call_command("import_cases", str(out), "--agency", "OTHER", "--user", other_clerk.username)
    # Same cases; the open ones are open again (their work in progress is not part of the
    # contract: they come back as received, with the same reply date unless the clock was stopped).
    mine = [r for r in snapshot(city) if r[8] != "fee_pending"]
    theirs = [r for r in snapshot(other_agency) if r[0] != made["fee"].case_no]
    assert [r[:8] for r in theirs] == [r[:8] for r in mine]
    assert [r[9:] for r in theirs] == [r[9:] for r in mine]
    assert [r[:8] for r in snapshot(other_agency)] == [r[:8] for r in snapshot(city)]
    again = export(tmp_path, other_agency, "again-" + name)
    reader = read_xlsx if name.endswith(".xlsx") else read_csv
    columns = EXPORT_COLUMNS[:8]
    assert [[r[c] for c in columns] for r in reader(again)] == [
        [r[c] for c in columns] for r in reader(out)
    ]


def read_xlsx(path):
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [{h: ("" if v is None else v) for h, v in zip(header, r, strict=True)} for r in rows[1:]]


def test_xlsx_cells_are_text(tmp_path, city, cases):
    out = export(tmp_path, city, "text.xlsx")
    rows = read_xlsx(out)
    assert list(rows[0].keys()) == EXPORT_COLUMNS
    assert any(r["content"].startswith("申请公开“=SUM(A1)”") for r in rows)
    assert {r["overdue"] for r in rows} <= {"true", "false"}


def test_export_errors(tmp_path, city):
    with pytest.raises(CommandError, match="机关代码“NOPE”不存在"):
        call_command("export_cases", "--agency", "NOPE", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match=r"输出文件须以 \.csv 或 \.xlsx 结尾"):
        call_command("export_cases", "--agency", city.code, "--output", str(tmp_path / "x.txt"))


def test_csv_export_neutralises_formulas_and_imports_back(tmp_path, city, staff, intake):
    import datetime as dt

    import time_machine

    from common.tables import table_read
    from requests_app.services import cases as svc
    from requests_app.services.exports import cases_export_file

    with time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False):
        svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(applicant_name='=HYPERLINK("http://x","点我")', content="@SUM(A1)"),
        )
        cases_export_file(tmp_path / "out.csv", agency=city)
    raw = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and "'@SUM(A1)" in raw
    row = table_read(tmp_path / "out.csv", columns=["applicant_name"])[0]
    assert row.values["applicant_name"] == '=HYPERLINK("http://x","点我")'
    assert row.values["content"] == "@SUM(A1)"
