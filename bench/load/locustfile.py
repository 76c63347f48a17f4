"""The mixed workload of bench/load/run.py (locust; not run on its own).

Staff (fixed numbers, think time 1–3 s): clerks register requests through the API; handlers
take registered cases, start drafting, propose an outcome and draft the reply letter; approvers
approve and issue those letters; supervisors open the supervision page, the worklist and the
consolidated annual report. Staff API calls carry a token, page views a session cookie, both
made by run.py. The public files requests and tracks them through /api/v1/portal/ at a
constant rate. Every accepted request and issued letter is written to LOAD_RESULTS at the end
for run.py's count check. One locust process: the hand-over queues are plain lists."""

from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, constant_throughput, events, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())
ACCEPTED: list[str] = []  # public ids of cases the API accepted (201)
PORTAL_CODES: list[str] = []  # tracking codes the portal gave
ISSUED: list[str] = []  # public ids of letters issued (200)
TO_HANDLE: list[str] = []  # registered cases waiting for a handler
TO_ISSUE: list[tuple[str, str]] = []  # (case, drafted reply letter) waiting for an approver
LOCK = threading.Lock()
SEQ = itertools.count(1)


def id_number(seed: int) -> str:
    """A valid 18-digit resident identity number (GB 11643 check digit)."""
    first17 = f"370302198{seed % 10}0101{seed % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def pop(queue: list):
    with LOCK:
        return queue.pop(0) if queue else None


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        account = CONFIG["staff"][self.role][next(SEQ) % len(CONFIG["staff"][self.role])]
        # API calls authenticate by token only: an explicit Cookie header keeps the session
        # cookie (page views) off them, else DRF's session authentication would demand CSRF.
        self.api_headers = {"Authorization": f"Token {account['token']}", "Cookie": "api=1"}
        self.client.cookies.set("sessionid", account["session"])

    def api(self, method: str, path: str, name: str, **kwargs):
        return self.client.request(
            method, path, name=name, headers=self.api_headers, catch_response=False, **kwargs
        )


class Clerk(Staff):
    fixed_count = CONFIG["counts"]["clerk"]
    role = "clerk"

    @task(4)
    def register(self):
        n = next(SEQ)
        response = self.api(
            "POST",
            "/api/v1/requests/",
            "registration (API)",
            json={
                "agency": CONFIG["agency"],
                "channel": "in_person",
                "submitted_on": CONFIG["today"],
                "applicant_type": "natural_person",
                "applicant_name": f"申请人{n}",
                "applicant_id_number": id_number(n),
                "applicant_phone": "13800001111",
                "applicant_address": "淄博市张店区共青团路1号",
                "applicant_postcode": "255000",
                "delivery_method": "post",
                "content": f"申请公开第{n}号文件及其附件",
            },
        )
        if response.status_code == 201:
            case_id = response.json()["id"]
            with LOCK:
                ACCEPTED.append(case_id)
                TO_HANDLE.append(case_id)

    @task(1)
    def worklist(self):
        self.client.get("/worklist/", name="page: worklist")


class Handler(Staff):
    fixed_count = CONFIG["counts"]["handler"]
    role = "handler"

    @task(3)
    def handle(self):
        case_id = pop(TO_HANDLE)
        if case_id is None:
            return self.worklist()
        self.client.get(f"/cases/{case_id}/", name="page: case")
        url = f"/api/v1/requests/{case_id}/"
        case = self.api("POST", url + "start_drafting/", "transition: start_drafting",
                        json={"expected_version": 1})  # fmt: skip
        if case.status_code != 200:
            return
        version = case.json()["version"]
        case = self.api("POST", url + "submit_for_approval/", "transition: submit_for_approval",
                        json={"expected_version": version, "outcome": CONFIG["outcome"]})  # fmt: skip
        if case.status_code != 200:
            return
        letter = self.api("POST", url + "letters/", "letter: draft reply", json={"kind": "reply"})
        if letter.status_code != 201:
            return
        letter_id = letter.json()["id"]
        if CONFIG["details"]:
            edited = self.api("POST", f"/api/v1/letters/{letter_id}/edit/", "letter: edit",
                              json={"details": CONFIG["details"]})  # fmt: skip
            if edited.status_code != 200:
                return
        with LOCK:
            TO_ISSUE.append((case_id, letter_id))

    @task(1)
    def worklist(self):
        self.client.get("/worklist/?sort=due", name="page: worklist")


class Approver(Staff):
    fixed_count = CONFIG["counts"]["approver"]
    role = "approver"

    @task(3)
    def issue(self):
        item = pop(TO_ISSUE)
        if item is None:
            return self.approvals()
        case_id, letter_id = item
        url = f"/api/v1/letters/{letter_id}/"
        if self.api("POST", url + "approve/", "letter: approve").status_code != 200:
            return
        issued = self.api("POST", url + "issue/", "letter: issue", json={})
        if issued.status_code != 200:
            return
        with LOCK:
            ISSUED.append(letter_id)
        case = self.api("GET", f"/api/v1/requests/{case_id}/", "api: case detail")
        if case.status_code == 200:
            self.api("POST", f"/api/v1/requests/{case_id}/approve_and_close/",
                     "transition: approve_and_close",
                     json={"expected_version": case.json()["version"]})  # fmt: skip

    @task(1)
    def approvals(self):
        self.client.get("/approvals/", name="page: approvals")


class Supervisor(Staff):
    fixed_count = CONFIG["counts"]["supervisor"]
    role = "supervisor"

    @task(2)
    def supervision(self):
        self.client.get("/supervision/", name="page: supervision")

    @task(2)
    def worklist(self):
        self.client.get("/worklist/", name="page: worklist (supervisor)")

    @task(1)
    def annual_report(self):
        self.api("GET", f"/api/v1/reports/annual/?agency={CONFIG['root']}&year={CONFIG['year']}"
                 "&consolidated=true", "report: consolidated annual (API)")  # fmt: skip


class Public(HttpUser):
    fixed_count = CONFIG["counts"]["public"]
    wait_time = constant_throughput(1)  # each public user one request a second

    @task(1)
    def file(self):
        n = 500_000 + next(SEQ)
        response = self.client.post(
            "/api/v1/portal/requests/",
            name="portal: file a request",
            json={
                "agency": CONFIG["agency"],
                "applicant_type": "natural_person",
                "applicant_name": f"公众{n}",
                "applicant_id_number": id_number(n),
                "applicant_phone": "13800002222",
                "delivery_method": "portal",
                "content": f"申请公开本市第{n}号政府信息",
            },
        )
        if response.status_code == 201:
            with LOCK:
                PORTAL_CODES.append(response.json()["tracking_code"])

    @task(1)
    def track(self):
        with LOCK:
            code = random.choice(PORTAL_CODES) if PORTAL_CODES else None
        if code is None:
            return self.file()
        self.client.post(
            "/api/v1/portal/status/", name="portal: track", json={"tracking_code": code}
        )


@events.test_stop.add_listener
def write_results(environment, **kwargs):
    with open(os.environ["LOAD_RESULTS"], "w", encoding="utf-8") as handle:
        json.dump({"accepted": ACCEPTED, "portal": PORTAL_CODES, "issued": ISSUED}, handle)
