"""The receipt while the applicant waits: where the agency allows it, a clerk issues the 登记回执
in one click and prints it as PDF; elsewhere the clerk cannot sign receipts off."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from common.errors import MSG_NOT_PERMITTED
from letters import services
from letters.models import Letter
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

NOW = dt.datetime(2026, 9, 28, 10, 0)


@time_machine.travel(NOW, tick=False)
def test_a_clerk_cannot_issue_a_receipt_unless_the_agency_allows_it(
    city, staff, intake, media_root
):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with pytest.raises(services.LetterNotPermitted):
        services.receipt_issue(case_id=case.id, by=staff["clerk"])
    assert not Letter.objects.filter(case=case).exists()  # nothing half-saved
    assert not CaseEvent.objects.filter(case=case, kind="letter").exists()
    assert "clerk" not in services.letter_action_roles("issue_receipt", city)


@time_machine.travel(NOW, tick=False)
def test_a_clerk_issues_the_receipt_in_one_step_where_the_agency_allows_it(
    city, staff, intake, media_root
):
    city.clerks_issue_receipts = True
    city.save()
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    letter = services.receipt_issue(case_id=case.id, by=staff["clerk"], reason="当场出具")
    assert (letter.kind, letter.state, letter.render_status) == ("receipt", "issued", "generated")
    assert letter.issued_by == letter.approved_by == letter.created_by == staff["clerk"]
    assert letter.number == "淄政办信复回执〔2026〕1号"
    verbs = list(
        CaseEvent.objects.filter(case=case, kind="letter")
        .order_by("id")
        .values_list("transition", flat=True)
    )
    assert verbs == ["letter_draft", "letter_approve", "letter_issue", "letter_render"]
    # A second click reprints the same receipt.
    assert services.receipt_issue(case_id=case.id, by=staff["clerk"]).pk == letter.pk
    assert Letter.objects.filter(case=case).count() == 1
    # Other letters still need the approver.
    reply_roles = services.letter_action_roles("issue", city)
    assert "clerk" not in reply_roles


@time_machine.travel(NOW, tick=False)
def test_the_receipt_button_prints_a_pdf(client, city, staff, intake, media_root):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["clerk"])
    page = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert 'id="receipt-print"' not in page.content.decode()  # not allowed: not offered
    city.clerks_issue_receipts = True
    city.save()
    page = client.get(reverse("requests_app:case_detail", args=[case.public_id]))
    assert 'id="receipt-print"' in page.content.decode()
    response = client.post(reverse("letters:case_receipt_print", args=[case.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert f"{case.case_no}_" in response["Content-Disposition"]
    assert Letter.objects.get(case=case).state == "issued"


@time_machine.travel(NOW, tick=False)
def test_a_refused_receipt_click_says_why(client, city, staff, intake, media_root):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    client.force_login(staff["clerk"])
    response = client.post(
        reverse("letters:case_receipt_print", args=[case.public_id]), follow=True
    )
    assert MSG_NOT_PERMITTED in response.content.decode()
    assert not Letter.objects.filter(case=case).exists()
