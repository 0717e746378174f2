"""What the public may see (the public map, its list and filters, the Open311 feed): public categories only,
and of a report only its reference, category, place, status, the date it was submitted and the public answer.
Never the description, the attachments or the reporter."""

import math
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.gis.db.models import Extent
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import Floor, Left
from django.utils import timezone

from portal.models import Municipality

from ..models import Category, District, MapCell, MapCellState, Report, Status
from .geo import StX, StY, bbox_polygon
from .places import served_extent_cached

PUBLIC_PERIOD_DAYS = 90  # the map and the Open311 API show the last 90 days at most
STATS_MAX_DAYS = 366  # the statistics a year
MAP_FEATURE_LIMIT = 500  # more public reports than this in the viewed box: the map gets clusters instead
MAP_CLUSTER_PIXELS = 80  # a server-side cluster covers about this many screen pixels
MAP_MAX_CELLS_ACROSS = 64  # whatever zoom a client claims: at most 64 × 64 clusters per answer
MAP_ANSWER_CHARS = 300  # the popup shows the public answer up to this length
MAP_CELL_LEVELS = (4, 6, 8, 10, 12, 14, 16)  # zooms whose clusters are counted ahead (incidents.map_cells)
MAP_CELL_PERIODS = (7, 30, 90)  # the map's periods (forms.MAP_PERIODS), days
MAP_CELL_MAX_LAG = timedelta(minutes=10)  # cells the beat task has not aged for longer are not used
PUBLIC_CHOICES_CACHE_SECONDS = 600
PUBLIC_TOWNS_CACHE_KEY = "incidents:public-towns:v1"
CATEGORY_NAMES = ("name_cs", "name_pl", "name_en", "name_nb")  # a category's name in each language
_PUBLIC_FIELDS = (
    "reference",
    "status",
    "created_at",
    "public_answer",
    "category__code",
    "category__group",
    *(f"category__{name}" for name in CATEGORY_NAMES),
    "district__name",
    "municipality__name",
)


def _public(
    *,
    since: datetime,
    until: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
) -> QuerySet[Report]:
    qs = Report.objects.filter(category__public=True, created_at__gte=since).exclude(status=Status.WITHDRAWN)
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    if category:
        qs = qs.filter(category__code=category)
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(district_id=district)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    return qs


def public_reports(
    *,
    since: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> QuerySet[Report]:
    """Reports the public may see on the map: public categories only, the last 90 days at most."""
    earliest = timezone.now() - timedelta(days=PUBLIC_PERIOD_DAYS)
    since = max(since, earliest) if since else earliest
    qs = _public(since=since, category=category, status=status, district=district, municipality=municipality)
    if bbox:
        qs = qs.filter(point__intersects=bbox_polygon(bbox))
    return qs


def public_reports_in_period(
    *,
    days: int,
    now: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
) -> QuerySet[Report]:
    """Public reports (public categories only) submitted in the last ``days`` days, at most a year: the
    statistics' set. The map's set is ``public_reports`` (90 days at most)."""
    now = now or timezone.now()
    since = now - timedelta(days=max(1, min(days, STATS_MAX_DAYS)))
    return _public(
        since=since, until=now, category=category, status=status, district=district, municipality=municipality
    )


def public_categories() -> QuerySet[Category]:
    """The categories the public map may show, with their names only."""
    return Category.objects.filter(public=True).only(
        "code", "group", "name_cs", "name_pl", "name_en", "name_nb"
    )


def public_filter_choices() -> dict[str, list]:
    """Choices of the public map's and statistics' filters: public categories grouped by their group, active
    districts grouped by town, and the towns with public reports (cached). Three queries at most."""
    labels = dict(Category.Group.choices)
    categories = Category.objects.filter(public=True).order_by("group", "sort_order", "code")
    category_choices = [
        (labels.get(group, group), [(c.code, c.name) for c in items])
        for group, items in groupby(categories, key=lambda c: c.group)
    ]
    districts = District.objects.filter(active=True).order_by("municipality__name", "name", "pk")
    district_choices = [
        (town or "—", [(pk, name) for pk, name, _town in items])
        for town, items in groupby(
            districts.values_list("pk", "name", "municipality__name"), key=lambda row: row[2]
        )
    ]
    towns = cache.get(PUBLIC_TOWNS_CACHE_KEY)
    if towns is None:
        # Only towns with public reports of the last year: a list of every served village would be long and
        # mostly empty. One pass over the year's reports, kept in the cache for a few minutes.
        with_reports = (
            Report.objects.filter(
                category__public=True, created_at__gte=timezone.now() - timedelta(days=STATS_MAX_DAYS)
            )
            .order_by()
            .values("municipality_id")
        )
        towns = list(
            Municipality.objects.filter(pk__in=with_reports)
            .order_by("name", "district_name", "pk")
            .values_list("pk", "name", "district_name")
        )
        cache.set(PUBLIC_TOWNS_CACHE_KEY, towns, PUBLIC_CHOICES_CACHE_SECONDS)
    names = [name for _pk, name, _district in towns]
    town_choices = [
        (pk, f"{name} ({district})" if district and names.count(name) > 1 else name)
        for pk, name, district in towns
    ]
    return {"categories": category_choices, "districts": district_choices, "municipalities": town_choices}


def public_map_extent(
    *, district: int | None = None, municipality: int | None = None, country: str | None = None
) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) the map opens on: the chosen district or town, else the served area."""
    if district:
        return District.objects.filter(pk=district).aggregate(extent=Extent("area"))["extent"]
    if municipality:
        return Municipality.objects.filter(pk=municipality).aggregate(extent=Extent("boundary"))["extent"]
    return served_extent_cached(country=country)


def public_report_page(*, reports: QuerySet[Report], page: int, per_page: int) -> tuple[list[Report], bool]:
    """One page of ``reports``, newest first, with only their public fields loaded, and whether another
    page follows. One query, and no COUNT over a million rows."""
    offset = (max(page, 1) - 1) * per_page
    rows = list(
        reports.select_related("category", "district", "municipality")
        .only(*_PUBLIC_FIELDS)
        .order_by("-created_at", "-pk")[offset : offset + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


def map_cluster_cell(*, bbox: tuple[float, float, float, float], zoom: int | None) -> float:
    """The side (degrees) of the grid cells server-side clusters gather: about MAP_CLUSTER_PIXELS at the
    map's zoom, never so small that the box holds more than MAP_MAX_CELLS_ACROSS cells across."""
    west, south, east, north = bbox
    span = max(east - west, north - south)
    cell = span / 12 if zoom is None else MAP_CLUSTER_PIXELS * 360 / (256 * 2**zoom)
    return max(cell, span / MAP_MAX_CELLS_ACROSS, 1e-6)


