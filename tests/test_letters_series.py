"""Letter numbers per series (receipts, notices, replies): each gapless per agency and year, also
under concurrent issuing; numbers issued before the series existed stay as they are, in the
reply series (issue 9 item 5)."""

import pytest
import time_machine
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from letters import services
from letters.models import Letter, LetterNumberCounter
from letters.samples import reply_details
from tests.helpers import issue_concurrently

from .letters_support import TODAY, D, case_for_outcome

pytestmark = pytest.mark.django_db(transaction=True)


def approved(kind, count, city, staff, intake):
    letters = []
    for _ in range(count):
        case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
        by = staff["clerk"] if kind == "receipt" else staff["handler"]
        details = reply_details("disclosed") if kind == "reply" else None
        letter = services.letter_draft(case_id=case.id, by=by, kind=kind, details=details)
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
        letters.append(letter)
    return letters


@time_machine.travel(TODAY, tick=False)
def test_each_series_is_gapless_under_concurrent_issuing(city, staff, intake):
    assert connection.vendor == "postgresql"
    city.receipt_prefix, city.notice_prefix = "淄政办信收", "淄政办信告"
    city.save()
    letters = approved("receipt", 5, city, staff, intake) + approved(
        "reply", 5, city, staff, intake
    )
    errors = issue_concurrently(letters, by=staff["approver"])
    assert not errors, errors
    for kind, series, prefix in [
        ("receipt", "receipt", "淄政办信收"),
        ("reply", "reply", "淄政办信复"),
    ]:
        issued = Letter.objects.filter(kind=kind, state="issued")
        assert sorted(issued.values_list("number_seq", flat=True)) == [1, 2, 3, 4, 5]
        assert set(issued.values_list("number_series", flat=True)) == {series}
        assert sorted(issued.values_list("number", flat=True)) == sorted(
            f"{prefix}〔2026〕{n}号" for n in range(1, 6)
        )
        assert LetterNumberCounter.objects.get(agency=city, series=series, year=2026).last == 5


@time_machine.travel(TODAY, tick=False)
def test_notices_have_their_own_series_and_prefix(city, staff, intake):
    city.notice_prefix = "淄政办信告"
    city.save()
    [reply] = approved("reply", 1, city, staff, intake)
    services.letter_issue(letter_id=reply.id, by=staff["approver"])
    from requests_app.services import cases as svc

    case = svc.case_register(agency=city, by=staff["clerk"], data=intake())
    svc.case_request_supplement(
        case_id=case.id,
        by=staff["handler"],
        missing="请写明文件名称",
        due=D(2026, 10, 16),
        on=D(2026, 9, 28),
    )
    notice = services.letter_draft(case_id=case.id, by=staff["handler"], kind="supplement_notice")
    services.letter_approve(letter_id=notice.id, by=staff["approver"])
    notice = services.letter_issue(letter_id=notice.id, by=staff["approver"])
    assert (notice.number_series, notice.number) == ("notice", "淄政办信告〔2026〕1号")
    assert services.letter_number_prefix(city, "receipt") == "淄政办信复回执"  # the fallback


def test_counters_from_before_the_series_stay_the_reply_series(city):
    executor = MigrationExecutor(connection)
    before = [("letters", "0001_initial")]
    after = [("letters", "0002_letter_series_issue_requests_template_refusal")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        old.get_model("letters", "LetterNumberCounter").objects.create(
            agency_id=city.id, year=2026, last=7
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    counter = LetterNumberCounter.objects.get(agency=city, year=2026)
    assert (counter.series, counter.last) == ("reply", 7)
    with transaction.atomic():
        assert services.letter_number_next(agency=city, year=2026) == 8  # the reply series goes on
        assert services.letter_number_next(agency=city, year=2026, series="receipt") == 1
