"""Where the letters act on the cases' behalf — one place above both (issues 9 and 12).

- after registration: the receipt letter (回执) where the agency issues one on registration;
- closing needs the issued reply: `reply_issued_check` is the cases' provider;
- letter labels for the case history (requests_app/labels.py);
- actions draft their notices (issue 9 item 4):

Requesting a supplement drafts the 补正告知书, approving an extension the 延期答复告知书 (and so
does an Art. 35 deferral, worded on that basis), starting a consultation the 征求意见函 — in the
action's transaction, each draft's history entry naming the action's entry (`for_event`, `for_action`). Issuing stays the approver's step. Registered with
requests_app's after-action hooks by letters/apps.py, so web pages, the API, the admin and
commands all get the drafts without requests_app importing letters."""

from __future__ import annotations

from requests_app.hooks import (
    after_action_register,
    after_registration_register,
    issued_reply_register,
)
from requests_app.labels import labels_register

from .compose import deferral_details
from .models import LetterKind, LetterState
from .services import letter_draft_for_action, reply_issued_check
from .tasks import letters_receipt_on_registration

NOTICE_FOR_ACTION = {
    "request_supplement": LetterKind.SUPPLEMENT_NOTICE,
    "approve_extension": LetterKind.EXTENSION_NOTICE,
    "defer_reply": LetterKind.EXTENSION_NOTICE,  # Art. 35: the same notice on that basis
    "start_consultation": LetterKind.CONSULTATION_LETTER,
}


def notice_draft(*, case, by, event) -> None:
    details = deferral_details(case) if event.transition == "defer_reply" else None
    letter_draft_for_action(
        case=case, by=by, kind=NOTICE_FOR_ACTION[event.transition], event=event, details=details
    )


def receipt_on_registration(case_id: int, by_id: int) -> None:
    """After a registration commits: the receipt letter (回执), queued by ids."""
    letters_receipt_on_registration.delay(case_id, by_id)


def register() -> None:
    for action in NOTICE_FOR_ACTION:
        after_action_register(action, notice_draft)
    after_registration_register(receipt_on_registration)
    issued_reply_register(reply_issued_check)  # "closing needs the issued reply" (SPEC §4)
    labels_register("letter", dict(LetterKind.choices))
    labels_register("letter_state", dict(LetterState.choices))
