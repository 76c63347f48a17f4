"""Two users acting on one case at once: exactly one wins, the other gets a clear conflict.
Runs on real PostgreSQL connections (one per thread), committed transactions."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from requests_app import rules
from requests_app.models import Case, CaseEvent
from requests_app.services import cases as svc

from .conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(*actions):
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def worker(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_handlers_acting_at_once_one_wins_one_conflicts(city, intake):
    assert connection.vendor == "postgresql", "the concurrency guarantee is checked on PostgreSQL"
    clerk = make_user("c", city, "clerk")
    first, second = make_user("h1", city, "handler"), make_user("h2", city, "handler")
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, 0), tick=False):
        case = svc.case_register(agency=city, by=clerk, data=intake())
        for _ in range(5):  # repeat on fresh cases: the race must never let both through
            case = svc.case_register(agency=city, by=clerk, data=intake())
            results = run_concurrently(
                lambda case=case: svc.case_issue_fee_notice(case_id=case.id, by=first, amount=100),
                lambda case=case: svc.case_start_consultation(
                    case_id=case.id, by=second, party="某公司"
                ),
            )
            wins = [r for r in results if isinstance(r, Case)]
            conflicts = [r for r in results if isinstance(r, svc.CaseConflict)]
            assert len(wins) == 1 and len(conflicts) == 1, results
            assert "不能执行" in conflicts[0].message
            assert CaseEvent.objects.filter(case=case, kind="transition").count() == 1
            assert Case.objects.get(pk=case.pk).state in ("fee_pending", "consulting")


def test_two_edits_from_the_same_version_cannot_both_win(city, intake):
    clerk = make_user("c", city, "clerk")
    other = make_user("c2", city, "clerk")
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, 0), tick=False):
        case = svc.case_register(agency=city, by=clerk, data=intake())
        results = run_concurrently(
            lambda: svc.case_update(
                case_id=case.id,
                by=clerk,
                changes={"applicant_phone": "13911112222"},
                reason="来电更正",
                expected_version=case.version,
            ),
            lambda: svc.case_update(
                case_id=case.id,
                by=other,
                changes={"applicant_phone": "13933334444"},
                reason="来电更正",
                expected_version=case.version,
            ),
        )
    conflicts = [r for r in results if isinstance(r, svc.CaseConflict)]
    assert len(conflicts) == 1 and conflicts[0].message == rules.MSG_CONFLICT, results
    assert CaseEvent.objects.filter(case=case, kind="edit").count() == 1
