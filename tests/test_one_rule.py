"""One definition each (issue 12): overdue and due soon (requests_app/timeliness.py), refusal
(review-first, requests_app/outcomes.py) and the receipt date per channel
(requests_app/receipt.py) — and every consumer asked the same question gives the same answer.

Pins the bug the review found: a case whose deadline ran out before its clock stopped was
counted by the worklist's overdue filter but shown without the overdue badge (and the case
page said only "stopped"). The rule now: a stopped clock does not revive an expired deadline;
a stopped case with time left has no reply date and is neither overdue nor due soon."""

import datetime as dt
import re

import pytest
import time_machine
from rest_framework.test import APIClient

from letters import legal
from office.ledger import LEDGER_COLUMNS, ledger_rows
from requests_app import timeliness
from requests_app.forms import CHANNEL_FIELDS, REQUIRED_MARK
from requests_app.models import Case, Channel
from requests_app.outcomes import OUTCOME_KEYS, review_first, withholds_information
from requests_app.receipt import RECEIPT_BY_CHANNEL, receipt_field
from requests_app.selectors import WorklistFilters, agency_unit_counts, case_worklist
from requests_app.services.deadlines import Deadline
from requests_app.services.exports import EXPORT_COLUMNS, cases_export_rows
from requests_app.services.intake import IntakeInvalid, intake_clean, receipt_date
from requests_app.views.case import deadline_banner
from tests.test_reporting_support import make_case
from workcalendar.selectors import calendar_get

TODAY = dt.date(2026, 6, 15)  # a Monday


@pytest.fixture
def cases(city):
    """One case per situation, keyed by name (due dates relative to TODAY)."""

    def open_case(name, reply_due, *, stopped=False, state="received"):
        case = make_case(city, TODAY - dt.timedelta(days=40))
        Case.objects.filter(pk=case.pk).update(
            reply_due=reply_due, clock_stopped=stopped, state=state
        )
        return name, case.pk

    rows = dict(
        [
            open_case("running_overdue", TODAY - dt.timedelta(days=3)),
            open_case(
                "stopped_after_running_out",
                TODAY - dt.timedelta(days=5),
                stopped=True,
                state="consulting",
            ),  # fmt: skip
            open_case("stopped_with_time_left", None, stopped=True, state="fee_pending"),
            open_case("due_today", TODAY),
            open_case("due_soon", TODAY + dt.timedelta(days=2)),
            open_case("later", TODAY + dt.timedelta(days=30)),
        ]
    )
    late = make_case(city, TODAY - dt.timedelta(days=60), closed_on=TODAY - dt.timedelta(days=5),
                     outcome="disclosed")  # fmt: skip
    Case.objects.filter(pk=late.pk).update(reply_due=TODAY - dt.timedelta(days=10))
    on_time = make_case(city, TODAY - dt.timedelta(days=60), closed_on=TODAY - dt.timedelta(days=20),
                        outcome="disclosed")  # fmt: skip
    Case.objects.filter(pk=on_time.pk).update(reply_due=TODAY - dt.timedelta(days=10))
    rows |= {"closed_late": late.pk, "closed_on_time": on_time.pk}
    return rows


EXPECTED_OVERDUE = {"running_overdue", "stopped_after_running_out", "closed_late"}
EXPECTED_OPEN_OVERDUE = {"running_overdue", "stopped_after_running_out"}
EXPECTED_DUE_SOON = {"due_today", "due_soon"}