def map_cell_size(level: int) -> float:
    """The side (degrees) of the grid cells of zoom ``level``: MAP_CLUSTER_PIXELS at that zoom."""
    return MAP_CLUSTER_PIXELS * 360 / (256 * 2**level)


@contextmanager
def _no_parallel_plan():
    """PostgreSQL: no parallel workers for the map's short queries (starting them costs more than the query
    saves): ``SET LOCAL`` in a transaction (no savepoint of its own; the setting ends with the transaction
    around it). Nothing elsewhere."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _public_ids_sql(categories: str) -> str:
    """SQL giving the public categories' ids as ``map_cells`` records them ("1,2,5"): the cells answer only
    while no category became private (or public) since they were counted."""
    if connection.vendor == "postgresql":
        ids = "string_agg(k.id::text, ',' ORDER BY k.id)"
        return f"(SELECT {ids} FROM {categories} k WHERE k.public)"  # noqa: S608 - names, no input
    public = f"(SELECT id FROM {categories} WHERE public ORDER BY id)"  # noqa: S608 - names, no input
    return f"(SELECT group_concat(k.id, ',') FROM {public} k)"  # noqa: S608 - names, no input


def public_map_cells(
    *,
    bbox: tuple[float, float, float, float],
    zoom: int | None,
    period: int,
    now: datetime | None = None,
) -> list[dict] | None:
    """The map's clusters in ``bbox`` from the cells counted ahead (``incidents.map_cells``), without filters:
    per grid cell of ``zoom`` touching the box, the number of public reports and their mean position
    (``public_map_clusters``' rows). A zoom between two stored levels reads the finer one, two by two.
    None when the cells cannot answer: a zoom outside the levels or whose cell the box clamps
    (``map_cluster_cell``), another period, the cells not built or not aged for MAP_CELL_MAX_LAG, or the
    public categories changed since they were counted (until the beat task rebuilds them). One query.

    A cell at the box's edge counts its reports just outside the box too (the clusters do not jump while
    the map pans); what a cell counts is the set of ``aged_until`` (at most a minute old), not of now."""
    level = next((level for level in MAP_CELL_LEVELS if zoom is not None and level >= zoom), None)
    if level is None or zoom < MAP_CELL_LEVELS[0] or period not in MAP_CELL_PERIODS:
        return None
    size = map_cell_size(zoom)
    if map_cluster_cell(bbox=bbox, zoom=zoom) != size:
        return None
    now = now or timezone.now()
    group = 2 ** (level - zoom)  # stored cells per cell of the zoom, each way
    west, south, east, north = (math.floor(value / size) for value in bbox)
    cell = connection.ops.quote_name(MapCell._meta.db_table)
    state = connection.ops.quote_name(MapCellState._meta.db_table)
    categories = connection.ops.quote_name(Category._meta.db_table)
    sql = (
        "SELECT FLOOR(c.cx / %s), FLOOR(c.cy / %s), SUM(c.n), SUM(c.sx), SUM(c.sy) "  # noqa: S608 - names
        f"FROM {cell} c WHERE c.level = %s AND c.period = %s AND c.cx BETWEEN %s AND %s "
        "AND c.cy BETWEEN %s AND %s GROUP BY 1, 2 HAVING SUM(c.n) > 0 "
        f"UNION ALL SELECT NULL, NULL, -1, 0, 0 FROM {state} s WHERE s.aged_until >= %s "
        f"AND s.public_categories = {_public_ids_sql(categories)}"
    )
    params = [float(group), float(group), level, period, west * group, (east + 1) * group - 1]
    params += [south * group, (north + 1) * group - 1]
    params.append(connection.ops.adapt_datetimefield_value(now - MAP_CELL_MAX_LAG))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(n == -1 for _cx, _cy, n, _sx, _sy in rows):
        return None  # not built, the beat task stopped, or a category became private since
    cells = [
        {"cell_x": int(cx), "cell_y": int(cy), "count": n, "lon": sx / n, "lat": sy / n}
        for cx, cy, n, sx, sy in rows
        if n != -1
    ]
    return sorted(cells, key=lambda row: (row["cell_x"], row["cell_y"]))


def public_map_features(*, reports: QuerySet[Report], limit: int = MAP_FEATURE_LIMIT) -> list[dict] | None:
    """The public fields of ``reports`` for the map, or None when there are more than ``limit`` (then the
    map shows clusters). One query that stops after limit + 1 rows."""
    rows = list(
        reports.order_by()
        .annotate(lon=StX("point"), lat=StY("point"), answer=Left("public_answer", MAP_ANSWER_CHARS + 1))
        .values("reference", "status", "created_at", "category__code", "lon", "lat", "answer")[: limit + 1]
    )
    return None if len(rows) > limit else rows


def public_map_clusters(*, reports: QuerySet[Report], cell: float) -> list[dict]:
    """``reports`` gathered by the database on a grid of ``cell`` degrees: per cell the number of reports and
    their mean position. The same SQL (ST_X, ST_Y, FLOOR) runs on SpatiaLite and PostGIS."""
    return list(
        reports.order_by()
        .annotate(cell_x=Floor(StX("point") / cell), cell_y=Floor(StY("point") / cell))
        .values("cell_x", "cell_y")
        .annotate(count=Count("pk"), lon=Avg(StX("point")), lat=Avg(StY("point")))
        .order_by("cell_x", "cell_y")
    )


def public_map_data(
    *,
    bbox: tuple[float, float, float, float],
    zoom: int | None,
    period: int,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
    limit: int = MAP_FEATURE_LIMIT,
    now: datetime | None = None,
) -> tuple[bool, list[dict]]:
    """What the public map shows in ``bbox``: (False, single reports — ``public_map_features``' rows) while
    there are at most ``limit``, else (True, clusters — ``public_map_clusters``' rows).

    Without filters, zooms 4–16 read the cells counted ahead (``public_map_cells``): one query for
    clusters, a second one for the exact single reports when the cells count few. Otherwise the
    reports are counted live: the capped read of single reports, then the clusters if there were too many;
    on PostgreSQL without parallel workers. Single reports are always read from the reports themselves."""
    now = now or timezone.now()
    filters = {"category": category, "status": status, "district": district, "municipality": municipality}

    def reports() -> QuerySet[Report]:  # built only when read (the clusters from cells need no queryset)
        return public_reports(since=now - timedelta(days=period), bbox=bbox, **filters)

    if not any(filters.values()):
        clusters = public_map_cells(bbox=bbox, zoom=zoom, period=period, now=now)
        if clusters is not None and sum(row["count"] for row in clusters) > limit:
            return True, clusters
        if clusters is not None:
            rows = public_map_features(reports=reports(), limit=limit)
            return (False, rows) if rows is not None else (True, clusters)
    with _no_parallel_plan():
        rows = public_map_features(reports=reports(), limit=limit)
        if rows is not None:
            return False, rows
        return True, public_map_clusters(reports=reports(), cell=map_cluster_cell(bbox=bbox, zoom=zoom))
