"""Monthly circulars (SPEC §7): hand-counted figures per unit, ranking, first-working-day
production by the scheduled task, frozen snapshots, downloads, access."""

import datetime as dt
import io

import pytest
from django.test import Client
from docx import Document

from agencies.models import Agency
from reporting.circulars import (
    circular_compute,
    circulars_produce_due,
    is_first_working_day_of_month,
)
from reporting.models import Circular
from reporting.tasks import circulars_produce_due_task
from requests_app.services import cases as svc
from tests.helpers import travel

from .conftest import make_user

D = dt.date


@pytest.fixture
def september(city, district, intake):
    """City: A received 9-01 closed 9-10 on time; B received 8-03 still open (due 8-31);
    C received 8-03 closed 9-15, late. Department: E received and closed 9-14.
    District: D received 9-07, open, due 10-10."""
    department = Agency.objects.create(
        code="DEPT", name="市财政局", level="department", parent=city
    )
    clerks = {
        a.code: make_user(f"clerk-{a.code}", a, "clerk") for a in (city, district, department)
    }

    def walk_in(agency, day, close_on=None):
        with travel(max(day, close_on or day)):
            case = svc.case_register(
                agency=agency,
                by=clerks[agency.code],
                data=intake(channel="in_person", submitted_on=day, signed_on=None),
            )
            if close_on:
                svc.case_withdraw(
                    case_id=case.id, by=clerks[agency.code], reason="申请人撤回", on=close_on
                )
        return case

    walk_in(city, D(2026, 9, 1), D(2026, 9, 10))
    walk_in(city, D(2026, 8, 3))
    walk_in(city, D(2026, 8, 3), D(2026, 9, 15))
    walk_in(department, D(2026, 9, 14), D(2026, 9, 14))
    walk_in(district, D(2026, 9, 7))
    return {"city": city, "district": district, "department": department}


def test_figures_per_unit_and_ranking(september):
    rows = circular_compute(september["city"], 2026, 9)
    by_name = {r["agency"]: r for r in rows}
    assert by_name["淄博市人民政府办公室"] == {
        "agency": "淄博市人民政府办公室",
        "received": 1,
        "closed": 2,
        "on_time": 1,
        # 1 on time ÷ (2 closed + 1 open overdue): the open overdue case counts.
        "on_time_rate": 33.3,
        "overdue_open": 1,
        "median_days": 19.0,
        "extensions": 0,
        "rate_basis": 3,
        "rank": 2,
    }
    assert by_name["市财政局"] | {} == {
        "agency": "市财政局",
        "received": 1,
        "closed": 1,
        "on_time": 1,
        "on_time_rate": 100.0,
        "overdue_open": 0,
        "median_days": 0,
        "extensions": 0,
        "rate_basis": 1,
        "rank": 1,
    }
    assert (
        by_name["张店区人民政府"]["on_time_rate"] is None and by_name["张店区人民政府"]["rank"] == 3
    )
    assert [r["agency"] for r in circular_compute(september["district"], 2026, 9)] == [
        "张店区人民政府"
    ]


def test_query_count_does_not_grow_with_units_or_cases(
    september, django_assert_max_num_queries, intake
):
    with django_assert_max_num_queries(7):
        circular_compute(september["city"], 2026, 9)
    clerk = make_user("more", september["district"], "clerk")
    with travel(D(2026, 9, 30)):
        for _ in range(30):
            svc.case_register(
                agency=september["district"],
                by=clerk,
                data=intake(channel="in_person", submitted_on=D(2026, 9, 30), signed_on=None),
            )
    for i in range(10):
        Agency.objects.create(
            code=f"T{i}", name=f"镇{i}", level="town", parent=september["district"]
        )
    with django_assert_max_num_queries(7):
        rows = circular_compute(september["city"], 2026, 9)
    assert len(rows) == 13


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (D(2026, 10, 8), True),
        (D(2026, 10, 1), False),
        (D(2026, 10, 9), False),
        (D(2026, 11, 2), True),
        (D(2026, 2, 2), True),
        (D(2026, 3, 2), True),
    ],
)
def test_first_working_day_of_the_month(day, first, db):
    # October 2026 starts with the National Day week; 1 November 2026 is a Sunday.
    assert is_first_working_day_of_month(day) is first


def test_task_produces_last_month_once_on_the_first_working_day(september):
    make_user("sup", september["city"], "supervisor")
    with travel(D(2026, 10, 1)):
        assert circulars_produce_due_task.delay().get() == 0
    with travel(D(2026, 10, 8)):
        assert circulars_produce_due_task.delay().get() == 1
        assert circulars_produce_due(today=D(2026, 10, 8))[0].pk == Circular.objects.get().pk
    circular = Circular.objects.get()
    assert (circular.agency, circular.year, circular.month, circular.produced_by) == (
        september["city"],
        2026,
        9,
        None,
    )
    assert {r["agency"] for r in circular.rows} == {
        "淄博市人民政府办公室",
        "市财政局",
        "张店区人民政府",
    }


