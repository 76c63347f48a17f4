"""Table three and four of the annual report counted from the cases (SPEC §3, §9)."""

import datetime as dt

import pytest

from reporting.stats import (
    COLUMNS,
    annual_report_build,
    cell_cases,
    table3_check,
    table3_row_keys,
)
from requests_app.models import Case
from requests_app.outcomes import TABLE3_OUTCOME_ROWS_2019, TABLE3_OUTCOME_ROWS_2021
from tests.test_reporting_support import (
    REFERENCE_2020_TABLE3,
    build_reference_2020,
    make_case,
    make_challenge,
)

ZERO = [0] * 7


def test_reference_2020_table_three_equals_the_published_report_cell_by_cell(
    city, django_assert_num_queries
):
    build_reference_2020(city)
    with django_assert_num_queries(2):  # one for table three, one for table four
        report = annual_report_build(agency=city, year=2020)
    assert report.format_version == "2019"
    data = report.as_json()
    assert list(data["table3"]) == table3_row_keys("2019")
    for key in table3_row_keys("2019"):
        expected = REFERENCE_2020_TABLE3.get(key, ZERO)
        assert [data["table3"][key][c] for c in COLUMNS] == expected, key
    assert data["table4"] == {
        "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1},
        "litigation_after_review": {
            "upheld": 0,
            "corrected": 0,
            "other": 0,
            "pending": 0,
            "total": 0,
        },
    }
    assert data["consistent"] is True
    assert set(data) == {
        "agency",
        "year",
        "format_version",
        "consolidated",
        "table3",
        "table4",
        "consistent",
    }
    assert (
        data["agency"] == "CITY-OFFICE" and data["year"] == 2020 and data["consolidated"] is False
    )


def test_json_holds_every_row_key_of_its_format(city):
    report = annual_report_build(agency=city, year=2021)
    assert report.format_version == "2021"
    assert list(report.as_json()["table3"]) == [
        "new_requests",
        "carried_over",
        *[k for k, _ in TABLE3_OUTCOME_ROWS_2021],
        "results_total",
        "carried_forward",
    ]
    old = annual_report_build(agency=city, year=2021, format_version="2019")
    assert (
        "other" in old.as_json()["table3"] and "other.no_supplement" not in old.as_json()["table3"]
    )
    assert [k for k, _ in TABLE3_OUTCOME_ROWS_2019][-1] == "other"


def test_2019_format_folds_the_three_other_rows_and_2021_splits_them(city):
    for outcome in ["other.no_supplement", "other.fee_unpaid", "other.other", "other.other"]:
        make_case(city, dt.date(2021, 3, 1), closed_on=dt.date(2021, 4, 1), outcome=outcome)
    new = annual_report_build(agency=city, year=2021).table3
    assert new["other.no_supplement"]["total"] == 1
    assert new["other.fee_unpaid"]["total"] == 1
    assert new["other.other"]["natural_person"] == 2
    old = annual_report_build(agency=city, year=2021, format_version="2019").table3
    assert old["other"]["total"] == 4 and old["results_total"]["total"] == 4


def test_a_year_boundary_case_counts_as_carried_forward_then_carried_over(city):
    make_case(
        city,
        dt.date(2020, 12, 31),
        "legal_service_org",
        closed_on=dt.date(2021, 1, 4),
        outcome="disclosed",
    )
    y2020 = annual_report_build(agency=city, year=2020).table3
    y2021 = annual_report_build(agency=city, year=2021).table3
    assert y2020["new_requests"]["legal_service_org"] == 1
    assert y2020["carried_forward"]["legal_service_org"] == 1
    assert y2020["results_total"]["total"] == 0
    assert y2021["carried_over"]["legal_service_org"] == 1
    assert y2021["disclosed"]["legal_service_org"] == 1
    assert y2021["carried_forward"]["total"] == 0


def test_a_voided_case_is_counted_nowhere(city):
    make_case(city, dt.date(2020, 2, 1), void=True)
    make_case(
        city, dt.date(2020, 2, 1), closed_on=dt.date(2020, 2, 10), outcome="disclosed", void=True
    )
    report = annual_report_build(agency=city, year=2020)
    assert all(v == 0 for row in report.table3.values() for v in row.values())
    assert Case.objects.filter(agency=city).count() == 2  # never deleted


def test_a_bad_applicant_type_makes_the_report_inconsistent_naming_the_cells(city):
    case = make_case(city, dt.date(2020, 2, 1), closed_on=dt.date(2020, 2, 10), outcome="disclosed")
    Case.objects.filter(pk=case.pk).update(applicant_type="")  # legacy data the form never allows
    report = annual_report_build(agency=city, year=2020)
    assert not report.consistent
    assert report.failing_cells() == {
        "new_requests.total",
        "disclosed.total",
        "results_total.total",
    }
    assert report.as_json()["consistent"] is False
    assert all("总计" in f.message for f in report.failures)


