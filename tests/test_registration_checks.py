"""Registration defects of issue 11 (2 and 7) and ordinary mail (issue 9 item 6): unusual
receipt dates need an explicit confirmation, registration dates can be corrected until a letter
is issued, a later confirmation of ordinary mail needs a reason shown in the deadline
explanation, ID numbers born in the future are refused, a second registration of an open
request is flagged, online intake answers online, required fields are marked."""

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from letters import services as letters_svc
from requests_app.models import Case, CaseEvent
from requests_app.rules import id_number_check_char, id_number_problem
from requests_app.services import cases as svc
from requests_app.services.deadlines import case_deadline
from requests_app.services.intake import IntakeInvalid
from requests_app.services.repeats import case_repeat_candidates
from tests.conftest import valid_id_number
from tests.test_web_intake import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clerks_sign_off_receipts(city):
    """This agency lets its clerks issue receipts themselves (issue 11: an agency setting)."""
    city.clerks_issue_receipts = True
    city.save(update_fields=["clerks_issue_receipts"])


TODAY = dt.datetime(2026, 11, 30, 10, 0)
D = dt.date


def intake_without_flag(intake, **overrides):
    data = intake(**overrides)
    data.pop("receipt_date_confirmed")
    return data


# --- unusual receipt dates -----------------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("signed_on", "why"),
    [(D(2019, 11, 28), "不在今年"), (D(2026, 10, 20), "已是41天前")],
)
def test_an_unusual_receipt_date_needs_the_confirmation(city, staff, intake, signed_on, why):
    data = intake_without_flag(intake, submitted_on=signed_on, signed_on=signed_on)
    with pytest.raises(IntakeInvalid) as refused:
        svc.case_register(agency=city, by=staff["clerk"], data=data)
    assert why in refused.value.errors["receipt_date_confirmed"]
    assert Case.objects.count() == 0
    case = svc.case_register(
        agency=city, by=staff["clerk"], data={**data, "receipt_date_confirmed": True}
    )
    assert case.received_on == signed_on


@time_machine.travel(TODAY, tick=False)
def test_a_recent_receipt_date_needs_no_confirmation(city, staff, intake):
    data = intake_without_flag(intake, submitted_on=D(2026, 11, 2), signed_on=D(2026, 11, 2))
    assert svc.case_register(agency=city, by=staff["clerk"], data=data).case_no == "2026-0001"


@time_machine.travel(TODAY, tick=False)
def test_the_web_form_shows_the_checkbox_with_a_warning(client, staff):
    client.force_login(staff["clerk"])
    url = reverse("requests_app:intake_form", args=["mail_signed"])
    first = client.get(url).content.decode()
    assert 'name="receipt_date_confirmed"' not in first
    refused = client.post(url, form_data(signed_on="2019-11-28"))
    page = refused.content.decode()
    assert refused.status_code == 200 and Case.objects.count() == 0
    assert 'id="receipt-date-warning"' in page and "我已核对收到日期" in page
    assert "不在今年" in page
    done = client.post(url, form_data(signed_on="2019-11-28", receipt_date_confirmed="on"))
    assert done.status_code == 302
    assert Case.objects.get().case_no == "2019-0001"


@time_machine.travel(TODAY, tick=False)
def test_the_api_takes_an_explicit_flag(city, staff):
    api = APIClient()
    api.force_authenticate(staff["clerk"])
    body = {
        "agency": "CITY-OFFICE",
        "channel": "in_person",
        "submitted_on": "2019-11-28",
        "applicant_type": "natural_person",
        "applicant_name": "王五",
        "applicant_id_number": valid_id_number(3),
        "applicant_address": "淄博市张店区",
        "content": "申请公开某文件",
    }
    refused = api.post("/api/v1/requests/", body, format="json")
    assert refused.status_code == 400
    assert "receipt_date_confirmed" in refused.json()["error"]["fields"]
    done = api.post("/api/v1/requests/", {**body, "receipt_date_confirmed": True}, format="json")
    assert done.status_code == 201, done.content


# --- correcting a registration error -------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
def test_a_clerk_corrects_the_receipt_date_with_a_reason_until_a_letter_is_issued(
    city, staff, intake
):
    typo = D(2019, 11, 27)
    case = svc.case_register(
        agency=city, by=staff["clerk"], data=intake(submitted_on=typo, signed_on=typo)
    )
    assert case.case_no == "2019-0001"
    with pytest.raises(Exception) as no_reason:
        svc.case_correct_registration(
            case_id=case.id, by=staff["clerk"], changes={"signed_on": D(2026, 11, 27)}, reason=""
        )
    assert getattr(no_reason.value, "field", None) == "reason"
    svc.case_correct_registration(
        case_id=case.id,
        by=staff["clerk"],
        changes={"submitted_on": D(2026, 11, 25), "signed_on": D(2026, 11, 27)},
        reason="登记时年份误录为2019",
    )
    case.refresh_from_db()
    assert case.received_on == D(2026, 11, 27) and case.year == 2026
    assert case.case_no == "2026-0001" and case.reply_due > D(2026, 12, 1)
    assert case.clock_events.get(kind="receipt").on == D(2026, 11, 27)
    edit = case.events.filter(kind="edit").latest("id")
    assert edit.reason == "登记时年份误录为2019"
    assert edit.changes["received_on"] == ["2019-11-27", "2026-11-27"]
    assert edit.changes["case_no"] == ["2019-0001", "2026-0001"]

    receipt = letters_svc.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    letters_svc.letter_approve(letter_id=receipt.id, by=staff["clerk"])
    letters_svc.letter_issue(letter_id=receipt.id, by=staff["clerk"])
    with pytest.raises(Exception) as late:
        svc.case_correct_registration(
            case_id=case.id,
            by=staff["clerk"],
            changes={"signed_on": D(2026, 11, 26)},
            reason="再改",
        )
    assert "作废" in str(late.value)


