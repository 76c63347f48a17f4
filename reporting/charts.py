"""Charts for the statistics page, drawn on the server as inline SVG (no script, no CDN).

Each function takes plain numbers and returns SVG markup; labels are escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#0b5cad", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#59636e", "#bc4c00"]


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def hbar_chart(
    title: str,
    items: list[tuple[str, float]],
    *,
    unit: str = "",
    max_value: float | None = None,
    value_format: str = "{:g}",
) -> SafeString:
    """Horizontal bars, one per (label, value)."""
    row, label_w, bar_w = 28, 220, 380
    height = max(1, len(items)) * row + 20
    top = max([v for _, v in items] + [max_value or 0, 1])
    body = []
    if not items:
        body.append(
            f'<text x="10" y="24" font-size="14" fill="#59636e">{escape("暂无数据")}</text>'
        )
    for i, (label, value) in enumerate(items):
        y = 10 + i * row
        w = 0 if not top else bar_w * value / top
        color = PALETTE[i % len(PALETTE)]
        body.append(
            f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="#1f2328">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="18" fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" font-size="13" fill="#1f2328">'
            f"{escape(value_format.format(value))}{escape(unit)}</text>"
        )
    return _svg(label_w + bar_w + 80, height, title, body)


def monthly_chart(title: str, series: list[tuple[str, list[int]]]) -> SafeString:
    """Grouped vertical bars for 12 months, one colour per series, with a legend."""
    left, bottom, plot_h, group_w = 40, 40, 200, 48
    width, height = left + 12 * group_w + 20, plot_h + bottom + 40
    top = max([v for _, values in series for v in values] + [1])
    bar_w = (group_w - 10) / max(1, len(series))
    body = [
        f'<line x1="{left}" y1="{plot_h + 20}" x2="{width - 10}" y2="{plot_h + 20}" stroke="#afb8c1"/>'
    ]
    for tick in (0, top / 2, top):
        y = plot_h + 20 - plot_h * tick / top
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#59636e">'
            f"{tick:.0f}</text>"
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#eaeef2"/>'
        )
    for month in range(12):
        x0 = left + month * group_w + 5
        for s, (name, values) in enumerate(series):
            value = values[month]
            h = plot_h * value / top
            body.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{plot_h + 20 - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s]}"><title>{escape(f"{month + 1}月{name} {value}")}</title></rect>'
            )
        body.append(
            f'<text x="{x0 + (group_w - 10) / 2:.1f}" y="{plot_h + 36}" font-size="11" text-anchor="middle" '
            f'fill="#1f2328">{month + 1}月</text>'
        )
    for s, (name, _) in enumerate(series):
        x = left + s * 110
        body.append(
            f'<rect x="{x}" y="{height - 16}" width="12" height="12" fill="{PALETTE[s]}"/>'
            f'<text x="{x + 16}" y="{height - 6}" font-size="12" fill="#1f2328">{escape(name)}</text>'
        )
    return _svg(width, height, title, body)
