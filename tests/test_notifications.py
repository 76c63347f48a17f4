"""Notifications (issue 13): one row per recipient and channel, never sent twice, the user's
choice of e-mail or in-app only, the in-app list with its unread count, the SMS gateway's
logging backend, the e-mail settings, and the morning reminders' contents."""

import datetime as dt
import logging
import subprocess
import sys

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client

from notifications import reminders
from notifications.models import Notification
from notifications.services import notify_applicant, notify_user, preference_set
from requests_app.models import Case
from requests_app.services import cases as svc

from .conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)  # messages go out after the commit

TUESDAY = dt.datetime(2026, 9, 29, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def handler(staff):
    user = staff["handler"]
    user.email = "handler@zibo.example"
    user.save(update_fields=["email"])
    return user


def test_notify_user_records_one_row_per_channel_and_never_sends_twice(handler):
    for _ in range(3):
        notify_user(handler, kind="digest", subject="提醒", body="内容", dedupe_key="k1")
    rows = Notification.objects.filter(recipient_user=handler).order_by("channel")
    assert [(r.channel, r.status, r.attempts) for r in rows] == [
        ("email", "sent", 1),
        ("in_app", "sent", 1),
    ]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["handler@zibo.example"]


def test_in_app_only_users_get_no_email(handler):
    preference_set(user=handler, preference="in_app")
    notify_user(handler, kind="digest", subject="提醒", body="内容", dedupe_key="k2")
    assert list(Notification.objects.values_list("channel", flat=True)) == ["in_app"]
    assert mail.outbox == []


def test_sending_waits_for_the_commit_and_a_rollback_sends_nothing(handler):
    with transaction.atomic():
        notify_user(handler, kind="digest", subject="提醒", body="内容", dedupe_key="k3")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    try:
        with transaction.atomic():
            notify_user(handler, kind="digest", subject="回滚", body="内容", dedupe_key="k4")
            raise RuntimeError
    except RuntimeError:
        pass
    assert len(mail.outbox) == 1 and not Notification.objects.filter(subject="回滚").exists()


def test_applicants_without_email_get_an_sms_through_the_logging_gateway(
    city, staff, intake, caplog
):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    with caplog.at_level(logging.INFO, logger="ogi.sms"):
        notify_applicant(case, kind="extension", subject="延期", body="正文", dedupe_key="a1")
        notify_applicant(case, kind="extension", subject="延期", body="正文", dedupe_key="a1")
    [row] = Notification.objects.filter(case_id=case.pk)
    assert (row.channel, row.recipient_address, row.status) == ("sms", "13800001111", "sent")
    assert [r.getMessage() for r in caplog.records] == ["SMS to 13800001111: 延期：正文"]


def test_the_inbox_lists_in_app_messages_and_the_nav_counts_the_unread(handler, staff):
    notify_user(handler, kind="digest", subject="三件临近期限", body="2026-0001", dedupe_key="n1")
    notify_user(staff["clerk"], kind="digest", subject="别人的", body="x", dedupe_key="n1")
    client = Client()
    client.force_login(handler)
    page = client.get("/notifications/").content.decode()
    assert "三件临近期限" in page and "别人的" not in page
    assert 'id="unread-count"' in page and ">1</span>" in page
    client.post("/notifications/read/")
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()
    client.post("/notifications/preference/", {"preference": "in_app"})
    assert handler.notification_preference.preference == "in_app"
    assert Client().get("/notifications/").status_code == 302  # login required


def _mail_settings(tmp_path, **env) -> list[str]:
    """The e-mail settings as a fresh process reads them from its environment."""
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup();from django.conf import settings as s;"
        "print(s.EMAIL_BACKEND, getattr(s, 'EMAIL_FILE_PATH', '') or '-', s.EMAIL_HOST, s.EMAIL_PORT)"
    )
    base = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "DATABASE_URL": "sqlite://"}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def test_mail_goes_to_files_by_default_and_to_the_server_named_by_email_url(tmp_path):
    assert _mail_settings(tmp_path) == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
        "localhost",
        "25",
    ]
    assert _mail_settings(tmp_path, EMAIL_URL="smtp://mailer:secret@10.1.2.3:2525") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "-",
        "10.1.2.3",
        "2525",
    ]


