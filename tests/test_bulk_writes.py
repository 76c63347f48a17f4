"""The bulk writers behind the deadline recompute and imports (requests_app/services/bulk.py):
a row changed since it was read is never overwritten; COPY writes what the ORM would read back."""

import datetime as dt

from requests_app.models import FINISHED_STATES, OPEN_STATES, Case, CaseEvent
from requests_app.services import cases as svc
from requests_app.services.bulk import bulk_set_if_current, copy_insert

D = dt.date


def test_only_rows_with_the_version_read_and_an_open_state_are_written(city, staff, intake):
    a, b, c = (svc.case_register(agency=city, by=staff["clerk"], data=intake()) for _ in range(3))
    Case.objects.filter(pk=b.pk).update(version=b.version + 1)  # changed by someone meanwhile
    finished = "other" if "other" in FINISHED_STATES else FINISHED_STATES[0]  # six or one
    Case.objects.filter(pk=c.pk).update(  # finished meanwhile
        state=finished, outcome="other.other", closed_on=D(2026, 10, 1)
    )
    written = bulk_set_if_current(
        Case,
        ["reply_due", "deadline_provisional", "clock_stopped"],
        [(x.pk, x.version, D(2030, 1, 2), True, False) for x in (a, b, c)],
        states=OPEN_STATES,
    )
    assert written == {a.pk}
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.reply_due, a.deadline_provisional, a.version) == (D(2030, 1, 2), True, 2)
    assert b.reply_due != D(2030, 1, 2) and c.reply_due != D(2030, 1, 2)


def test_copy_insert_writes_rows_the_orm_reads_back(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    copy_insert(
        CaseEvent,
        [
            CaseEvent(
                case=case,
                kind="deadline_changed",
                actor=staff["administrator"],
                reason="日历变更：录入“元旦”",
                changes={"reply_due": ["2027-01-13", None], "flag": [True, False]},
            )
        ],
    )
    event = CaseEvent.objects.get(case=case, kind="deadline_changed")
    assert event.changes == {"reply_due": ["2027-01-13", None], "flag": [True, False]}
    assert event.reason == "日历变更：录入“元旦”" and event.actor == staff["administrator"]
    assert event.at is not None
