"""Helpers of the reporting tests (no tests here), on tests/factories.py.

Cases are created directly (the statistics read whatever the services left behind); a closed
case enters the finished state of its outcome's group only through the FSM transition
`close_imported`."""

from __future__ import annotations

import datetime as dt

from requests_app.models import FINISHED_FILTER, Case, CaseState, LegalChallenge, finished_state_for
from tests.factories import case_in_state


def make_case(
    agency,
    received_on: dt.date,
    applicant_type: str = "natural_person",
    *,
    closed_on: dt.date | None = None,
    outcome: str = "",
    void: bool = False,
    fee_amount=None,
    fee_paid_on: dt.date | None = None,
) -> Case:
    """A case received in person, closed through `close_imported` if `closed_on`, then voided
    if `void` (tests/factories.py)."""
    state = FINISHED_FILTER if closed_on else CaseState.RECEIVED
    case = case_in_state(
        state,
        closed_on=closed_on,
        outcome=outcome,
        agency=agency,
        received_on=received_on,
        applicant_type=applicant_type,
        fee_amount=fee_amount,
        fee_paid_on=fee_paid_on,
    )
    if void:
        case.void(reason="登记错误", by=None, at=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
        case.save()
    assert case.state == (
        CaseState.VOID if void else finished_state_for(outcome) if closed_on else CaseState.RECEIVED
    )
    return case


def make_challenge(case, kind, filed_on, result="pending", concluded_on=None) -> LegalChallenge:
    return LegalChallenge.objects.create(
        case=case, kind=kind, filed_on=filed_on, result=result, concluded_on=concluded_on
    )


def build_reference_2020(city) -> None:
    """The city office's 2020 cases as in the reference annual report (table three, four)."""
    np_outcomes = (
        ["disclosed"] * 43
        + ["partially_disclosed"] * 2
        + ["unavailable.not_held"] * 40
        + ["not_processed.repeated"] * 1
    )
    day = dt.date(2020, 1, 1)
    # six requests of 2019 still open on 1 January 2020, closed in 2020
    for i, outcome in enumerate(np_outcomes[:6]):
        make_case(
            city, dt.date(2019, 12, 10 + i), closed_on=dt.date(2020, 1, 6 + i), outcome=outcome
        )
    # eighty natural-person requests of 2020 closed in 2020
    for i, outcome in enumerate(np_outcomes[6:]):
        received = day + dt.timedelta(days=i * 4)
        make_case(city, received, closed_on=received + dt.timedelta(days=10), outcome=outcome)
    # three natural-person requests carried forward: two still open, one closed in 2021
    make_case(city, dt.date(2020, 12, 20))
    make_case(city, dt.date(2020, 12, 21))
    make_case(city, dt.date(2020, 12, 22), closed_on=dt.date(2021, 1, 8), outcome="disclosed")
    # five commercial enterprises
    for i, outcome in enumerate(
        [
            "disclosed",
            "partially_disclosed",
            "unavailable.not_held",
            "unavailable.not_held",
            "not_processed.repeated",
        ]
    ):
        make_case(
            city,
            dt.date(2020, 3, 2 + i),
            "commercial_enterprise",
            closed_on=dt.date(2020, 4, 1 + i),
            outcome=outcome,
        )
    # counted nowhere in 2020: a voided registration, a 2019 case closed in 2019, a 2021 case
    make_case(city, dt.date(2020, 5, 5), void=True)
    make_case(
        city, dt.date(2020, 5, 6), closed_on=dt.date(2020, 5, 20), outcome="disclosed", void=True
    )
    make_case(city, dt.date(2019, 3, 1), closed_on=dt.date(2019, 3, 20), outcome="disclosed")
    make_case(city, dt.date(2021, 2, 1))
    # table four: one review upheld; one direct lawsuit with another result
    reviewed = Case.objects.filter(agency=city, outcome="unavailable.not_held").order_by("id")
    make_challenge(reviewed[0], "review", dt.date(2020, 5, 1), "upheld", dt.date(2020, 7, 1))
    make_challenge(
        reviewed[1], "litigation_direct", dt.date(2020, 6, 1), "other", dt.date(2020, 11, 1)
    )


REFERENCE_2020_TABLE3 = {
    "new_requests": [83, 5, 0, 0, 0, 0, 88],
    "carried_over": [6, 0, 0, 0, 0, 0, 6],
    "disclosed": [43, 1, 0, 0, 0, 0, 44],
    "partially_disclosed": [2, 1, 0, 0, 0, 0, 3],
    "unavailable.not_held": [40, 2, 0, 0, 0, 0, 42],
    "not_processed.repeated": [1, 1, 0, 0, 0, 0, 2],
    "results_total": [86, 5, 0, 0, 0, 0, 91],
    "carried_forward": [3, 0, 0, 0, 0, 0, 3],
}
