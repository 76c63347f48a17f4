"""Batch work on the worklist: each case through its own service (permissions, rules, one
history row each), a failure reported per case and saving nothing for that case."""

import datetime as dt
import io

import pikepdf
import pytest
import time_machine
from django.urls import reverse

from common.errors import MSG_NOT_PERMITTED
from letters import services as letters_svc
from letters.models import Delivery, Letter
from office import batch
from requests_app import rules
from requests_app.models import CaseEvent
from requests_app.services import cases as svc
from tests.conftest import make_user
from tests.helpers import close_via_approval

NOW = dt.datetime(2026, 10, 12, 10, 0)
URL = reverse("office:worklist_batch")
needs_soffice = pytest.mark.usefixtures("soffice")


def _register(city, staff, intake, n, **data):
    return [
        svc.case_register(
            agency=city, by=staff["clerk"], data=intake(applicant_name=f"申请人{i}", **data)
        )
        for i in range(n)
    ]


@time_machine.travel(NOW, tick=False)
def test_batch_assignment_reports_each_case_and_writes_one_history_row_each(
    client, city, staff, intake, other_agency, media_root
):
    first, second, closed = _register(city, staff, intake, 3)
    close_via_approval(closed, handler=staff["handler"], approver=staff["approver"])
    foreign = svc.case_register(
        agency=other_agency,
        by=make_user("other-clerk", other_agency, "clerk"),
        data=intake(),
    )
    client.force_login(staff["approver"])
    keys = [str(c.public_id) for c in (first, second, closed, foreign)] + ["not-a-uuid"]
    response = client.post(URL, {"action": "assign", "handler": staff["handler"].id, "cases": keys})
    assert response.status_code == 200
    result = response.context["result"]
    outcome = {row.label: (row.ok, row.message) for row in result.results}
    assert outcome[first.case_no] == (True, "已指定承办人")
    assert outcome[second.case_no] == (True, "已指定承办人")
    assert outcome[closed.case_no] == (False, rules.MSG_ASSIGN_CLOSED)
    assert outcome[str(foreign.public_id)] == (False, batch.MSG_NOT_FOUND)
    assert outcome["not-a-uuid"] == (False, batch.MSG_NOT_FOUND)
    for case in (first, second):
        case.refresh_from_db()
        assert case.handler == staff["handler"]
        assert CaseEvent.objects.filter(case=case, reason="批量指定承办人").count() == 1
    foreign.refresh_from_db()
    assert foreign.handler is None
    html = response.content.decode()
    assert "成功 <b>2</b> 件，未完成 <b>3</b> 件" in html


@time_machine.travel(NOW, tick=False)
def test_a_handler_cannot_assign_cases_to_someone_else(client, city, staff, intake, media_root):
    cases = _register(city, staff, intake, 2)
    colleague = make_user("colleague", city, "handler")
    client.force_login(staff["handler"])
    response = client.post(
        URL,
        {"action": "assign", "handler": colleague.id, "cases": [str(c.public_id) for c in cases]},
    )
    assert all(not row.ok for row in response.context["result"].results)
    assert not CaseEvent.objects.filter(case__in=cases, kind="edit").exists()


@time_machine.travel(NOW, tick=False)
def test_nothing_ticked_says_so(client, city, staff):
    client.force_login(staff["approver"])
    response = client.post(URL, {"action": "assign", "handler": staff["handler"].id}, follow=True)
    assert batch.MSG_NO_CASES in response.content.decode()