def _case(city, clerk, intake, handler, due: dt.date, **extra) -> Case:
    case = svc.case_register(agency=city, by=clerk, data=intake())
    Case.objects.filter(pk=case.pk).update(handler=handler, reply_due=due, **extra)
    return Case.objects.get(pk=case.pk)


@time_machine.travel(TUESDAY, tick=False)
def test_the_digest_counts_working_days_across_the_national_day_week(city, staff, intake, handler):
    """Tuesday 29 September 2026: the next three working days are 30 Sep, 8 and 9 Oct (1–7
    October are off); Saturday 10 October, a make-up working day, is the fourth."""
    clerk = staff["clerk"]
    due = {
        "overdue": _case(city, clerk, intake, handler, dt.date(2026, 9, 25)),
        "sep30": _case(city, clerk, intake, handler, dt.date(2026, 9, 30)),
        "oct9": _case(city, clerk, intake, handler, dt.date(2026, 10, 9)),
        "oct10": _case(city, clerk, intake, handler, dt.date(2026, 10, 10)),
        "stopped": _case(city, clerk, intake, handler, dt.date(2026, 9, 30), clock_stopped=True),
    }
    grouped = reminders.digest_cases(dt.date(2026, 9, 29))
    assert [c.pk for c in grouped[handler.pk]] == [
        due["overdue"].pk,
        due["sep30"].pk,
        due["oct9"].pk,
    ]
    result = reminders.morning_reminders(dt.date(2026, 9, 29))
    assert result["digests"] == 1
    again = reminders.morning_reminders(dt.date(2026, 9, 29))
    assert again["digests"] == 1  # asked again …
    rows = Notification.objects.filter(kind="digest", recipient_user=handler)
    assert rows.count() == 2 and len(mail.outbox) == 1  # … sent once (in-app + e-mail)
    body = rows.get(channel="email").body
    assert due["oct9"].case_no in body and due["oct10"].case_no not in body
    assert "已逾期 2 个工作日" in body
    assert reminders.morning_reminders(dt.date(2026, 10, 3)) == {"skipped": 1}


@time_machine.travel(TUESDAY, tick=False)
def test_escalation_reaches_the_supervisors_above_once_per_case(
    city, district, staff, intake, handler, settings
):
    settings.ESCALATION_OVERDUE_DAYS = 3
    district_handler = make_user("zd-handler", district, "handler")
    zd_clerk = make_user("zd-clerk", district, "clerk")
    late = _case(district, zd_clerk, intake, district_handler, dt.date(2026, 9, 22))  # 5 days
    _case(district, zd_clerk, intake, district_handler, dt.date(2026, 9, 25))  # 2: not yet
    outsider = make_user("other-supervisor", None)
    reminders.morning_reminders(dt.date(2026, 9, 29))
    reminders.morning_reminders(dt.date(2026, 9, 29))
    escalated = Notification.objects.filter(kind="escalation", channel="in_app")
    assert [(n.recipient_user, late.case_no in n.subject) for n in escalated] == [
        (staff["supervisor"], True)
    ]
    assert not Notification.objects.filter(recipient_user=outsider).exists()
    supervision = Notification.objects.get(
        kind="supervision", channel="in_app", recipient_user=staff["supervisor"]
    )
    assert "张店区人民政府：逾期 2 件" in supervision.body


@time_machine.travel(TUESDAY, tick=False)
def test_the_digest_lists_a_stopped_case_whose_deadline_ran_out_as_overdue(
    city, staff, intake, handler
):
    """Overdue as requests_app/timeliness.py says (issue 12): a deadline that ran out before
    the clock stopped stays overdue, in the digest as on the worklist badge."""
    clerk = staff["clerk"]
    ran_out = _case(city, clerk, intake, handler, dt.date(2026, 9, 25), clock_stopped=True)
    grouped = reminders.digest_cases(dt.date(2026, 9, 29))
    assert [c.pk for c in grouped[handler.pk]] == [ran_out.pk]
