"""Journeys through the real services, shared by tests."""

import datetime as dt
import threading

import time_machine
from django.db import connections

from letters import services as letters_svc
from letters.samples import reply_details
from requests_app.services import cases as svc


def travel(day: dt.date, hour: int = 10):
    """Time stands still at `hour` o'clock of `day` (a decorator or a context manager): the one
    time-travel helper of the suite."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0), tick=False)


def issue_concurrently(letters, *, by) -> list[Exception]:
    """Issue every letter from its own thread, all released at once; the errors raised."""
    barrier = threading.Barrier(len(letters))
    errors: list[Exception] = []

    def issue(letter_id):
        try:
            barrier.wait()
            letters_svc.letter_issue(letter_id=letter_id, by=by)
        except Exception as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(letter.id,)) for letter in letters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def close_via_approval(
    case, *, handler, approver, outcome="disclosed", on: dt.date | None = None, reason: str = ""
):
    """Handler drafts and submits, the reply letter is drafted, signed off and issued, then the
    approver approves and closes (closing requires the issued reply, SPEC §4)."""
    if case.state == "received":
        svc.case_start_drafting(case_id=case.id, by=handler)
    svc.case_submit_for_approval(case_id=case.id, by=handler, outcome=outcome)
    letter = letters_svc.letter_draft(
        case_id=case.id, by=handler, kind="reply", outcome=outcome, details=reply_details(outcome)
    )
    letters_svc.letter_approve(letter_id=letter.id, by=approver)
    letters_svc.letter_issue(letter_id=letter.id, by=approver, on=on)
    return svc.case_approve_and_close(case_id=case.id, by=approver, on=on, reason=reason)


def download_filename(response) -> str:
    """The UTF-8 file name a download offers (RFC 5987 `filename*=UTF-8''…`)."""
    from urllib.parse import unquote

    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition, disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1].split(";")[0])