@needs_soffice
@time_machine.travel(NOW, tick=False)
def test_batch_receipts_issue_and_print_one_pdf(client, city, staff, intake, media_root):
    city.clerks_issue_receipts = True
    city.save()
    cases = _register(city, staff, intake, 3)
    letters_svc.receipt_issue(case_id=cases[0].id, by=staff["clerk"])  # one already issued
    client.force_login(staff["clerk"])
    response = client.post(URL, {"action": "receipts", "cases": [str(c.public_id) for c in cases]})
    assert response["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) >= 3
    assert Letter.objects.filter(case__in=cases, kind="receipt", state="issued").count() == 3
    for case in cases:  # one issue row per case, none for the reprint
        assert CaseEvent.objects.filter(case=case, transition="letter_issue").count() == 1


@time_machine.travel(NOW, tick=False)
def test_batch_receipts_refused_where_clerks_may_not_issue_them(
    client, city, staff, intake, media_root
):
    cases = _register(city, staff, intake, 2)
    client.force_login(staff["clerk"])
    response = client.post(URL, {"action": "receipts", "cases": [str(c.public_id) for c in cases]})
    rows = response.context["result"].results
    assert [row.message for row in rows] == [MSG_NOT_PERMITTED] * 2
    assert not Letter.objects.filter(case__in=cases).exists()  # no draft left behind


@needs_soffice
@time_machine.travel(NOW, tick=False)
def test_batch_envelopes_report_cases_without_an_issued_letter(
    client, city, staff, intake, media_root
):
    city.clerks_issue_receipts = True
    city.save()
    with_letter, without = _register(city, staff, intake, 2)
    letters_svc.receipt_issue(case_id=with_letter.id, by=staff["clerk"])
    client.force_login(staff["clerk"])
    keys = [str(with_letter.public_id), str(without.public_id)]
    response = client.post(URL, {"action": "envelopes", "cases": keys})
    result = response.context["result"]
    assert [(r.label, r.ok) for r in result.results] == [
        (with_letter.case_no, True),
        (without.case_no, False),
    ]
    assert result.failed[0].message == batch.MSG_NO_LETTER
    assert "打印成功的 1 件" in response.content.decode()
    # Printing the succeeded ones gives the PDF.
    again = client.post(URL, {"action": "envelopes", "cases": [keys[0]]})
    assert again["Content-Type"] == "application/pdf"


@time_machine.travel(NOW, tick=False)
def test_batch_postal_deliveries_one_tracking_number_per_case(
    client, city, staff, intake, media_root
):
    city.clerks_issue_receipts = True
    city.save()
    first, second = _register(city, staff, intake, 2)
    receipts = [
        letters_svc.receipt_issue(case_id=case.id, by=staff["clerk"]) for case in (first, second)
    ]
    client.force_login(staff["clerk"])
    keys = [str(first.public_id), str(second.public_id)]
    form = client.post(URL, {"action": "deliveries", "cases": keys})
    html = form.content.decode()
    assert f'name="tracking-{keys[0]}"' in html and receipts[0].number in html
    response = client.post(
        URL,
        {
            "action": "deliveries",
            "step": "record",
            "sent_on": NOW.date().isoformat(),
            "cases": keys,
            f"letter-{keys[0]}": str(receipts[0].public_id),
            f"tracking-{keys[0]}": "EMS1000000001",
            f"letter-{keys[1]}": str(receipts[1].public_id),
            f"tracking-{keys[1]}": "",
        },
    )
    rows = response.context["result"].results
    assert rows[0].ok and not rows[1].ok
    assert rows[1].message == letters_svc.MSG_TRACKING_REQUIRED
    delivery = Delivery.objects.get()
    assert (delivery.letter, delivery.tracking_number, delivery.method) == (
        receipts[0],
        "EMS1000000001",
        "post",
    )
    assert CaseEvent.objects.filter(case=first, transition="letter_delivery").count() == 1
    assert not CaseEvent.objects.filter(case=second, transition="letter_delivery").exists()
    # A letter of another case cannot be slipped in.
    stolen = client.post(
        URL,
        {
            "action": "deliveries",
            "step": "record",
            "sent_on": NOW.date().isoformat(),
            "cases": [keys[1]],
            f"letter-{keys[1]}": str(receipts[0].public_id),
            f"tracking-{keys[1]}": "EMS1000000002",
        },
    )
    assert stolen.context["result"].results[0].message == batch.MSG_NO_LETTER
    assert Delivery.objects.count() == 1
