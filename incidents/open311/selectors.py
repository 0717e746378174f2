"""Reads of the Open311 API. Public reads start from ``incidents.selectors.public_reports`` (public
categories, the last 90 days), the same selector as the public map; a staff api key reads all reports."""

import hashlib
from datetime import datetime

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db.models import OuterRef, QuerySet, Subquery

from portal.models import Municipality, PoliceUnit

from .. import selectors as incidents_selectors
from ..models import CLOSED_STATUSES, OPEN_STATUSES, ApiKey, Category, District, Report, ReportEvent

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


def _decorated(qs: QuerySet[Report]) -> QuerySet[Report]:
    """What a GeoReport request needs, in one query: related names and the time of the last public event."""
    last_event = (
        ReportEvent.objects.filter(report=OuterRef("pk"))
        .exclude(action__in=incidents_selectors.PRIVATE_EVENT_ACTIONS)  # as the public timeline
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return (
        qs.select_related("category", "police_unit", "partner_body", "municipality", "district")
        .annotate(last_event_at=Subquery(last_event))
        .order_by("-created_at", "-pk")
    )


def requests_readable(
    *,
    staff: bool,
    since: datetime | None = None,
    until: datetime | None = None,
    jurisdiction: PoliceUnit | None = None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    """The reports an API client may read. Public: ``public_reports`` (public categories, 90 days). A staff
    key: every report, any category, any age. Filters: ``statuses`` are GeoReport's open / closed."""
    if staff:
        qs = Report.objects.all()
        if since is not None:
            qs = qs.filter(created_at__gte=since)
    else:
        qs = incidents_selectors.public_reports(since=since)
    return _filtered(
        qs,
        until=until,
        jurisdiction=jurisdiction,
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
) -> QuerySet[Report]:
    """The public GeoJSON feed: ``public_reports`` (shared with the public map), then the API's filters."""
    qs = incidents_selectors.public_reports(since=since, bbox=bbox)
    return _filtered(
        qs, until=until, jurisdiction=jurisdiction, service_codes=service_codes, statuses=statuses
    )


def _filtered(
    qs: QuerySet[Report],
    *,
    until: datetime | None,
    jurisdiction: PoliceUnit | None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    if jurisdiction is not None:
        qs = qs.filter(police_unit=jurisdiction)
    if references is not None:
        return _decorated(qs.filter(reference__in=references))
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=set().union(*(OPEN311_STATUSES[s] for s in statuses)))
    return _decorated(qs)
