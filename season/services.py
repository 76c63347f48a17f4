"""The season's runs: the daily run (sweep from 1 December to 31 March, drafts from the first
working day of January, reminders), a single unit re-checked, each recorded as a SeasonRun.

Which report year a day belongs to: December belongs to its own year's season, January to
March to the previous year's."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.db import transaction

from agencies.models import Agency
from workcalendar.selectors import calendar_get

from . import chasing
from .drafts import drafts_produce
from .models import Draft, RunKind, SeasonRun, UnitSweep
from .sweep import sweep_compute


def season_year(today: dt.date) -> int | None:
    """The report year whose season `today` is in, or None outside 1 December – 31 March."""
    if today.month == 12:
        return today.year
    if today.month <= 3:
        return today.year - 1
    return None


def first_working_day_of_january(year: int) -> dt.date:
    """The day drafts of report year `year` are made (work calendar of year + 1)."""
    work = calendar_get(covering=dt.date(year + 1, 1, 31))
    day = dt.date(year + 1, 1, 1)
    while not work.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def drafts_due(year: int, today: dt.date) -> bool:
    """From the first working day of January (also later, if that day's run was missed)."""
    return today >= first_working_day_of_january(year)


def sweep_run(year: int, today: dt.date, agency_ids: Iterable[int] | None = None) -> dict:
    """Sweep these units (default: all) and store each one's result. Returns totals."""
    ids = (
        list(agency_ids)
        if agency_ids is not None
        else list(Agency.objects.values_list("id", flat=True))
    )
    results = sweep_compute(ids, year, today)
    rows = [
        UnitSweep(
            agency_id=agency_id,
            year=year,
            swept_on=today,
            counts=result["counts"],
            findings=result["findings"],
            total=result["total"],
        )
        for agency_id, result in results.items()
    ]
    UnitSweep.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["agency", "year"],
        update_fields=["swept_on", "counts", "findings", "total", "updated_at"],
    )
    return {
        "units": len(rows),
        "units_with_problems": sum(1 for r in rows if r.total),
        "problems": sum(r.total for r in rows),
    }


def _recorded(kind: str, year: int, today: dt.date, *, agency=None, by=None):
    """Decorator-like helper: run `work()` and record the run with its summary and duration."""

    def run(work):
        run = SeasonRun.objects.create(
            kind=kind, year=year, today=today, agency=agency, triggered_by=by
        )
        started = time.monotonic()
        try:
            summary = work()
        except Exception as exc:
            run.seconds = time.monotonic() - started
            run.error = f"{type(exc).__name__}: {exc}"
            run.save(update_fields=["seconds", "error"])
            raise
        run.seconds = time.monotonic() - started
        run.summary = summary
        run.save(update_fields=["seconds", "summary"])
        return run

    return run


def season_daily(today: dt.date, *, by=None, force_drafts: bool = False) -> SeasonRun | None:
    """The daily run (Celery beat, or "run now"): sweep, drafts when due, reminders.

    Outside the season nothing runs and nothing is recorded (unless `by` asks: then the
    season just ended is swept again)."""
    year = season_year(today)
    if year is None:
        if by is None:
            return None
        year = today.year - 1

    def work() -> dict:
        summary = {"sweep": sweep_run(year, today)}
        if force_drafts or drafts_due(year, today):
            summary["drafts"] = drafts_produce(year)
        summary["reminders"] = chasing.reminders_send(year, today)
        return summary

    return _recorded(RunKind.DAILY, year, today, by=by)(work)


def unit_rerun(agency: Agency, year: int, today: dt.date, *, by=None) -> SeasonRun:
    """Re-check one unit now: its sweep and its draft (after someone fixed a case)."""

    def work() -> dict:
        with transaction.atomic():
            summary = {"sweep": sweep_run(year, today, [agency.id])}
            summary["drafts"] = drafts_produce(year, [agency.id])
        draft = Draft.objects.filter(agency=agency, year=year, consolidated=False).first()
        summary["clean"] = bool(draft and draft.clean)
        return summary

    return _recorded(RunKind.UNIT, year, today, agency=agency, by=by)(work)
