import datetime as dt

import pytest
import time_machine

from requests_app.services import cases as svc
from requests_app.services.deadlines import case_deadline


@time_machine.travel(dt.datetime(2026, 9, 28, 10, 0), tick=False)
def test_register_then_supplement_restart_and_close(city, staff, intake):
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    assert case.received_on == dt.date(2026, 9, 25)
    assert case.reply_due == dt.date(2026, 10, 29)
    assert case.case_no == "2026-0001"
    explanation = case_deadline(case)
    assert any("国庆节" in s for s in explanation.steps), explanation.steps
    svc.case_request_supplement(
        case_id=case.id, by=staff["handler"], missing="请写明年份", due=dt.date(2026, 10, 20)
    )
    case.refresh_from_db()
    assert case.state == "supplement"
    with pytest.raises(svc.ActionNotPermitted):
        svc.case_approve_and_close(case_id=case.id, by=staff["handler"], outcome="disclosed")
