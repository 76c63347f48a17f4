"""Every transition from every state, and every role on every transition, through the services.

The expectations are written out here independently of the model, so a change to the workflow
has to be made in both places on purpose."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from agencies.models import Role
from requests_app.models import Case
from requests_app.services import cases as svc

from .conftest import make_user

D = dt.date
TODAY = dt.datetime(2026, 10, 14, 10, 0)
OPEN = {"received", "supplement", "consulting", "fee_pending", "drafting", "review"}
# One terminal state per outcome group of table three (issue 17).
FINISHED = {"disclosed", "partially_disclosed", "withheld", "unavailable", "not_processed", "other"}

ALLOWED_FROM = {
    "request_supplement": {"received", "drafting"},
    "record_supplement": {"supplement"},
    "deem_abandoned": {"supplement"},
    "start_consultation": {"received", "drafting"},
    "finish_consultation": {"consulting"},
    "issue_fee_notice": {"received", "drafting"},
    "record_fee_payment": {"fee_pending"},
    "close_fee_unpaid": {"fee_pending"},
    "start_drafting": {"received"},
    "submit_for_approval": {"drafting"},
    "return_for_revision": {"review"},
    "approve_and_close": {"review"},
    "answer_on_the_spot": {"received", "drafting"},
    "withdraw": OPEN,
    "void": OPEN | FINISHED,
    "close_imported": {"received"},
}

ROLES_ALLOWED = {
    "request_supplement": {"handler"},
    "record_supplement": {"clerk", "handler"},
    "deem_abandoned": {"handler"},
    "start_consultation": {"handler"},
    "finish_consultation": {"handler"},
    "issue_fee_notice": {"handler"},
    "record_fee_payment": {"clerk", "handler"},
    "close_fee_unpaid": {"handler"},
    "start_drafting": {"handler"},
    "submit_for_approval": {"handler"},
    "return_for_revision": {"approver"},
    "approve_and_close": {"approver"},
    "answer_on_the_spot": {"clerk", "handler"},
    "withdraw": {"clerk", "handler"},
    "void": {"approver"},
    "request_extension": {"handler"},
    "approve_extension": {"approver"},
    "refuse_extension": {"approver"},
    "close_imported": {"clerk", "handler", "approver", "administrator"},
}


def call(action: str, case_id: int, by):
    """Run the action's service with valid arguments."""
    args = {
        "request_supplement": dict(
            missing="请写明文件名称或文号", due=D(2026, 10, 20), on=D(2026, 9, 28)
        ),
        "record_supplement": dict(on=D(2026, 9, 30)),
        "deem_abandoned": dict(on=D(2026, 10, 14)),
        "start_consultation": dict(party="第三方企业", on=D(2026, 9, 29)),
        "finish_consultation": dict(on=D(2026, 10, 9)),
        "issue_fee_notice": dict(amount=Decimal("100"), on=D(2026, 9, 29)),
        "record_fee_payment": dict(receipt_no="FS-2026-001", on=D(2026, 10, 9)),
        "close_fee_unpaid": dict(on=D(2026, 10, 14)),
        "start_drafting": {},
        "submit_for_approval": dict(outcome="disclosed"),
        "return_for_revision": dict(reason="请补充检索情况"),
        "approve_and_close": dict(on=D(2026, 10, 14)),
        "answer_on_the_spot": dict(outcome="disclosed", note="当场提供复印件"),
        "withdraw": dict(reason="申请人书面撤回"),
        "void": dict(reason="同一封信重复登记"),
        "request_extension": dict(days=10, reason="需调取历史档案"),
        "approve_extension": {},
        "refuse_extension": dict(reason="理由不充分"),
    }
    if action == "close_imported":
        return svc.case_act(
            case_id=case_id,
            by=by,
            action="close_imported",
            kwargs={"on": D(2026, 10, 9), "outcome": "disclosed"},
        )
    return getattr(svc, f"case_{action}")(case_id=case_id, by=by, **args[action])


REPRESENTATIVE_OUTCOME = {
    "disclosed": "disclosed",
    "partially_disclosed": "partially_disclosed",
    "withheld": "withheld.process_information",
    "unavailable": "unavailable.not_held",
    "not_processed": "not_processed.repeated",
}

# Where each transition leads when it runs with the arguments of `call` (the closings: the
# state of their outcome's group; a state-keeping transition: None).
TARGET = {
    "request_supplement": "supplement",
    "record_supplement": "received",
    "deem_abandoned": "other",
    "start_consultation": "consulting",
    "finish_consultation": "drafting",
    "issue_fee_notice": "fee_pending",
    "record_fee_payment": "drafting",
    "close_fee_unpaid": "other",
    "start_drafting": "drafting",
    "submit_for_approval": "review",
    "return_for_revision": "drafting",
    "approve_and_close": "disclosed",
    "answer_on_the_spot": "disclosed",
    "withdraw": "other",
    "void": "void",
    "close_imported": "disclosed",
}


