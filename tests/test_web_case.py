"""The case page and its actions, the approver queue, the supervisor home, voiding."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from requests_app.models import Case, CaseEvent
from requests_app.services import cases as svc
from tests.conftest import make_user

NOW = dt.datetime(2026, 9, 28, 10, 0)


@pytest.fixture
def case(city, staff, intake):
    with time_machine.travel(NOW, tick=False):
        return svc.case_register(agency=city, by=staff["clerk"], data=intake())


def detail(client, case):
    response = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    return response


def act(client, case, action, version=None, **values):
    data = {f"{action}-{k}": v for k, v in values.items()}
    data[f"{action}-expected_version"] = case.version if version is None else version
    return client.post(reverse("requests_app:case_act", args=[case.public_id, action]), data)


def action_names(response):
    return [entry["action"].name for entry in response.context["action_forms"]]


@time_machine.travel(NOW, tick=False)
def test_case_page_shows_request_deadline_explanation_timeline_and_actions(client, case, staff):
    client.force_login(staff["handler"])
    response = detail(client, case)
    html = response.content.decode()
    assert case.content in html and case.applicant_name in html
    assert "2026-10-29" in html and "还剩 19 个工作日" in html
    assert "<details" in html and "期限如何计算" in html and "国庆节" in html
    assert "未延期" in html
    assert "登记" in html and "clerk-user" in html  # timeline: what, who
    assert {"start_drafting", "request_supplement", "request_extension"} <= set(
        action_names(response)
    )
    assert "void" not in action_names(response)
    client.force_login(staff["approver"])
    # The office head decides an Art. 35 deferral (and voids).
    assert action_names(detail(client, case)) == ["defer_reply", "void"]


@time_machine.travel(NOW, tick=False)
def test_action_runs_through_the_service_and_is_in_the_history(client, case, staff):
    client.force_login(staff["handler"])
    response = act(
        client,
        case,
        "request_supplement",
        missing="请写明所需信息的年份",
        due="2026-10-20",
        on="2026-09-28",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "supplement" and case.version == 2
    html = detail(client, case).content.decode()
    assert (
        "补正告知" in html
        and "请写明所需信息的年份" in html
        and "收到补正材料之日起重新计算答复期限" in html
    )


@time_machine.travel(NOW, tick=False)
def test_action_errors_are_shown_next_to_the_field_in_chinese(client, case, staff):
    client.force_login(staff["handler"])
    response = act(client, case, "request_supplement", missing="年份", due="2026-09-27", on="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "补正期限：补正期限须晚于告知日期" in html
    assert ">\n年份</textarea>" in html
    response = act(client, case, "request_supplement", missing="", due="")
    html = response.content.decode()
    assert "需补正的事项：" in html and "补正期限：" in html
    case.refresh_from_db()
    assert case.state == "received" and case.version == 1


@time_machine.travel(NOW, tick=False)
def test_stale_version_is_a_conflict_asking_to_reload(client, case, staff):
    client.force_login(staff["handler"])
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    response = act(client, case, "submit_for_approval", version=1, outcome="disclosed")
    html = response.content.decode()
    assert "案件已被他人修改，请刷新后重试" in html and 'id="conflict"' in html
    case.refresh_from_db()
    assert case.state == "drafting"


@time_machine.travel(NOW, tick=False)
def test_htmx_action_returns_the_form_fragment_or_redirects(client, case, staff):
    client.force_login(staff["handler"])
    url = reverse("requests_app:case_act", args=[case.public_id, "request_extension"])
    bad = client.post(
        url,
        {"request_extension-days": "30", "request_extension-expected_version": 1},
        HTTP_HX_REQUEST="true",
    )
    html = bad.content.decode()
    assert html.startswith('<div class="action-card') and "延期工作日数：" in html
    good = client.post(
        url,
        {
            "request_extension-days": "10",
            "request_extension-reason": "需要调取档案",
            "request_extension-expected_version": 1,
        },
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 204
    assert good["HX-Redirect"] == reverse("requests_app:case_detail", args=[case.public_id])
    case.refresh_from_db()
    assert case.extension_state == "requested"


@time_machine.travel(NOW, tick=False)
def test_a_role_cannot_run_actions_of_another_role(client, case, staff):
    client.force_login(staff["clerk"])
    assert act(client, case, "start_drafting").status_code == 404
    client.force_login(staff["handler"])
    assert act(client, case, "void", reason="x").status_code == 404
    assert act(client, case, "no_such_action").status_code == 404
    case.refresh_from_db()
    assert case.state == "received"


@time_machine.travel(NOW, tick=False)
def test_edit_goes_through_case_update_with_reason_and_history(client, case, staff):
    client.force_login(staff["clerk"])
    url = reverse("requests_app:case_edit", args=[case.public_id])
    form = client.get(url).context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields}
    data.update(applicant_phone="13900002222", reason="", expected_version=1)
    response = client.post(url, data)
    assert (
        "修改理由：请填写理由" in response.content.decode()
        or "请填写理由" in response.content.decode()
    )
    data.update(applicant_postcode="12", reason="申请人来电更正")
    response = client.post(url, data)
    assert "邮政编码：邮政编码须为6位数字" in response.content.decode()
    data.update(applicant_postcode="255000")
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.applicant_phone == "13900002222" and case.version == 2
    edit = case.events.get(kind="edit")
    assert edit.changes == {"applicant_phone": ["13800001111", "13900002222"]}
    html = detail(client, case).content.decode()
    # Numbers are masked in the history too (full values only on a recorded "show").
    assert "联系电话：138****1111 → 139****2222" in html and "申请人来电更正" in html
    assert "登记后曾被修改" in html
    data.update(applicant_phone="13900003333", expected_version=1)
    assert "案件已被他人修改" in client.post(url, data).content.decode()


@time_machine.travel(NOW, tick=False)
def test_void_needs_an_approver_and_a_reason_and_the_case_stays_visible(client, case, staff):
    client.force_login(staff["approver"])
    response = act(client, case, "void", reason="")
    assert "理由/说明：" in response.content.decode()
    assert act(client, case, "void", reason="重复登记了同一封信").status_code == 302
    case.refresh_from_db()
    assert case.state == "void" and case.voided_by == staff["approver"]
    client.force_login(staff["clerk"])
    html = detail(client, case).content.decode()
    assert "已作废" in html and "重复登记了同一封信" in html
    listing = client.get(reverse("requests_app:worklist"), {"state": "all"}).content.decode()
    assert case.case_no in listing and "已作废" in listing
    assert client.get(reverse("requests_app:case_edit", args=[case.public_id])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_attachment_upload_on_the_case_page_is_checked(client, case, staff, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff["handler"])
    url = reverse("requests_app:case_attachment_upload", args=[case.public_id])
    bad = client.post(url, {"kind": "supplement", "file": SimpleUploadedFile("a.txt", b"hello")})
    assert "文件：文件类型不支持" in bad.content.decode()
    good = client.post(
        url,
        {
            "kind": "supplement",
            "file": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
        },
    )
    assert good.status_code == 302
    assert case.attachments.get().content_type == "image/jpeg"


@time_machine.travel(NOW, tick=False)
def test_approver_queue_lists_replies_and_extensions_and_acts(client, case, staff, city, intake):
    other = svc.case_register(agency=city, by=staff["clerk"], data=intake(applicant_name="王五"))
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="disclosed")
    svc.case_request_extension(
        case_id=other.id, by=staff["handler"], days=15, reason="涉及档案调取"
    )
    client.force_login(staff["approver"])
    queue = client.get(reverse("approvals:queue"))
    html = queue.content.decode()
    assert case.case_no in html and other.case_no in html
    assert "予以公开" in html and "申请延期 15 个工作日" in html
    other.refresh_from_db()
    response = client.post(
        reverse("requests_app:case_act", args=[other.public_id, "refuse_extension"]),
        {
            "refuse_extension-reason": "理由不充分",
            "refuse_extension-expected_version": other.version,
            "next": reverse("approvals:queue"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("approvals:queue")
    other.refresh_from_db()
    assert other.extension_state == "refused"
    for role in ("clerk", "handler", "supervisor"):
        client.force_login(staff[role])
        assert client.get(reverse("approvals:queue")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_supervisor_home_counts_per_unit_in_one_aggregate_query(
    client, city, district, other_agency, staff, django_assert_max_num_queries
):
    from tests.test_web_worklist import bulk_cases

    bulk_cases(city, 2, reply_due=dt.date(2026, 9, 25))  # overdue
    bulk_cases(district, 3, start=2, reply_due=dt.date(2026, 9, 30))  # due soon
    bulk_cases(district, 1, start=5, reply_due=dt.date(2026, 11, 30))
    bulk_cases(other_agency, 4, start=6)
    client.force_login(staff["supervisor"])
    client.get(reverse("requests_app:supervision"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("requests_app:supervision"))
    on_cases = [q["sql"] for q in queries if 'FROM "requests_app_case"' in q["sql"]]
    assert len(on_cases) == 1 and "GROUP BY" in on_cases[0]
    rows = {row["agency"].code: row for row in response.context["rows"]}
    assert set(rows) == {"CITY-OFFICE", "ZD-GOV"}
    assert (rows["CITY-OFFICE"]["open"], rows["CITY-OFFICE"]["overdue"]) == (2, 2)
    assert (rows["ZD-GOV"]["open"], rows["ZD-GOV"]["due_soon"], rows["ZD-GOV"]["overdue"]) == (
        4,
        3,
        0,
    )
    assert response.context["totals"] == {"open": 6, "due_soon": 3, "overdue": 2}
    for role in ("clerk", "handler", "approver"):
        client.force_login(staff[role])
        assert client.get(reverse("requests_app:supervision")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_home_sends_each_role_to_its_page(client, staff):
    expected = {
        "clerk": reverse("requests_app:worklist"),
        "handler": reverse("requests_app:worklist"),
        "approver": reverse("approvals:queue"),
        "supervisor": reverse("requests_app:supervision"),
    }
    for role, target in expected.items():
        client.force_login(staff[role])
        assert client.get("/")["Location"] == target
    client.force_login(staff["auditor"])
    assert client.get("/").status_code == 200
    client.logout()
    assert client.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_page_is_in_chinese_with_labels(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    bad = client.post("/accounts/login/", {"username": "x", "password": "y"}).content.decode()
    assert "请输入一个正确的" in bad or "用户名" in bad


@time_machine.travel(NOW, tick=False)
def test_english_is_available(client, staff):
    client.force_login(staff["clerk"])
    # The browser's language alone does not switch (Chinese by default); choosing English does.
    html = client.get(reverse("requests_app:worklist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "工作台" in html and "Worklist" not in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("requests_app:worklist")).content.decode()
    assert "Worklist" in html and "Register a request" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("requests_app:worklist")).content.decode()
    assert "工作台" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/worklist/"})
    assert "Worklist" in client.get(reverse("requests_app:worklist")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_static_assets_are_served_by_the_app_not_a_cdn(client, staff):
    client.force_login(staff["clerk"])
    html = client.get(reverse("requests_app:worklist")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html and "/static/css/app.css" in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    assert make_user  # imported for other modules
    assert not CaseEvent.objects.exists() or Case.objects.exists()


def _unlabelled_inputs(html: str) -> list[str]:
    import re

    missing = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit)"', tag):
            continue
        match = re.search(r'\bid="([^"]+)"', tag)
        if not match or f'for="{match.group(1)}"' not in html:
            missing.append(tag)
    return missing


@time_machine.travel(NOW, tick=False)
def test_every_input_on_every_staff_page_has_a_label(client, case, staff, city, intake):
    svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome="disclosed")
    other = svc.case_register(agency=city, by=staff["clerk"], data=intake(applicant_name="孙八"))
    pages = {
        "handler": [
            reverse("requests_app:worklist"),
            reverse("requests_app:case_detail", args=[other.public_id]),
            reverse("requests_app:case_edit", args=[other.public_id]),
        ],
        "clerk": [reverse("requests_app:intake_form", args=[c]) for c in ("in_person", "fax")],
        "approver": [
            reverse("approvals:queue"),
            reverse("requests_app:case_detail", args=[case.public_id]),
        ],
        "supervisor": [reverse("requests_app:supervision")],
    }
    for role, urls in pages.items():
        client.force_login(staff[role])
        for url in urls:
            html = client.get(url).content.decode()
            assert _unlabelled_inputs(html) == [], (role, url)
    client.logout()
    assert _unlabelled_inputs(client.get("/accounts/login/").content.decode()) == []


def test_banner_warns_when_the_calendar_of_the_deadline_year_is_not_entered(
    client, city, staff, intake
):
    with time_machine.travel(dt.datetime(2026, 12, 28, 10, 0), tick=False):
        late = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(signed_on=dt.date(2026, 12, 28), submitted_on=dt.date(2026, 12, 27)),
        )
        assert late.deadline_provisional
        client.force_login(staff["handler"])
        html = detail(client, late).content.decode()
    assert "官方节假日安排尚未录入" in html and "期限为暂定" in html


@time_machine.travel(NOW, tick=False)
def test_banner_shows_an_approved_extension(client, case, staff):
    svc.case_request_extension(case_id=case.id, by=staff["handler"], days=10, reason="档案调取")
    client.force_login(staff["handler"])
    assert "延期 10 个工作日待审批" in detail(client, case).content.decode()
    svc.case_approve_extension(case_id=case.id, by=staff["approver"])
    html = detail(client, case).content.decode()
    assert "已延期 10 个工作日" in html and "答复期限共 30 个工作日" in html


@time_machine.travel(NOW, tick=False)
def test_banner_shows_the_stopped_clock_while_consulting(client, case, staff):
    svc.case_start_consultation(case_id=case.id, by=staff["handler"], party="第三方某公司")
    client.force_login(staff["handler"])
    html = detail(client, case).content.decode()
    assert "计时中止（征求意见或待缴费），尚余 19 个工作日" in html
    assert "征求意见中" in html


def test_history_values_are_shown_with_their_chinese_labels():
    from requests_app.templatetags.ogi import change_rows, pretty_value

    assert pretty_value("reply") == "政府信息公开申请答复书"
    assert pretty_value("disclosed") == "予以公开"
    assert pretty_value("letter_scan") == "申请书扫描件"
    assert pretty_value("") == "（空）"
    assert change_rows(
        {"applicant_phone": ["13800001111", ""], "number": "淄政办信复〔2026〕1号"}
    ) == [
        ("联系电话", "138****1111 → （空）"),
        ("文号", "淄政办信复〔2026〕1号"),
    ]
