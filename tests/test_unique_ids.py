"""No page repeats an element id (issue 11, defect 1): two cards with the same ids made the
approver's error appear under the wrong card and a form post to the other case.

The demo world (every role, cases in every state, letters, campaigns, reports) is walked as
each role by following the links each page offers, plus the pages a role reaches by typing
(every intake channel, the approver's queue after a refused action); every HTML page is parsed
with html.parser and its ids counted."""

import datetime as dt
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from letters.models import Letter
from requests_app.models import Case, Channel
from requests_app.services import cases as svc

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 15, 0)
ROLES = ["clerk", "handler", "approver", "supervisor", "lawyer", "admin"]
PER_ROUTE = 6  # pages of one URL pattern walked per role (cases in several states)
SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/accounts/logout", "/static/", "/media/")
SKIP_SUFFIXES = (".docx", ".pdf", ".xlsx", ".csv", ".zip", ".png", ".jpg")


class IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids[values["id"]] += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def duplicates(html: str) -> dict[str, int]:
    parser = IdCollector()
    parser.feed(html)
    return {name: n for name, n in parser.ids.items() if n > 1}


def _links(html: str) -> list[str]:
    parser = IdCollector()
    parser.feed(html)
    return parser.links


def _walkable(href: str) -> str | None:
    href, _ = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return href


def walk(client: Client, starts: list[str], limit: int = 120) -> dict[str, dict[str, int]]:
    """Breadth-first over the site's own HTML pages; {url: duplicated ids} for every page."""
    seen, per_route = set(), defaultdict(int)
    queue, found = list(starts), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        path = urlsplit(url).path
        try:
            route = resolve(path).route
        except Resolver404:
            continue
        if per_route[route] >= PER_ROUTE:
            continue
        seen.add(url)
        per_route[route] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        found[url] = duplicates(html)
        queue += [link for href in _links(html) if (link := _walkable(href))]
    return found


@pytest.fixture
def demo(db):
    """The demo world, with at least two cards of each kind on the approver's queue."""
    with time_machine.travel(TODAY, tick=True):
        call_command("seed_demo")
        handler = get_user_model().objects.get(username="handler")
        open_running = Case.objects.filter(
            agency__code="CITY-OFFICE",
            state__in=["received", "drafting"],
            extension_state="none",
            clock_stopped=False,
            reply_due__gt=TODAY.date(),
        ).order_by("id")
        for case in open_running[:2]:
            svc.case_request_extension(case_id=case.id, by=handler, days=10, reason="需调取档案")


def test_duplicates_are_detected():
    assert duplicates('<p id="a"></p><div id="a"></div><i id="b"></i>') == {"a": 2}


def test_no_page_repeats_an_element_id_for_any_role(demo):
    cases = Case.objects.filter(agency__code="CITY-OFFICE")
    by_state = {}
    for case in cases.order_by("id"):
        by_state.setdefault(case.state, case)
    case_pages = [f"/cases/{c.public_id}/" for c in by_state.values()]
    letter_pages = [f"/letters/letter/{letter.public_id}/" for letter in Letter.objects.all()[:4]]
    walked = {}
    with time_machine.travel(TODAY, tick=True):
        for role in ROLES:
            client = Client()
            client.force_login(get_user_model().objects.get(username=role))
            starts = ["/", "/worklist/", "/approvals/", "/reports/", "/audits/"]
            starts += [f"/intake/{channel}/" for channel in Channel.values]
            starts += case_pages + [f"{p}edit/" for p in case_pages] + letter_pages
            pages = walk(client, starts)
            walked[role] = pages
            bad = {url: ids for url, ids in pages.items() if ids}
            assert not bad, f"{role}: {bad}"
    assert len(walked["approver"]) > 15 and len(walked["clerk"]) > 15
    assert {"review", "disclosed", "other", "supplement", "received"} <= set(by_state)
    queue = Client()
    queue.force_login(get_user_model().objects.get(username="approver"))
    assert queue.get("/approvals/").content.decode().count('class="card queue-item') >= 4
    assert any(url.startswith("/reports/") for url in walked["supervisor"])
    assert any(url.startswith("/audits/") for url in walked["lawyer"])
