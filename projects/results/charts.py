# ruff: noqa: E501 - SVG markup reads better on one line per element
"""Server-rendered SVG of the effect panel (no JavaScript): monthly reports in the target and control areas
before, during and after the implementation, and a small map of the programme's project areas. Each chart
is an ``<svg role="img">`` with a title; the page shows the same figures in a table."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 46
TARGET_COLOUR, CONTROL_COLOUR, BUFFER_COLOUR = "#1d4e89", "#8a5300", "#4a5360"


def monthly_chart(months, *, title: str, chart_id: str = "effect-chart") -> str:
    """months: [MonthRow] in order. Target (solid), control (dashed), buffer (dotted); implementation
    months shaded."""
    if not months:
        return ""
    top_value = max(
        [1] + [m.target for m in months] + [m.control or 0 for m in months] + [m.buffer or 0 for m in months]
    )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(months) - 1)

    def x(i):
        return LEFT + i * step

    def y(v):
        return TOP + plot_h - plot_h * v / top_value

    parts = [
        f'<svg class="chart effect-chart" role="img" aria-labelledby="{chart_id}-t" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    for i, month in enumerate(months):
        if month.side == "implementation":
            parts.append(
                f'<rect x="{x(i) - step / 2:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h}" fill="#eceff3"/>'
            )
    for tick in (0, top_value / 2, top_value):
        parts.append(
            f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" stroke="#ccc"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick:.0f}</text>'
        )
    for i, month in enumerate(months):
        if month.month.month == 1 or i == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle">{month.month:%m/%Y}</text>'
            )

    def line(values, colour, dash):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'

    parts.append(line([m.target for m in months], TARGET_COLOUR, ""))
    legend = [(TARGET_COLOUR, "", _("target area"))]
    if months[0].control is not None:
        parts.append(line([m.control for m in months], CONTROL_COLOUR, "6 4"))
        legend.append((CONTROL_COLOUR, "6 4", _("control area")))
    if months[0].buffer is not None:
        parts.append(line([m.buffer for m in months], BUFFER_COLOUR, "2 3"))
        legend.append((BUFFER_COLOUR, "2 3", _("buffer ring")))
    shaded = _("implementation (left out)")
    legend_y = HEIGHT - 10
    lx = LEFT
    for colour, dash, label in legend:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{legend_y - 4}" x2="{lx + 22}" y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        parts.append(f'<text x="{lx + 26}" y="{legend_y}" font-size="11">{escape(label)}</text>')
        lx += 34 + 7 * len(str(label))
    parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="14" height="10" fill="#eceff3" stroke="#ccc"/>')
    parts.append(f'<text x="{lx + 18}" y="{legend_y}" font-size="11">{escape(shaded)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def areas_map(shapes, *, title: str, width: int = 640, height: int = 420) -> str:
    """shapes: [(label, url, MultiPolygon in EPSG:4326)] drawn in an equirectangular projection scaled to
    the bounding box (cos of the mean latitude). An image, not links (the list next to it links each
    project: links inside ``role="img"`` would be nested interactive content)."""
    shapes = [s for s in shapes if s[2] is not None]
    if not shapes:
        return ""
    import math

    minx = min(s[2].extent[0] for s in shapes)
    miny = min(s[2].extent[1] for s in shapes)
    maxx = max(s[2].extent[2] for s in shapes)
    maxy = max(s[2].extent[3] for s in shapes)
    kx = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max(1e-6, (maxx - minx) * kx), max(1e-6, maxy - miny)
    scale = min((width - 20) / span_x, (height - 20) / span_y)

    def px(lon, lat):
        return 10 + (lon - minx) * kx * scale, 10 + (maxy - lat) * scale

    parts = [
        f'<svg class="chart results-map" role="img" aria-labelledby="results-map-t" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="results-map-t">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f7f9"/>',
    ]
    for label, _url, area in shapes:
        simple = area.simplify(max(span_x, span_y) / 400, preserve_topology=True)
        paths = []
        for polygon in simple if simple.geom_type == "MultiPolygon" else [simple]:
            for ring in polygon:
                coords = " ".join("{:.1f},{:.1f}".format(*px(lon, lat)) for lon, lat in ring.coords)
                paths.append(f"M{coords}Z")
        parts.append(
            f'<path d="{" ".join(paths)}" fill="{TARGET_COLOUR}" fill-opacity="0.35" stroke="{TARGET_COLOUR}" stroke-width="1.5"><title>{escape(label)}</title></path>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
