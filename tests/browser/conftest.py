"""Headless Debian chromium driven by Playwright's sync API against pytest-django's live
server. A missing chromium fails the tests (it is installed by `make browser-deps`)."""

import atexit
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "pw-12345678"  # tests.conftest.make_user

# The sync Playwright API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


_RUNNING: dict = {}


def _stop() -> None:
    browser, playwright = _RUNNING.pop("browser", None), _RUNNING.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


def chromium_launch():
    """One Playwright and one chromium per test process, shared by every module that uses
    these fixtures (two sync Playwright instances cannot run in one thread)."""
    if "browser" not in _RUNNING:
        if not os.access(CHROMIUM, os.X_OK):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _RUNNING["playwright"] = playwright
        _RUNNING["browser"] = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        atexit.register(_stop)
    return _RUNNING["browser"]


@pytest.fixture(scope="session")
def chromium_browser():
    return chromium_launch()


@pytest.fixture
def open_session(chromium_browser, live_server):
    """open_session(user) → a logged-in page (1366×768) in its own browser context."""
    contexts = []

    def open_(user=None, *, locale="zh-CN"):
        context = chromium_browser.new_context(
            viewport={"width": 1366, "height": 768}, locale=locale, base_url=live_server.url
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if user is not None:
            login(page, user.username)
        return page

    yield open_
    for context in contexts:
        context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, page.content()[:2000]


@pytest.fixture
def shot():
    """shot(page, name): save a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
