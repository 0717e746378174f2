"""What the public may see (the public map, its list and filters, the Open311 feed): public categories only,
and of a report only its reference, category, place, status, the date it was submitted and the public answer.
Never the description, the attachments or the reporter."""

from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.gis.db.models import Extent
from django.core.cache import cache
from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import Floor, Left
from django.utils import timezone

from portal.models import Municipality

from ..models import Category, District, Report, Status
from .geo import StX, StY, bbox_polygon
from .places import served_extent_cached

PUBLIC_PERIOD_DAYS = 90  # the map and the Open311 API show the last 90 days at most
STATS_MAX_DAYS = 366  # the statistics a year
MAP_FEATURE_LIMIT = 500  # more public reports than this in the viewed box: the map gets clusters instead
MAP_CLUSTER_PIXELS = 80  # a server-side cluster covers about this many screen pixels
MAP_MAX_CELLS_ACROSS = 64  # whatever zoom a client claims: at most 64 × 64 clusters per answer
MAP_ANSWER_CHARS = 300  # the popup shows the public answer up to this length
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
