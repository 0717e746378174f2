"""Reads of the Open311 API. Public reads start from ``incidents.selectors.public_reports`` (public
categories, the last 90 days), the same selector as the public map; a staff api key reads all reports."""

import hashlib
from datetime import datetime

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db.models import FloatField, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from portal.models import Municipality, PoliceUnit

from .. import selectors as incidents_selectors
from ..models import CLOSED_STATUSES, OPEN_STATUSES, ApiKey, Category, District, Report, ReportEvent

CATEGORY_NAME_LANGUAGES = ("cs", "pl", "en", "nb")
OPEN311_STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def api_key_lookup(*, raw: str) -> ApiKey | None:
    """The active key whose secret is ``raw`` (found by its SHA-256), or None."""
    if not raw or len(raw) > 200:
        return None
    return (
        ApiKey.objects.select_related("police_unit").filter(key_hash=api_key_hash(raw), active=True).first()
    )


# --- jurisdictions --------------------------------------------------------------------------------------


def jurisdiction_by_code(*, code: str) -> PoliceUnit | None:
    return PoliceUnit.objects.filter(code=code).first()


def jurisdictions_first_two() -> list[PoliceUnit]:
    """At most two police units: enough to tell whether the endpoint serves one jurisdiction or several."""
    return list(PoliceUnit.objects.order_by("pk")[:2])


# --- services -------------------------------------------------------------------------------------------


def services_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("group", "sort_order", "code")


# --- places ---------------------------------------------------------------------------------------------


def place_for_address(*, address: str, jurisdiction: PoliceUnit | None = None) -> tuple[Point, str] | None:
    """A point inside the district or municipality that ``address`` names, and that name.

    Each comma-separated part is tried, the first one first ("West, Domažlice", "Náměstí 1, Domažlice"),
    as a district name, then as a municipality name (case-insensitive, whole name). A name that matches
    several places (many villages share a name) does not resolve, unless a jurisdiction narrows it to one."""
    parts = [part.strip() for part in address.split(",") if part.strip()][:4]
    for part in parts:
        if len(part) > 200:
            continue
        districts = District.objects.filter(name__iexact=part, active=True)
        served = Municipality.objects.filter(name__iexact=part, police_units__isnull=False)
        if jurisdiction is not None:
            districts = districts.filter(police_unit=jurisdiction)
            served = served.filter(police_units=jurisdiction)
        municipalities = Municipality.objects.filter(pk__in=served.values("pk")).exclude(boundary=None)
        for qs, field in ((districts, "area"), (municipalities, "boundary")):
            rows = list(qs.annotate(inside=PointOnSurface(field)).values_list("name", "inside")[:2])
            if len(rows) == 1 and rows[0][1] is not None:
                name, point = rows[0]
                point.srid = 4326
                return point, name
    return None


# --- requests -------------------------------------------------------------------------------------------


# What a GeoReport request is made of, read as plain rows (dicts): no model instances, and none of the
# related rows' polygons (the district's area, the municipality's boundary) that ``select_related`` would drag
# along for each report. The point comes as two numbers (ST_X/ST_Y, in PostGIS and SpatiaLite alike).
REQUEST_COLUMNS = (
    "reference",
    "status",
    "public_answer",
    "created_at",
    "due_at",
    "category__code",
    *(f"category__name_{code}" for code in CATEGORY_NAME_LANGUAGES),
    "police_unit__name",
    "partner_body__name",
    "municipality__name",
    "district__name",
)


def _decorated(qs: QuerySet[Report], *, staff: bool = False) -> QuerySet:
    """What a GeoReport request needs, in one query: the columns above (the description only for a staff
    key), the point's coordinates and when it was last updated (its last public event). Rows are dicts."""
    last_event = (
        ReportEvent.objects.filter(report=OuterRef("pk"))
        .exclude(action__in=incidents_selectors.PRIVATE_EVENT_ACTIONS)  # as the public timeline
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    columns = (*REQUEST_COLUMNS, "description") if staff else REQUEST_COLUMNS
    return (
        qs.annotate(
            # the last public event, else the last change; never before the submission
            updated=Greatest(Coalesce(Subquery(last_event), "updated_at"), "created_at"),
            point_lat=Func("point", function="ST_Y", output_field=FloatField()),
            point_long=Func("point", function="ST_X", output_field=FloatField()),
        )
        .order_by("-created_at", "-pk")
        .values(*columns, "updated", "point_lat", "point_long")
    )


def requests_readable(
    *,
    staff: bool,
    since: datetime | None = None,
    until: datetime | None = None,
    jurisdiction: PoliceUnit | None = None,
    jurisdiction_code: str | None = None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet:
    """The reports an API client may read, as rows (see ``_decorated``). Public: ``public_reports`` (public
    categories, 90 days). A staff key: every report, any category, any age. ``jurisdiction`` is a police
    unit, ``jurisdiction_code`` its code (one query fewer when the caller need not know the unit). Filters:
    ``statuses`` are GeoReport's open / closed."""
    if staff:
        qs = Report.objects.all()
        if since is not None:
            qs = qs.filter(created_at__gte=since)
    else:
        qs = incidents_selectors.public_reports(since=since)
    return _filtered(
        qs,
        staff=staff,
        until=until,
        jurisdiction=jurisdiction,
        jurisdiction_code=jurisdiction_code,
        references=references,
        service_codes=service_codes,
        statuses=statuses,
    )


def requests_feed(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    jurisdiction: PoliceUnit | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet:
    """The public GeoJSON feed (rows, see ``_decorated``): ``public_reports`` (shared with the public map),
    then the API's filters."""
    qs = incidents_selectors.public_reports(since=since, bbox=bbox)
    return _filtered(
        qs, until=until, jurisdiction=jurisdiction, service_codes=service_codes, statuses=statuses
    )


def _filtered(
    qs: QuerySet[Report],
    *,
    staff: bool = False,
    until: datetime | None,
    jurisdiction: PoliceUnit | None,
    jurisdiction_code: str | None = None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    if jurisdiction is not None:
        qs = qs.filter(police_unit=jurisdiction)
    if jurisdiction_code is not None:  # the police unit's code, matched in the same query (no lookup first)
        qs = qs.filter(police_unit__code=jurisdiction_code)
    if references is not None:
        return _decorated(qs.filter(reference__in=references), staff=staff)
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=set().union(*(OPEN311_STATUSES[s] for s in statuses)))
    return _decorated(qs, staff=staff)
