"""The rhythm chart: interactions per month by kind as a small stacked-bar SVG, visits marked."""

from __future__ import annotations

import re
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"

PALETTE = {
    "meeting": "#0072b2",
    "call": "#56b4e9",
    "email": "#009e73",
    "message": "#8fd175",
    "banquet": "#e69f00",
    "site_visit": "#d55e00",
    "note": "#999999",
    "signing": "#cc79a7",
    "mission": "#6a3d9a",
    "visit": "#b15928",
    "followup": "#f0e442",
    "status": "#666666",
    "correction": "#bbbbbb",
}
"""Fixed colours (Okabe-Ito first) so a kind looks the same in every report."""

SPARE_COLOURS = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#444444")
"""For kinds the palette does not know, handed out in sorted order."""

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
LEFT, RIGHT, BOTTOM, LEGEND_ROW, LEGEND_ITEM = 30, 10, 22, 14, 92
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def _month_number(month: str) -> int:
    """Count months from year 0 so a range is a plain `range`; refuse anything but `YYYY-MM`."""
    found = MONTH.match(month)
    if found is None:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return int(found[1]) * 12 + int(found[2]) - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_range(months: set[str]) -> list[str]:
    """Every month from the first to the last given, gaps included, so quiet months show."""
    if not months:
        return []
    numbers = [_month_number(m) for m in months]
    return [_month_name(n) for n in range(min(numbers), max(numbers) + 1)]


def colours_for(kinds: list[str]) -> dict[str, str]:
    """A colour per kind: the fixed palette, then spare colours in sorted order."""
    unknown = [k for k in sorted(kinds) if k not in PALETTE]
    spare = {k: SPARE_COLOURS[i % len(SPARE_COLOURS)] for i, k in enumerate(unknown)}
    return {k: PALETTE.get(k) or spare[k] for k in sorted(kinds)}


def _label(kind: str) -> str:
    return escape(kind.replace("_", " "))


def _legend(colours: dict[str, str], width: int) -> tuple[list[str], int]:
    """Swatches in rows across the top; returns the elements and the height they take."""
    per_row = max(1, (width - LEFT - RIGHT) // LEGEND_ITEM)
    parts = ['<g class="legend">']
    for i, (kind, colour) in enumerate(colours.items()):
        x = LEFT + (i % per_row) * LEGEND_ITEM
        y = 4 + (i // per_row) * LEGEND_ROW
        parts.append(f'<rect x="{x}" y="{y}" width="9" height="9" fill="{colour}"/>')
        parts.append(f'<text x="{x + 12}" y="{y + 8}" font-size="9">{_label(kind)}</text>')
    parts.append("</g>")
    rows = -(-len(colours) // per_row)
    return parts, rows * LEGEND_ROW + 14


def _bars(
    month: str, counts: dict[str, int], colours: dict[str, str], geometry: tuple[float, ...]
) -> list[str]:
    """One group per month: its stacked bars and a tooltip with the counts."""
    x, bar, base, scale = geometry
    shown = {k: n for k, n in sorted(counts.items()) if n > 0}
    detail = ", ".join(f"{n} {_label(k)}" for k, n in shown.items()) or "none"
    parts = [f'<g class="month" data-month="{month}"><title>{month}: {detail}</title>']
    top = base
    for kind, count in shown.items():
        h = count * scale
        top -= h
        parts.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{colours[kind]}"/>'
        )
    parts.append("</g>")
    return parts


def _visit(month: str, centre: float, top: float, base: float, width: int) -> list[str]:
    """A dashed line and a small triangle labelled "visit" on the month a visit started."""
    near_edge = centre + 28 > width
    label_x, anchor = (centre - 5, "end") if near_edge else (centre + 5, "start")
    tip = f"{centre - 4:.1f},{top - 7:.1f} {centre + 4:.1f},{top - 7:.1f} {centre:.1f},{top:.1f}"
    return [
        f'<g class="visit" data-month="{month}"><title>{month}: visit</title>',
        f'<line x1="{centre:.1f}" y1="{top:.1f}" x2="{centre:.1f}" y2="{base:.1f}" '
        'stroke="#333333" stroke-width="1" stroke-dasharray="3,2"/>',
        f'<polygon points="{tip}" fill="#333333"/>',
        f'<text x="{label_x:.1f}" y="{top - 1:.1f}" font-size="8" '
        f'text-anchor="{anchor}">visit</text>',
        "</g>",
    ]


def _year_labels(months: list[str], slot: float, base: float) -> list[str]:
    """Name the first month, then each January, skipping a label that would overlap."""
    parts: list[str] = []
    last = -1000.0
    for i, month in enumerate(months):
        if i and not month.endswith("-01"):
            continue
        x = LEFT + i * slot
        if x - last < 40:
            continue
        text = month[:4] if month.endswith("-01") else month
        parts.append(f'<text x="{x:.1f}" y="{base + 14:.1f}" font-size="9">{text}</text>')
        last = x
    return parts


def _empty(width: int, height: int) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}>'
        "<title>Interactions per month: no interactions</title>"
        f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" font-size="12" '
        'text-anchor="middle" fill="#666666">No interactions</text></svg>'
    )


def monthly_chart_svg(
    monthly: dict[str, dict[str, int]],
    visit_months: tuple[str, ...],
    *,
    width: int = 640,
    height: int = 180,
) -> str:
    """Draw interactions per month as stacked bars by kind, marking the months visits began."""
    months = month_range(set(monthly) | set(visit_months))
    if not months:
        return _empty(width, height)
    colours = colours_for(sorted({k for counts in monthly.values() for k in counts}))
    legend, top = _legend(colours, width)
    top += 8  # room for the visit triangles and the "visit" label
    base = float(max(height - BOTTOM, top + 20))
    peak = max((sum(c.values()) for c in monthly.values()), default=0) or 1
    scale = (base - top) / peak
    slot = (width - LEFT - RIGHT) / len(months)
    bar = max(1.0, slot * 0.7)
    summary = f"Interactions per month by kind, {months[0]} to {months[-1]}"
    parts = [
        f'<svg xmlns="{SVG_NS}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}>',
        f"<title>{summary}; visits marked</title>",
        *legend,
        f'<line x1="{LEFT}" y1="{base:.1f}" x2="{width - RIGHT}" y2="{base:.1f}" '
        'stroke="#999999"/>',
        f'<text x="{LEFT - 4}" y="{top + 4:.1f}" font-size="9" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{base:.1f}" font-size="9" text-anchor="end">0</text>',
    ]
    for i, month in enumerate(months):
        geometry = (LEFT + i * slot + (slot - bar) / 2, bar, base, scale)
        parts += _bars(month, monthly.get(month, {}), colours, geometry)
    for month in sorted(set(visit_months)):
        parts += _visit(month, LEFT + (months.index(month) + 0.5) * slot, top, base, width)
    parts += _year_labels(months, slot, base)
    parts.append("</svg>")
    return "\n".join(parts)
