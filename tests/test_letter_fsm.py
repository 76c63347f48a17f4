"""`Letter.state` is a protected FSM field (issue 12): draft → approved → issued only through
the model's transitions (run by letters/services/), never set directly."""

import datetime as dt

import pytest
from django_fsm import TransitionNotAllowed

from letters.models import Letter, LetterState
from tests.test_reporting_support import make_case

AT = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_letter_state_changes_only_through_its_transitions(city):
    case = make_case(city, dt.date(2026, 5, 20))
    letter = Letter.objects.create(case=case, agency=city, kind="receipt")
    assert letter.state == LetterState.DRAFT
    with pytest.raises(AttributeError):
        letter.state = LetterState.ISSUED
    with pytest.raises(TransitionNotAllowed):
        letter.issue(by=None, at=AT)  # a draft is approved first
    letter.approve(by=None, at=AT)
    assert letter.state == LetterState.APPROVED and letter.approved_at == AT
    letter.redraft()  # an edit: the approval lapses
    assert letter.state == LetterState.DRAFT and letter.approved_at is None
    letter.approve(by=None, at=AT)
    letter.issue(by=None, at=AT)
    assert letter.state == LetterState.ISSUED and letter.issued_at == AT
    for transition in (letter.redraft, lambda: letter.approve(by=None, at=AT)):
        with pytest.raises(TransitionNotAllowed):
            transition()  # an issued letter never changes
