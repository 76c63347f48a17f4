"""Login resists guessing (issue 10, item 3): lockout by user and by address with django-axes,
logged and lifted by an administrator; Django's password validators; TOTP once enrolled."""

import datetime as dt
import logging
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import MSG_OTP_INVALID, MSG_OTP_REQUIRED

from .conftest import make_user

PASSWORD = "pw-12345678"
LOGIN = "/accounts/login/"


def login(client, username, password=PASSWORD, **extra):
    data = {"username": username, "password": password}
    data.update({k: v for k, v in extra.items() if not k.isupper()})
    meta = {k: v for k, v in extra.items() if k.isupper()}
    return client.post(LOGIN, data, **meta)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def totp_now(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_the_right_password_is_refused_after_repeated_failures(city, caplog):
    user = make_user("zhang", city, "handler")
    client = Client()
    with caplog.at_level(logging.INFO, logger="ogi.security"):
        codes = [login(client, "zhang", "wrong-guess").status_code for _ in range(5)]
    assert codes[:4] == [200] * 4 and codes[4] == 429
    response = login(client, "zhang")
    assert response.status_code == 429 and not logged_in(client)
    assert "账号已暂时锁定" in response.content.decode()
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5
    assert "login locked: user=zhang address=127.0.0.1" in caplog.text


def test_the_lock_follows_the_user_name_from_any_address(city):
    make_user("li", city, "handler")
    client = Client()
    for n in range(5):
        login(client, "li", "wrong-guess", REMOTE_ADDR=f"203.0.113.{n}")
    assert login(client, "li", REMOTE_ADDR="203.0.113.99").status_code == 429
    assert not logged_in(client)


def test_an_address_guessing_many_names_is_locked_and_spoofing_does_not_help(city):
    make_user("wang", city, "handler")
    client = Client()
    for n in range(5):
        login(client, f"nobody{n}", "wrong-guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = login(client, "wang", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429 and not logged_in(client)
    # Another address is not affected.
    assert login(Client(), "wang", REMOTE_ADDR="203.0.113.5").status_code == 302


def test_the_lock_ends_after_the_cool_off(city):
    make_user("zhao", city, "handler")
    start = dt.datetime(2026, 9, 28, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            login(Client(), "zhao", "wrong-guess")
        assert login(Client(), "zhao").status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        client = Client()
        assert login(client, "zhao").status_code == 302 and logged_in(client)


def test_an_administrator_unlocks_an_account_and_it_is_logged(city, caplog):
    make_user("qian", city, "handler")
    for _ in range(5):
        login(Client(), "qian", "wrong-guess", REMOTE_ADDR="203.0.113.8")
    assert login(Client(), "qian", REMOTE_ADDR="203.0.113.9").status_code == 429
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    user = get_user_model().objects.get(username="qian")
    with caplog.at_level(logging.INFO, logger="ogi.security"):
        response = admin.post(
            "/admin/auth/user/",
            {"action": "unlock_login", "_selected_action": [user.pk]},
        )
    assert response.status_code == 302
    assert "login unlocked by administrator: user=qian by=root" in caplog.text
    assert "login lock lifted: user=qian" in caplog.text
    client = Client()
    assert login(client, "qian", REMOTE_ADDR="203.0.113.9").status_code == 302
    assert logged_in(client)


def test_the_admin_lists_login_attempts(city):
    login(Client(), "ghost", "wrong-guess")
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    response = admin.get("/admin/axes/accessattempt/")
    assert response.status_code == 200 and "ghost" in response.content.decode()


@pytest.mark.parametrize(
    "password", ["12345678", "123456789012", "password123", "qian-lixin-2026x"]
)
def test_weak_passwords_are_refused_when_an_administrator_creates_a_user(db, password):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    admin = Client()
    admin.force_login(root)
    response = admin.post(
        "/admin/auth/user/add/",
        {
            "username": "qian-lixin",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="qian-lixin").exists()
    response = admin.post(
        "/admin/auth/user/add/",
        {
            "username": "qian-lixin",
            "password1": "harbor-Tiger-57q",
            "password2": "harbor-Tiger-57q",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="qian-lixin").exists()


def test_the_demo_password_passes_the_validators(db):
    for username in ("clerk", "handler", "approver", "supervisor", "lawyer", "admin"):
        validate_password("demo-pass-2026", get_user_model()(username=username))
    with pytest.raises(ValidationError):
        validate_password("12345678")


@pytest.fixture
def enrolled(city):
    user = make_user("sun", city, "approver")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_once_enrolled_login_needs_the_code(enrolled):
    user, device = enrolled
    client = Client()
    response = login(client, "sun")
    assert response.status_code == 200 and not logged_in(client)
    assert MSG_OTP_REQUIRED in response.content.decode()
    response = login(client, "sun", otp_token=totp_now(device))
    assert response.status_code == 302 and logged_in(client)
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_wrong_code_is_refused_and_counts_as_a_failure(enrolled):
    client = Client()
    response = login(client, "sun", otp_token="000000")
    assert response.status_code == 200 and not logged_in(client)
    assert MSG_OTP_INVALID in response.content.decode()
    assert AccessAttempt.objects.get(username="sun").failures_since_start == 1


def test_users_without_a_device_log_in_with_the_password_alone(city):
    make_user("zhou", city, "approver")
    client = Client()
    assert login(client, "zhou").status_code == 302 and logged_in(client)


def test_the_admin_login_goes_through_the_one_login_page(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_enrolment_shows_the_secret_and_a_code_confirms_it(city):
    user = make_user("wu", city, "administrator")
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/otp/").content.decode()
    assert "otpauth://totp/" in page and '<svg width="' in page  # QR drawn here, inline
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/accounts/otp/", {"token": "000000"}).status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5), tick=False):
        device.refresh_from_db()
        response = client.post("/accounts/otp/", {"token": totp_now(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # From now on the password alone does not log in.
    other = Client()
    assert login(other, "wu").status_code == 200 and not logged_in(other)


def test_the_roles_named_in_settings_must_enrol(city, settings):
    settings.OTP_REQUIRED_FOR_ROLES = ["administrator", "approver"]
    approver = make_user("zheng", city, "approver")
    clerk = make_user("feng", city, "clerk")
    client = Client()
    client.force_login(approver)
    response = client.get("/worklist/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    client.force_login(clerk)
    assert client.get("/worklist/").status_code == 200
