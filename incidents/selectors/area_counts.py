"""Report counts in areas over months, for the measured effect of funded projects (``projects.results``).

All counting is done in the database: one grouped query returns, per calendar month, how many reports fell in
each of up to three areas (target, buffer, control), all and verified only. Joke/mistake and withdrawn
reports are never counted. The point (spatial index) and the creation time (``report_created``) narrow the
rows first."""

from datetime import datetime

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from ..models import District, Report, Status

# Statuses the police confirmed (the "verified only" variant)
VERIFIED_STATUSES = (Status.CONFIRMED, Status.ELIMINATED, Status.HANDED_OVER)
NOT_COUNTED_STATUSES = (Status.JOKE_OR_MISTAKE, Status.WITHDRAWN)


def _flag(lookup: Q) -> Case:
    return Case(When(lookup, then=Value(1)), default=Value(0), output_field=IntegerField())


def monthly_area_counts(
    *,
    areas: dict[str, GEOSGeometry],
    since: datetime,
    until: datetime,
    category_ids: list[int] | None = None,
) -> list[dict]:
    """[{"month": datetime (first of the month), "<area name>": 0 | 1 for each area, "verified": 0 | 1,
    "n": count}, …] for reports created in [since, until) inside any of ``areas`` ({name: geometry in
    EPSG:4326}, names are identifiers). ``category_ids`` None: every category. One query."""
    names = sorted(areas)
    if not names:
        return []
    envelope = None
    for name in names:
        envelope = areas[name] if envelope is None else envelope.union(areas[name])
    qs = Report.objects.filter(
        created_at__gte=since, created_at__lt=until, point__intersects=envelope
    ).exclude(status__in=NOT_COUNTED_STATUSES)
    if category_ids is not None:
        qs = qs.filter(category_id__in=list(category_ids))
    flags = {f"in_{name}": _flag(Q(point__intersects=areas[name])) for name in names}
    rows = (
        qs.annotate(month=TruncMonth("created_at"), verified=_flag(Q(status__in=VERIFIED_STATUSES)), **flags)
        .values("month", "verified", *flags)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {
            "month": row["month"],
            "verified": row["verified"],
            "n": row["n"],
            **{name: row[f"in_{name}"] for name in names},
        }
        for row in rows
    ]


def districts_for_areas(*, ids) -> QuerySet[District]:
    return District.objects.filter(pk__in=list(ids)).order_by("name")


def districts_outside(
    *, area: GEOSGeometry, near: GEOSGeometry | None = None, limit: int = 60
) -> list[District]:
    """Active districts that do not intersect ``area``, at most ``limit``; with ``near``, the closest to its
    centroid first (measured in the database). Their boundaries are not loaded. One query."""
    qs = District.objects.filter(active=True).exclude(area__intersects=area).defer("area")
    if near is not None:
        qs = qs.annotate(distance=Distance("area", near.centroid)).order_by("distance", "name")
    else:
        qs = qs.order_by("name")
    return list(qs.select_related("municipality").defer("municipality__boundary")[:limit])


def districts_intersecting(*, area: GEOSGeometry) -> list[int]:
    return list(District.objects.filter(area__intersects=area).values_list("pk", flat=True))


def monthly_district_counts(
    *, district_ids, since: datetime, until: datetime, category_ids: list[int] | None = None
) -> list[dict]:
    """[{"district": id, "month": datetime, "n": count}, …] by the district the report was routed to,
    joke/mistake and withdrawn left out. One query."""
    qs = Report.objects.filter(
        district_id__in=list(district_ids), created_at__gte=since, created_at__lt=until
    ).exclude(status__in=NOT_COUNTED_STATUSES)
    if category_ids is not None:
        qs = qs.filter(category_id__in=list(category_ids))
    rows = (
        qs.annotate(month=TruncMonth("created_at"))
        .values("district_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [{"district": r["district_id"], "month": r["month"], "n": r["n"]} for r in rows]