@time_machine.travel(TODAY, tick=False)
def test_the_edit_page_corrects_dates_and_asks_to_confirm_an_unusual_one(
    client, city, staff, intake
):
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(submitted_on=None, signed_on=D(2026, 11, 24)),
    )
    client.force_login(staff["clerk"])
    url = reverse("requests_app:case_edit", args=[case.public_id])
    base = {
        "form": "dates",
        "dates-signed_on": "2025-11-24",
        "dates-mail_tracking_number": case.mail_tracking_number,
        "dates-reason": "签收日期误录",
        "dates-expected_version": case.version,
    }
    refused = client.post(url, base)
    assert refused.status_code == 200 and "我已核对收到日期" in refused.content.decode()
    assert Case.objects.get(pk=case.pk).received_on == D(2026, 11, 24)
    done = client.post(url, {**base, "dates-signed_on": "2026-11-25"})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).received_on == D(2026, 11, 25)


# --- ordinary mail (Art. 31(2)) ---------------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
def test_ordinary_mail_is_received_on_arrival_and_a_later_confirmation_needs_a_reason(
    city, staff, intake
):
    data = intake(
        channel="mail_ordinary", submitted_on=D(2026, 11, 23), signed_on=None, confirmed_on=None
    )
    on_arrival = svc.case_register(agency=city, by=staff["clerk"], data=data)
    assert on_arrival.received_on == D(2026, 11, 23)
    later = {**data, "confirmed_on": D(2026, 11, 25), "applicant_name": "李四"}
    with pytest.raises(IntakeInvalid) as refused:
        svc.case_register(agency=city, by=staff["clerk"], data=later)
    assert "须写明未能当日确认的原因" in refused.value.errors["confirmation_delay_reason"]
    case = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data={**later, "confirmation_delay_reason": "到达当日申请人电话无人接听"},
    )
    assert case.received_on == D(2026, 11, 25)
    steps = "\n".join(case_deadline(case).steps)
    assert "平信于2026-11-23到达，2026-11-25才与申请人确认收到" in steps
    assert "到达当日申请人电话无人接听" in steps
    registered = case.events.get(kind="registered")
    assert "到达当日申请人电话无人接听" in registered.changes["receipt_note"]


# --- defect 7 -----------------------------------------------------------------------------------
def test_an_id_number_born_in_the_future_is_refused():
    first17 = "37030220300101001"
    future = first17 + id_number_check_char(first17)
    assert id_number_problem(future, D(2026, 11, 30)) == (
        "身份证号码中的出生日期（2030-01-01）晚于今天，请核对"
    )
    assert id_number_problem(valid_id_number(7), D(2026, 11, 30)) is None


@time_machine.travel(TODAY, tick=False)
def test_a_second_registration_of_an_open_request_is_flagged(city, staff, intake):
    first = svc.case_register(
        agency=city, by=staff["clerk"], data=intake(signed_on=D(2026, 11, 26))
    )
    second = svc.case_register(
        agency=city, by=staff["clerk"], data=intake(signed_on=D(2026, 11, 27))
    )
    assert [m.case for m in case_repeat_candidates(second)] == [first]
    note = CaseEvent.objects.get(case=second, kind="note")  # written on registration
    assert "尚在办理" in note.reason and "not_processed" not in note.reason


@time_machine.travel(TODAY, tick=False)
def test_online_intake_defaults_to_online_delivery_and_registers_first_time(client, staff):
    client.force_login(staff["clerk"])
    url = reverse("requests_app:intake_form", args=["online"])
    page = client.get(url).content.decode()
    assert '<option value="portal" selected>' in page
    data = form_data(confirmed_on="2026-11-30", delivery_method="portal", applicant_address="")
    data.pop("signed_on")
    assert client.post(url, data).status_code == 302


class Required(HTMLParser):
    def __init__(self):
        super().__init__()
        self.required: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("input", "select", "textarea") and "required" in values:
            self.required.add(values.get("name"))


@time_machine.travel(TODAY, tick=False)
def test_required_fields_are_marked(client, staff):
    client.force_login(staff["clerk"])
    page = client.get(reverse("requests_app:intake_form", args=["mail_signed"])).content.decode()
    parser = Required()
    parser.feed(page)
    assert {"signed_on", "mail_tracking_number", "applicant_type", "applicant_name"} <= (
        parser.required
    )
    assert "content" in parser.required and "applicant_phone" not in parser.required
    assert page.count('<span class="req" aria-hidden="true">*</span>') >= 5


@time_machine.travel(TODAY, tick=False)
def test_required_fields_are_marked_on_the_edit_page(client, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["clerk"])
    page = client.get(reverse("requests_app:case_edit", args=[case.public_id])).content.decode()
    parser = Required()
    parser.feed(page)
    assert {"applicant_name", "content", "reason", "dates-signed_on", "dates-reason"} <= (
        parser.required
    )
