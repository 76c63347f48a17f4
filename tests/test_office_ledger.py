"""台账 from the web: the worklist as filtered, to .xlsx — the export_cases columns plus the
handler, the deadline state and the letters issued; masked identity numbers and phones; a
constant number of queries however many cases."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from letters import services as letters_svc
from office.ledger import LEDGER_COLUMNS
from requests_app.models import Case
from requests_app.services import cases as svc
from tests.conftest import valid_id_number
from tests.test_web_worklist import bulk_cases

NOW = dt.datetime(2026, 11, 2, 10, 0)
URL = reverse("office:worklist_ledger")


def _sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["台账"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@time_machine.travel(NOW, tick=False)
def test_the_ledger_is_the_filtered_worklist_with_its_extra_columns(
    client, city, staff, intake, settings, tmp_path
):
    city.clerks_issue_receipts = True
    city.save()
    bulk_cases(city, 3)  # reply due 2026-10-30..11-01: overdue on 2026-11-02
    registered = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(
            applicant_name="李四=HYPERLINK(1)",
            submitted_on=dt.date(2026, 10, 29),
            signed_on=dt.date(2026, 10, 30),
        ),
    )
    svc.case_assign(case_id=registered.id, by=staff["approver"], handler_id=staff["handler"].id)
    receipt = letters_svc.receipt_issue(case_id=registered.id, by=staff["clerk"])
    client.force_login(staff["clerk"])
    header, rows = _sheet(client.get(URL))
    assert header == [title for _, title, _ in LEDGER_COLUMNS]
    assert len(rows) == 4
    by_no = {row["案件编号"]: row for row in rows}
    mine = by_no[registered.case_no]
    assert mine["申请人姓名/名称"] == "李四=HYPERLINK(1)"  # text, never a formula
    assert mine["承办人"] == staff["handler"].username
    assert mine["已签发文书"].startswith(f"登记回执 {receipt.number}（2026-11-02）")
    assert mine["状态"] == "已登记" and mine["申请渠道"] == "邮寄（需签收）"
    assert mine["期限状态"].startswith("剩 ") and mine["是否超期"] == "否"
    assert isinstance(mine["收到申请之日"], dt.datetime)  # a real date cell
    late = by_no["2026-00001"]
    assert late["期限状态"].startswith("已超期") and late["是否超期"] == "是"
    # Identity numbers and phones masked; the full values appear nowhere.
    assert late["证件号码（脱敏）"] == f"{valid_id_number(0)[:6]}********{valid_id_number(0)[-4:]}"
    assert late["联系电话（脱敏）"] == "138****1111"
    flat = repr(rows)
    assert valid_id_number(0) not in flat and "13800001111" not in flat
    # The same cases give the same bytes (no clock time inside the file).
    assert client.get(URL).content == client.get(URL).content
    # The worklist's filters apply.
    _, found = _sheet(client.get(URL, {"q": "李四"}))
    assert [row["案件编号"] for row in found] == [registered.case_no]
    _, overdue = _sheet(client.get(URL, {"overdue": "on"}))
    assert len(overdue) == 3


@time_machine.travel(NOW, tick=False)
def test_the_ledger_link_carries_the_filters(client, city, staff):
    bulk_cases(city, 2)
    client.force_login(staff["clerk"])
    html = client.get(reverse("requests_app:worklist"), {"q": "申请人1"}).content.decode()
    assert f'href="{URL}?q=%E7%94%B3' in html


@pytest.mark.parametrize("n", [5, 400])
@time_machine.travel(NOW, tick=False)
def test_ledger_queries_do_not_grow_with_cases(
    client, city, staff, intake, settings, tmp_path, n, django_assert_max_num_queries
):
    city.clerks_issue_receipts = True
    city.save()
    bulk_cases(city, n)
    for case in Case.objects.filter(agency=city)[:3]:
        letters_svc.receipt_issue(case_id=case.id, by=staff["clerk"])
    client.force_login(staff["clerk"])
    with django_assert_max_num_queries(13):  # 12 + the export's security-log row (issue 18)
        _, rows = _sheet(client.get(URL, {"state": "all"}))
    assert len(rows) == n
    assert sum(1 for row in rows if row["已签发文书"]) == 3


def test_another_agencys_worklist_cannot_be_exported(client, city, staff, other_agency):
    client.force_login(staff["clerk"])
    assert client.get(URL, {"agency": other_agency.id}).status_code == 404
