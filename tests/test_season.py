"""The year-end season (issue 16): the sweep lists the cases that would make the table wrong or
late on the right unit; drafts are frozen with their checks, idempotent, never touching a
published snapshot; the dashboard; reminders deduped; the circular lists late units; runs are
recorded; only supervisors see any of it."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from agencies.models import Agency, AgencyLevel, Role
from notifications.models import Notification
from reporting.circulars import circular_compute, circular_docx_bytes
from reporting.models import PublishedReport
from reporting.services import report_publish
from reporting.stats import annual_report_build
from requests_app.models import FINISHED_STATES, Case, LegalChallenge
from requests_app.services.period_lock import case_period_check
from season import chasing, services
from season.drafts import draft_docx, drafts_produce
from season.models import Draft, ReminderSent, SeasonRun, UnitSweep
from season.selectors import dashboard

from .conftest import make_user
from .season_support import (
    YEAR,
    clean_cases,
    close_with_reply,
    issue_reply,
    plant_closed_without_reply,
    plant_overdue,
)
from .test_reporting_support import make_case

pytestmark = pytest.mark.django_db
DRAFT_DAY = dt.date(2027, 1, 4)  # the first working day of 2027


@pytest.fixture
def tree(city, district):
    """City office (supervisor) > district > two bureaus, each with clean cases of 2026."""
    bureau_a = Agency.objects.create(
        code="ZD-A", name="张店区甲局", level=AgencyLevel.DEPARTMENT, parent=district
    )
    bureau_b = Agency.objects.create(
        code="ZD-B", name="张店区乙局", level=AgencyLevel.DEPARTMENT, parent=district
    )
    for agency in (city, district, bureau_a, bureau_b):
        clean_cases(agency)
    return {"city": city, "district": district, "a": bureau_a, "b": bureau_b}


@pytest.fixture
def supervisor(city):
    user = make_user("season-sup", city, Role.SUPERVISOR)
    user.email = "sup@example.org"
    user.save()
    return user


def kinds_of(agency) -> dict[int, set[str]]:
    sweep = UnitSweep.objects.get(agency=agency, year=YEAR)
    found: dict[int, set[str]] = {}
    for finding in sweep.findings:
        found.setdefault(finding["case_id"], set()).add(finding["kind"])
    return found


def test_the_sweep_lists_each_planted_problem_on_its_own_unit(tree, supervisor):
    overdue = plant_overdue(tree["a"])
    no_reply = plant_closed_without_reply(tree["b"])
    mismatch = make_case(
        tree["district"], dt.date(YEAR, 4, 1), closed_on=dt.date(YEAR, 4, 9), outcome="disclosed"
    )
    issue_reply(mismatch, outcome="partially_disclosed")
    missing = make_case(tree["city"], dt.date(YEAR, 6, 1))
    Case.objects.filter(pk=missing.pk).update(applicant_type="")
    future = make_case(tree["city"], dt.date(YEAR, 6, 2))
    Case.objects.filter(pk=future.pk).update(received_on=dt.date(2027, 2, 1))
    decided = make_case(
        tree["b"], dt.date(YEAR, 1, 5), closed_on=dt.date(YEAR, 1, 20), outcome="disclosed"
    )
    issue_reply(decided)
    LegalChallenge.objects.create(case=decided, kind="review", filed_on=dt.date(YEAR, 2, 1))

    services.sweep_run(YEAR, dt.date(YEAR, 12, 31))

    assert kinds_of(tree["a"]) == {overdue.id: {"overdue"}}
    assert kinds_of(tree["b"]) == {
        no_reply.id: {"no_reply"},
        decided.id: {"challenge_no_result"},
    }
    assert kinds_of(tree["district"]) == {mismatch.id: {"outcome_mismatch"}}
    assert kinds_of(tree["city"]) == {missing.id: {"missing_fields"}, future.id: {"bad_dates"}}
    sweep_a = UnitSweep.objects.get(agency=tree["a"], year=YEAR)
    assert sweep_a.total == 1 and sweep_a.counts["overdue"] == 1


def test_the_sweep_ignores_void_cases_and_years_that_do_not_count(tree):
    old = make_case(
        tree["a"], dt.date(2020, 3, 1), closed_on=dt.date(2020, 3, 9), outcome="disclosed"
    )
    void = make_case(tree["a"], dt.date(YEAR, 3, 1), void=True)
    Case.objects.filter(pk=void.pk).update(reply_due=dt.date(YEAR, 3, 20))
    services.sweep_run(YEAR, dt.date(YEAR, 12, 31))
    assert kinds_of(tree["a"]) == {}
    assert old.id and void.id


def test_drafts_are_frozen_with_their_checks_and_clean_ones_marked_clean(tree, supervisor):
    plant_overdue(tree["a"])
    services.sweep_run(YEAR, DRAFT_DAY)
    summary = drafts_produce(YEAR)
    assert summary == {"units": 4, "consolidated": 1, "clean": 3, "changed": 5}
    draft_a = Draft.objects.get(agency=tree["a"], year=YEAR, consolidated=False)
    assert not draft_a.clean and draft_a.sweep_total == 1 and draft_a.failures == []
    for key in ("city", "district", "b"):
        assert Draft.objects.get(agency=tree[key], year=YEAR, consolidated=False).clean
    # the figures are the report page's own
    report = annual_report_build(agency=tree["b"], year=YEAR)
    draft_b = Draft.objects.get(agency=tree["b"], year=YEAR, consolidated=False)
    assert draft_b.data == report.as_json()
    consolidated = Draft.objects.get(agency=tree["city"], year=YEAR, consolidated=True)
    assert (
        consolidated.data
        == annual_report_build(agency=tree["city"], year=YEAR, consolidated=True).as_json()
    )
    assert consolidated.data["table3"]["new_requests"]["total"] == 4 * 4 + 1
    assert not consolidated.clean  # the subtree has one problem
    # the draft's report is the six-section .docx from the frozen figures
    text = "\n".join(p.text for p in Document(io.BytesIO(draft_docx(draft_b))).paragraphs)
    assert "张店区乙局2026年政府信息公开工作年度报告" in text


def test_rerunning_produces_the_same_drafts_and_never_touches_a_published_snapshot(
    tree, supervisor
):
    snapshot = report_publish(agency=tree["b"], year=YEAR, by=supervisor)
    before = (snapshot.data, bytes(snapshot.docx), snapshot.revision)
    services.sweep_run(YEAR, DRAFT_DAY)
    drafts_produce(YEAR)
    first = {d.id: (d.fingerprint, d.revision, d.computed_at) for d in Draft.objects.all()}
    services.sweep_run(YEAR, DRAFT_DAY)
    assert drafts_produce(YEAR)["changed"] == 0
    assert {d.id: (d.fingerprint, d.revision, d.computed_at) for d in Draft.objects.all()} == first
    assert PublishedReport.objects.count() == 1
    snapshot.refresh_from_db()
    assert (snapshot.data, bytes(snapshot.docx), snapshot.revision) == before
    # a changed case changes only its unit's draft, as a new draft revision
    make_case(tree["b"], dt.date(YEAR, 7, 1), closed_on=dt.date(YEAR, 7, 3), outcome="disclosed")
    services.sweep_run(YEAR, DRAFT_DAY)
    assert drafts_produce(YEAR, [tree["b"].id])["changed"] == 1
    draft_b = Draft.objects.get(agency=tree["b"], year=YEAR, consolidated=False)
    assert draft_b.revision == 2 and not draft_b.clean  # closed without a reply


def test_a_carry_over_mismatch_is_on_the_unit_with_the_case_behind_it(tree, supervisor):
    for agency in (tree["a"], tree["b"]):
        carried = clean_cases(agency, YEAR - 1)[-1]
        report_publish(agency=agency, year=YEAR - 1, by=supervisor)
        close_with_reply(carried, dt.date(YEAR, 1, 10))  # the case carried over, finished
    late = make_case(tree["a"], dt.date(YEAR - 1, 12, 10))  # registered after publishing
    Case.objects.filter(pk=late.pk).update(reply_due=dt.date(YEAR + 1, 1, 20))
    services.sweep_run(YEAR, DRAFT_DAY)
    drafts_produce(YEAR)
    draft_a = Draft.objects.get(agency=tree["a"], year=YEAR, consolidated=False)
    assert draft_a.carry_over["ok"] is False and not draft_a.clean
    assert [c["case_id"] for c in draft_a.carry_over["cases"]] == [late.id]
    draft_b = Draft.objects.get(agency=tree["b"], year=YEAR, consolidated=False)
    assert draft_b.carry_over["ok"] is True and draft_b.clean


@time_machine.travel(dt.datetime(2027, 1, 4, 9, 0), tick=True)
def test_dashboard_statuses_deadlines_and_the_consolidated_comparison(tree, supervisor, client):
    plant_overdue(tree["a"])
    services.sweep_run(YEAR, DRAFT_DAY)
    drafts_produce(YEAR)
    report_publish(agency=tree["b"], year=YEAR, by=supervisor)
    board = dashboard(tree["city"], YEAR, DRAFT_DAY)
    status = {u["agency"].code: u["status"] for u in board.units}
    assert status == {
        "CITY-OFFICE": "clean",
        "ZD-GOV": "clean",
        "ZD-A": "problems",
        "ZD-B": "published",
    }
    assert board.unit_deadline.days_left == 27 and board.consolidated_deadline.days_left == 86
    assert board.consolidated.unpublished == 3 and board.consolidated.flagged == []
    # a later correction of a published unit flags the consolidated figure
    late = make_case(
        tree["b"], dt.date(YEAR, 8, 1), closed_on=dt.date(YEAR, 8, 5), outcome="disclosed"
    )
    issue_reply(late)
    report_publish(agency=tree["b"], year=YEAR, by=supervisor)
    board = dashboard(tree["city"], YEAR, DRAFT_DAY)
    assert {u["agency"].code: u["status"] for u in board.units}["ZD-B"] == "corrected"
    assert board.consolidated.flagged == ["张店区乙局"]
    client.force_login(supervisor)
    with_time = client.get(reverse("season:dashboard"), {"year": YEAR})
    assert with_time.status_code == 200
    page = with_time.content.decode()
    assert "已发布后更正" in page and "汇总数字需复核" in page and "张店区甲局" in page
    assert "逾期未办结 1" in page  # the unit's counts per kind
    # a correction recorded after publishing (no new revision) also marks the unit corrected
    report_publish(agency=tree["district"], year=YEAR, by=supervisor)
    approver = make_user("zd-approver", tree["district"], Role.APPROVER)
    case = Case.objects.filter(agency=tree["district"], state__in=FINISHED_STATES).first()
    case_period_check(case=case, by=approver, changed_fields={"outcome"}, reason="更正结果")
    board = dashboard(tree["city"], YEAR, DRAFT_DAY)
    assert {u["agency"].code: u["status"] for u in board.units}["ZD-GOV"] == "corrected"
    assert board.consolidated.flagged == ["张店区人民政府", "张店区乙局"]


def test_pages_are_for_supervisors_of_the_unit_only(tree, supervisor, client, other_agency):
    services.sweep_run(YEAR, DRAFT_DAY)
    approver = make_user("a-approver", tree["a"], Role.APPROVER)
    other_approver = make_user("b-approver", tree["b"], Role.APPROVER)
    outsider = make_user("outsider", other_agency, Role.SUPERVISOR)
    unit = reverse("season:unit", args=["ZD-A", YEAR])
    rerun = reverse("season:unit_rerun", args=["ZD-A", YEAR])
    for user in (other_approver, outsider):
        client.force_login(user)
        assert client.get(unit).status_code == 404
        assert client.post(rerun).status_code == 404
    assert SeasonRun.objects.filter(kind="unit").count() == 0
    client.force_login(approver)  # the unit's own approver is chased: sees its own problems
    assert client.get(reverse("season:dashboard")).status_code == 404
    assert client.get(unit).status_code == 200
    assert client.get(reverse("season:unit", args=["ZD-B", YEAR])).status_code == 404
    client.force_login(supervisor)
    assert client.get(unit).status_code == 200
    assert client.get(reverse("season:unit", args=["ZD-B", YEAR])).status_code == 200


@time_machine.travel(dt.datetime(2027, 1, 4, 9, 0), tick=False)
def test_fix_a_case_rerun_the_unit_and_it_turns_clean(tree, supervisor, client):
    overdue = plant_overdue(tree["a"])
    services.sweep_run(YEAR, DRAFT_DAY)
    drafts_produce(YEAR)
    client.force_login(supervisor)
    page = client.get(reverse("season:unit", args=["ZD-A", YEAR])).content.decode()
    assert reverse("requests_app:case_detail", args=[overdue.public_id]) in page
    overdue.close_imported(on=dt.date(YEAR, 12, 2), outcome="disclosed")
    overdue.save()
    issue_reply(overdue)
    response = client.post(reverse("season:unit_rerun", args=["ZD-A", YEAR]))
    assert response.status_code == 302
    run = SeasonRun.objects.get(kind="unit")
    assert run.triggered_by == supervisor and run.summary["clean"] is True and run.seconds >= 0
    assert Draft.objects.get(agency=tree["a"], year=YEAR, consolidated=False).clean


def test_reminders_go_at_10_5_and_1_working_days_once_to_approver_and_supervisor(
    tree, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    approver = make_user("a-approver", tree["a"], Role.APPROVER)
    approver.email = "a@example.org"
    approver.save()
    services.sweep_run(YEAR, DRAFT_DAY)
    drafts_produce(YEAR)
    for agency in (tree["city"], tree["district"], tree["b"]):
        report_publish(agency=agency, year=YEAR, by=supervisor)
    # 31 January 2027 is a Sunday: 29 January is 1 working day before it, 22 Jan 5, 15 Jan 10
    assert chasing.reminders_send(YEAR, dt.date(2027, 1, 14))["sent"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        sent = chasing.reminders_send(YEAR, dt.date(2027, 1, 15))
    assert sent == {"units": 1, "sent": 2}
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "sup@example.org"]
    assert "张店区甲局" in mailoutbox[0].subject and "10个工作日" in mailoutbox[0].subject
    assert "/season/units/ZD-A/2026/" in mailoutbox[0].body
    assert chasing.reminders_send(YEAR, dt.date(2027, 1, 15))["sent"] == 0  # deduped
    assert len(mailoutbox) == 2
    report_publish(agency=tree["a"], year=YEAR, by=supervisor)  # published and clean
    assert chasing.reminders_send(YEAR, dt.date(2027, 1, 22))["sent"] == 0
    assert ReminderSent.objects.count() == 2
    # through the notifications: in each user's in-app list too, with the link to the unit
    in_app = Notification.objects.filter(kind="season_reminder", channel="in_app")
    assert sorted(n.recipient_user.username for n in in_app) == ["a-approver", "season-sup"]
    assert {n.link for n in in_app} == {"/season/units/ZD-A/2026/"}


def test_the_monthly_circular_lists_units_past_their_deadline(tree, supervisor, client):
    for agency in (tree["city"], tree["district"]):
        report_publish(agency=agency, year=YEAR, by=supervisor)
    january = circular_compute(tree["city"], 2027, 1)
    assert not any(r.get("report_overdue") for r in january)  # the deadline is 31 January
    february = circular_compute(tree["city"], 2027, 2)
    late = sorted(r["agency"] for r in february if r.get("report_overdue"))
    assert late == ["张店区乙局", "张店区甲局"]
    doc = Document(io.BytesIO(circular_docx_bytes("淄博市", 2027, 2, february)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "逾期未发布2026年度政府信息公开工作年度报告的单位" in text and "张店区甲局" in text
    assert not any(r.get("report_overdue") for r in circular_compute(tree["city"], 2027, 4))
    client.force_login(supervisor)
    page = client.get(reverse("reporting:circular", args=["CITY-OFFICE", 2027, 2])).content.decode()
    assert "逾期未发布 2026 年度政府信息公开工作年度报告：张店区甲局" in page


def test_the_daily_run_is_recorded_and_does_nothing_outside_the_season(tree, supervisor):
    assert services.season_daily(dt.date(2026, 11, 30)) is None
    december = services.season_daily(dt.date(2026, 12, 1))
    assert december.year == YEAR and "drafts" not in december.summary
    assert december.summary["sweep"]["units"] == 4 and Draft.objects.count() == 0
    january = services.season_daily(DRAFT_DAY)
    assert january.summary["drafts"]["units"] == 4 and Draft.objects.count() == 5
    assert SeasonRun.objects.count() == 2 and all(
        r.seconds is not None for r in SeasonRun.objects.all()
    )
    assert services.first_working_day_of_january(YEAR) == DRAFT_DAY


@time_machine.travel(dt.datetime(2027, 1, 4, 9, 0), tick=False)
def test_admin_run_now_queues_the_run_for_superusers(tree, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-12345678")
    client.force_login(admin)
    url = reverse("admin:season_seasonrun_run_now")
    assert client.get(reverse("admin:season_seasonrun_changelist")).status_code == 200
    response = client.post(url, {"force_drafts": "1"})
    assert response.status_code == 302
    run = SeasonRun.objects.get()
    assert run.triggered_by == admin and Draft.objects.filter(consolidated=False).count() == 4
