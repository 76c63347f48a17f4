"""The published-year lock, in one place (SPEC §6).

A counted record (a case, a review or litigation record) counts in the figures of every year
from the first year it touches on: its receipt (or filing) year, the years it is carried
forward, the year it is closed (or concluded) — and, while open, every later year. A change
therefore affects the published years from the first year it touches to the last one it can
reach (`last_year` None: open-ended). `affected_years` is that rule; `period_lock_check`
refuses such a change unless the caller may correct a published year and gives a reason."""

from __future__ import annotations

from common.errors import RuleViolation

from .models import PublishedPeriod

MSG_PERIOD_LOCKED = (
    "{years}年度报告已发布，此项修改会改变已发布的统计数字：需由本机关审核人填写更正理由后办理"
)


def period_publish(*, agency_id: int, year: int) -> None:
    """Record that the agency's report of `year` is published (idempotent)."""
    PublishedPeriod.objects.get_or_create(agency_id=agency_id, year=year)


def published_years(agency_id: int) -> set[int]:
    return set(PublishedPeriod.objects.filter(agency_id=agency_id).values_list("year", flat=True))


def affected_years(
    agency_id: int,
    first_year: int,
    last_year: int | None = None,
    *,
    published: set[int] | None = None,
) -> list[int]:
    """The published years from `first_year` to `last_year` (None: every later year)."""
    years = published if published is not None else published_years(agency_id)
    return sorted(y for y in years if y >= first_year and (last_year is None or y <= last_year))


def period_lock_check(
    *,
    agency_id: int,
    first_year: int,
    last_year: int | None = None,
    may_correct: bool,
    reason: str,
    field: str,
) -> list[int]:
    """The affected published years (empty: nothing to lock). Refused unless `may_correct`
    (an approver of the agency) and a reason is given; the caller records the correction."""
    years = affected_years(agency_id, first_year, last_year)
    if years and not (may_correct and reason.strip()):
        raise RuleViolation(MSG_PERIOD_LOCKED.format(years="、".join(map(str, years))), field)
    return years
