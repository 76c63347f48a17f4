"""Journeys through the real services, shared by tests."""

import datetime as dt

from requests_app.services import cases as svc


def close_via_approval(case, *, handler, approver, outcome="disclosed", on: dt.date | None = None):
    """Handler drafts and submits, approver approves and closes (with the issued reply where
    the letters module requires one)."""
    if case.state == "received":
        svc.case_start_drafting(case_id=case.id, by=handler)
    svc.case_submit_for_approval(case_id=case.id, by=handler, outcome=outcome)
    return svc.case_approve_and_close(case_id=case.id, by=approver, on=on)
