"""Reads of the incidents app."""

import math
from datetime import datetime, timedelta
from itertools import groupby

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Q, QuerySet
from django.utils import timezone

from portal import roles
from portal.models import Municipality, PartnerBody, PoliceUnit
from portal.roles import role_names

from .models import Category, District, Report
from .workflow import OPEN_STATUSES

NEARBY_METRES = 150


def categories_active_grouped() -> list[tuple[str, list[Category]]]:
    """Active categories grouped for the report form: [(group label, [category, …]), …]."""
    categories = Category.objects.filter(active=True).order_by("group", "sort_order", "code")
    labels = dict(Category.Group.choices)
    return [(labels[group], list(items)) for group, items in groupby(categories, key=lambda c: c.group)]


# --- places ---------------------------------------------------------------------------------------------


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


def district_default_officer(*, district: District):
    """The district's first responsible officer (by id), or None: the unit's coordinators then pick it up."""
    return district.officers.filter(is_active=True).order_by("pk").first()


def _metres_to_degrees(point: Point, metres: float) -> tuple[float, float]:
    lat = metres / 111_320
    lon = metres / (111_320 * max(math.cos(math.radians(point.y)), 0.01))
    return lon, lat


def haversine_m(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def reports_nearby(*, category: Category, point: Point, metres: float = NEARBY_METRES) -> list[Report]:
    """Open reports of the same category within ``metres``, nearest first. A bounding box query (spatial
    index) then the exact great-circle distance, so it works the same on SpatiaLite and PostGIS."""
    dlon, dlat = _metres_to_degrees(point, metres)
    box = Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))
    box.srid = 4326
    candidates = Report.objects.filter(
        category=category, status__in=OPEN_STATUSES, point__intersects=box
    ).select_related("category")[:50]
    near = [(haversine_m(point, r.point), r) for r in candidates]
    return [r for d, r in sorted(near, key=lambda x: x[0]) if d <= metres]


# --- people ---------------------------------------------------------------------------------------------


def report_officers(*, report: Report) -> list:
    if report.assignee_id:
        return [report.assignee]
    if report.district_id:
        return list(report.district.officers.filter(is_active=True))
    return []


def unit_coordinators(*, police_unit: PoliceUnit | None) -> list:
    if police_unit is None:
        return []
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.COORDINATOR, profile__police_unit=police_unit, is_active=True)
        .distinct()
    )


def partner_body_staff(*, partner_body: PartnerBody) -> list:
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.PARTNER_BODY, profile__partner_body=partner_body, is_active=True)
        .distinct()
    )


# --- staff queues ---------------------------------------------------------------------------------------


def reports_for_staff(user) -> QuerySet[Report]:
    """The reports ``user`` works on: an officer's districts and assignments, a coordinator's whole unit, a
    partner body's handed-over reports."""
    names = role_names(user)
    profile = getattr(user, "profile", None)
    q = Q(pk__in=[])
    if roles.OFFICER in names:
        q |= Q(assignee=user) | Q(district__officers=user)
    if roles.COORDINATOR in names and profile and profile.police_unit_id:
        q |= Q(police_unit_id=profile.police_unit_id)
    if roles.PARTNER_BODY in names and profile and profile.partner_body_id:
        q |= Q(partner_body_id=profile.partner_body_id)
    if user.is_superuser:
        q = Q()
    return Report.objects.filter(q).distinct()


def staff_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    district: int | None = None,
    open_only: bool = True,
) -> QuerySet[Report]:
    """The officer queue: nearest deadline first, overdue ones on top. Constant queries per page."""
    qs = reports_for_staff(user).select_related("category", "district", "assignee", "municipality")
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if category:
        qs = qs.filter(category__code=category)
    if district:
        qs = qs.filter(district_id=district)
    return qs.order_by("due_at", "created_at")


def report_timeline(*, report: Report, public: bool) -> QuerySet:
    events = report.events.select_related("actor")
    if public:
        events = events.exclude(action__in=["supported", "take_up_reminder", "verify_reminder"])
    return events


# --- public map -----------------------------------------------------------------------------------------

PUBLIC_PERIOD_DAYS = 90


def public_reports(
    *,
    since: datetime | None = None,
    category: str | None = None,
    status: str | None = None,
    district: int | None = None,
    municipality: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> QuerySet[Report]:
    """Reports the public may see: public categories only, the last 90 days at most."""
    now = timezone.now()
    earliest = now - timedelta(days=PUBLIC_PERIOD_DAYS)
    since = max(since, earliest) if since else earliest
    qs = Report.objects.filter(category__public=True, created_at__gte=since)
    if category:
        qs = qs.filter(category__code=category)
    if status:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(district_id=district)
    if municipality:
        qs = qs.filter(municipality_id=municipality)
    if bbox:
        box = Polygon.from_bbox(bbox)
        box.srid = 4326
        qs = qs.filter(point__intersects=box)
    return qs
