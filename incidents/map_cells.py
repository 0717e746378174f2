"""The public map's clusters counted ahead: ``MapCell`` rows per stored zoom level × period × grid cell, so
that a city-zoom map without filters asks the database for a few hundred small rows instead of aggregating
every report in view.

Levels: every second zoom from 4 to 16 (``selectors.MAP_CELL_LEVELS``); a zoom between two is read from the
finer one, its cells grouped by two (the cell sides are powers of two apart, so the grouping is exact: the
clusters are the ones counting the reports live would give). Periods: the map's 7, 30 and 90 days.

What a cell counts is exactly what ``selectors.public_reports`` shows without filters (public categories,
not withdrawn), submitted at or after ``MapCellState.aged_until`` minus the period: the set of a moment at
most a minute old (the beat task ``map_cells_age`` moves that moment on and takes out what aged out since).
Kept current:

- ``report_changed`` — called by the submission (``services``) and by every workflow transition
  (``workflow._event``), in their transaction. A submission (or a report withdrawn) is one INSERT … ON
  CONFLICT DO UPDATE of its levels × periods cells (21 rows); any other change of status costs nothing (the
  cells do not count by status). Nothing is written before the cells are built;
- ``map_cells_age`` — every minute: reports that left a period since the last run go out; rebuilds instead
  when the cells were never built, are a day old, or the public categories changed;
- ``map_cells_rebuild`` — everything again from the reports (after a bulk import, ``bench/incidents.py``).

The same SQL runs on PostGIS and SpatiaLite (ST_X, ST_Y, FLOOR, ON CONFLICT). The category, status,
district and town filters, zooms outside the levels, and a stale or missing state make the map count the
reports live instead (``selectors.public_map_cells`` answers None)."""

import math
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from .models import Category, MapCell, MapCellState, Report, Status
from .selectors.public import MAP_CELL_LEVELS, MAP_CELL_PERIODS, map_cell_size

REBUILD_EVERY = timedelta(days=1)  # a full rebuild a day puts right whatever bypassed the services


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _dt(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _upsert_sql(select: str) -> str:
    cell = _q(MapCell._meta.db_table)
    return (
        f"INSERT INTO {cell} (level, period, cx, cy, n, sx, sy) {select} "  # noqa: S608 - names, no input
        "ON CONFLICT (level, period, cx, cy) DO UPDATE SET "
        f"n = {cell}.n + excluded.n, sx = {cell}.sx + excluded.sx, sy = {cell}.sy + excluded.sy"
    )


def _shown(status: str | None) -> int:
    """1 if a report in ``status`` is on the public map (its category permitting), else 0."""
    return 0 if status in (None, "", Status.WITHDRAWN) else 1


def _share_lock() -> str:
    """PostgreSQL: the cell update waits for a running aging or rebuild (which lock the state row for
    update) and then sees its new ``aged_until``, so a report is never taken out twice. SQLite serialises
    writers anyway (portal.settings: every transaction takes the write lock when it begins)."""
    return " FOR SHARE" if connection.vendor == "postgresql" else ""


def report_changed(report: Report, *, before: str | None, after: str) -> None:
    """Bring the cells up to date after ``report`` was submitted (``before`` None) or went from status
    ``before`` to ``after``. At most one statement, none when the report stays shown or hidden; it changes
    nothing while the cells are not built (its own conditions: the state row, the category public, the
    report within each period)."""
    n = _shown(after) - _shown(before)
    if not n or report.point is None:
        return
    x, y = report.point.x, report.point.y
    rows, params = [], []
    for level in MAP_CELL_LEVELS:
        size = map_cell_size(level)
        cx, cy = math.floor(x / size), math.floor(y / size)
        for period in MAP_CELL_PERIODS:
            counted_until = _dt(report.created_at + timedelta(days=period))  # counted while aged_until ≤
            rows.append("(%s, %s, %s, %s, %s, %s, %s, %s)")
            params += [level, period, cx, cy, n, n * x, n * y, counted_until]
    state, category = _q(MapCellState._meta.db_table), _q(Category._meta.db_table)
    select = (
        "SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7 "  # noqa: S608
        f"FROM (VALUES {', '.join(rows)}) AS v, "
        f"(SELECT s.aged_until FROM {state} s{_share_lock()}) AS s "
        "WHERE s.aged_until <= v.column8 "
        f"AND EXISTS (SELECT 1 FROM {category} c WHERE c.id = %s AND c.public)"
    )
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(select), [*params, report.category_id])


def _levels_values() -> str:
    return ", ".join(f"({level}, {map_cell_size(level)!r})" for level in MAP_CELL_LEVELS)


def _add_reports(*, period: int, since: datetime, until: datetime | None, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) the public reports submitted in [since, until) to the cells of
    ``period``, every level at once: one statement."""
    report, category = _q(Report._meta.db_table), _q(Category._meta.db_table)
    point = f"r.{_q('point')}"
    minus = "-" if sign < 0 else ""
    where = (
        "r.created_at >= %s AND r.status <> %s "  # noqa: S608 - names, no input
        f"AND r.category_id IN (SELECT c.id FROM {category} c WHERE c.public)"
    )
    params = [_dt(since), Status.WITHDRAWN.value]
    if until is not None:
        where += " AND r.created_at < %s"
        params.append(_dt(until))
    select = (
        f"SELECT lv.column1, {int(period)}, FLOOR(ST_X({point}) / lv.column2), "  # noqa: S608 - no input
        f"FLOOR(ST_Y({point}) / lv.column2), {minus}COUNT(*), "
        f"{minus}SUM(ST_X({point})), {minus}SUM(ST_Y({point})) "
        f"FROM {report} r CROSS JOIN (VALUES {_levels_values()}) AS lv "
        f"WHERE {where} GROUP BY 1, 3, 4"
    )
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(select), params)


def _public_signature() -> str:
    public = Category.objects.filter(public=True).order_by("pk").values_list("pk", flat=True)
    return ",".join(str(pk) for pk in public)


@transaction.atomic
def map_cells_rebuild(*, now: datetime | None = None) -> None:
    """Count every cell again from the reports (seconds at a million reports)."""
    now = now or timezone.now()
    # Updated, not replaced: a cell update waiting for this lock then sees the new state row and adds its
    # change on top of what the rebuild counted
    state = MapCellState.objects.select_for_update().first()
    MapCell.objects.all().delete()
    for period in MAP_CELL_PERIODS:
        _add_reports(period=period, since=now - timedelta(days=period), until=None, sign=1)
    fields = {"aged_until": now, "built_at": now, "public_categories": _public_signature()}
    if state is None:
        MapCellState.objects.create(**fields)
    else:
        MapCellState.objects.filter(pk=state.pk).update(**fields)


def map_cells_age(*, now: datetime | None = None) -> str:
    """Take out of each period the reports that left it since the last run (beat, every minute); rebuild
    when needed. Returns what it did: "aged", "rebuilt"."""
    now = now or timezone.now()
    with transaction.atomic():
        state = MapCellState.objects.select_for_update().first()
        if (
            state is None
            or now - state.built_at > REBUILD_EVERY
            or state.public_categories != _public_signature()
            or state.aged_until > now
        ):
            map_cells_rebuild(now=now)
            return "rebuilt"
        for period in MAP_CELL_PERIODS:
            days = timedelta(days=period)
            _add_reports(period=period, since=state.aged_until - days, until=now - days, sign=-1)
        MapCellState.objects.filter(pk=state.pk).update(aged_until=now)
    return "aged"
