"""Exact rate limits on the shared cache (Redis in production): a fixed-window counter raised
with one atomic increment, so that concurrent workers can never let more through than the limit
(a read-modify-write history such as DRF's SimpleRateThrottle can)."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'30/minute', '5/day', '1000/h' → Rate(limit, seconds)."""
        count, _, unit = text.partition("/")
        return cls(int(count), PERIODS[unit.strip()[0].lower()])


def _window(period: int, now: float) -> tuple[int, int]:
    """(window number, seconds left in it). Windows of a day or longer start at local midnight."""
    offset = 0
    if period >= 86400:
        offset = int(timezone.localtime().utcoffset().total_seconds())
    local = now + offset
    number = int(local // period)
    return number, max(1, int((number + 1) * period - local))


def rate_hit(scope: str, ident: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one request of `ident` in `scope`; 0 if it is within the rate, else the seconds to
    wait until the window ends. Every call counts, refused ones included."""
    now = time.time() if now is None else now
    number, left = _window(rate.period, now)
    prefix = getattr(settings, "RATELIMIT_PREFIX", "ratelimit")  # tests: fresh counters each
    key = f"{prefix}:{scope}:{ident}:{rate.period}:{number}"
    for _ in range(3):
        cache.add(key, 0, timeout=left + 5)
        try:
            count = cache.incr(key)
            break
        except ValueError:  # the key expired between add and incr: start it again
            continue
    else:  # pragma: no cover - the cache keeps losing the key
        return left
    return 0 if count <= rate.limit else left


def pseudonym(value: str) -> str:
    """A keyed hash, so that identity numbers and phones never appear in cache keys."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
