"""One terminal state per outcome group (issue 17): every closing transition lands in the state
of its outcome's group; `finished` filters all six in the worklist and the API; an old export
(state=closed) still imports; the case page says the outcome once; old history rows that say
`closed` still read 已办结."""

import csv
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from requests_app.models import FINISHED_STATES, Case, CaseEvent, EventKind, finished_state_for
from requests_app.outcomes import OUTCOME_KEYS
from requests_app.services import cases as svc

from .helpers import close_via_approval

pytestmark = pytest.mark.django_db
D = dt.date
NOW = dt.datetime(2026, 10, 14, 10, 0)

# Written out here, independently of outcomes.py: the group of table three each key counts in.
GROUP_OF = {
    "disclosed": "disclosed",
    "partially_disclosed": "partially_disclosed",
    "withheld.state_secret": "withheld",
    "withheld.prohibited_by_law": "withheld",
    "withheld.three_safeties_one_stability": "withheld",
    "withheld.third_party_rights": "withheld",
    "withheld.internal_affairs": "withheld",
    "withheld.process_information": "withheld",
    "withheld.enforcement_case_file": "withheld",
    "withheld.administrative_query": "withheld",
    "unavailable.not_held": "unavailable",
    "unavailable.needs_creation": "unavailable",
    "unavailable.still_unclear_after_supplement": "unavailable",
    "not_processed.petition_complaint": "not_processed",
    "not_processed.repeated": "not_processed",
    "not_processed.publication": "not_processed",
    "not_processed.excessive": "not_processed",
    "not_processed.confirm_or_reissue": "not_processed",
    "other.no_supplement": "other",
    "other.fee_unpaid": "other",
    "other.other": "other",
}


def test_every_outcome_key_maps_to_its_group_state():
    assert set(GROUP_OF) == set(OUTCOME_KEYS)
    for key, group in GROUP_OF.items():
        assert finished_state_for(key) == group
    assert set(GROUP_OF.values()) == set(FINISHED_STATES)
    with pytest.raises(ValueError):
        finished_state_for("closed")
    with pytest.raises(ValueError):
        finished_state_for("")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("outcome", OUTCOME_KEYS)
