"""The season with a real Celery beat and worker (issue 16, must show): both processes time
travelled to 2027-01-04 06:29:55 (the first working day of 2027); at 06:30 beat sends the
daily run, the worker sweeps and drafts every unit of the demo tree and of a generated
2,000-unit tree; clean units are marked clean, and the planted problems (an overdue case, a
case closed without a reply, a carry-over mismatch) are listed on the right units.

Slow (a few minutes on a loaded machine): the worker drafts ~2,000 units."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from agencies.models import Agency, AgencyLevel, Role
from letters.models import Letter, LetterKind, LetterSeries, LetterState
from reporting.services import report_publish
from requests_app.models import FINISHED_STATES, Case
from season.models import Draft, SeasonRun, UnitSweep

from .conftest import make_user
from .season_support import close_with_reply, plant_closed_without_reply, plant_overdue
from .test_reporting_support import make_case
from .worker_support import celery_env, process_start, process_stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]
TRAVEL_TO = dt.datetime(2027, 1, 4, 6, 29, 55, tzinfo=ZoneInfo("Asia/Shanghai"))
GENERATED = 2000
# Runs a celery command with the process's clock moved (time_machine, ticking).
TRAVEL = (
    "import sys, datetime, time_machine;"
    "time_machine.travel(datetime.datetime.fromisoformat(sys.argv[1]), tick=True).start();"
    "from celery.__main__ import main;"
    "sys.argv = ['celery', *sys.argv[2:]];"
    "main()"
)


def start(args: list[str], log: Path) -> subprocess.Popen:
    assert os.environ.get("REDIS_URL"), "REDIS_URL is needed for the real worker"
    return process_start(
        [sys.executable, "-c", TRAVEL, TRAVEL_TO.isoformat(), "-A", "config", *args],
        log,
        celery_env(),
    )


def stop(process: subprocess.Popen) -> None:
    process_stop(process)


def generated_tree(supervisor_user) -> list[Agency]:
    """A generated 2,000-unit tree under its own supervising office; each unit has a case
    closed in 2026 with its issued reply, and one open case not yet due."""
    root = Agency.objects.create(code="GEN-ROOT", name="生成市政府办公室", level=AgencyLevel.CITY)
    make_user("gen-supervisor", root, Role.SUPERVISOR)
    districts = Agency.objects.bulk_create(
        [
            Agency(code=f"GEN-D{i:02d}", name=f"生成第{i}区", level="district", parent=root)
            for i in range(19)
        ]
    )
    units = Agency.objects.bulk_create(
        [
            Agency(
                code=f"GEN-U{i:04d}",
                name=f"生成第{i}号单位",
                level="department",
                parent=districts[i % len(districts)],
            )
            for i in range(GENERATED - 20)
        ],
        batch_size=1000,
    )
    everyone = [root, *districts, *units]
    cases, letters = [], []
    for n, agency in enumerate(everyone):
        for k, (received, closed) in enumerate(
            [(dt.date(2026, 4, 1), dt.date(2026, 4, 20)), (dt.date(2026, 12, 21), None)]
        ):
            cases.append(
                Case(
                    agency=agency,
                    year=2026,
                    case_no=f"GEN{n:05d}-{k}",
                    tracking_code=f"G{n:07d}{k}",
                    channel="online",
                    received_on=received,
                    applicant_type="natural_person",
                    applicant_name="申请人",
                    content="申请公开某项政府信息",
                    state="disclosed" if closed else "received",
                    outcome="disclosed" if closed else "",
                    closed_on=closed,
                    reply_due=None if closed else dt.date(2027, 1, 19),
                )
            )
    Case.objects.bulk_create(cases, batch_size=2000)
    for n, case in enumerate(
        Case.objects.filter(case_no__startswith="GEN", state__in=FINISHED_STATES)
    ):
        letters.append(
            Letter(
                case=case,
                agency_id=case.agency_id,
                kind=LetterKind.REPLY,
                outcome=case.outcome,
                state=LetterState.ISSUED,
                number=f"生复〔2026〕{n + 1}号",
                number_series=LetterSeries.REPLY,
                number_year=2026,
                number_seq=n + 1,
                issued_on=case.closed_on,
            )
        )
    Letter.objects.bulk_create(letters, batch_size=2000)
    return everyone


def plant(agencies: dict, publisher) -> dict:
    """An overdue case, a case closed without a reply, a carry-over mismatch (2025 published,
    then a 2025 case registered late)."""
    overdue = plant_overdue(agencies["overdue"])
    no_reply = plant_closed_without_reply(agencies["no_reply"])
    carried = make_case(agencies["carry"], dt.date(2025, 6, 1))
    report_publish(agency=agencies["carry"], year=2025, by=publisher)
    close_with_reply(carried, dt.date(2026, 1, 8))
    late = make_case(agencies["carry"], dt.date(2025, 12, 29))
    close_with_reply(late, dt.date(2026, 1, 15))
    return {"overdue": overdue, "no_reply": no_reply, "late": late}


def findings(agency) -> dict[int, set[str]]:
    sweep = UnitSweep.objects.get(agency=agency, year=2026)
    found: dict[int, set[str]] = {}
    for finding in sweep.findings:
        found.setdefault(finding["case_id"], set()).add(finding["kind"])
    return found


def test_beat_and_worker_on_the_first_working_day_draft_every_unit(tmp_path):
    with time_machine.travel(dt.datetime(2026, 11, 27, 15, 0), tick=True):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    supervisor = make_user("season-root", Agency.objects.get(code="CITY-OFFICE"), Role.SUPERVISOR)
    demo_units = list(Agency.objects.all())
    generated = generated_tree(supervisor)
    gen_publisher = make_user("gen-root", generated[0], Role.SUPERVISOR)
    demo = {
        "overdue": Agency.objects.get(code="ZD-GOV"),
        "no_reply": demo_units[-1],
        "carry": Agency.objects.get(code="CITY-OFFICE"),
    }
    gen = {"overdue": generated[100], "no_reply": generated[1500], "carry": generated[1999]}
    demo_cases = plant(demo, supervisor)
    gen_cases = plant(gen, gen_publisher)

    log = tmp_path / "celery.log"
    worker = start(
        ["worker", "--pool=solo", "--loglevel=INFO", "-n", f"season-{time.time_ns()}@%h"], log
    )
    beat = start(["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")], log)
    try:
        deadline = time.monotonic() + 900
        run = None
        while time.monotonic() < deadline:
            run = SeasonRun.objects.filter(kind="daily", seconds__isnull=False).first()
            if run is not None:
                break
            time.sleep(2)
        assert run is not None, log.read_text(errors="replace")[-5000:]
    finally:
        stop(beat)
        stop(worker)
    assert run.error == "" and run.today == dt.date(2027, 1, 4) and run.triggered_by is None
    units = Agency.objects.count()
    assert units == len(demo_units) + GENERATED
    assert run.summary["drafts"]["units"] == units
    assert Draft.objects.filter(year=2026, consolidated=False).count() == units
    assert Draft.objects.filter(year=2026, consolidated=True).count() == 2  # city, GEN-ROOT

    # the generated tree: every unit clean except the three planted ones
    planted_gen = {a.id for a in gen.values()}
    gen_drafts = Draft.objects.filter(year=2026, consolidated=False, agency__code__startswith="GEN")
    assert {d.agency_id for d in gen_drafts if not d.clean} == planted_gen
    assert gen_drafts.filter(clean=True).count() == GENERATED - 3
    # each planted problem on its unit, in both trees
    for tree, cases in ((demo, demo_cases), (gen, gen_cases)):
        assert "overdue" in findings(tree["overdue"])[cases["overdue"].id]
        assert findings(tree["no_reply"])[cases["no_reply"].id] == {"no_reply"}
        carry = Draft.objects.get(agency=tree["carry"], year=2026, consolidated=False).carry_over
        assert carry["ok"] is False
        assert cases["late"].id in [c["case_id"] for c in carry["cases"]]
    # demo units: a draft is clean exactly when nothing is wrong with it
    for draft in Draft.objects.filter(year=2026, consolidated=False, agency__in=demo_units):
        carry_ok = draft.carry_over is None or draft.carry_over["ok"]
        assert draft.clean == (not draft.failures and carry_ok and draft.sweep_total == 0)