def test_produced_circular_is_frozen_and_downloads_read_back(september, intake):
    supervisor = make_user("sup", september["city"], "supervisor")
    client = Client()
    client.force_login(supervisor)
    with travel(D(2026, 10, 9)):
        page = client.get("/reports/circulars/CITY-OFFICE/2026/9/")
        assert page.status_code == 200 and "实时数据预览" in page.content.decode()
        assert client.post("/reports/circulars/CITY-OFFICE/2026/9/").status_code == 302
        assert Circular.objects.get().produced_by == supervisor
        # A case registered later in September's dates no longer changes the frozen circular.
        svc.case_register(
            agency=september["city"],
            by=make_user("c2", september["city"], "clerk"),
            data=intake(channel="in_person", submitted_on=D(2026, 9, 30), signed_on=None),
        )
        page = client.get("/reports/circulars/CITY-OFFICE/2026/9/").content.decode()
        assert "定稿数据" in page
        response = client.get("/reports/circulars/CITY-OFFICE/2026/9/download.docx")
        # Inside the travel: back in today's time the session would have been idle too long.
        xlsx = client.get("/reports/circulars/CITY-OFFICE/2026/9/download.xlsx")
        this_month = client.post("/reports/circulars/CITY-OFFICE/2026/10/")
    assert this_month.status_code == 302 and not Circular.objects.filter(month=10).exists()
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "2026年9月政府信息公开申请办理情况通报" in text
    assert "共新收政府信息公开申请3件，办结3件，月末逾期未办结1件" in text
    table = Document(io.BytesIO(response.content)).tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == ["1", "市财政局", "1", "1"]
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_only_supervisors_of_the_office_see_its_circulars(september):
    for user in (
        make_user("clerk-x", september["city"], "clerk", "handler", "approver"),
        make_user("dsup", september["district"], "supervisor"),
    ):
        client = Client()
        client.force_login(user)
        assert client.get("/reports/circulars/CITY-OFFICE/2026/9/").status_code == 404
        assert client.get("/reports/circulars/CITY-OFFICE/2026/9/download.docx").status_code == 404
    client = Client()
    client.force_login(make_user("dsup2", september["district"], "supervisor"))
    assert client.get("/reports/circulars/ZD-GOV/2026/9/").status_code == 200


def test_nav_leads_supervisors_to_their_circulars(september):
    client = Client()
    client.force_login(make_user("sup-nav", september["district"], "supervisor"))
    with travel(D(2026, 10, 9)):
        page = client.get("/", follow=True).content.decode()
        assert "月度通报" in page
        response = client.get("/reports/circulars/", follow=True)
    assert response.redirect_chain[-1][0] == "/reports/circulars/ZD-GOV/2026/9/"
    staff = Client()
    staff.force_login(make_user("clerk-nav", september["district"], "clerk"))
    assert staff.get("/reports/circulars/").status_code == 404
    assert "本单位测评结果" in staff.get("/", follow=True).content.decode()


def test_open_overdue_cases_count_against_timeliness(september, intake):
    """Issue 11 defect 5: a unit with 6 open overdue cases ranked 3rd at "100%"."""
    department = september["department"]
    clerk = make_user("clerk-late", department, "clerk")
    with travel(D(2026, 8, 3)):
        for _ in range(6):  # due 2026-08-31, still open at the end of September
            svc.case_register(
                agency=department,
                by=clerk,
                data=intake(channel="in_person", submitted_on=D(2026, 8, 3), signed_on=None),
            )
    rows = circular_compute(september["city"], 2026, 9)
    by_name = {r["agency"]: r for r in rows}
    late = by_name["市财政局"]
    assert (late["closed"], late["on_time"], late["overdue_open"]) == (1, 1, 6)
    assert late["on_time_rate"] == 14.3  # 1 ÷ (1 + 6), not 100
    assert [r["agency"] for r in rows] == ["淄博市人民政府办公室", "市财政局", "张店区人民政府"]
    # October: nothing closed, cases open overdue: 0 % (not "—"); the most overdue ranks last.
    with travel(D(2026, 11, 9)):
        rows = circular_compute(september["city"], 2026, 10)
    assert [(r["agency"], r["on_time_rate"], r["overdue_open"]) for r in rows][-1] == (
        "市财政局",
        0.0,
        6,
    )
    assert all(r["on_time_rate"] == 0.0 for r in rows)


def test_the_ranking_states_its_formula_on_the_page_and_in_the_exports(september):
    import openpyxl

    client = Client()
    client.force_login(make_user("sup-f", september["city"], "supervisor"))
    with travel(D(2026, 10, 9)):
        page = client.get("/reports/circulars/CITY-OFFICE/2026/9/").content.decode()
        docx = client.get("/reports/circulars/CITY-OFFICE/2026/9/download.docx").content
        xlsx = client.get("/reports/circulars/CITY-OFFICE/2026/9/download.xlsx").content
    formula = "按期率 = 按期办结件数 ÷（本月办结件数 + 月末逾期未办结件数）× 100%"
    assert "按按期" not in page
    assert formula in page and "排名依据：按期率高者在前" in page
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "按按期" not in text and formula in text
    assert "各单位排名如下（按期率的计算方法和排名依据见表后）" in text
    assert "排名依据：按期率高者在前" in text
    assert Document(io.BytesIO(docx)).tables[0].rows[0].cells[5].text == "按期率(%)"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(formula in c for c in cells) and "按期率(%)" in cells
    assert any(c.startswith("排名依据") for c in cells)


def test_a_circular_frozen_before_the_formula_changed_says_so(september):
    Circular.objects.create(
        agency=september["city"],
        year=2026,
        month=8,
        rows=[
            {
                "agency": "市财政局",
                "received": 1,
                "closed": 1,
                "on_time": 1,
                "on_time_rate": 100.0,
                "overdue_open": 6,
                "median_days": 3,
                "extensions": 0,
                "rank": 1,
            }
        ],
    )
    client = Client()
    client.force_login(make_user("sup-old", september["city"], "supervisor"))
    page = client.get("/reports/circulars/CITY-OFFICE/2026/8/").content.decode()
    assert "本期通报生成于计入逾期未办结件数之前" in page