def test_an_imported_closed_case_enters_its_group_state(outcome, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    case = svc.case_act(
        case_id=case.id,
        by=staff["clerk"],
        action="close_imported",
        kwargs={"on": D(2026, 10, 9), "outcome": outcome},
    )
    case.refresh_from_db()
    assert (case.state, case.outcome, case.is_finished) == (GROUP_OF[outcome], outcome, True)
    event = CaseEvent.objects.get(case=case, kind=EventKind.TRANSITION)
    assert (event.from_state, event.to_state) == ("received", GROUP_OF[outcome])


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "outcome",
    [
        "disclosed",
        "partially_disclosed",
        "withheld.third_party_rights",
        "unavailable.not_held",
        "not_processed.repeated",
    ],
)
def test_approval_closes_into_the_outcome_group(outcome, city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    case = close_via_approval(
        case, handler=staff["handler"], approver=staff["approver"], outcome=outcome
    )
    case.refresh_from_db()
    assert case.state == GROUP_OF[outcome] and case.outcome == outcome
    assert case.closed_on == NOW.date()


@time_machine.travel(NOW, tick=False)
def test_the_fixed_closings_are_other(city, staff, intake):
    withdrawn = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    withdrawn = svc.case_withdraw(case_id=withdrawn.id, by=staff["clerk"], reason="书面撤回")
    assert (withdrawn.state, withdrawn.outcome) == ("other", "other.other")
    spot = svc.case_register(
        agency=city,
        by=staff["clerk"],
        data=intake(channel="in_person", submitted_on=NOW.date(), signed_on=None),
    )
    spot = svc.case_answer_on_the_spot(
        case_id=spot.id, by=staff["clerk"], outcome="not_processed.publication", note="告知出版物"
    )
    assert (spot.state, spot.outcome) == ("not_processed", "not_processed.publication")
    voided = svc.case_void(case_id=spot.id, by=staff["approver"], reason="重复登记")
    assert voided.state == "void" and not voided.is_finished  # void stays apart


def _make(city, **fields):
    n = Case.objects.count()
    values = {
        "agency": city,
        "year": 2026,
        "case_no": f"F-{n:04d}",
        "tracking_code": f"FIN{n:09d}",
        "channel": "online",
        "received_on": D(2026, 9, 1),
        "confirmed_on": D(2026, 9, 1),
        "applicant_type": "natural_person",
        "applicant_name": f"申请人{n}",
        "content": "申请公开文件",
        "reply_due": D(2026, 9, 29),
    }
    values.update(fields)
    return Case.objects.create(**values)


@pytest.fixture
def one_per_state(city):
    made = {"received": _make(city), "void": _make(city, state="void", void_reason="x")}
    for key in ["disclosed", "withheld.state_secret", "other.fee_unpaid"]:
        made[key] = _make(city, state=GROUP_OF[key], outcome=key, closed_on=D(2026, 9, 20))
    return made


@time_machine.travel(NOW, tick=False)
def test_worklist_filter_finished_selects_every_terminal_state(client, staff, one_per_state):
    client.force_login(staff["handler"])
    url = reverse("requests_app:worklist")
    page = client.get(url, {"state": "finished"})
    shown = {c.case_no for c in page.context["page"].object_list}
    finished = {
        one_per_state[k].case_no for k in ["disclosed", "withheld.state_secret", "other.fee_unpaid"]
    }
    assert shown == finished
    assert page.context["counts"]["finished"] == 3
    assert page.context["counts"]["withheld"] == 1
    html = page.content.decode()
    assert 'data-state="finished"' in html and "已办结（全部结果）" in html
    assert '<small class="muted outcome-detail">属于国家秘密</small>' in html  # state, then ground
    only_withheld = client.get(url, {"state": "withheld"})
    assert [c.case_no for c in only_withheld.context["page"].object_list] == [
        one_per_state["withheld.state_secret"].case_no
    ]


@time_machine.travel(NOW, tick=False)
def test_api_filter_finished_and_fields(staff, one_per_state):
    api = APIClient()
    api.force_authenticate(staff["handler"])
    body = api.get("/api/v1/requests/", {"state": "finished"}).json()
    rows = {r["case_no"]: (r["state"], r["outcome"]) for r in body["results"]}
    assert rows == {
        one_per_state["disclosed"].case_no: ("disclosed", "disclosed"),
        one_per_state["withheld.state_secret"].case_no: ("withheld", "withheld.state_secret"),
        one_per_state["other.fee_unpaid"].case_no: ("other", "other.fee_unpaid"),
    }
    one = api.get("/api/v1/requests/", {"state": "other"}).json()
    assert [r["state"] for r in one["results"]] == ["other"]
    refused = api.get("/api/v1/requests/", {"state": "closed"})
    assert refused.status_code == 400 and "state" in refused.json()["error"]["fields"]


@time_machine.travel(NOW, tick=False)
def test_case_page_says_the_outcome_once(client, staff, one_per_state):
    client.force_login(staff["handler"])

    def head(case):
        html = client.get(reverse("requests_app:case_detail", args=[case.public_id])).content
        html = html.decode()
        return html[html.index('id="case-state"') : html.index("</h1>")]

    disclosed = head(one_per_state["disclosed"])
    assert disclosed.count("予以公开") == 1 and 'id="case-outcome"' not in disclosed
    withheld = head(one_per_state["withheld.state_secret"])
    assert withheld.count("不予公开") == 1 + 1  # the state, and the full outcome in the title
    assert ">属于国家秘密</span>" in withheld
    fee = head(one_per_state["other.fee_unpaid"])
    assert ">其他处理</span>" in fee and ">逾期未缴纳费用</span>" in fee


@time_machine.travel(NOW, tick=False)
def test_history_rows_from_before_still_read_closed(client, staff, one_per_state):
    case = one_per_state["disclosed"]
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.TRANSITION,
        transition="approve_and_close",
        from_state="review",
        to_state="closed",  # recorded before the terminal states followed the outcome
    )
    client.force_login(staff["handler"])
    html = client.get(reverse("requests_app:case_detail", args=[case.public_id])).content.decode()
    assert "待审核 → 已办结" in html


IMPORT_HEADER = (
    "case_no,received_on,channel,applicant_type,applicant_name,content,outcome,closed_on"
)


@time_machine.travel(NOW, tick=False)
def test_an_old_export_with_state_closed_still_imports(tmp_path, city, staff):
    """An export written before issue 17 says state=closed: the state column is not read, the
    outcome decides the terminal state."""
    from django.core.management import call_command

    path = tmp_path / "old-export.csv"
    columns = [*IMPORT_HEADER.split(","), "state", "reply_due", "deadline_provisional", "overdue"]
    rows = [
        [
            "2020-0001",
            "2020-03-02",
            "online",
            "natural_person",
            "甲",
            "文件一",
            "disclosed",
            "2020-03-20",
        ],
        [
            "2020-0002",
            "2020-03-02",
            "online",
            "natural_person",
            "乙",
            "文件二",
            "withheld.state_secret",
            "2020-03-25",
        ],
        [
            "2020-0003",
            "2020-03-02",
            "online",
            "natural_person",
            "丙",
            "文件三",
            "other.no_supplement",
            "2020-04-02",
        ],
        ["2020-0004", "2020-03-02", "online", "natural_person", "丁", "文件四", "", ""],
    ]
    states = ["closed", "closed", "closed", "received"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row, state in zip(rows, states, strict=True):
            writer.writerow([*row, state, "2020-03-30", "false", "false"])
    call_command(
        "import_cases", str(path), "--agency", city.code, "--user", staff["clerk"].username
    )
    got = dict(Case.objects.filter(agency=city).values_list("case_no", "state"))
    assert got == {
        "2020-0001": "disclosed",
        "2020-0002": "withheld",
        "2020-0003": "other",
        "2020-0004": "received",
    }


def test_ledger_deadline_column_says_finished_and_the_state_column_the_group(one_per_state):
    from office.ledger import deadline_state_text

    withheld = one_per_state["withheld.state_secret"]
    assert deadline_state_text("", None, withheld) == "已办结"
    assert deadline_state_text("", None, one_per_state["void"]) == "已作废"
