"""Information-processing fee (信息处理费) of 国办函〔2020〕109号, SPEC §5, ogi-domain §5.

Two standards, one per request, never both, both progressive on the excess:
- per request (按件计收, Art. 4): the same applicant's requests in one natural month; the first
  10 free, the 11th–30th at 100 yuan each, then each further band of 10 costs 100 yuan more per
  request (31st–40th 200, 41st–50th 300, …). The fee of one request depends on its rank.
- per volume (按量计收, Art. 5): pages of one request; up to 30 free, 31–100 at 10 yuan a page,
  101–200 at 20 yuan, from 201 at 40 yuan.
Each function returns the amount and the lines that explain it (printed on the fee notice)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PER_REQUEST = "per_request"
PER_VOLUME = "per_volume"
STANDARD_LABELS = {PER_REQUEST: "按件计收", PER_VOLUME: "按量计收"}

VOLUME_TIERS = [(30, Decimal(0)), (100, Decimal(10)), (200, Decimal(20)), (None, Decimal(40))]


@dataclass(frozen=True)
class Fee:
    standard: str
    amount: Decimal
    lines: list[str]

    @property
    def standard_label(self) -> str:
        return STANDARD_LABELS[self.standard]


def per_request_rate(rank: int) -> Decimal:
    """The fee of the applicant's `rank`-th request in the natural month."""
    if rank < 1:
        raise ValueError("rank must be at least 1")
    if rank <= 10:
        return Decimal(0)
    if rank <= 30:
        return Decimal(100)
    return Decimal(100) * ((rank - 31) // 10 + 2)


def fee_per_request(rank: int) -> Fee:
    rate = per_request_rate(rank)
    if rank <= 10:
        band = "同一申请人一个自然月内申请10件以内（含10件）的，不收费"
    elif rank <= 30:
        band = "第11件至第30件（含30件），每件100元"
    else:
        low = 31 + (rank - 31) // 10 * 10
        band = f"第{low}件至第{low + 9}件，每件{rate}元"
    lines = [
        f"本申请为您本自然月内提出的第{rank}件政府信息公开申请。",
        f"适用档次：{band}。",
        f"本件应缴：{rate}元。",
    ]
    return Fee(PER_REQUEST, rate, lines)


def fee_per_volume(pages: int) -> Fee:
    if pages < 0:
        raise ValueError("pages must not be negative")
    total = Decimal(0)
    lines = [f"本申请所需提供的政府信息共{pages}页。"]
    lower = 0
    for upper, rate in VOLUME_TIERS:
        top = pages if upper is None else min(pages, upper)
        count = max(0, top - lower)
        if count:
            amount = rate * count
            total += amount
            span = f"第{lower + 1}页至第{top}页"
            lines.append(
                f"{span}共{count}页，免费。"
                if rate == 0
                else f"{span}共{count}页，每页{rate}元，计{amount}元。"
            )
        if upper is None or pages <= upper:
            break
        lower = upper
    lines.append(f"合计：{total}元。")
    return Fee(PER_VOLUME, total, lines)


def fee_compute(standard: str, quantity: int) -> Fee:
    """Fee by the chosen standard: `quantity` is the request's rank in the month (per request)
    or its page count (per volume)."""
    if standard == PER_REQUEST:
        return fee_per_request(quantity)
    if standard == PER_VOLUME:
        return fee_per_volume(quantity)
    raise ValueError(f"unknown fee standard {standard!r}")
