"""Actions draft their notices (issue 9 item 4): one place above both the cases and the letters.

Requesting a supplement drafts the 补正告知书, approving an extension the 延期答复告知书 (and so
does an Art. 35 deferral, worded on that basis), starting a consultation the 征求意见函 — in the
action's transaction, each draft's history entry naming the action's entry (`for_event`, `for_action`). Issuing stays the approver's step. Registered with
requests_app's after-action hooks by letters/apps.py, so web pages, the API, the admin and
commands all get the drafts without requests_app importing letters."""

from __future__ import annotations

from requests_app.hooks import after_action_register

from .compose import deferral_details
from .models import LetterKind
from .services import letter_draft_for_action

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


def register() -> None:
    for action in NOTICE_FOR_ACTION:
        after_action_register(action, notice_draft)
