"""Guards of the workflow, the deadline each step produces, and the history every step leaves."""

import datetime as dt
from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from requests_app import rules
from requests_app.models import Case, CaseEvent, ClockEvent
from requests_app.services import cases as svc
from requests_app.services.deadlines import case_deadline
from requests_app.services.intake import IntakeInvalid
from tests.helpers import travel

from .conftest import valid_credit_code

D = dt.date


@pytest.fixture
def registered(city, staff, intake):
    with travel(D(2026, 9, 28)):
        return svc.case_register(agency=city, by=staff["clerk"], data=intake())


# --- receipt date per channel (Art. 31) ----------------------------------------------------
@pytest.mark.parametrize(
    ("channel", "dates", "received"),
    [
        ("in_person", {"submitted_on": D(2026, 9, 28)}, D(2026, 9, 28)),
        (
            "mail_signed",
            {"submitted_on": D(2026, 9, 22), "signed_on": D(2026, 9, 24)},
            D(2026, 9, 24),
        ),
        (
            "mail_ordinary",
            {
                "submitted_on": D(2026, 9, 22),
                "confirmed_on": D(2026, 9, 23),
                "confirmation_delay_reason": "到达当日申请人电话无人接听",
            },
            D(2026, 9, 23),
        ),
        (
            "online",
            {"submitted_on": D(2026, 9, 20), "confirmed_on": D(2026, 9, 21)},
            D(2026, 9, 21),
        ),
        ("email", {"confirmed_on": D(2026, 9, 21)}, D(2026, 9, 21)),
        ("fax", {"confirmed_on": D(2026, 9, 21)}, D(2026, 9, 21)),
    ],
)
def test_receipt_date_follows_the_channel(channel, dates, received, city, staff, intake):
    data = intake(
        **{
            "channel": channel,
            "submitted_on": None,
            "signed_on": None,
            "confirmed_on": None,
            **dates,
        }
    )
    with travel(D(2026, 9, 28)):
        case = svc.case_register(agency=city, by=staff["clerk"], data=data)
    assert case.received_on == received
    steps = case_deadline(case).steps
    assert "条例第三十一条" in steps[0]


def test_missing_channel_date_names_the_field_and_saves_nothing(city, staff, intake):
    with travel(D(2026, 9, 28)), pytest.raises(IntakeInvalid) as exc:
        svc.case_register(agency=city, by=staff["clerk"], data=intake(signed_on=None))
    assert exc.value.errors == {"signed_on": "邮寄（需签收）须填写签收日期"}
    assert Case.objects.count() == 0


def test_identity_numbers_are_checked(city, staff, intake):
    with travel(D(2026, 9, 28)):
        with pytest.raises(IntakeInvalid) as exc:
            svc.case_register(
                agency=city,
                by=staff["clerk"],
                data=intake(applicant_id_number="370302198001011234"),
            )
        assert exc.value.errors["applicant_id_number"] == rules.MSG_ID_NUMBER
        with pytest.raises(IntakeInvalid) as exc:
            svc.case_register(
                agency=city,
                by=staff["clerk"],
                data=intake(
                    applicant_type="commercial_enterprise",
                    applicant_credit_code="91370300MA3C000010",
                ),
            )
        assert exc.value.errors["applicant_credit_code"] == rules.MSG_CREDIT_CODE
        case = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(
                applicant_type="commercial_enterprise",
                applicant_id_number="",
                applicant_credit_code=valid_credit_code(3),
            ),
        )
    assert case.applicant_credit_code == valid_credit_code(3)
    assert rules.credit_code_is_valid("91350100M000100Y43")  # a published real-format example
    assert rules.id_number_is_valid("11010519491231002X")


def test_future_dates_are_refused(city, staff, intake):
    with travel(D(2026, 9, 28)), pytest.raises(IntakeInvalid) as exc:
        svc.case_register(agency=city, by=staff["clerk"], data=intake(signed_on=D(2026, 9, 29)))
    assert exc.value.errors["signed_on"] == rules.MSG_DATE_FUTURE


