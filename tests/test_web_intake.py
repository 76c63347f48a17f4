"""Clerk intake through the web form: one form per channel, errors named in Chinese next to
their field with nothing saved, attachments checked first, possible repeats flagged."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.models import Attachment, Case, CaseEvent
from requests_app.services import cases as svc
from tests.conftest import make_user, valid_id_number
from tests.helpers import close_via_approval

TODAY = dt.datetime(2026, 9, 28, 10, 0)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form_data(**overrides):
    data = {
        "signed_on": "2026-09-25",
        "mail_tracking_number": "EMS1234567890",
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "applicant_id_number": valid_id_number(7),
        "applicant_phone": "13800001111",
        "applicant_address": "淄博市张店区共青团路1号",
        "applicant_postcode": "255000",
        "applicant_email": "",
        "delivery_method": "post",
        "information_form": "paper",
        "content": "申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账。",
    }
    data.update(overrides)
    return data


def post_intake(client, channel="mail_signed", **overrides):
    return client.post(reverse("requests_app:intake_form", args=[channel]), form_data(**overrides))


@time_machine.travel(TODAY, tick=False)
def test_each_channel_form_asks_only_the_dates_that_fix_its_receipt_date(client, staff):
    client.force_login(staff["clerk"])
    signed = client.get(reverse("requests_app:intake_form", args=["mail_signed"])).content.decode()
    assert 'name="signed_on"' in signed and 'name="mail_tracking_number"' in signed
    assert 'name="confirmed_on"' not in signed and 'name="submitted_on"' not in signed
    assert 'name="envelope"' in signed
    for channel in ("online", "email", "fax"):
        page = client.get(reverse("requests_app:intake_form", args=[channel])).content.decode()
        assert 'name="confirmed_on"' in page
        assert 'name="signed_on"' not in page and 'name="submitted_on"' not in page
    # Ordinary mail (Art. 31(2)): the day of arrival, and the confirmation made that day.
    ordinary = client.get(reverse("requests_app:intake_form", args=["mail_ordinary"]))
    page = ordinary.content.decode()
    assert 'name="submitted_on"' in page and 'name="confirmed_on"' in page
    assert 'name="confirmation_delay_reason"' in page and 'name="signed_on"' not in page
    in_person = client.get(reverse("requests_app:intake_form", args=["in_person"])).content.decode()
    assert 'name="submitted_on"' in in_person and 'value="2026-09-28"' in in_person
    assert 'name="envelope"' not in in_person
    assert client.get(reverse("requests_app:intake_form", args=["pigeon"])).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_every_intake_input_has_a_label(client, staff):
    client.force_login(staff["clerk"])
    page = client.get(reverse("requests_app:intake_form", args=["mail_signed"])).content.decode()
    import re

    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
    assert ids
    for input_id in ids:
        assert f'for="{input_id}"' in page, input_id


@time_machine.travel(TODAY, tick=False)
def test_signed_mail_registration_shows_case_number_due_date_and_explanation(client, staff):
    client.force_login(staff["clerk"])
    response = post_intake(client)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("requests_app:intake_done", args=[case.public_id])
    assert case.received_on == dt.date(2026, 9, 25)
    page = client.get(response["Location"]).content.decode()
    assert "2026-0001" in page
    assert "2026-10-29" in page
    assert "国庆节" in page  # the deadline explanation
    assert "登记回执" in page
    assert case.events.filter(kind="registered").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_errors_name_the_field_in_chinese_keep_the_input_and_save_nothing(client, staff):
    client.force_login(staff["clerk"])
    response = post_intake(
        client, applicant_name="", applicant_id_number="370302198701010000", signed_on=""
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "身份证号码：身份证号码无效" in page
    assert "申请人姓名/名称：此项为必填项" in page
    assert "签收日期：邮寄（需签收）须填写签收日期" in page
    assert 'value="370302198701010000"' in page  # what the user typed is kept
    assert "申请公开2025年本机关政府信息公开工作年度报告" in page
    assert 'aria-invalid="true"' in page
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_future_date_is_refused_next_to_its_field(client, staff):
    client.force_login(staff["clerk"])
    response = client.post(
        reverse("requests_app:intake_form", args=["online"]),
        form_data(confirmed_on="2026-09-29", signed_on=""),
    )
    assert "双方确认收到的日期：日期不能晚于今天" in response.content.decode()
    assert Case.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_attachments_are_checked_before_anything_is_saved(client, staff):
    client.force_login(staff["clerk"])
    data = form_data(
        letter_scan=SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        envelope=SimpleUploadedFile("env.png", PNG, "image/png"),
    )
    response = client.post(reverse("requests_app:intake_form", args=["mail_signed"]), data)
    page = response.content.decode()
    assert "申请书扫描件：文件类型不支持" in page
    assert "需要重新选择" in page
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_oversized_attachment_is_refused(client, staff):
    client.force_login(staff["clerk"])
    big = PDF + b"0" * (10 * 1024 * 1024)
    data = form_data(letter_scan=SimpleUploadedFile("big.pdf", big, "application/pdf"))
    response = client.post(reverse("requests_app:intake_form", args=["mail_signed"]), data)
    assert "申请书扫描件：文件过大" in response.content.decode()
    assert Case.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_attachments_are_stored_with_checksum_and_history(client, staff):
    import hashlib

    client.force_login(staff["clerk"])
    data = form_data(
        letter_scan=SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        envelope=SimpleUploadedFile("envelope.png", PNG, "image/png"),
    )
    response = client.post(reverse("requests_app:intake_form", args=["mail_signed"]), data)
    assert response.status_code == 302
    case = Case.objects.get()
    scans = {a.kind: a for a in case.attachments.all()}
    assert set(scans) == {"letter_scan", "envelope"}
    assert scans["letter_scan"].sha256 == hashlib.sha256(PDF).hexdigest()
    assert scans["letter_scan"].content_type == "application/pdf"
    assert scans["envelope"].content_type == "image/png"
    assert case.events.filter(kind="attachment").count() == 2
    download = client.get(
        reverse(
            "requests_app:case_attachment_download", args=[case.public_id, scans["letter_scan"].pk]
        )
    )
    assert b"".join(download.streaming_content) == PDF


@time_machine.travel(TODAY, tick=False)
def test_organisation_needs_a_valid_credit_code(client, staff):
    client.force_login(staff["clerk"])
    response = post_intake(
        client,
        applicant_type="commercial_enterprise",
        applicant_id_number="",
        applicant_name="某公司",
    )
    assert "统一社会信用代码：法人或其他组织申请须填写统一社会信用代码" in response.content.decode()
    assert Case.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_only_clerks_and_handlers_may_register(client, staff):
    for role in ("approver", "supervisor", "auditor", "administrator"):
        client.force_login(staff[role])
        assert client.get(reverse("requests_app:intake")).status_code == 404
        assert post_intake(client).status_code == 404
    assert Case.objects.count() == 0
    client.force_login(staff["handler"])
    assert client.get(reverse("requests_app:intake")).status_code == 200


def _closed_earlier_case(city, staff, intake, **overrides):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0), tick=False):
        data = intake(signed_on=dt.date(2026, 3, 2), submitted_on=dt.date(2026, 3, 1), **overrides)
        earlier = svc.case_register(agency=city, by=staff["clerk"], data=data)
        close_via_approval(earlier, handler=staff["handler"], approver=staff["approver"])
    earlier.refresh_from_db()
    return earlier


def test_similar_request_by_same_applicant_within_a_year_is_flagged_never_merged(
    client, city, staff, intake
):
    earlier = _closed_earlier_case(city, staff, intake)
    client.force_login(staff["clerk"])
    with time_machine.travel(TODAY, tick=False):
        response = post_intake(
            client, content="申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账！"
        )
        case = Case.objects.exclude(pk=earlier.pk).get()
        done = client.get(response["Location"]).content.decode()
        detail = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert "可能重复申请" in done and "not_processed.repeated" not in done  # no internal keys
    assert reverse("requests_app:case_detail", args=[earlier.public_id]) in done
    assert earlier.case_no in detail.content.decode() and "可能重复申请" in detail.content.decode()
    note = case.events.get(kind="note")
    assert note.changes["possible_repeat_of"] == earlier.case_no
    assert Case.objects.count() == 2 and case.state == "received"


def test_different_text_or_applicant_or_older_than_a_year_is_not_flagged(
    client, city, staff, intake
):
    _closed_earlier_case(city, staff, intake)
    client.force_login(staff["clerk"])
    with time_machine.travel(TODAY, tick=False):
        post_intake(client, content="申请公开本市2026年城市道路维修的招标文件和中标结果。")
        post_intake(client, applicant_id_number=valid_id_number(8))
    assert not CaseEvent.objects.filter(kind="note").exists()
    with time_machine.travel(dt.datetime(2027, 3, 10, 10, 0), tick=False):
        post_intake(client, signed_on="2027-03-09")
    assert not CaseEvent.objects.filter(kind="note").exists()


def test_repeat_by_exact_name_when_no_identity_number(city, staff, intake):
    from requests_app.services.repeats import case_repeat_candidates

    earlier = _closed_earlier_case(city, staff, intake)
    Case.objects.filter(pk=earlier.pk).update(applicant_id_number="")
    with time_machine.travel(TODAY, tick=False):
        other = make_user("clerk2", city, "clerk")
        case = svc.case_create(
            agency=city,
            by=other,
            cleaned={**intake(applicant_id_number=""), "received_on": dt.date(2026, 9, 25)},
            event_kind="registered",
        )
    assert [m.case.pk for m in case_repeat_candidates(case)] == [earlier.pk]


@time_machine.travel(TODAY, tick=False)
def test_clerk_of_several_agencies_chooses_the_receiving_agency(
    client, city, district, other_agency
):
    from agencies.models import Membership

    clerk = make_user("multi", city, "clerk")
    Membership.objects.create(user=clerk, agency=district, role="clerk")
    client.force_login(clerk)
    page = client.get(reverse("requests_app:intake_form", args=["mail_signed"])).content.decode()
    assert '<label for="id_agency">受理机关' in page and other_agency.name not in page
    missing = post_intake(client)
    assert "受理机关：请选择受理机关" in missing.content.decode()
    foreign = post_intake(client, agency=str(other_agency.id))
    assert "受理机关：请选择受理机关" in foreign.content.decode()
    assert Case.objects.count() == 0
    assert post_intake(client, agency=str(district.id)).status_code == 302
    assert Case.objects.get().agency == district


@pytest.mark.parametrize(
    ("channel", "fields", "received"),
    [
        ("in_person", {"submitted_on": "2026-09-28"}, dt.date(2026, 9, 28)),
        (
            "mail_signed",
            {"signed_on": "2026-09-24", "mail_tracking_number": "EMS1"},
            dt.date(2026, 9, 24),
        ),
        ("mail_ordinary", {"confirmed_on": "2026-09-23"}, dt.date(2026, 9, 23)),
        ("online", {"confirmed_on": "2026-09-22"}, dt.date(2026, 9, 22)),
        ("email", {"confirmed_on": "2026-09-21"}, dt.date(2026, 9, 21)),
        ("fax", {"confirmed_on": "2026-09-18"}, dt.date(2026, 9, 18)),
    ],
)
@time_machine.travel(TODAY, tick=False)
def test_each_channel_fixes_the_receipt_date_from_its_own_date(
    client, staff, channel, fields, received
):
    client.force_login(staff["clerk"])
    data = form_data(**{"signed_on": "", "mail_tracking_number": "", **fields})
    response = client.post(reverse("requests_app:intake_form", args=[channel]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.channel, case.received_on) == (channel, received)