def test_consistency_check_names_a_broken_balance():
    table = {key: {c: 0 for c in COLUMNS} for key in table3_row_keys("2021")}
    table["new_requests"]["natural_person"] = table["new_requests"]["total"] = 1
    failures = table3_check(table, "2021")
    assert [f.cell for f in failures] == ["carried_forward.natural_person", "carried_forward.total"]


def test_table_four_counts_records_filed_in_the_year_with_their_result_at_year_end(city):
    case = make_case(
        city, dt.date(2020, 1, 10), closed_on=dt.date(2020, 2, 1), outcome="unavailable.not_held"
    )
    make_challenge(case, "review", dt.date(2020, 3, 1), "corrected", dt.date(2020, 6, 1))
    make_challenge(
        case, "litigation_after_review", dt.date(2020, 7, 1), "upheld", dt.date(2021, 3, 1)
    )
    make_challenge(case, "litigation_direct", dt.date(2020, 8, 1))
    make_challenge(
        case, "review", dt.date(2019, 12, 1), "upheld", dt.date(2020, 1, 20)
    )  # filed in 2019
    void = make_case(city, dt.date(2020, 1, 10), void=True)
    make_challenge(void, "review", dt.date(2020, 3, 1))
    t4 = annual_report_build(agency=city, year=2020).table4
    assert t4["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert t4["litigation_after_review"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }
    assert t4["litigation_direct"]["pending"] == 1
    assert (
        annual_report_build(agency=city, year=2021).table4["litigation_after_review"]["total"] == 0
    )


def test_consolidated_report_sums_the_subtree_cell_by_cell(
    city, district, other_agency, django_assert_max_num_queries
):
    make_case(city, dt.date(2020, 1, 2), closed_on=dt.date(2020, 1, 9), outcome="disclosed")
    make_case(
        district,
        dt.date(2020, 1, 2),
        "research_institution",
        closed_on=dt.date(2020, 1, 9),
        outcome="disclosed",
    )
    make_case(district, dt.date(2020, 5, 2))
    make_case(other_agency, dt.date(2020, 1, 2), closed_on=dt.date(2020, 1, 9), outcome="disclosed")
    own = annual_report_build(agency=city, year=2020)
    below = annual_report_build(agency=district, year=2020)
    with django_assert_max_num_queries(3):  # the tree, table three, table four
        tree = annual_report_build(agency=city, year=2020, consolidated=True)
    assert tree.consolidated and tree.as_json()["consolidated"] is True
    for key in tree.table3:
        for c in COLUMNS:
            assert tree.table3[key][c] == own.table3[key][c] + below.table3[key][c]
    assert tree.table3["disclosed"]["total"] == 2
    assert tree.table3["carried_forward"]["total"] == 1


def test_every_cell_count_equals_the_length_of_its_drill_down_list(city, district):
    import random

    rng = random.Random(5)
    types = [
        "natural_person",
        "commercial_enterprise",
        "research_institution",
        "social_welfare_org",
        "legal_service_org",
        "other_org",
    ]
    outcomes = [k for k, _ in TABLE3_OUTCOME_ROWS_2021]
    for _ in range(120):
        received = dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(0, 900))
        agency = rng.choice([city, district])
        closed = None
        if rng.random() < 0.7:
            closed = received + dt.timedelta(days=rng.randrange(0, 200))
        make_case(
            agency,
            received,
            rng.choice(types),
            closed_on=closed,
            outcome=rng.choice(outcomes) if closed else "",
            void=rng.random() < 0.1,
        )
    for year in (2020, 2021):
        for fv in ("2019", "2021"):
            for consolidated in (False, True):
                report = annual_report_build(
                    agency=city, year=year, format_version=fv, consolidated=consolidated
                )
                ids = {city.id, district.id} if consolidated else {city.id}
                assert report.consistent
                for key in table3_row_keys(fv):
                    for c in COLUMNS:
                        assert report.table3[key][c] == cell_cases(ids, year, fv, key, c).count(), (
                            key,
                            c,
                        )


def test_bad_format_version_is_refused_in_chinese(city):
    from reporting.stats import ReportInputError

    with pytest.raises(ReportInputError) as exc:
        annual_report_build(agency=city, year=2020, format_version="2018")
    assert exc.value.field == "format_version" and "2019" in exc.value.message