@time_machine.travel(dt.datetime(2026, 6, 15, 9, 0), tick=False)
def test_overdue_and_due_soon_agree_across_every_consumer(cases, staff, client):
    names = {pk: name for name, pk in cases.items()}
    calendar = calendar_get(covering=TODAY + dt.timedelta(days=400))
    limit = timeliness.due_soon_limit(TODAY, calendar=calendar)
    by_id = Case.objects.in_bulk(list(names))

    # the rule itself
    overdue = {
        names[pk]
        for pk, c in by_id.items()
        if timeliness.is_overdue(
            state=c.state, reply_due=c.reply_due, closed_on=c.closed_on, today=TODAY
        )
    }
    assert overdue == EXPECTED_OVERDUE
    # the worklist's badge and its filters
    badges = {
        names[pk]: timeliness.deadline_status(c, today=TODAY, calendar=calendar, soon_limit=limit)[
            0
        ]
        for pk, c in by_id.items()
    }
    assert {n for n, b in badges.items() if b == "overdue"} == EXPECTED_OPEN_OVERDUE
    assert {n for n, b in badges.items() if b == "due-soon"} == EXPECTED_DUE_SOON
    user = staff["handler"]
    filtered = case_worklist(user, WorklistFilters(overdue=True), today=TODAY)
    assert {names[c.pk] for c in filtered} == EXPECTED_OPEN_OVERDUE
    soon = case_worklist(
        user, WorklistFilters(due_within=timeliness.DUE_SOON_WORKING_DAYS), today=TODAY
    )
    assert {names[c.pk] for c in soon} == EXPECTED_DUE_SOON
    # the worklist page shows the badge on the stopped case that ran out
    client.force_login(user)
    page = client.get("/worklist/?overdue=on").content.decode()
    stopped_no = by_id[cases["stopped_after_running_out"]].case_no
    assert re.search(rf'class="overdue"[^>]*data-case-no="{stopped_no}"', page)
    # the case page's banner, from a deadline that ran out before its clock stopped
    stopped = by_id[cases["stopped_after_running_out"]]
    ran_out = Deadline(TODAY - dt.timedelta(days=5), False, True, 20, 20, [])
    assert deadline_banner(stopped, ran_out, TODAY)["level"] == "overdue"
    time_left = Deadline(None, False, True, 20, 12, [])
    assert deadline_banner(stopped, time_left, TODAY)["level"] == "stopped"
    # the supervisor's counts
    counts = agency_unit_counts(staff["supervisor"], today=TODAY)
    city_row = next(row for row in counts if row["agency"].code == "CITY-OFFICE")
    assert city_row["overdue"] == len(EXPECTED_OPEN_OVERDUE)
    assert city_row["due_soon"] == len(EXPECTED_DUE_SOON)
    # the export's overdue column
    city = by_id[cases["later"]].agency
    rows = list(cases_export_rows(agency=city, today=TODAY))
    by_no = {c.case_no: names[pk] for pk, c in by_id.items()}
    column = EXPORT_COLUMNS.index("overdue")
    assert {by_no[r[0]] for r in rows if r[column] == "true"} == EXPECTED_OVERDUE
    # the ledger
    keys = [key for key, _, _ in LEDGER_COLUMNS]
    ledger = list(
        ledger_rows(
            Case.objects.filter(pk__in=list(names)),
            today=TODAY,
            calendar=calendar,
            soon_limit=limit,
        )  # fmt: skip
    )
    assert {by_no[r[0]] for r in ledger if r[keys.index("overdue")] == "是"} == EXPECTED_OVERDUE
    # the API field
    api = APIClient()
    api.force_authenticate(user)
    listed = {}
    for pk, c in by_id.items():
        listed[names[pk]] = api.get(f"/api/v1/requests/{c.public_id}/").json()["overdue"]
    assert {n for n, flag in listed.items() if flag} == EXPECTED_OVERDUE


def test_refusal_is_one_definition_for_letters_checks_and_audits():
    refusals = {key for key in OUTCOME_KEYS if review_first(key)}
    assert "partially_disclosed" in refusals
    assert "withheld.administrative_query" not in refusals  # an Art. 36(7) referral
    assert refusals == {
        k for k in OUTCOME_KEYS if k.startswith("withheld.") or k == "partially_disclosed"
    } - {"withheld.administrative_query"}
    assert {k for k in OUTCOME_KEYS if withholds_information(k)} == refusals | {
        "withheld.administrative_query"
    }
    # the letters' remedy notice gives the review-first route exactly for these
    for key in OUTCOME_KEYS:
        notice = legal.remedy_notice(key, review_body="市政府", court="区法院")
        assert ("应当先向" in notice) == review_first(key), key
        assert legal.review_first is review_first


def test_receipt_date_per_channel_is_one_table_for_intake_forms_and_import():
    assert set(RECEIPT_BY_CHANNEL) == set(Channel)
    on = dt.date(2026, 6, 1)
    for channel, rule in RECEIPT_BY_CHANNEL.items():
        field, label = receipt_field(channel)
        # the form asks for the receipt date and marks what the table marks
        assert field in [name for name, _, _ in CHANNEL_FIELDS[channel]]
        assert REQUIRED_MARK[channel] == set(rule.required)
        # the intake service takes that date as the receipt date, and names it when missing
        assert receipt_date(channel, {field: on}) == on
        with pytest.raises(IntakeInvalid) as exc:
            intake_clean(
                {
                    "channel": channel,
                    "applicant_type": "natural_person",
                    "applicant_name": "甲",
                    "content": "某文件",
                },  # fmt: skip
                today=dt.date(2026, 6, 10),
            )
        missing = next(f for f in ("submitted_on", field) if f in exc.value.errors)
        assert missing in rule.required | {field}
        if missing == field:
            assert label in exc.value.errors[field]
