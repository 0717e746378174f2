"""Places: where a report at a point goes (the one routing rule), the served area, finding a place by name,
and the open reports near a point."""

from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db.models import Subquery
from django.utils.translation import gettext as _

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
    municipality nowhere (``served`` is False). One point-in-polygon query inside a district (the district
    with its unit and municipality, and the municipality at the point as a subquery); two outside (the
    municipality at the point with the unit serving it)."""
    at_point = Municipality.objects.filter(boundary__intersects=point).order_by("pk").values("pk")[:1]
    district = (
        District.objects.filter(active=True, area__intersects=point)
        .select_related("police_unit", "municipality")
        .defer("area", "municipality__boundary")
        .annotate(municipality_at_point=Subquery(at_point))
        .order_by("pk")
        .first()
    )
    if district is not None:
        municipality_id = district.municipality_at_point
        if municipality_id is None:
            municipality = None
        elif municipality_id == district.municipality_id:
            municipality = district.municipality
        else:  # a district drawn across a municipal boundary: the point's own municipality
            municipality = Municipality.objects.defer("boundary").get(pk=municipality_id)
        return Route(district.police_unit, district, municipality)
    # Outside every district: the municipality at the point with the unit serving it (lowest pk), in one
    # query while the place is served; an unserved municipality is read on its own (it is refused)
    link = (
        PoliceUnit.municipalities.through.objects.filter(municipality_id=Subquery(at_point))
        .select_related("policeunit", "municipality")
        .defer("municipality__boundary")
        .order_by("policeunit_id")
        .first()
    )
    if link is not None:
        return Route(link.policeunit, None, link.municipality)
    return Route(None, None, Municipality.objects.filter(pk=Subquery(at_point)).defer("boundary").first())


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


def report_area_rows() -> list[tuple[int, str, list[tuple[int, str]]]]:
    """Served municipalities by name, each with its active districts by name: (pk, name, [(pk, name)]).
    One query, no geometry read."""
    towns: dict[int, tuple[str, dict[int, str]]] = {}
    rows = (
        Municipality.objects.filter(police_units__isnull=False)
        .exclude(boundary=None)
        .order_by("name", "pk", "districts__name", "districts__pk")
        .values_list("pk", "name", "districts__pk", "districts__name", "districts__active")
    )
    for pk, name, district_pk, district_name, active in rows:
        _name, districts = towns.setdefault(pk, (name, {}))
        if district_pk is not None and active:
            districts[district_pk] = district_name
    return [(pk, name, list(districts.items())) for pk, (name, districts) in towns.items()]


def report_area_cache_key() -> str:
    return "incidents:report-areas:v1"


def report_area_choices() -> list:
    """The report form's choice of a place without a map: served municipalities by name ("m<pk>"), those
    with active districts as a group of "the whole town" and each district ("d<pk>"). Kept for a few
    minutes (``district_upsert`` forgets it)."""
    rows = cache.get_or_set(report_area_cache_key(), report_area_rows, SERVED_EXTENT_CACHE_SECONDS)
    choices: list = []
    for pk, name, districts in rows:
        if districts:
            whole = _("%(town)s – the whole town, I do not know the district") % {"town": name}
            group = [(f"m{pk}", whole), *((f"d{d_pk}", d_name) for d_pk, d_name in districts)]
            choices.append((name, group))
        else:
            choices.append((f"m{pk}", name))
    return choices


def report_area_place(*, value: str) -> tuple[Point, Route] | None:
    """For a choice of ``report_area_choices``: a point inside that district or municipality and the route of
    a report placed there (the district's; for the whole town the unit's coordinators, even where a point
    inside it lies in a district). None if there is no such served place."""
    kind, pk = (value or " ")[0], (value or " ")[1:]
    if not pk.isdigit():
        return None
    if kind == "d":
        district = (
            District.objects.filter(pk=pk, active=True)
            .annotate(inside=PointOnSurface("area"))
            .select_related("police_unit", "municipality")
            .first()
        )
        if district is None or district.inside is None:
            return None
        return district.inside, Route(district.police_unit, district, district.municipality)
    if kind == "m":
        municipality = Municipality.objects.filter(pk=pk).annotate(inside=PointOnSurface("boundary")).first()
        unit = police_unit_serving(municipality=municipality) if municipality else None
        if unit is None or municipality.inside is None:
            return None
        return municipality.inside, Route(unit, None, municipality)
    return None
