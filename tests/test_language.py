"""Chinese by default whatever the browser asks; English when the user chooses it."""

from django.test import Client


def test_chinese_by_default_even_for_an_english_browser(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/")
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"


def test_english_when_chosen(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.get("/accounts/login/")["Content-Language"] == "en"
