"""The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, in force 2025-01-01).

For a year whose official schedule (放假安排 with its 调休上班 days) is not known yet — neither
carried by the chinese_calendar package nor entered by an administrator — deadlines are
computed with weekends and these days off (SPEC §2), and stay provisional because the make-up
working days are unknown. The same list is the minimum an entered year must hold before it can
be marked official.

Lunar dates (春节, 端午, 中秋) and the 清明 solar term come from lunar-python, which computes
them offline. Pure: no database."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar

# The revision's first year: earlier years are all carried by the chinese_calendar package.
STATUTORY_RULE_FROM = 2025
STATUTORY_RULE_NAME = "《全国年节及纪念日放假办法》（2024年修订）"

# Holiday names as the chinese_calendar package spells them, so that explanations read alike.
NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
TOMB_SWEEPING = "清明"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午"
MID_AUTUMN = "中秋"
NATIONAL_DAY = "国庆节"


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    """The statutory days off of `year`, in date order, each with its holiday's name.

    元旦 1 Jan; 春节 农历除夕 (the last day of the 12th lunar month, the 29th or 30th) and
    正月初一至初三; 清明 the day of the 清明 solar term; 劳动节 1–2 May; 端午 农历五月初五;
    中秋 农历八月十五; 国庆节 1–3 Oct. 正月初一 falls between 21 Jan and 20 Feb, so 除夕 and
    the festival's days always lie in the same Gregorian year."""
    new_year = Lunar.fromYmd(year, 1, 1)
    first_day = _solar(new_year)
    qingming = new_year.getJieQiTable()[TOMB_SWEEPING]
    days = [
        (dt.date(year, 1, 1), NEW_YEAR),
        *((first_day + dt.timedelta(days=n), SPRING_FESTIVAL) for n in range(-1, 3)),
        (dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay()), TOMB_SWEEPING),
        (dt.date(year, 5, 1), LABOUR_DAY),
        (dt.date(year, 5, 2), LABOUR_DAY),
        (_solar(Lunar.fromYmd(year, 5, 5)), DRAGON_BOAT),
        (_solar(Lunar.fromYmd(year, 8, 15)), MID_AUTUMN),
        *((dt.date(year, 10, d), NATIONAL_DAY) for d in (1, 2, 3)),
    ]
    return tuple(sorted(days))


def statutory_holiday_map(year: int) -> dict[dt.date, str]:
    """`statutory_holidays` as a lookup; empty before the 2024 revision took effect."""
    if year < STATUTORY_RULE_FROM:
        return {}
    return dict(statutory_holidays(year))