def case_in_state(state: str, agency, clerk, worker, intake) -> Case:
    """A case brought to `state` through the services (received 2026-09-25 by signed mail)."""
    case = svc.case_register(agency=agency, by=clerk, data=intake())
    steps = {
        "received": [],
        "supplement": ["request_supplement"],
        "consulting": ["start_consultation"],
        "fee_pending": ["issue_fee_notice"],
        "drafting": ["start_drafting"],
        "review": ["start_drafting", "submit_for_approval"],
        "other": ["withdraw"],
        "void": ["void"],
    }.get(state)
    if steps is None:  # a finished state other than 其他处理: an imported case with its outcome
        svc.case_act(
            case_id=case.id,
            by=worker,
            action="close_imported",
            kwargs={"on": D(2026, 10, 9), "outcome": REPRESENTATIVE_OUTCOME[state]},
        )
        steps = []
    for step in steps:
        call(step, case.id, worker)
    case.refresh_from_db()
    assert case.state == state
    return case


@pytest.fixture
def allrounder(city):
    return make_user("allrounder", city, *Role.values)


ALL_STATES = sorted(OPEN | FINISHED | {"void"})


def test_the_matrix_covers_every_state_of_the_model():
    from requests_app.models import FINISHED_STATES, CaseState

    assert set(CaseState.values) == set(ALL_STATES)
    assert set(FINISHED_STATES) == FINISHED


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("state", ALL_STATES)
def test_every_transition_from_every_state(state, city, allrounder, intake):
    for action, allowed in ALLOWED_FROM.items():
        case = case_in_state(state, city, allrounder, allrounder, intake)
        try:
            call(action, case.id, allrounder)
        except svc.CaseConflict as exc:
            assert state not in allowed, f"{action} refused from {state}: {exc.message}"
            assert "不能执行" in exc.message
            case.refresh_from_db()
            assert case.state == state, "a refused transition changed the state"
        except svc.RuleViolation:
            # A guard (dates, letters…) may refuse an allowed transition; never a wrong state.
            assert state in allowed, f"{action} from {state} must be a state conflict"
        else:
            assert state in allowed, f"{action} ran from {state}"
            case.refresh_from_db()
            assert case.state == TARGET[action], f"{action} from {state} led to {case.state}"


EXTENSION_ALLOWED_FROM = {
    "request_extension": {"none", "refused"},
    "approve_extension": {"requested"},
    "refuse_extension": {"requested"},
}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("ext_state", ["none", "requested", "approved", "refused"])
def test_every_extension_transition_from_every_extension_state(ext_state, city, allrounder, intake):
    path = {
        "none": [],
        "requested": ["request_extension"],
        "approved": ["request_extension", "approve_extension"],
        "refused": ["request_extension", "refuse_extension"],
    }[ext_state]
    for action, allowed in EXTENSION_ALLOWED_FROM.items():
        case = case_in_state("drafting", city, allrounder, allrounder, intake)
        for step in path:
            call(step, case.id, allrounder)
        try:
            call(action, case.id, allrounder)
        except svc.CaseConflict:
            assert ext_state not in allowed, f"{action} refused from {ext_state}"
        else:
            assert ext_state in allowed, f"{action} ran from extension state {ext_state}"


STATE_FOR = {
    "request_supplement": "received",
    "record_supplement": "supplement",
    "deem_abandoned": "supplement",
    "start_consultation": "received",
    "finish_consultation": "consulting",
    "issue_fee_notice": "received",
    "record_fee_payment": "fee_pending",
    "close_fee_unpaid": "fee_pending",
    "start_drafting": "received",
    "submit_for_approval": "drafting",
    "return_for_revision": "review",
    "approve_and_close": "review",
    "answer_on_the_spot": "received",
    "withdraw": "received",
    "void": "received",
    "request_extension": "drafting",
    "approve_extension": "drafting",
    "refuse_extension": "drafting",
    "close_imported": "received",
}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("action", sorted(ROLES_ALLOWED))
def test_each_role_on_each_transition(action, city, allrounder, intake):
    for role in Role.values:
        user = make_user(f"{action}-{role}", city, role)
        case = case_in_state(STATE_FOR[action], city, allrounder, allrounder, intake)
        if action in ("approve_extension", "refuse_extension"):
            call("request_extension", case.id, allrounder)
        version = Case.objects.get(pk=case.id).version
        try:
            call(action, case.id, user)
        except svc.ActionNotPermitted as exc:
            assert role not in ROLES_ALLOWED[action], f"{role} refused {action}"
            assert exc.message == "您没有执行此操作的权限"
            assert Case.objects.get(pk=case.id).version == version, "refused action wrote"
        except svc.RuleViolation:
            assert role in ROLES_ALLOWED[action], f"{role} reached the guards of {action}"
        else:
            assert role in ROLES_ALLOWED[action], f"{role} could {action}"


@time_machine.travel(TODAY, tick=False)
def test_staff_of_another_agency_cannot_act(city, other_agency, allrounder, intake):
    case = case_in_state("received", city, allrounder, allrounder, intake)
    outsider = make_user("outsider", other_agency, *Role.values)
    with pytest.raises(svc.ActionNotPermitted):
        call("start_drafting", case.id, outsider)
    with pytest.raises(svc.ActionNotPermitted):
        svc.case_register(agency=city, by=outsider, data=intake())


def test_supervisor_of_parent_cannot_act_on_child_cases(city, district, intake):
    clerk = make_user("d-clerk", district, "clerk")
    supervisor = make_user("sup", city, "supervisor")
    with time_machine.travel(TODAY, tick=False):
        case = svc.case_register(agency=district, by=clerk, data=intake())
        with pytest.raises(svc.ActionNotPermitted):
            call("withdraw", case.id, supervisor)
