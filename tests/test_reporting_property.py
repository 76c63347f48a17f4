"""Property: random case histories across year boundaries (supplements restarting the receipt
date, extensions, voids, withdrawals) always give consistent tables, and every cell equals a
slow reference count written here independently of `reporting.stats`."""

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Agency
from reporting.stats import annual_report_build
from requests_app.outcomes import OUTCOME_KEYS
from tests.test_reporting_support import make_case

TYPES = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
]
BASE = dt.date(2019, 10, 1)
_agency_seq = itertools.count(1)

history = st.fixed_dictionaries(
    {
        "first_receipt": st.integers(0, 900),  # days after 2019-10-01: up to early 2022
        "applicant_type": st.sampled_from(TYPES),
        "supplement_days": st.one_of(st.none(), st.integers(1, 40)),  # receipt date restarts
        "fate": st.sampled_from(
            ["open", "closed", "withdrawn", "no_supplement", "void", "void_closed"]
        ),
        "duration": st.integers(0, 120),  # days to close, extension included
        "outcome": st.sampled_from(OUTCOME_KEYS),
    }
)


def reference_table(cases: list[dict], year: int, fold: bool) -> dict:
    """The slow count: loop over plain dicts with the rules of SPEC §3 written out again."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table: dict = {}

    def add(row, applicant_type):
        table.setdefault(row, {}).setdefault(applicant_type, 0)
        table[row][applicant_type] += 1
        table[row].setdefault("total", 0)
        table[row]["total"] += 1

    for c in cases:
        if c["void"]:
            continue
        received, closed = c["received_on"], c["closed_on"]
        if start <= received <= end:
            add("new_requests", c["applicant_type"])
        if received < start and (closed is None or closed >= start):
            add("carried_over", c["applicant_type"])
        if closed is not None and start <= closed <= end:
            row = "other" if fold and c["outcome"].startswith("other.") else c["outcome"]
            add(row, c["applicant_type"])
            add("results_total", c["applicant_type"])
        if received <= end and (closed is None or closed > end):
            add("carried_forward", c["applicant_type"])
    return table


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    histories=st.lists(history, min_size=0, max_size=25),
    year=st.sampled_from([2020, 2021]),
    format_version=st.sampled_from(["2019", "2021"]),
)
def test_random_histories_give_consistent_tables_equal_to_a_slow_count(
    db, histories, year, format_version
):
    # a fresh agency per example: hypothesis reuses the test's database between examples
    agency = Agency.objects.create(
        code=f"P-{next(_agency_seq)}", name="性质测试机关", level="department"
    )
    created = []
    for h in histories:
        first = BASE + dt.timedelta(days=h["first_receipt"])
        # a supplement restarts the statutory receipt date: the case counts from the new date
        received = (
            first + dt.timedelta(days=h["supplement_days"]) if h["supplement_days"] else first
        )
        fate = h["fate"]
        closed, outcome = None, ""
        if fate in ("closed", "withdrawn", "no_supplement", "void_closed"):
            closed = received + dt.timedelta(days=h["duration"])
            outcome = {"withdrawn": "other.other", "no_supplement": "other.no_supplement"}.get(
                fate, h["outcome"]
            )
        void = fate in ("void", "void_closed")
        make_case(
            agency, received, h["applicant_type"], closed_on=closed, outcome=outcome, void=void
        )
        created.append(
            {
                "received_on": received,
                "closed_on": closed,
                "outcome": outcome,
                "applicant_type": h["applicant_type"],
                "void": void,
            }
        )
    report = annual_report_build(agency=agency, year=year, format_version=format_version)
    assert report.consistent, report.failures
    expected = reference_table(created, year, fold=format_version == "2019")
    for row, cells in report.table3.items():
        for column, value in cells.items():
            assert value == expected.get(row, {}).get(column, 0), (row, column)
