"""Every write to a case goes through these services: lock the row, check the role, run the
transition, record the clock events, refresh the cached deadline, write the history — all in
one transaction. Side effects (letters, notifications) are scheduled after commit.

Split by sub-capability (issue 12); this package re-exports every public name so
`from requests_app.services.cases import X` and `services.cases.X` keep working:
`shared` (the transition runner, row lock, role check), `registration`, `edits`,
`supplement`, `pauses` (consultation, fee, clock stops), `decision` (drafting, approval,
closing, on the spot, withdrawal, void), `extension`."""

from ...rules import RuleViolation
from .decision import (
    case_answer_on_the_spot,
    case_approve_and_close,
    case_return_for_revision,
    case_start_drafting,
    case_submit_for_approval,
    case_void,
    case_withdraw,
)
from .edits import (
    CORRECTABLE_DATES,
    EDITABLE_FIELDS,
    MSG_CORRECTION_AFTER_LETTER,
    MSG_CORRECTION_CLOSED,
    MSG_CORRECTION_NOTHING,
    case_assign,
    case_correct_registration,
    case_update,
)
from .extension import (
    case_approve_extension,
    case_defer_reply,
    case_refuse_extension,
    case_request_extension,
)
from .pauses import (
    case_close_fee_unpaid,
    case_finish_consultation,
    case_issue_fee_notice,
    case_record_fee_payment,
    case_start_consultation,
)
from .registration import (
    TRACKING_ALPHABET,
    NewCase,
    case_create,
    case_numbers_reserve,
    case_register,
    case_submit_online,
    cases_create_bulk,
    tracking_code_new,
)
from .shared import (
    APPLICANT_ACTIONS,
    ActionNotPermitted,
    CaseConflict,
    ClockSpec,
    Decided,
    action_refused,
    case_act,
    transition_run_unlogged,
)
from .supplement import (
    case_deem_abandoned,
    case_record_supplement,
    case_request_supplement,
)

__all__ = [
    "APPLICANT_ACTIONS",
    "ActionNotPermitted",
    "CORRECTABLE_DATES",
    "CaseConflict",
    "ClockSpec",
    "Decided",
    "EDITABLE_FIELDS",
    "MSG_CORRECTION_AFTER_LETTER",
    "MSG_CORRECTION_CLOSED",
    "MSG_CORRECTION_NOTHING",
    "NewCase",
    "RuleViolation",
    "TRACKING_ALPHABET",
    "action_refused",
    "case_act",
    "case_answer_on_the_spot",
    "case_approve_and_close",
    "case_approve_extension",
    "case_assign",
    "case_close_fee_unpaid",
    "case_correct_registration",
    "case_create",
    "case_deem_abandoned",
    "case_defer_reply",
    "case_finish_consultation",
    "case_issue_fee_notice",
    "case_numbers_reserve",
    "case_record_fee_payment",
    "case_record_supplement",
    "case_refuse_extension",
    "case_register",
    "case_request_extension",
    "case_request_supplement",
    "case_return_for_revision",
    "case_start_consultation",
    "case_start_drafting",
    "case_submit_for_approval",
    "case_submit_online",
    "case_update",
    "case_void",
    "case_withdraw",
    "cases_create_bulk",
    "tracking_code_new",
    "transition_run_unlogged",
]
