"""The data migration of issue 17 on a database holding every outcome key: forward, each closed
case moves to the state of its outcome's group and nothing else changes; backward, they are all
`closed` again."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agencies.models import Agency
from requests_app.models import Case
from requests_app.outcomes import OUTCOME_KEYS

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("requests_app", "0003_clockevent_deferral")]
AFTER = [("requests_app", "0004_case_finished_states")]
D = dt.date


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _snapshot():
    """Every column but the state, per case: what must not change."""
    return {
        row["case_no"]: {k: v for k, v in row.items() if k != "state"}
        for row in Case.objects.values()
    }


def test_closed_cases_move_to_their_group_state_and_back():
    old = _migrate(BEFORE)
    try:
        # agencies stays at its latest migration: its current model writes the row
        agency = Agency.objects.create(code="MIG", name="迁移测试机关", level="city")
        OldCase = old.get_model("requests_app", "Case")
        common = dict(
            agency_id=agency.id,
            year=2020,
            channel="online",
            received_on=D(2020, 3, 2),
            confirmed_on=D(2020, 3, 2),
            applicant_type="natural_person",
            applicant_name="申请人",
            content="申请公开文件",
        )
        for i, key in enumerate(OUTCOME_KEYS):
            OldCase.objects.create(
                case_no=f"C-{i:02d}",
                tracking_code=f"MIGC{i:08d}",
                state="closed",
                outcome=key,
                closed_on=D(2020, 3, 20),
                **common,
            )
        OldCase.objects.create(case_no="OPEN", tracking_code="MIGOPEN00001", **common)
        OldCase.objects.create(  # voided after it was closed: keeps its outcome, stays void
            case_no="VOID",
            tracking_code="MIGVOID00001",
            state="void",
            outcome="disclosed",
            closed_on=D(2020, 3, 20),
            void_reason="重复登记",
            **common,
        )
        before = _snapshot()

        _migrate(AFTER)
        states = dict(Case.objects.values_list("case_no", "state"))
        expected = {f"C-{i:02d}": key.split(".")[0] for i, key in enumerate(OUTCOME_KEYS)}
        assert states == {**expected, "OPEN": "received", "VOID": "void"}
        assert set(expected.values()) == {
            "disclosed",
            "partially_disclosed",
            "withheld",
            "unavailable",
            "not_processed",
            "other",
        }
        assert _snapshot() == before  # only the state moved

        _migrate(BEFORE)
        states = dict(Case.objects.values_list("case_no", "state"))
        assert states == {**{k: "closed" for k in expected}, "OPEN": "received", "VOID": "void"}
        assert _snapshot() == before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Case.objects.values_list("case_no", "state"))["C-00"] == "disclosed"
