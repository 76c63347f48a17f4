"""import_cases (SPEC §9): every error class reported as `row N: problem`, nothing saved; the
imported cases enter their state through the real services, with history."""

import datetime as dt
import getpass

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_fsm_log.models import StateLog

from agencies.models import Role
from requests_app.models import FINISHED_STATES, Case, CaseEvent, CaseState, ClockEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 10, 0)
HEADER = "case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def importer(city):
    return make_user("importer", city, Role.CLERK)


def write(tmp_path, text, name="cases.csv", bom=False):
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def run(path, *args, user="importer", agency="CITY-OFFICE"):
    call_command("import_cases", str(path), "--agency", agency, "--user", user, *args)


def errors_of(path, *args, **kwargs) -> list[str]:
    with pytest.raises(CommandError) as info:
        run(path, *args, **kwargs)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("导入失败，未导入任何数据")
    return lines[1:]


def assert_nothing_saved():
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert ClockEvent.objects.count() == 0


GOOD = [
    "2020-0001,2020-03-02,online,natural_person,王建国,申请公开某路段改造工程立项批复,disclosed,2020-03-20",
    ",2020-04-01,mail_signed,commercial_enterprise,淄博某某商贸有限公司,申请公开某地块规划条件,,",
]


def test_good_file_imports_open_and_closed_cases_with_history(tmp_path, city, importer):
    path = write(tmp_path, "\n".join([HEADER, *GOOD]) + "\n")
    run(path)
    closed = Case.objects.get(case_no="2020-0001")
    assert closed.state == CaseState.DISCLOSED and closed.is_finished
    assert closed.outcome == "disclosed"
    assert closed.closed_on == dt.date(2020, 3, 20)
    assert closed.received_on == dt.date(2020, 3, 2)
    assert closed.confirmed_on == dt.date(2020, 3, 2)  # the online channel's receipt-date field
    assert closed.reply_due is not None
    opened = Case.objects.get(applicant_name="淄博某某商贸有限公司")
    assert opened.state == CaseState.RECEIVED
    assert opened.case_no == "2020-0002"  # generated, never taking the file's 2020-0001
    assert opened.signed_on == dt.date(2020, 4, 1)
    assert opened.outcome == "" and opened.closed_on is None

    imported = CaseEvent.objects.get(case=closed, kind="imported")
    assert imported.reason == "导入自 cases.csv，操作人 importer"
    assert imported.actor == importer
    transition = CaseEvent.objects.get(case=closed, kind="transition")
    assert transition.transition == "close_imported"
    assert (transition.from_state, transition.to_state) == ("received", "disclosed")
    assert transition.actor == importer
    log = StateLog.objects.get(object_id=closed.id)
    assert (log.transition, log.source_state, log.state, log.by) == (
        "close_imported",
        "received",
        "disclosed",
        importer,
    )
    assert CaseEvent.objects.get(case=opened, kind="imported").reason == imported.reason
    assert not CaseEvent.objects.filter(case=opened, kind="transition").exists()


def test_missing_columns_are_named(tmp_path, city, importer):
    path = write(
        tmp_path, "case_no,received_on,applicant_type,applicant_name,content\n1,2020-01-01,x,y,z\n"
    )
    assert errors_of(path) == ["row 1: 缺少列：channel, outcome, closed_on"]
    assert_nothing_saved()


def test_every_bad_row_is_reported_and_nothing_is_saved(tmp_path, city, importer):
    lines = [
        HEADER,
        GOOD[0],  # row 2: good
        "A-1,2020-03-02,post,natural_person,甲,内容,,",  # row 3: unknown channel
        "A-2,2020-03-02,online,person,乙,内容,,",  # row 4: unknown applicant type
        "A-3,2020-03-02,online,natural_person,丙,内容,granted,2020-03-05",  # row 5: unknown outcome
        "A-4,2020/03/02,online,natural_person,丁,内容,,",  # row 6: bad date
        "A-5,2020-03-10,online,natural_person,戊,内容,disclosed,2020-03-09",  # row 7: closed before
        "A-6,2020-03-10,online,natural_person,己,内容,disclosed,",  # row 8: outcome without date
        "A-7,2020-03-10,online,natural_person,庚,内容,,2020-03-20",  # row 9: date without outcome
        "2020-0001,2020-03-10,online,natural_person,辛,内容,,",  # row 10: duplicate in the file
        "A-8,2020-02-30,email,natural_person,壬,内容,disclosed,2020-13-01",  # row 11: two bad dates
        "A-9,2020-03-10,fax,natural_person,,,,",  # row 12: name and content missing
        "A-10,,fax,natural_person,癸,内容,,",  # row 13: received_on missing
        "A-11,2027-01-04,in_person,natural_person,子,内容,,",  # row 14: future receipt
        "A-12,1999-05-04,in_person,natural_person,丑,内容,disclosed,1999-05-10",  # row 15: too early
        "A-13,2020-05-04,in_person,natural_person,"
        + "名" * 201
        + ",内容,,",  # row 16: name too long
    ]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert errors_of(path) == [
        "row 3: channel：未知的申请渠道“post”",
        "row 4: applicant_type：未知的申请人类型“person”",
        "row 5: outcome：办理结果“granted”不是有效的结果代码",
        "row 6: received_on：日期格式应为 YYYY-MM-DD（填写的是“2020/03/02”）",
        "row 7: closed_on：办结日期（2020-03-09）不能早于收到申请之日（2020-03-10）",
        "row 8: closed_on：填写了办理结果（outcome）须同时填写办结日期",
        "row 9: outcome：填写了办结日期（closed_on）须同时填写办理结果",
        "row 10: case_no：案件编号“2020-0001”与第 2 行重复",
        "row 11: received_on：日期格式应为 YYYY-MM-DD（填写的是“2020-02-30”）",
        "row 11: closed_on：日期格式应为 YYYY-MM-DD（填写的是“2020-13-01”）",
        "row 12: applicant_name：此项为必填项",
        "row 12: content：此项为必填项",
        "row 13: received_on：此项为必填项",
        "row 14: received_on：日期不能晚于今天",
        "row 15: received_on：日期早于系统日历的起始日（2004-01-01）",
        "row 16: applicant_name：不能超过200个字符（现有201个）",  # the column's own limit
    ]
    assert_nothing_saved()


