"""Audits: campaigns, guards and history, linking, the pre-filled checklist (deadline engine
across the National Day holiday), scoring arithmetic and spreadsheet import."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import Workbook

from agencies.models import Role
from audits import scoring, selectors, services
from audits.models import AuditEvent, ItemScore
from audits.testing import audit_world, mock_request_data, user_make
from requests_app.rules import RuleViolation
from requests_app.services import cases as case_svc
from tests.helpers import close_via_approval


@pytest.fixture
def world(city, district):
    return audit_world(city, district)


def _start(world):
    return services.campaign_transition(
        campaign_id=world.campaign.pk, by=world.supervisor, action="start"
    )


def _score_all(world, tr, verdict_by_key: dict[str, str], default: str = "pass"):
    verdicts = {
        item.id: (verdict_by_key.get(item.key, default), f"{item.key} note")
        for item in world.campaign.items.all()
    }
    services.mock_request_score(
        campaign_id=world.campaign.pk, number=tr.number, by=world.lawyer, verdicts=verdicts
    )


# --- campaign creation, checklist and access ----------------------------------------------


def test_campaign_gets_the_default_checklist_with_weights_adding_to_100(world):
    items = list(world.campaign.items.all())
    assert [i.key for i in items] == [s.key for s in scoring.DEFAULT_CHECKLIST]
    assert sum(i.weight for i in items) == 100
    assert world.campaign.status == "planning"
    event = AuditEvent.objects.get(campaign=world.campaign, kind="created")
    assert event.actor == world.supervisor
    assert event.changes["agencies"] == ["ZB-EDU", "ZD-GOV"]


def test_without_explicit_lawyers_the_supervising_office_auditors_are_assigned(world, city):
    campaign = services.campaign_create(
        by=world.supervisor,
        supervising_agency=city,
        data={
            "name": "第三轮",
            "period_start": dt.date(2026, 12, 1),
            "period_end": dt.date(2026, 12, 31),
            "agency_ids": [world.department.id],
        },
    )
    assert set(campaign.lawyers.all()) == {world.lawyer, world.other_lawyer}


def test_only_a_supervisor_above_the_office_creates_campaigns(world, city, other_agency):
    data = {"name": "x", "period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 2, 1)}
    for user in (
        world.lawyer,
        world.district_staff[Role.SUPERVISOR],
        world.department_staff[Role.APPROVER],
    ):
        with pytest.raises(services.NotPermitted):
            services.campaign_create(by=user, supervising_agency=city, data=data)
    with pytest.raises(services.AuditInvalid) as exc:
        services.campaign_create(
            by=world.supervisor,
            supervising_agency=city,
            data={
                **data,
                "period_end": dt.date(2025, 1, 1),
                "agency_ids": [other_agency.id],
                "lawyer_ids": [world.district_staff[Role.CLERK].id],
            },
        )
    assert exc.value.errors == {
        "period_end": services.MSG_PERIOD,
        "agency_ids": services.MSG_AGENCY_NOT_BELOW.format(name=other_agency.name),
        "lawyer_ids": services.MSG_NOT_AUDITOR.format(name="zd-clerk"),
    }


def test_campaign_visible_to_supervisor_and_assigned_lawyers_only(world, city):
    campaign = world.campaign
    assert list(selectors.campaign_list_for_user(world.supervisor)) == [campaign]
    assert list(selectors.campaign_list_for_user(world.lawyer)) == [campaign]
    city_admin = user_make("city-admin", city, Role.ADMINISTRATOR)
    outsiders = [
        world.other_lawyer,
        city_admin,
        *world.district_staff.values(),
        *world.department_staff.values(),
    ]
    for user in outsiders:
        assert not selectors.campaign_list_for_user(user).exists(), user
        with pytest.raises(Exception) as exc:
            selectors.campaign_get_for_user(user, campaign.pk)
        assert exc.type.__name__ == "Http404"
    # a supervisor of the city office's parent-less sibling sees nothing either
    assert selectors.campaign_user_is_supervisor(world.supervisor, campaign)
    assert not selectors.campaign_user_is_supervisor(
        world.district_staff[Role.SUPERVISOR], campaign
    )


# --- transitions, guards, history ----------------------------------------------------------


def test_transitions_have_guards_roles_and_history(world):
    campaign = world.campaign
    with pytest.raises(services.NotPermitted):
        services.campaign_transition(campaign_id=campaign.pk, by=world.lawyer, action="start")
    _start(world)
    tr = services.mock_request_create(
        campaign_id=campaign.pk,
        by=world.lawyer,
        data=mock_request_data(world.district, sent_on=None),
    )
    with pytest.raises(RuleViolation) as exc:
        services.campaign_transition(
            campaign_id=campaign.pk, by=world.lawyer, action="start_scoring"
        )
    assert exc.value.message == services.MSG_NOT_SENT.format(codes="T001")
    services.mock_request_update(
        campaign_id=campaign.pk,
        number=tr.number,
        by=world.lawyer,
        data=mock_request_data(world.district, sent_on=dt.date(2026, 9, 23)),
    )
    services.campaign_transition(campaign_id=campaign.pk, by=world.lawyer, action="start_scoring")
    with pytest.raises(services.NotPermitted):
        services.campaign_transition(campaign_id=campaign.pk, by=world.lawyer, action="publish")
    with pytest.raises(RuleViolation) as exc:
        services.campaign_transition(campaign_id=campaign.pk, by=world.supervisor, action="publish")
    assert exc.value.message == services.MSG_NOT_SCORED.format(codes="T001")
    _score_all(world, tr, {})
    campaign = services.campaign_transition(
        campaign_id=campaign.pk, by=world.supervisor, action="publish"
    )
    assert campaign.status == "published" and campaign.published_at is not None
    moves = list(
        AuditEvent.objects.filter(campaign=campaign, kind="transition").values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert moves == [
        ("planning", "running", "audit-supervisor"),
        ("running", "scoring", "audit-lawyer"),
        ("scoring", "published", "audit-supervisor"),
    ]
    # published campaigns are frozen
    with pytest.raises(RuleViolation):
        services.mock_request_create(
            campaign_id=campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
        )
    with pytest.raises(RuleViolation):
        _score_all(world, tr, {"timely": "fail"})


def test_an_agency_with_test_requests_cannot_be_removed(world):
    services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    with pytest.raises(services.AuditInvalid) as exc:
        services.campaign_update(
            campaign_id=world.campaign.pk,
            by=world.supervisor,
            data={
                "name": "x",
                "period_start": dt.date(2026, 9, 1),
                "period_end": dt.date(2026, 9, 30),
                "agency_ids": [world.department.id],
                "lawyer_ids": [world.lawyer.id],
            },
        )
    assert exc.value.errors == {
        "agency_ids": services.MSG_AGENCY_HAS_REQUESTS.format(name="张店区人民政府")
    }


def test_test_request_must_target_a_campaign_agency(world):
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_request_create(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            data=mock_request_data(
                world.outside, channel="pigeon", expected_outcome="granted", request_text=""
            ),
        )
    assert set(exc.value.errors) == {"agency_id", "channel", "expected_outcome", "request_text"}
    with pytest.raises(services.NotPermitted):
        services.mock_request_create(
            campaign_id=world.campaign.pk,
            by=world.other_lawyer,
            data=mock_request_data(world.district),
        )


def test_checklist_weights_are_configurable_and_items_can_be_added(world):
    items = list(world.campaign.items.all())
    rows = [
        {
            "id": i.id,
            "label": i.label,
            "weight": 0 if i.key == "referral" else i.weight,
            "position": i.position,
        }
        for i in items
    ]
    rows.append({"key": "receipt_issued", "label": "出具登记回执", "weight": 5})
    services.checklist_update(campaign_id=world.campaign.pk, by=world.supervisor, items=rows)
    weights = dict(world.campaign.items.values_list("key", "weight"))
    assert weights["referral"] == 0 and weights["receipt_issued"] == 5
    with pytest.raises(services.AuditInvalid) as exc:
        services.checklist_update(
            campaign_id=world.campaign.pk,
            by=world.supervisor,
            items=[{"id": items[0].id, "label": "", "weight": 101}],
        )
    assert exc.value.errors == {
        "items-0-label": services.MSG_REQUIRED,
        "items-0-weight": services.MSG_WEIGHT,
    }
    with pytest.raises(services.NotPermitted):
        services.checklist_update(campaign_id=world.campaign.pk, by=world.lawyer, items=rows)


# --- linking and the pre-filled checklist ------------------------------------------------------


def _register(world, agency_staff, agency, intake, **overrides):
    return case_svc.case_register(
        agency=agency, by=agency_staff[Role.CLERK], data=intake(**overrides)
    )


@time_machine.travel(dt.datetime(2026, 11, 2, 10, 0), tick=False)
@pytest.mark.parametrize(
    ("closed_on", "verdict"), [(dt.date(2026, 10, 29), "pass"), (dt.date(2026, 10, 30), "fail")]
)
def test_linked_case_prefills_timeliness_across_national_day(world, intake, closed_on, verdict):
    """Received Friday 2026-09-25 → due 2026-10-29 (National Day week off, Saturday 10-10 a
    make-up working day): a reply on 10-29 is on time, on 10-30 it is late."""
    _start(world)
    case = _register(world, world.district_staff, world.district, intake)
    assert case.received_on == dt.date(2026, 9, 25)
    close_via_approval(
        case,
        handler=world.district_staff[Role.HANDLER],
        approver=world.district_staff[Role.APPROVER],
        outcome="unavailable.not_held",
        on=closed_on,
    )
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    assert case in selectors.audit_case_search(world.campaign, tr, "EMS1234567890")
    services.mock_request_link_case(
        campaign_id=world.campaign.pk, number=tr.number, by=world.lawyer, case_id=case.id
    )
    tr.refresh_from_db()
    facts = selectors.mock_request_facts(tr)
    assert (facts.received_on, facts.due, facts.replied_on) == (
        dt.date(2026, 9, 25),
        dt.date(2026, 10, 29),
        closed_on,
    )
    prefill = services.mock_request_prefill(tr)
    assert prefill["timely"][0] == verdict
    assert "2026-10-29" in prefill["timely"][1]
    assert prefill["accepted"][0] == "pass"
    assert prefill["supplement"][0] == "not_applicable"
    assert prefill["outcome_fits"] == (
        "fail",
        "预期“予以公开”，实际答复“无法提供：本机关不掌握相关政府信息”。",
    )
    assert prefill["withholding_reasons"][0] == "not_applicable"
    # read from the issued reply letter's text (letters app): basis cited, remedy notice there;
    # the standard "not held" reply names no other agency, which the lawyer must judge
    assert (
        prefill["legal_basis"][0] == "pass" and "第三十六条第（四）项" in prefill["legal_basis"][1]
    )
    assert prefill["remedy_notice"][0] == "pass"
    assert prefill["referral"][0] == "cannot_tell"
    assert (
        prefill["written_sealed"][0] == "cannot_tell" and "〔2026〕" in prefill["written_sealed"][1]
    )
    if verdict == "fail":
        assert "逾期 1 个工作日" in prefill["timely"][1]
    # the lawyer's verdicts are stored with the system's suggestion beside them
    _score_all(world, tr, {"timely": "pass"})
    score = ItemScore.objects.get(test_request=tr, item__key="timely")
    assert (score.verdict, score.suggested_verdict) == ("pass", verdict)


@time_machine.travel(dt.datetime(2026, 11, 20, 10, 0), tick=False)
def test_unlinked_reply_recorded_by_hand_uses_the_same_engine(world):
    _start(world)
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.department)
    )
    services.mock_request_record_reply(
        campaign_id=world.campaign.pk,
        number=tr.number,
        by=world.lawyer,
        data={
            "received_on": "2026-09-25",
            "replied_on": "2026-10-30",
            "reply_outcome": "disclosed",
        },
    )
    tr.refresh_from_db()
    prefill = services.mock_request_prefill(tr)
    assert prefill["timely"][0] == "fail"
    assert prefill["outcome_fits"][0] == "pass"
    assert prefill["legal_basis"][0] == "cannot_tell"
    # a recorded extension of 5 working days moves the due date: 10-29 + 5 = 11-05
    services.mock_request_record_reply(
        campaign_id=world.campaign.pk,
        number=tr.number,
        by=world.lawyer,
        data={
            "received_on": "2026-09-25",
            "replied_on": "2026-10-30",
            "reply_outcome": "disclosed",
            "extension_days": 5,
        },
    )
    tr.refresh_from_db()
    facts = selectors.mock_request_facts(tr)
    assert facts.due == dt.date(2026, 11, 5)
    assert services.mock_request_prefill(tr)["timely"][0] == "pass"
    # a supplement notice on the 8th working day is late; the clock restarts on the supplement
    services.mock_request_record_reply(
        campaign_id=world.campaign.pk,
        number=tr.number,
        by=world.lawyer,
        data={
            "received_on": "2026-09-25",
            "supplement_on": "2026-10-13",
            "supplement_text": "请写明年份",
            "supplement_answered_on": "2026-10-16",
        },
    )
    tr.refresh_from_db()
    facts = selectors.mock_request_facts(tr)
    assert facts.supplement_days == 8
    prefill = services.mock_request_prefill(tr)
    assert prefill["supplement"][0] == "fail"
    assert facts.due == dt.date(2026, 11, 13)  # 20 working days after 2026-10-16
    assert prefill["timely"][0] == "fail"  # no reply, 11-13 passed by 11-20
    assert AuditEvent.objects.filter(test_request=tr, kind="reply").count() == 3


def test_reply_recording_errors_name_the_field_and_save_nothing(world):
    _start(world)
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.department)
    )
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_request_record_reply(
            campaign_id=world.campaign.pk,
            number=tr.number,
            by=world.lawyer,
            data={
                "received_on": "2026-09-01",
                "replied_on": "2026-13-01",
                "extension_days": 30,
                "reply_outcome": "granted",
            },
        )
    assert exc.value.errors == {
        "replied_on": services.MSG_DATE,
        "extension_days": services.MSG_EXTENSION,
        "reply_outcome": services.MSG_OUTCOME.format(value="granted"),
        "received_on": services.MSG_RECEIPT_BEFORE_SENT,
    }
    tr.refresh_from_db()
    assert (
        tr.received_on is None
        and not AuditEvent.objects.filter(test_request=tr, kind="reply").exists()
    )


def test_linking_is_limited_to_the_test_requests_agency_and_assigned_lawyers(world, intake):
    _start(world)
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 0), tick=False):
        district_case = _register(world, world.district_staff, world.district, intake)
        department_case = _register(world, world.department_staff, world.department, intake)
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    assert selectors.audit_case_search(world.campaign, tr) == [district_case]
    with pytest.raises(RuleViolation) as exc:
        services.mock_request_link_case(
            campaign_id=world.campaign.pk,
            number=tr.number,
            by=world.lawyer,
            case_id=department_case.id,
        )
    assert exc.value.message == services.MSG_CASE_OTHER_AGENCY.format(name="张店区人民政府")
    for user in (world.other_lawyer, world.district_staff[Role.HANDLER]):
        with pytest.raises(services.NotPermitted):
            services.mock_request_link_case(
                campaign_id=world.campaign.pk, number=tr.number, by=user, case_id=district_case.id
            )
    services.mock_request_link_case(
        campaign_id=world.campaign.pk, number=tr.number, by=world.lawyer, case_id=district_case.id
    )
    second = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    with pytest.raises(RuleViolation) as exc:
        services.mock_request_link_case(
            campaign_id=world.campaign.pk,
            number=second.number,
            by=world.lawyer,
            case_id=district_case.id,
        )
    assert exc.value.message == services.MSG_CASE_TAKEN
    assert selectors.audit_case_search(world.campaign, second) == []


# --- arithmetic -------------------------------------------------------------------------------


def test_weighted_score_excludes_not_applicable_and_cannot_tell_from_the_denominator():
    rows = [
        (10, "pass"),
        (20, "fail"),
        (15, "pass"),
        (5, "not_applicable"),
        (10, "cannot_tell"),
        (0, "fail"),
        (7, ""),
    ]
    # earned 25 of possible 45 → 55.555… → 55.6
    assert scoring.weighted_score(rows) == Decimal("55.6")
    assert scoring.weighted_score([(10, "not_applicable"), (5, "cannot_tell")]) is None
    assert scoring.weighted_score([(10, "pass")]) == Decimal("100.0")
    assert scoring.weighted_score([(1, "pass"), (7, "fail")]) == Decimal("12.5")
    assert scoring.pass_rate(["pass", "pass", "fail", "cannot_tell", "not_applicable"]) == Decimal(
        "66.7"
    )
    assert scoring.competition_ranks([Decimal(90), Decimal(90), Decimal(80), None]) == [
        1,
        1,
        3,
        None,
    ]


def test_campaign_results_score_rank_and_pass_rates(world):
    _start(world)
    district_trs = [
        services.mock_request_create(
            campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
        )
        for _ in range(2)
    ]
    department_tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.department)
    )
    # district T1: timely (20) fails, referral (5) not applicable → 75 of 95
    _score_all(world, district_trs[0], {"timely": "fail", "referral": "not_applicable"})
    # district T2: legal basis (10) cannot tell, remedy (10) fails → 80 of 90
    _score_all(world, district_trs[1], {"legal_basis": "cannot_tell", "remedy_notice": "fail"})
    # department: all pass → 100
    _score_all(world, department_tr, {})
    results = selectors.campaign_results(world.campaign)
    by_code = {r.agency.code: r for r in results.agencies}
    district = by_code["ZD-GOV"]
    assert (district.earned, district.possible) == (155, 185)
    assert district.score == Decimal("83.8")  # 15500 / 185 = 83.78…
    assert by_code["ZB-EDU"].score == Decimal("100.0")
    assert [(r.agency.code, r.rank) for r in results.agencies] == [("ZB-EDU", 1), ("ZD-GOV", 2)]
    rates = {i.item.key: i for i in results.items}
    assert rates["timely"].rate == Decimal("66.7") and rates["timely"].fails == 1
    assert rates["referral"].rate == Decimal("100.0") and rates["referral"].not_applicable == 1
    assert rates["legal_basis"].cannot_tell == 1 and rates["legal_basis"].rate == Decimal("100.0")
    assert [(p.test_request.code, p.item.key) for p in results.problems] == [
        ("T001", "timely"),
        ("T002", "remedy_notice"),
    ]
    assert results.scored_count == 3
    assert [i.item.key for i in results.common_problems] == ["timely", "remedy_notice"]


def test_reply_text_inspection():
    good = (
        "经审查，您申请获取的政府信息属于过程性信息，本机关决定不予公开。本答复依据《中华人民共和国政府信息公开条例》"
        "第三十六条第（三）项、第十六条第二款的规定作出。根据行政复议法的规定，应当先向淄博市人民政府申请行政复议，"
        "可以自收到本答复之日起六十日内提出；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向法院提起行政诉讼。"
    )
    facts = scoring.inspect_reply_text(good, "withheld.process_information")
    assert (facts.cites_basis, facts.gives_reasons, facts.remedy_ok) == (True, True, True)
    assert facts.basis_note == "第三十六条第（三）项、第十六条第二款"
    no_basis = (
        "本机关决定不予公开。如不服，可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。"
    )
    facts = scoring.inspect_reply_text(no_basis, "withheld.process_information")
    assert facts.cites_basis is False
    assert facts.remedy_ok is False and "复议前置" in facts.remedy_note
    facts = scoring.inspect_reply_text("予以公开。", "disclosed")
    assert (facts.cites_basis, facts.remedy_ok, facts.gives_reasons) == (False, False, None)
    prefill = scoring.checklist_prefill(
        scoring.ReplyFacts(
            linked=True,
            today=dt.date(2026, 11, 2),
            received_on=dt.date(2026, 9, 25),
            due=dt.date(2026, 10, 29),
            replied_on=dt.date(2026, 10, 20),
            outcome="withheld.process_information",
            letter=scoring.inspect_reply_text(no_basis, "withheld.process_information"),
        ),
        "withheld.process_information",
    )
    assert prefill["legal_basis"] == ("fail", "答复书未写明法律依据，无法判断是否正确。")
    assert prefill["remedy_notice"][0] == "fail"
    assert prefill["withholding_reasons"][0] == "fail"


def test_no_reply_after_the_due_date_prefills_failures():
    facts = scoring.ReplyFacts(
        linked=False,
        today=dt.date(2026, 11, 2),
        received_on=dt.date(2026, 9, 25),
        due=dt.date(2026, 10, 29),
    )
    prefill = scoring.checklist_prefill(facts, "disclosed")
    assert prefill["timely"] == ("fail", "截至 2026-11-02 未收到答复，答复期限 2026-10-29 已过。")
    assert {
        prefill[k][0] for k in ("written_sealed", "outcome_fits", "legal_basis", "remedy_notice")
    } == {"fail"}
    facts.today = dt.date(2026, 10, 20)
    assert scoring.checklist_prefill(facts, "disclosed")["timely"][0] == "cannot_tell"


def test_invalid_verdict_is_refused(world):
    _start(world)
    tr = services.mock_request_create(
        campaign_id=world.campaign.pk, by=world.lawyer, data=mock_request_data(world.district)
    )
    item = world.campaign.items.first()
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_request_score(
            campaign_id=world.campaign.pk,
            number=tr.number,
            by=world.lawyer,
            verdicts={item.id: ("maybe", "")},
        )
    assert exc.value.errors == {f"item_{item.id}": services.MSG_VERDICT}
    assert not ItemScore.objects.exists()


# --- import -----------------------------------------------------------------------------------

HEADER = ",".join(services.IMPORT_COLUMNS)


def test_csv_import_is_all_or_nothing_with_row_numbers(world):
    _start(world)
    csv_text = "\n".join(
        [
            HEADER,
            "ZD-GOV,mail_signed,2026-09-23,EMS1,申请公开预算,自然人,disclosed",
            "ZB-HEALTH,mail_signed,2026-09-23,EMS2,申请公开预算,自然人,disclosed",
            "",
            "ZD-GOV,pigeon,2026-09-31,EMS3,,自然人,granted",
            "NOPE,email,2026-09-23,,申请公开预算,自然人,withheld.state_secret",
        ]
    )
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            content=("\ufeff" + csv_text).encode("utf-8"),
            filename="batch.csv",
        )
    assert exc.value.errors == [
        "row 3: agency_code（机关代码） "
        + services.MSG_AGENCY_NOT_TARGETED.format(name="ZB-HEALTH"),
        "row 5: channel（申请渠道） " + services.MSG_CHANNEL.format(value="pigeon"),
        "row 5: sent_on（发出日期） " + services.MSG_DATE,
        "row 5: request_text（申请内容） " + services.MSG_REQUIRED,
        "row 5: expected_outcome（预期办理结果） " + services.MSG_OUTCOME.format(value="granted"),
        "row 6: agency_code（机关代码） " + services.MSG_AGENCY_UNKNOWN.format(code="NOPE"),
    ]
    assert not world.campaign.test_requests.exists()
    good = "\n".join(
        [
            HEADER,
            "ZD-GOV,mail_signed,2026-09-23,EMS1,申请公开预算,自然人,disclosed",
            "ZB-EDU,online,,WEB-7,申请公开招生计划,法人（某律所）,unavailable.not_held",
        ]
    )
    created = services.mock_requests_import(
        campaign_id=world.campaign.pk, by=world.lawyer, content=good.encode(), filename="ok.csv"
    )
    assert [(tr.code, tr.agency.code, tr.sent_on) for tr in created] == [
        ("T001", "ZD-GOV", dt.date(2026, 9, 23)),
        ("T002", "ZB-EDU", None),
    ]
    assert AuditEvent.objects.get(campaign=world.campaign, kind="imported").changes["numbers"] == [
        1,
        2,
    ]


def test_xlsx_import_reads_the_first_sheet_with_real_dates(world):
    book = Workbook()
    sheet = book.active
    sheet.append(services.IMPORT_COLUMNS)
    sheet.append(
        ["ZB-EDU", "email", dt.datetime(2026, 9, 21), "MAIL-1", "申请公开", "自然人", "disclosed"]
    )
    sheet.append(
        ["ZB-EDU", "email", dt.datetime(2026, 9, 21), "MAIL-2", "申请公开", "", "disclosed"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            content=buffer.getvalue(),
            filename="b.xlsx",
        )
    assert exc.value.errors == ["row 3: applicant_identity（申请人身份） " + services.MSG_REQUIRED]
    sheet["F3"] = "法人"
    buffer = io.BytesIO()
    book.save(buffer)
    created = services.mock_requests_import(
        campaign_id=world.campaign.pk, by=world.lawyer, content=buffer.getvalue(), filename="b.xlsx"
    )
    assert [tr.sent_on for tr in created] == [dt.date(2026, 9, 21)] * 2


def test_import_rejects_missing_columns_and_unknown_formats(world):
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            content=b"agency_code,channel\n",
            filename="a.csv",
        )
    assert exc.value.errors == [
        "row 1: "
        + services.MSG_IMPORT_COLUMNS.format(
            columns="sent_on, tracking_number, request_text, applicant_identity, expected_outcome"
        )
    ]
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk, by=world.lawyer, content=b"x", filename="a.txt"
        )
    assert exc.value.errors == ["row 1: " + services.MSG_IMPORT_FORMAT]


def test_row_numbers_are_file_lines_with_multiline_cells_and_blank_rows(world):
    csv_text = (
        HEADER + "\n"
        'ZD-GOV,mail_signed,2026-09-23,EMS1,"申请公开：\n1. 预算\n2. 决算",自然人,disclosed\n'
        "ZD-GOV,fax,2026-09-23,EMS2,申请公开预算,自然人,nope\n"
    )
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            content=csv_text.encode(),
            filename="m.csv",
        )
    assert exc.value.errors == [
        "row 5: expected_outcome（预期办理结果） " + services.MSG_OUTCOME.format(value="nope")
    ]
    book = Workbook()
    sheet = book.active
    sheet.append(services.IMPORT_COLUMNS)
    sheet.append(["ZB-EDU", "email", "2026-09-21", "M-1", "申请公开", "自然人", "disclosed"])
    sheet.append([])
    sheet.append([])
    sheet.append(["ZB-EDU", "telegram", "2026-09-21", "M-2", "申请公开", "自然人", "disclosed"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(services.AuditInvalid) as exc:
        services.mock_requests_import(
            campaign_id=world.campaign.pk,
            by=world.lawyer,
            content=buffer.getvalue(),
            filename="b.xlsx",
        )
    assert exc.value.errors == [
        "row 5: channel（申请渠道） " + services.MSG_CHANNEL.format(value="telegram")
    ]


def test_results_take_the_same_number_of_queries_for_3_or_12_test_requests(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _start(world)

    def add(n):
        for _ in range(n):
            tr = services.mock_request_create(
                campaign_id=world.campaign.pk,
                by=world.lawyer,
                data=mock_request_data(world.department),
            )
            _score_all(world, tr, {"timely": "fail"})

    add(3)
    with CaptureQueriesContext(connection) as few:
        selectors.campaign_results(world.campaign)
    add(9)
    with CaptureQueriesContext(connection) as many:
        results = selectors.campaign_results(world.campaign)
    assert len(few) == len(many) <= 6
    assert results.test_request_count == 12 and len(results.problems) == 12
