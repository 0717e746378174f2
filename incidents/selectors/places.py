"""Places: where a report at a point goes (the one routing rule), the served area, finding a place by name,
and the open reports near a point."""

from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.core.cache import cache

from portal.models import Municipality, PoliceUnit

from ..models import OPEN_STATUSES, Category, District, Report
from .geo import box_around, haversine_m

NEARBY_METRES = 150
SERVED_EXTENT_CACHE_SECONDS = 600


def district_at(*, point: Point) -> District | None:
    return (
        District.objects.filter(active=True, area__intersects=point)
        .select_related("police_unit")
        .order_by("pk")
        .first()
    )


def municipality_at(*, point: Point) -> Municipality | None:
    return Municipality.objects.filter(boundary__intersects=point).order_by("pk").first()


def police_unit_serving(*, municipality: Municipality) -> PoliceUnit | None:
    return PoliceUnit.objects.filter(municipalities=municipality).order_by("pk").first()


@dataclass(frozen=True)
class Route:
    """Where a report at a point goes: the police unit (None outside the served area), the district and
    the municipality the point lies in."""

    police_unit: PoliceUnit | None
    district: District | None
    municipality: Municipality | None

    @property
    def served(self) -> bool:
        return self.police_unit is not None


def report_route(*, point: Point) -> Route:
    """The one routing rule: a point inside an active district goes to that district's unit; elsewhere to
    the unit serving the municipality it lies in (the coordinators' unassigned queue); outside every served
    municipality nowhere (``served`` is False). Two point-in-polygon queries, and one more outside every
    district."""
    district = district_at(point=point)
    municipality = municipality_at(point=point)
    if district is not None:
        return Route(district.police_unit, district, municipality)
    unit = police_unit_serving(municipality=municipality) if municipality else None
    return Route(unit, None, municipality)


def places_search(*, query: str, limit: int = 8) -> list[dict]:
    """Served municipalities and active districts whose name contains ``query`` (names that start with it
    first), each with a point inside it to move the report form's map to. Two queries."""
    query = (query or "").strip()[:80]
    if len(query) < 2:
        return []
    municipalities = (
        Municipality.objects.filter(name__icontains=query, police_units__isnull=False)
        .exclude(boundary=None)
        .annotate(inside=PointOnSurface("boundary"))
        .distinct()
        .order_by("name", "pk")
        .values_list("name", "district_name", "inside")[: limit * 3]
    )
    districts = (
        District.objects.filter(name__icontains=query, active=True)
        .annotate(inside=PointOnSurface("area"))
        .order_by("name", "pk")
        .values_list("name", "municipality__name", "inside")[: limit * 3]
    )
    places = [
        {"name": name, "detail": detail or "", "kind": kind, "lat": round(p.y, 6), "lon": round(p.x, 6)}
        for kind, rows in (("municipality", municipalities), ("district", districts))
        for name, detail, p in rows
        if p is not None
    ]
    lowered = query.lower()
    places.sort(key=lambda p: (not p["name"].lower().startswith(lowered), p["kind"] != "municipality"))
    return places[:limit]


def served_extent(*, country: str | None = None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the municipalities a police unit serves (of one country, if given)."""
    qs = Municipality.objects.filter(police_units__isnull=False).exclude(boundary=None)
    if country:
        qs = qs.filter(country=country)
    return qs.aggregate(extent=Extent("boundary"))["extent"]


def served_extent_cache_key(country: str | None) -> str:
    return f"incidents:served-extent:v2:{country or ''}"


def served_extent_cached(*, country: str | None = None) -> tuple[float, float, float, float] | None:
    """``served_extent`` kept for a few minutes (the union of hundreds of detailed boundaries), for the
    maps of the report form and the public map."""
    return cache.get_or_set(
        served_extent_cache_key(country), lambda: served_extent(country=country), SERVED_EXTENT_CACHE_SECONDS
    )


def reports_nearby(*, category: Category, point: Point, metres: float = NEARBY_METRES) -> list[Report]:
    """Open reports of the same category within ``metres``, nearest first. A bounding box query (spatial
    index) then the exact great-circle distance, so it works the same on SpatiaLite and PostGIS."""
    candidates = Report.objects.filter(
        category=category, status__in=OPEN_STATUSES, point__intersects=box_around(point, metres)
    ).select_related("category")[:50]
    near = [(haversine_m(point, r.point), r) for r in candidates]
    return [r for d, r in sorted(near, key=lambda x: x[0]) if d <= metres]