def test_case_number_already_in_the_agency_is_refused(tmp_path, city, importer):
    run(write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n"))
    before = (Case.objects.count(), CaseEvent.objects.count())
    path = write(tmp_path, "\n".join([HEADER, GOOD[1], GOOD[0]]) + "\n", name="again.csv")
    assert errors_of(path) == ["row 3: case_no：案件编号“2020-0001”在本机关已存在"]
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def test_same_case_number_in_another_agency_is_fine(tmp_path, city, other_agency, importer):
    make_user("other-clerk", other_agency, Role.CLERK)
    run(write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n"))
    run(write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n"), user="other-clerk", agency="OTHER")
    assert Case.objects.filter(case_no="2020-0001").count() == 2


def test_line_numbers_count_file_lines_with_blank_lines_and_multiline_cells(
    tmp_path, city, importer
):
    text = (
        "\n".join(
            [
                HEADER,
                ',2020-03-02,online,natural_person,甲,"第一行\n第二行",,',  # rows 2-3
                "",  # row 4: blank, skipped
                ",2020-03-02,online,robot,乙,内容,,",  # row 5
            ]
        )
        + "\n"
    )
    assert errors_of(write(tmp_path, text)) == ["row 5: applicant_type：未知的申请人类型“robot”"]


def test_unknown_agency(tmp_path, city, importer):
    path = write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n")
    with pytest.raises(CommandError, match="机关代码“NOPE”不存在"):
        run(path, agency="NOPE")
    assert_nothing_saved()


def test_empty_file_and_header_only(tmp_path, city, importer):
    assert errors_of(write(tmp_path, "")) == ["row 1: 文件为空（缺少表头）"]
    assert errors_of(write(tmp_path, HEADER + "\n")) == ["row 2: 文件没有数据行"]
    assert_nothing_saved()


def test_csv_with_bom_is_read(tmp_path, city, importer):
    run(write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n", bom=True))
    assert Case.objects.get().case_no == "2020-0001"


def test_crlf_csv_is_read(tmp_path, city, importer):
    path = tmp_path / "win.csv"
    path.write_bytes(("\r\n".join([HEADER, GOOD[0], GOOD[1]]) + "\r\n").encode("utf-8-sig"))
    run(path)
    assert Case.objects.count() == 2


def test_not_utf8_is_refused(tmp_path, city, importer):
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join([HEADER, GOOD[0]]) + "\n").encode("gbk"))
    assert errors_of(path) == ["row 1: 文件不是 UTF-8 编码（请另存为“CSV UTF-8”）"]


def write_xlsx(tmp_path, rows, name="cases.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("ignored").append(["not", "read"])
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_first_sheet_with_real_dates_and_text_dates(tmp_path, city, importer):
    path = write_xlsx(
        tmp_path,
        [
            HEADER.split(","),
            [
                2020001,
                dt.datetime(2020, 5, 6),
                "in_person",
                "natural_person",
                "李娜",
                "申请公开某小区配套学校规划",
                "unavailable.not_held",
                dt.date(2020, 5, 20),
            ],
            [
                None,
                "2020-06-01",
                "fax",
                "commercial_enterprise",
                "某某建材有限公司",
                "申请公开某项目环评批复",
                None,
                None,
            ],
        ],
    )
    run(path)
    first = Case.objects.get(case_no="2020001")
    assert (first.received_on, first.submitted_on, first.outcome, first.closed_on, first.state) == (
        dt.date(2020, 5, 6),
        dt.date(2020, 5, 6),
        "unavailable.not_held",
        dt.date(2020, 5, 20),
        "unavailable",
    )
    assert (
        CaseEvent.objects.get(case=first, kind="imported").reason
        == "导入自 cases.xlsx，操作人 importer"
    )
    assert Case.objects.get(applicant_name="某某建材有限公司").state == "received"


def test_xlsx_errors_use_sheet_rows(tmp_path, city, importer):
    path = write_xlsx(
        tmp_path,
        [
            HEADER.split(","),
            ["X-1", "2020-05-06", "in_person", "natural_person", "李娜", "内容", None, None],
            ["X-2", "not a date", "in_person", "natural_person", "李娜", "内容", None, None],
        ],
    )
    assert errors_of(path) == [
        "row 3: received_on：日期格式应为 YYYY-MM-DD（填写的是“not a date”）"
    ]
    assert_nothing_saved()


def test_dry_run_writes_nothing(tmp_path, city, importer, capsys):
    path = write(tmp_path, "\n".join([HEADER, *GOOD]) + "\n")
    run(path, "--dry-run")
    assert (
        "将向“淄博市人民政府办公室”导入 2 件（已办结 1 件，未办结 1 件）" in capsys.readouterr().out
    )
    assert_nothing_saved()


def test_dry_run_still_reports_errors(tmp_path, city, importer):
    path = write(tmp_path, "\n".join([HEADER, GOOD[0].replace("online", "pigeon")]) + "\n")
    assert errors_of(path, "--dry-run") == ["row 2: channel：未知的申请渠道“pigeon”"]


def test_user_without_role_in_agency_is_refused(tmp_path, city, other_agency):
    make_user("outsider", other_agency, Role.CLERK)
    path = write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n")
    assert errors_of(path, user="outsider") == [
        "用户“outsider”在“淄博市人民政府办公室”没有导入案件的权限（须为该机关的登记员、承办人、审核人或系统管理员）"
    ]
    assert_nothing_saved()


def test_without_user_the_command_runs_as_the_system_on_a_fresh_install(
    tmp_path, city, django_user_model, capsys
):
    """A command run on the server is the operator's: no account of the application needed."""
    assert not django_user_model.objects.exists()  # a fresh install: no users at all
    path = write(tmp_path, "\n".join([HEADER, *GOOD]) + "\n")
    call_command("import_cases", str(path), "--agency", "CITY-OFFICE")
    account = getpass.getuser()
    label = f"系统导入（操作系统账户 {account}）"
    assert label in capsys.readouterr().out
    assert Case.objects.count() == 2 and not django_user_model.objects.exists()
    imported = CaseEvent.objects.filter(kind="imported")
    assert {(e.actor, e.reason) for e in imported} == {(None, f"{label}：导入自 cases.csv")}
    closed = CaseEvent.objects.get(kind="transition", transition="close_imported")
    assert closed.actor is None and closed.reason.startswith(f"导入已办结案件，{label}")
    assert StateLog.objects.get(transition="close_imported").by is None
    assert Case.objects.filter(created_by__isnull=True).count() == 2


def test_unknown_user(tmp_path, city):
    path = write(tmp_path, "\n".join([HEADER, GOOD[0]]) + "\n")
    with pytest.raises(CommandError, match="用户“ghost”不存在"):
        run(path, user="ghost")


def test_thousands_of_rows(tmp_path, city, importer):
    rows = [HEADER]
    start = dt.date(2020, 1, 2)
    for i in range(1000):
        day = start + dt.timedelta(days=i % 300)
        closed = ("disclosed", (day + dt.timedelta(days=10)).isoformat()) if i % 3 else ("", "")
        rows.append(
            f",{day.isoformat()},online,natural_person,申请人{i},申请内容{i},{closed[0]},{closed[1]}"
        )
    run(write(tmp_path, "\n".join(rows) + "\n"))
    assert Case.objects.count() == 1000
    assert Case.objects.filter(state__in=FINISHED_STATES).count() == 666
    assert Case.objects.filter(state="disclosed").count() == 666
    assert Case.objects.values("case_no").distinct().count() == 1000


def test_sample_file_passes_a_dry_run(city, importer, capsys):
    from pathlib import Path

    sample = Path(__file__).resolve().parent.parent / "deploy" / "samples" / "cases-example.csv"
    run(sample, "--dry-run")
    assert (
        "将向“淄博市人民政府办公室”导入 3 件（已办结 2 件，未办结 1 件）" in capsys.readouterr().out
    )
    assert_nothing_saved()


@pytest.mark.django_db(transaction=True)
def test_exit_status_and_report_from_the_shell(tmp_path, city, importer):
    """The contract as a shell user sees it: `row N:` lines on stderr and a non-zero exit."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    root = Path(__file__).resolve().parent.parent

    def shell(path):
        return subprocess.run(
            [sys.executable, "manage.py", "import_cases", str(path), "--agency", "CITY-OFFICE",
             "--user", "importer"],
            cwd=root, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    bad = write(
        tmp_path, "\n".join([HEADER, GOOD[0], GOOD[1].replace("mail_signed", "post")]) + "\n"
    )
    result = shell(bad)
    assert result.returncode != 0
    assert "row 3: channel：未知的申请渠道“post”" in result.stderr.splitlines()
    assert Case.objects.count() == 0
    good = write(tmp_path, "\n".join([HEADER, *GOOD]) + "\n", name="good.csv")
    result = shell(good)
    assert result.returncode == 0, result.stderr
    assert Case.objects.count() == 2
