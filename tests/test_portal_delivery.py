"""Electronic delivery and applicant e-mails through a real SMTP server (aiosmtpd on a free local
port, issue 13): the receipt, supplement and reply letters arrive by e-mail with the PDF
attached, each delivery recorded; portal delivery records the first download as the proof of
receipt; a retried task never sends twice."""

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client

from letters import services as letters_svc
from letters.models import Delivery, Letter
from notifications.models import Notification
from portal.tasks import portal_letter_deliver
from requests_app.models import Case
from requests_app.services import cases as svc

from .helpers import close_via_approval
from .portal_support import filing, fresh_limits  # noqa: F401

pytestmark = [pytest.mark.usefixtures("fresh_limits"), pytest.mark.django_db(transaction=True)]

MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "gongkai@zibo.example"
    inbox.controller = controller
    yield inbox
    inbox.controller.stop()


def subject(message) -> str:
    """The decoded subject (a long encoded subject is folded onto a continuation line)."""
    return " ".join(str(message["Subject"]).split())


def pdfs(message) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content())
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def file_online(client, **overrides) -> Case:
    assert client.post("/portal/", filing(**overrides)).status_code == 302
    page = client.get("/portal/filed/").content.decode()
    return Case.objects.get(tracking_code=re.search(r'id="tracking-code">(\w+)<', page).group(1))


def issue_notice(case, kind, approver):
    letter = Letter.objects.get(case=case, kind=kind, state="draft")
    letters_svc.letter_approve(letter_id=letter.pk, by=approver)
    return letters_svc.letter_issue(letter_id=letter.pk, by=approver)


@time_machine.travel(MONDAY, tick=True)
def test_receipt_supplement_and_reply_arrive_by_email_with_the_pdf(city, staff, smtp, soffice):
    address = "wangwu@example.cn"
    case = file_online(Client(), delivery_method="email", applicant_email=address)
    # the receipt confirmed notice, at once
    (rcpt, first), *rest = smtp.messages
    assert rest == [] and rcpt == [address]
    assert subject(first) == "淄博市人民政府办公室已收到您的政府信息公开申请"
    assert "2026年11月02日" in first.get_body().get_content()

    city.clerks_issue_receipts = True  # the clerk issues the 登记回执 (agency setting)
    city.save(update_fields=["clerks_issue_receipts"])
    receipt = letters_svc.receipt_issue(case_id=case.pk, by=staff["clerk"])
    svc.case_request_supplement(
        case_id=case.pk, by=staff["handler"], missing="身份证明复印件", due=dt.date(2026, 11, 20)
    )
    notice = issue_notice(case, "supplement_notice", staff["approver"])
    svc.case_record_supplement(case_id=case.pk, by=staff["handler"])
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply", state="issued")

    subjects = [subject(m) for _, m in smtp.messages]
    assert all(r == [address] for r, _ in smtp.messages)
    for letter in (receipt, notice, reply):
        letter.refresh_from_db()
        title = f"淄博市人民政府办公室：{letter.get_kind_display()}（{letter.number}）"
        assert subjects.count(title) == 1, subjects
        message = next(m for _, m in smtp.messages if subject(m) == title)
        [(name, data)] = pdfs(message)
        assert name == f"{letter.number}.pdf" and data.startswith(b"%PDF-")
        delivery = Delivery.objects.get(letter=letter)
        assert (delivery.method, delivery.email, delivery.recorded_by) == ("email", address, None)
        assert delivery.sent_on == dt.date(2026, 11, 2)
        assert case.events.filter(
            transition="letter_delivery", changes__letter=str(letter.public_id)
        ).exists()
    assert "政府信息公开申请需补正" not in subjects  # text notice has its own subject
    assert "淄博市人民政府办公室请您补正政府信息公开申请" in subjects
    assert (
        "身份证明复印件"
        in next(m for _, m in smtp.messages if subject(m).endswith("请您补正政府信息公开申请"))
        .get_body()
        .get_content()
    )
    sent_before = len(smtp.messages)
    # a retried delivery task sends nothing more and records no second delivery
    portal_letter_deliver.apply(args=[reply.pk])
    assert len(smtp.messages) == sent_before
    assert Delivery.objects.filter(letter=reply).count() == 1
    assert Notification.objects.filter(case_id=case.pk, status="sent").count() == sent_before


@time_machine.travel(MONDAY, tick=True)
def test_portal_delivery_records_the_first_download_as_proof_of_receipt(city, staff, smtp, soffice):
    client = Client()
    case = file_online(client, seed=14)  # phone only: SMS notices, no e-mail
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply", state="issued")
    delivery = Delivery.objects.get(letter=reply)
    assert (delivery.method, delivery.received_on) == ("portal", None)
    sms = Notification.objects.get(case_id=case.pk, kind="letter_issued")
    assert (sms.channel, sms.recipient_address, sms.status) == ("sms", case.applicant_phone, "sent")
    assert smtp.messages == []

    client.post("/portal/track/", {"code": case.tracking_code, "phone_tail": "0014"})
    page = client.get("/portal/track/status/").content.decode()
    link = f"/portal/track/letters/{reply.public_id}/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    delivery.refresh_from_db()
    assert delivery.received_on == dt.date(2026, 11, 2)
    receipt_events = case.events.filter(transition="letter_delivery_receipt")
    assert receipt_events.count() == 1 and receipt_events.get().actor is None
    assert client.get(link).status_code == 200
    assert receipt_events.count() == 1
    # another browser without the code gets nothing
    assert Client().get(link).status_code == 404


@time_machine.travel(MONDAY, tick=True)
def test_postal_delivery_is_left_to_staff(city, staff, smtp, soffice):
    client = Client()
    case = file_online(client, seed=15, delivery_method="post", applicant_address="张店区1号")
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply", state="issued")
    assert not Delivery.objects.filter(letter=reply).exists()
    client.post("/portal/track/", {"code": case.tracking_code, "phone_tail": "0015"})
    assert (
        f"/portal/track/letters/{reply.public_id}/"
        not in client.get("/portal/track/status/").content.decode()
    )
    assert client.get(f"/portal/track/letters/{reply.public_id}/").status_code == 404


@time_machine.travel(MONDAY, tick=True)
def test_an_unreachable_mail_server_fails_the_row_and_a_retry_sends_once(
    city, staff, smtp, soffice, settings
):
    address = "li@example.cn"
    case = file_online(Client(), seed=16, delivery_method="email", applicant_email=address)
    smtp.controller.stop()  # the mail server is down while the reply is issued
    close_via_approval(case, handler=staff["handler"], approver=staff["approver"])
    reply = Letter.objects.get(case=case, kind="reply", state="issued")
    row = Notification.objects.get(case_id=case.pk, kind="letter_issued")
    assert row.status == "failed" and row.attempts >= 1 and row.last_error
    assert not Delivery.objects.filter(letter=reply).exists()
    smtp.controller = Controller(smtp, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    smtp.controller.start()  # the server is back
    portal_letter_deliver.apply(args=[reply.pk])
    portal_letter_deliver.apply(args=[reply.pk])
    row.refresh_from_db()
    assert row.status == "sent"
    assert [subject(m) for _, m in smtp.messages].count(row.subject) == 1
    assert Delivery.objects.filter(letter=reply, method="email").count() == 1