def test_case_numbers_are_sequential_per_agency_and_year_and_never_reused(
    city, district, staff, intake
):
    from .conftest import make_user

    d_clerk = make_user("dc", district, "clerk")
    with travel(D(2026, 9, 28)):
        a = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        b = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        svc.case_void(case_id=b.id, by=staff["approver"], reason="重复登记")
        c = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        d = svc.case_register(agency=district, by=d_clerk, data=intake())
    assert [a.case_no, b.case_no, c.case_no, d.case_no] == [
        "2026-0001",
        "2026-0002",
        "2026-0003",
        "2026-0001",
    ]


# --- supplement (Art. 30, 31) -------------------------------------------------------------
def test_supplement_within_seven_working_days_restarts_the_clock(registered, staff):
    # Received 2026-09-25 (a holiday); the 7th working day after it is 2026-10-12.
    with travel(D(2026, 10, 13)):
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_request_supplement(
                case_id=registered.id,
                by=staff["handler"],
                missing="写明年份",
                due=D(2026, 10, 30),
                on=D(2026, 10, 13),
            )
        assert exc.value.message == rules.MSG_SUPPLEMENT_LATE.format(days=8)
        case = svc.case_request_supplement(
            case_id=registered.id,
            by=staff["handler"],
            missing="写明年份",
            due=D(2026, 10, 30),
            on=D(2026, 10, 12),
        )
    assert case.state == "supplement" and case.clock_stopped
    with travel(D(2026, 10, 20)):
        case = svc.case_record_supplement(case_id=case.id, by=staff["clerk"], on=D(2026, 10, 20))
    # The 20 working days start again from 2026-10-20: due 2026-11-17.
    assert case.state == "received"
    assert case.reply_due == D(2026, 11, 17)
    assert ClockEvent.objects.filter(case=case, kind="restart", on=D(2026, 10, 20)).exists()
    assert any("重新起算" in s for s in case_deadline(case).steps)
    with travel(D(2026, 10, 21)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_request_supplement(
            case_id=case.id,
            by=staff["handler"],
            missing="再补充",
            due=D(2026, 10, 30),
            on=D(2026, 10, 21),
        )
    assert exc.value.message == rules.MSG_SUPPLEMENT_ONCE


def test_deemed_abandoned_only_after_the_supplement_period(registered, staff):
    with travel(D(2026, 9, 29)):
        svc.case_request_supplement(
            case_id=registered.id,
            by=staff["handler"],
            missing="写明年份",
            due=D(2026, 10, 20),
            on=D(2026, 9, 29),
        )
    with travel(D(2026, 10, 20)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_deem_abandoned(case_id=registered.id, by=staff["handler"])
    assert exc.value.field == "on"
    with travel(D(2026, 10, 21)):
        case = svc.case_deem_abandoned(case_id=registered.id, by=staff["handler"])
    assert (case.state, case.outcome, case.closed_on) == (
        "other",
        "other.no_supplement",
        D(2026, 10, 21),
    )


def test_supplement_message_is_required(registered, staff):
    with travel(D(2026, 9, 29)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_request_supplement(
            case_id=registered.id, by=staff["handler"], missing="  ", due=D(2026, 10, 20)
        )
    assert exc.value.field == "missing"


# --- clock stops: consultation and fees ------------------------------------------------------
def test_consultation_stops_the_clock(registered, staff):
    with travel(D(2026, 10, 9)):
        case = svc.case_start_consultation(
            case_id=registered.id, by=staff["handler"], party="某公司", on=D(2026, 10, 9)
        )
    assert case.clock_stopped and case.reply_due is None
    assert case_deadline(case).used == 5  # 9-28, 9-29, 9-30, 10-8, 10-9
    with travel(D(2026, 10, 20)):
        case = svc.case_finish_consultation(
            case_id=case.id, by=staff["handler"], on=D(2026, 10, 20)
        )
    # 15 working days remain from 2026-10-20: due 2026-11-10.
    assert case.reply_due == D(2026, 11, 10)
    assert case.state == "drafting" and not case.clock_stopped
    assert any("不计入" in s and "条例第三十三条第三款" in s for s in case_deadline(case).steps)


def test_fee_notice_stops_the_clock_and_unpaid_fee_closes_after_20_working_days(registered, staff):
    with travel(D(2026, 9, 29)):
        case = svc.case_issue_fee_notice(
            case_id=registered.id, by=staff["handler"], amount=Decimal("200"), on=D(2026, 9, 29)
        )
    assert case.fee_payment_due == D(2026, 11, 2)  # 20 working days from the day after
    with travel(D(2026, 11, 2)), pytest.raises(svc.RuleViolation):
        svc.case_close_fee_unpaid(case_id=case.id, by=staff["handler"])
    with travel(D(2026, 11, 3)):
        case = svc.case_close_fee_unpaid(case_id=case.id, by=staff["handler"])
    assert case.outcome == "other.fee_unpaid"


def test_fee_payment_needs_a_receipt_number_and_resumes(registered, staff):
    with travel(D(2026, 9, 29)):
        svc.case_issue_fee_notice(case_id=registered.id, by=staff["handler"], amount=Decimal("100"))
    with travel(D(2026, 10, 12)):
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_record_fee_payment(case_id=registered.id, by=staff["clerk"], receipt_no="")
        assert exc.value.field == "receipt_no"
        case = svc.case_record_fee_payment(
            case_id=registered.id, by=staff["clerk"], receipt_no="FS-1"
        )
    # Used 9-28, 9-29 = 2; the rest (18) from 2026-10-12: due 2026-11-05.
    assert case.reply_due == D(2026, 11, 5)


# --- extension (Art. 33 para 2) --------------------------------------------------------------
def test_extension_at_most_20_days_once_and_approved_by_the_approver(registered, staff):
    with travel(D(2026, 10, 20)):
        svc.case_start_drafting(case_id=registered.id, by=staff["handler"])
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_request_extension(
                case_id=registered.id, by=staff["handler"], days=21, reason="档案多"
            )
        assert exc.value.message == rules.MSG_EXTENSION_DAYS
        svc.case_request_extension(
            case_id=registered.id, by=staff["handler"], days=20, reason="档案多"
        )
        case = svc.case_approve_extension(case_id=registered.id, by=staff["approver"])
    assert case.extension_state == "approved"
    assert case.reply_due == D(2026, 11, 26)  # 40 working days after 2026-09-25
    assert any("延期 20 个工作日" in s for s in case_deadline(case).steps)
    with travel(D(2026, 10, 21)), pytest.raises(svc.CaseConflict):
        svc.case_request_extension(case_id=case.id, by=staff["handler"], days=5, reason="再延")
    assert CaseEvent.objects.filter(case=case, transition="approve_extension").get().changes[
        "reply_due"
    ] == ["2026-10-29", "2026-11-26"]


def test_extension_cannot_be_asked_after_the_deadline(registered, staff):
    with travel(D(2026, 10, 30)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_request_extension(
            case_id=registered.id, by=staff["handler"], days=5, reason="晚了"
        )
    assert exc.value.message == rules.MSG_EXTENSION_LATE.format(due=D(2026, 10, 29))


def test_refused_extension_leaves_the_deadline(registered, staff):
    with travel(D(2026, 10, 20)):
        svc.case_request_extension(
            case_id=registered.id, by=staff["handler"], days=10, reason="档案多"
        )
        case = svc.case_refuse_extension(
            case_id=registered.id, by=staff["approver"], reason="理由不足"
        )
    assert (case.extension_state, case.extension_days, case.reply_due) == (
        "refused",
        0,
        D(2026, 10, 29),
    )


# --- closing ----------------------------------------------------------------------------------
def test_closing_needs_a_valid_outcome_key(registered, staff):
    with travel(D(2026, 10, 9)):
        svc.case_start_drafting(case_id=registered.id, by=staff["handler"])
        for bad, message in [
            ("", rules.MSG_OUTCOME_REQUIRED),
            ("withheld.nonsense", rules.MSG_OUTCOME_UNKNOWN.format(key="withheld.nonsense")),
            ("other.no_supplement", rules.MSG_OUTCOME_OWN_PATH.format(key="other.no_supplement")),
            ("unavailable.still_unclear_after_supplement", rules.MSG_OUTCOME_NEEDS_SUPPLEMENT),
        ]:
            with pytest.raises(svc.RuleViolation) as exc:
                svc.case_submit_for_approval(
                    case_id=registered.id, by=staff["handler"], outcome=bad
                )
            assert exc.value.message == message
            assert exc.value.field == "outcome"


def test_on_the_spot_answer_only_in_person_on_the_day(city, staff, intake):
    with travel(D(2026, 9, 28)):
        mailed = svc.case_register(agency=city, by=staff["clerk"], data=intake())
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_answer_on_the_spot(
                case_id=mailed.id, by=staff["clerk"], outcome="disclosed", note="当场"
            )
        assert exc.value.message == rules.MSG_ON_THE_SPOT
        walk_in = svc.case_register(
            agency=city,
            by=staff["clerk"],
            data=intake(channel="in_person", submitted_on=D(2026, 9, 28), signed_on=None),
        )
        case = svc.case_answer_on_the_spot(
            case_id=walk_in.id, by=staff["clerk"], outcome="disclosed", note="当场提供复印件"
        )
    assert (case.state, case.answered_on_the_spot, case.closed_on) == (
        "disclosed",
        True,
        D(2026, 9, 28),
    )


def test_void_needs_a_reason_and_keeps_the_case(registered, staff):
    with travel(D(2026, 9, 29)):
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_void(case_id=registered.id, by=staff["approver"], reason=" ")
        assert exc.value.message == rules.MSG_VOID_REASON
        case = svc.case_void(
            case_id=registered.id, by=staff["approver"], reason="非政府信息公开申请，误登记"
        )
    assert case.state == "void" and case.voided_by == staff["approver"] and case.void_reason
    assert Case.objects.filter(pk=case.pk).exists()


# --- history ---------------------------------------------------------------------------------
def test_every_transition_is_logged_with_who_when_and_why(registered, staff):
    with travel(D(2026, 10, 9)):
        svc.case_start_drafting(case_id=registered.id, by=staff["handler"], reason="开始办理")
        svc.case_submit_for_approval(
            case_id=registered.id,
            by=staff["handler"],
            outcome="disclosed",
            reason="经检索属于主动公开范围",
        )
        svc.case_return_for_revision(
            case_id=registered.id, by=staff["approver"], reason="补充获取途径"
        )
    events = list(CaseEvent.objects.filter(case=registered).order_by("id"))
    assert [e.kind for e in events] == ["registered", "transition", "transition", "transition"]
    assert [(e.transition, e.from_state, e.to_state, e.actor.username) for e in events[1:]] == [
        ("start_drafting", "received", "drafting", "handler-user"),
        ("submit_for_approval", "drafting", "review", "handler-user"),
        ("return_for_revision", "review", "drafting", "approver-user"),
    ]
    assert events[2].reason == "经检索属于主动公开范围" and events[2].changes == {
        "outcome": "disclosed"
    }
    logs = StateLog.objects.for_(registered).order_by("id")
    assert [(log.transition, log.by.username, log.description) for log in logs] == [
        ("start_drafting", "handler-user", "开始办理"),
        ("submit_for_approval", "handler-user", "经检索属于主动公开范围"),
        ("return_for_revision", "approver-user", "补充获取途径"),
    ]


def test_field_edits_are_in_the_history_with_old_and_new_values(registered, staff):
    with travel(D(2026, 9, 29)):
        with pytest.raises(svc.RuleViolation):
            svc.case_update(
                case_id=registered.id,
                by=staff["clerk"],
                changes={"applicant_phone": "13900002222"},
                reason="",
            )
        svc.case_update(
            case_id=registered.id,
            by=staff["clerk"],
            changes={"applicant_phone": "13900002222"},
            reason="申请人来电更正",
        )
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_update(
                case_id=registered.id,
                by=staff["clerk"],
                changes={"received_on": D(2026, 9, 1)},
                reason="改日期",
            )
        assert "received_on" in exc.value.message
    event = CaseEvent.objects.get(case=registered, kind="edit")
    assert event.changes == {"applicant_phone": ["13800001111", "13900002222"]}
    assert event.actor == staff["clerk"] and event.reason == "申请人来电更正"


def test_stale_version_is_a_conflict(registered, staff):
    with travel(D(2026, 9, 29)):
        svc.case_start_drafting(
            case_id=registered.id, by=staff["handler"], expected_version=registered.version
        )
        with pytest.raises(svc.CaseConflict) as exc:
            svc.case_update(
                case_id=registered.id,
                by=staff["clerk"],
                changes={"applicant_name": "李四"},
                reason="更正",
                expected_version=registered.version,
            )
    assert exc.value.message == rules.MSG_CONFLICT


def test_supplement_asked_and_received_on_the_same_day_restarts_the_clock(registered, staff):
    with travel(D(2026, 10, 9)):
        svc.case_request_supplement(
            case_id=registered.id,
            by=staff["handler"],
            missing="写明年份",
            due=D(2026, 10, 20),
            on=D(2026, 10, 9),
        )
        case = svc.case_record_supplement(
            case_id=registered.id, by=staff["clerk"], on=D(2026, 10, 9)
        )
    assert (case.state, case.clock_stopped) == ("received", False)
    assert case.reply_due == D(
        2026, 11, 5
    )  # 20 working days after 2026-10-09 (10-10 a make-up day)
    from requests_app.services.deadlines import case_deadlines_recompute_open

    assert case_deadlines_recompute_open(reason="同日事件顺序") == 0  # the bulk path agrees


def test_extension_must_be_approved_before_the_deadline(registered, staff):
    with travel(D(2026, 10, 29)):
        svc.case_request_extension(
            case_id=registered.id, by=staff["handler"], days=10, reason="档案多"
        )
    with travel(D(2026, 10, 30)), pytest.raises(svc.RuleViolation) as exc:
        svc.case_approve_extension(case_id=registered.id, by=staff["approver"])
    assert exc.value.message == rules.MSG_EXTENSION_APPROVE_LATE.format(due=D(2026, 10, 29))


def test_no_supplement_once_an_extension_is_asked_for(registered, staff):
    with travel(D(2026, 9, 29)):
        svc.case_request_extension(
            case_id=registered.id, by=staff["handler"], days=10, reason="档案多"
        )
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_request_supplement(
                case_id=registered.id, by=staff["handler"], missing="写明年份", due=D(2026, 10, 20)
            )
    assert exc.value.message == rules.MSG_SUPPLEMENT_AFTER_EXTENSION


def test_fee_payment_period_runs_from_the_applicants_receipt_of_the_notice(registered, staff):
    with travel(D(2026, 10, 12)):
        case = svc.case_issue_fee_notice(
            case_id=registered.id,
            by=staff["handler"],
            amount=Decimal("100"),
            on=D(2026, 9, 29),
            received_on=D(2026, 10, 9),
        )
        with pytest.raises(svc.RuleViolation) as exc:
            svc.case_issue_fee_notice(
                case_id=registered.id,
                by=staff["handler"],
                amount=Decimal("100"),
                on=D(2026, 10, 9),
                received_on=D(2026, 10, 8),
            )
        assert exc.value.field == "received_on"
    # The clock stopped on 9-29 (2 working days used); payment due 20 working days after 10-09.
    assert case.fee_notice_received_on == D(2026, 10, 9)
    assert case.fee_payment_due == D(2026, 11, 5)
    assert case_deadline(case).used == 2


def test_registration_cost_does_not_grow_with_the_years_cases(city, staff, intake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def register():
        with travel(D(2026, 9, 28)), CaptureQueriesContext(connection) as queries:
            svc.case_register(agency=city, by=staff["clerk"], data=intake())
        # The number is checked by its candidate only, never by scanning the year's numbers.
        assert not any("LIKE" in q["sql"] for q in queries.captured_queries)
        return len(queries)

    register()
    few = register()
    Case.objects.bulk_create(
        Case(
            agency=city,
            year=2026,
            case_no=f"2026-9{i:04d}",
            tracking_code=f"T{i:011d}",
            channel="in_person",
            submitted_on=D(2026, 9, 1),
            received_on=D(2026, 9, 1),
            applicant_type="natural_person",
            applicant_name="某",
            content="某",
        )
        for i in range(500)
    )
    assert register() == few
