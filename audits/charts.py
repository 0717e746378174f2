# ruff: noqa: E501 - SVG markup reads better on one line per element
"""Server-rendered SVG charts of the results (no JavaScript): horizontal bars with their 95 % intervals,
a trend line across waves, and the hexagon map of unsafe places. Each chart is an ``<svg role="img">`` with a
title; the page always shows the same figures in a table next to it."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
ROW = 28
LEFT = 190


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def bar_chart(bars, *, title: str) -> str:
    """bars: [(label, Estimate or None)] — None is drawn as "not published"."""
    height = ROW * len(bars) + 40
    scale = WIDTH - LEFT - 60
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="t{id(bars)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t{id(bars)}">{escape(title)}</title>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = LEFT + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{height - 24}" stroke="#ccc"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle">{_pct(tick)}</text>'
        )
    for i, (label, estimate) in enumerate(bars):
        y = 14 + i * ROW
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 14}" font-size="12" text-anchor="end">{escape(label)}</text>'
        )
        if estimate is None:
            # (outside the f-string: Debian 12's xgettext does not look inside f-strings)
            withheld = escape(_("not published (fewer than 10 answers)"))
            parts.append(f'<text x="{LEFT + 4}" y="{y + 14}" font-size="12" fill="#4a5360">{withheld}</text>')
            continue
        parts.append(
            f'<rect x="{LEFT}" y="{y + 3}" width="{estimate.share * scale:.1f}" height="16" fill="#1d4e89"/>'
        )
        x1, x2 = LEFT + estimate.low * scale, LEFT + estimate.high * scale
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y + 11}" x2="{x2:.1f}" y2="{y + 11}" stroke="#111" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{max(x2, LEFT + estimate.share * scale) + 6:.1f}" y="{y + 15}" font-size="12">{_pct(estimate.share)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def trend_chart(points) -> str:
    """points: [{"wave", "town", "estimate"}] in wave order; one line per town."""
    waves = []
    for point in points:
        if point["wave"] not in waves:
            waves.append(point["wave"])
    towns = sorted({p["town"] for p in points})
    height, left, right = 220, 50, WIDTH - 150
    step = (right - left) / max(1, len(waves) - 1)
    colours = ["#1d4e89", "#b3261e", "#1e6b35", "#5b2a86", "#8a5300"]
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="trend-title" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="trend-title">{escape(_("Trend across waves"))}</title>',
    ]
    for tick in (0, 0.5, 1):
        y = height - 30 - tick * (height - 50)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ccc"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_pct(tick)}</text>'
        )
    for i, wave in enumerate(waves):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - 10}" font-size="11" text-anchor="middle">{escape(wave.name[:24])}</text>'
        )
    for k, town in enumerate(towns):
        colour = colours[k % len(colours)]
        coords = []
        for i, wave in enumerate(waves):
            p = next((p for p in points if p["wave"] == wave and p["town"] == town), None)
            if p and p["estimate"] is not None:
                coords.append((left + i * step, height - 30 - p["estimate"].share * (height - 50)))
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        parts.append(
            f'<text x="{right + 10}" y="{20 + 16 * k}" font-size="12" fill="{colour}">{escape(town)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def _groups(hexagons, *, gap_deg: float = 0.05) -> list[list]:
    """Hexagons split into groups lying near each other (a town each, ~5 km apart), so that each group gets
    its own map instead of dots on a region-wide one."""
    groups: list[list] = []
    for h in sorted(hexagons, key=lambda h: h.centre):
        for group in groups:
            if any(
                abs(h.centre[0] - g.centre[0]) < gap_deg and abs(h.centre[1] - g.centre[1]) < gap_deg
                for g in group
            ):
                group.append(h)
                break
        else:
            groups.append([h])
    return groups


def hexagon_svg(hexagons) -> str:
    """The published hexagons (each with at least the minimum number of points), shaded by count: one map per
    group of nearby hexagons."""
    return mark_safe("".join(_hexagon_group_svg(group, k) for k, group in enumerate(_groups(hexagons))))  # noqa: S308


def _hexagon_group_svg(hexagons, k: int) -> str:
    if not hexagons:
        return ""
    xs = [x for h in hexagons for x, _y in h.ring]
    ys = [y for h in hexagons for _x, y in h.ring]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    width, height = WIDTH, 300
    s = min((width - 20) / max(maxx - minx, 1e-9), (height - 20) / max(maxy - miny, 1e-9))
    top = max(h.count for h in hexagons)
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="hex-title-{k}" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        format_html(
            '<title id="hex-title">{}</title>', _("Places where people feel unsafe (hexagons of about 250 m)")
        ),
    ]
    for h in hexagons:
        ring = " ".join(f"{10 + (x - minx) * s:.1f},{height - 10 - (y - miny) * s:.1f}" for x, y in h.ring)
        opacity = 0.25 + 0.75 * h.count / top
        parts.append(
            f'<polygon points="{ring}" fill="#b3261e" fill-opacity="{opacity:.2f}" stroke="#5a130f"><title>{h.count}</title></polygon>'
        )
    parts.append("</svg>")
    return "".join(parts)


def month_chart(months, *, title: str) -> str:
    """The monthly number of reports as columns: months = [(first day, count)], oldest first."""
    height, left, bottom = 200, 40, 30
    top = max([n for _m, n in months] + [1])
    step = (WIDTH - left - 10) / max(1, len(months))
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="months-title" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="months-title">{escape(title)}</title>',
    ]
    for value in sorted({0, round(top / 2), top}):
        y = height - bottom - value / top * (height - bottom - 14)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="#ccc"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value}</text>')
    for i, (month, n) in enumerate(months):
        h = n / top * (height - bottom - 14)
        x = left + i * step
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="#1d4e89"><title>{month:%m/%Y}: {n}</title></rect>'
        )
        if month.month == 1 or (i == 0 and month.month < 11):
            parts.append(f'<text x="{x:.1f}" y="{height - 10}" font-size="11">{month:%m/%Y}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - only numbers and an escaped title


def count_bars(rows, *, title: str) -> str:
    """Horizontal bars of plain values: rows = [(label, value)]."""
    height = ROW * len(rows) + 20
    top = max([v for _l, v in rows] + [1e-9])
    scale = WIDTH - LEFT - 70
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="bars-{id(rows)}" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="bars-{id(rows)}">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 8 + i * ROW
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 14}" font-size="12" text-anchor="end">{escape(label)}</text>'
        )
        w = value / top * scale
        parts.append(f'<rect x="{LEFT}" y="{y + 3}" width="{w:.1f}" height="16" fill="#1d4e89"/>')
        parts.append(f'<text x="{LEFT + w + 6:.1f}" y="{y + 15}" font-size="12">{value:g}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
