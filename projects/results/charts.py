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


def areas_map(shapes, *, title: str, background=(), width: int = 640, height: int = 420) -> str:
    """shapes: [(label, url, MultiPolygon in EPSG:4326)] of the projects, over ``background``: [(name,
    MultiPolygon)] of the member towns, in an equirectangular projection (cos of the mean latitude) fitted to
    all of them. Each project also gets a dot at its centre, so that a 400 m area stays visible on a
    regional map. An image, not links (the list next to it links each project: links inside ``role="img"``
    would be nested interactive content)."""
    shapes = [s for s in shapes if s[2] is not None]
    background = [b for b in background if b[1] is not None]
    if not shapes:
        return ""
    import math

    extents = [s[2].extent for s in shapes] + [b[1].extent for b in background]
    minx, miny = min(e[0] for e in extents), min(e[1] for e in extents)
    maxx, maxy = max(e[2] for e in extents), max(e[3] for e in extents)
    kx = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max(1e-6, (maxx - minx) * kx), max(1e-6, maxy - miny)
    scale = min((width - 20) / span_x, (height - 20) / span_y)
    tolerance = max(maxx - minx, maxy - miny) / 500

    def px(lon, lat):
        return 10 + (lon - minx) * kx * scale, 10 + (maxy - lat) * scale

    def path(area) -> str:
        simple = area.simplify(tolerance, preserve_topology=True)
        parts = []
        for polygon in simple if simple.geom_type == "MultiPolygon" else [simple]:
            for ring in polygon:
                parts.append(
                    "M" + " ".join("{:.1f},{:.1f}".format(*px(lon, lat)) for lon, lat in ring.coords) + "Z"
                )
        return " ".join(parts)

    parts = [
        f'<svg class="chart results-map" role="img" aria-labelledby="results-map-t" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="results-map-t">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f7f9"/>',
    ]
    for name, area in background:
        parts.append(
            f'<path d="{path(area)}" fill="#ffffff" stroke="#9aa3ad" stroke-width="1"><title>{escape(name)}</title></path>'
        )
    for name, area in background:
        x, y = px(*area.point_on_surface.coords)
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" fill="#4a5360" text-anchor="middle">{escape(name)}</text>'
        )
    for label, _url, area in shapes:
        x, y = px(*area.centroid.coords)
        parts.append(
            f'<path d="{path(area)}" fill="{TARGET_COLOUR}" fill-opacity="0.4" stroke="{TARGET_COLOUR}" stroke-width="1.5"><title>{escape(label)}</title></path>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{CONTROL_COLOUR}" stroke="#fff" stroke-width="1.5"><title>{escape(label)}</title></circle>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
